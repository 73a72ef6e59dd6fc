//! The per-request context the app attaches to each request it handles
//! (what Flask keeps in its request context), and [`RequestExt`], the
//! methods it gives `&Request`: `url_for`, `session`, `flash`, the
//! endpoint and blueprint.

use std::cell::{Cell, RefCell};

use carafe_wrappers::{Request, Response};

use crate::app::App;
use crate::error::Error;
use crate::extract::FromRequestParts;
use crate::globals::{AfterThis, Globals};
use crate::session::{Flash, Session, SessionData};
use crate::url::{UrlError, UrlFor};

/// What the app knows about the request it is handling.
pub(crate) struct RequestContext {
    pub(crate) app: App,
    /// The matched endpoint's index, once routing found one.
    pub(crate) endpoint: Cell<Option<u32>>,
    /// The session, once something asked for it.
    pub(crate) session: RefCell<Option<SessionData>>,
    /// The flashed messages taken from the session for this request.
    pub(crate) flashes: RefCell<Option<Vec<Flash>>>,
    /// Flask's `g`.
    pub(crate) globals: RefCell<Vec<Box<dyn std::any::Any + Send>>>,
    /// Flask's `after_this_request` callbacks.
    pub(crate) after_this: RefCell<Vec<AfterThis>>,
}

impl RequestContext {
    pub(crate) fn new(app: App) -> Self {
        RequestContext {
            app,
            endpoint: Cell::new(None),
            session: RefCell::new(None),
            flashes: RefCell::new(None),
            globals: RefCell::new(Vec::new()),
            after_this: RefCell::new(Vec::new()),
        }
    }

    pub(crate) fn of(request: &Request) -> Option<&RequestContext> {
        request.local::<RequestContext>()
    }

    pub(crate) fn endpoint_name(&self) -> Option<&str> {
        let index = self.endpoint.get()?;
        Some(&self.app.inner.endpoints[index as usize].name)
    }

    pub(crate) fn blueprint_name(&self) -> Option<&str> {
        let index = self.endpoint.get()?;
        self.app.inner.endpoints[index as usize]
            .blueprint
            .as_deref()
    }
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for carafe_wrappers::Request {}
}

/// What the app adds to the requests it handles (Flask's `request`,
/// `session`, `url_for` and `flash`, reached through the request instead of
/// globals). Import it with `use carafe::prelude::*`.
///
/// Outside an app (a request built by hand and never dispatched), the
/// endpoint is `None`, `url_for` fails with [`UrlError::NoApp`] and the
/// session is empty and refuses writes.
///
/// # Examples
///
/// ```
/// use carafe::prelude::*;
/// use carafe::wrappers::test::Client;
///
/// fn user(request: &Request, values: &Values<'_>) -> Result<String, Error> {
///     let id: i64 = values.get_as("id")?;
///     let link = request.url_for(UrlFor::new("user").value("id", id + 1))?;
///     Ok(format!("{} -> {link}", request.endpoint().unwrap()))
/// }
///
/// let app = App::builder().route("/users/<int:id>", user).build();
/// assert_eq!(Client::new(app).get("/users/1").send().text(), "user -> /users/2");
/// ```
pub trait RequestExt: sealed::Sealed {
    /// The app handling this request.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe::prelude::*;
    /// assert!(Request::get("/").app().is_none());
    /// ```
    fn app(&self) -> Option<&App>;

    /// The endpoint of the rule that matched (Flask's `request.endpoint`);
    /// `None` before routing or when nothing matched.
    ///
    /// # Examples
    ///
    /// See [`RequestExt`].
    fn endpoint(&self) -> Option<&str>;

    /// The dotted name of the blueprint of the endpoint
    /// (`parent.child` for `parent.child.view`), Flask's `request.blueprint`.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe::prelude::*;
    /// use carafe::wrappers::test::Client;
    ///
    /// fn show(request: &Request) -> String {
    ///     request.blueprint().unwrap_or("none").to_owned()
    /// }
    /// let app = App::builder()
    ///     .register_blueprint(Blueprint::new("admin").route("/admin", show))
    ///     .route("/", show)
    ///     .build();
    /// let client = Client::new(app);
    /// assert_eq!(client.get("/admin").send().text(), "admin");
    /// assert_eq!(client.get("/").send().text(), "none");
    /// ```
    fn blueprint(&self) -> Option<&str>;

    /// The blueprint and its parents, innermost first (Flask's
    /// `request.blueprints`): `["parent.child", "parent"]`.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe::prelude::*;
    /// use carafe::wrappers::test::Client;
    ///
    /// fn show(request: &Request) -> String {
    ///     request.blueprints().join(" ")
    /// }
    /// let child = Blueprint::new("child").route("/c", show);
    /// let app = App::builder()
    ///     .register_blueprint(Blueprint::new("parent").register_blueprint(child))
    ///     .build();
    /// assert_eq!(Client::new(app).get("/c").send().text(), "parent.child parent");
    /// ```
    fn blueprints(&self) -> Vec<&str>;

    /// Builds a URL (Flask's `url_for`): for an endpoint name (`"index"`,
    /// `"admin.users"`, or `".users"` in the current blueprint), a
    /// [`UrlFor`] with values, or the compile-time checked
    /// [`url_for!`](crate::url_for) form. Relative to the app's root unless
    /// external.
    ///
    /// # Errors
    ///
    /// [`UrlError`]: no rule of the endpoint fits the values (with
    /// Werkzeug's suggestion), or the request is not handled by an app.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe::prelude::*;
    /// use carafe::wrappers::test::Client;
    ///
    /// fn index(request: &Request) -> Result<String, Error> {
    ///     let absolute = request.url_for(UrlFor::new("index").value("page", 2).external(true))?;
    ///     Ok(format!("{} {absolute}", request.url_for("index")?))
    /// }
    ///
    /// let client = Client::new(App::builder().route("/", index).build());
    /// assert_eq!(client.get("/").send().text(), "/ http://localhost/?page=2");
    /// ```
    fn url_for<'v>(&self, target: impl Into<UrlFor<'v>>) -> Result<String, UrlError>;

    /// The session (Flask's `session`): loaded from its cookie on first use,
    /// saved into the response when changed.
    ///
    /// # Examples
    ///
    /// See [`Session`].
    fn session(&self) -> Session<'_>;

    /// Flashes a message for the next request (Flask's `flash`), in the
    /// category `"message"`.
    ///
    /// # Errors
    ///
    /// When the session cannot be written (no secret key).
    ///
    /// # Examples
    ///
    /// See [`flashed_messages`](RequestExt::flashed_messages).
    fn flash(&self, message: impl Into<String>) -> Result<(), crate::session::SessionError>;

    /// Flashes a message in a category (`"error"`, `"info"`, ...).
    ///
    /// # Errors
    ///
    /// When the session cannot be written (no secret key).
    ///
    /// # Examples
    ///
    /// See [`flashed_messages`](RequestExt::flashed_messages).
    fn flash_category(
        &self,
        category: impl Into<String>,
        message: impl Into<String>,
    ) -> Result<(), crate::session::SessionError>;

    /// The messages flashed for this request, taken from the session on the
    /// first call and the same for the rest of the request (Flask's
    /// `get_flashed_messages(with_categories=True)`).
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe::prelude::*;
    /// use carafe::wrappers::test::Client;
    ///
    /// fn save(request: &Request) -> Result<Redirect, Error> {
    ///     request.flash("saved")?;
    ///     request.flash_category("warning", "quota at 90%")?;
    ///     Ok(Redirect::see_other("/"))
    /// }
    /// fn show(request: &Request) -> String {
    ///     let messages = request.flashed_messages();
    ///     messages.iter().map(|f| format!("{}: {}", f.category, f.message)).collect::<Vec<_>>().join(", ")
    /// }
    /// let app = App::builder().secret_key("a long and random secret")
    ///     .post("/save", save).route("/", show).build();
    /// let client = Client::new(app).follow_redirects(true);
    /// assert_eq!(client.post("/save").send().text(), "message: saved, warning: quota at 90%");
    /// assert_eq!(client.get("/").send().text(), "");
    /// ```
    fn flashed_messages(&self) -> Vec<Flash>;

    /// The app state of type `T` ([`AppBuilder::state`](crate::AppBuilder::state)).
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe::prelude::*;
    /// use carafe::wrappers::test::Client;
    ///
    /// struct Greeting(&'static str);
    /// fn index(request: &Request) -> &'static str {
    ///     request.state::<Greeting>().unwrap().0
    /// }
    /// let app = App::builder().state(Greeting("hi")).route("/", index).build();
    /// assert_eq!(Client::new(app).get("/").send().text(), "hi");
    /// ```
    fn state<T: Send + Sync + 'static>(&self) -> Option<&T>;

    /// Runs an extractor by hand (handlers that take only `&Request`).
    ///
    /// # Errors
    ///
    /// The extractor's rejection.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe::prelude::*;
    /// use carafe::wrappers::test::Client;
    ///
    /// #[derive(serde::Deserialize)]
    /// struct Page { n: u32 }
    /// fn index(request: &Request) -> Result<String, Error> {
    ///     let Query(page) = request.extract::<Query<Page>>()?;
    ///     Ok(format!("page {}", page.n))
    /// }
    /// let client = Client::new(App::builder().route("/", index).build());
    /// assert_eq!(client.get("/?n=3").send().text(), "page 3");
    /// assert_eq!(client.get("/?n=x").send().status(), 400);
    /// ```
    fn extract<'r, E: FromRequestParts<'r>>(&'r self) -> Result<E, Error>;

    /// Values that live as long as this request (Flask's `g`).
    ///
    /// # Examples
    ///
    /// See [`Globals`].
    fn g(&self) -> Globals<'_>;

    /// Runs `f` on this request's response, before the after-request
    /// functions (Flask's `after_this_request`). Outside an app it is
    /// dropped.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe::prelude::*;
    /// use carafe::wrappers::test::Client;
    ///
    /// fn index(request: &Request) -> &'static str {
    ///     request.after_this_request(|mut response| {
    ///         response.headers_mut().insert("x-foo", "a header".parse().unwrap());
    ///         response
    ///     });
    ///     "Test"
    /// }
    /// let response = Client::new(App::builder().route("/", index).build()).get("/").send();
    /// assert_eq!(response.header("x-foo"), Some("a header"));
    /// ```
    fn after_this_request(&self, f: impl FnOnce(Response) -> Response + Send + 'static);
}

impl RequestExt for Request {
    fn app(&self) -> Option<&App> {
        RequestContext::of(self).map(|context| &context.app)
    }

    fn endpoint(&self) -> Option<&str> {
        RequestContext::of(self)?.endpoint_name()
    }

    fn blueprint(&self) -> Option<&str> {
        RequestContext::of(self)?.blueprint_name()
    }

    fn blueprints(&self) -> Vec<&str> {
        let mut names = Vec::new();
        let mut current = self.blueprint();
        while let Some(name) = current {
            names.push(name);
            current = name.rsplit_once('.').map(|(parent, _)| parent);
        }
        names
    }

    fn url_for<'v>(&self, target: impl Into<UrlFor<'v>>) -> Result<String, UrlError> {
        target.into().build(self)
    }

    fn session(&self) -> Session<'_> {
        Session::of(self)
    }

    fn flash(&self, message: impl Into<String>) -> Result<(), crate::session::SessionError> {
        self.flash_category("message", message)
    }

    fn flash_category(
        &self,
        category: impl Into<String>,
        message: impl Into<String>,
    ) -> Result<(), crate::session::SessionError> {
        crate::session::flash(self, category.into(), message.into())
    }

    fn flashed_messages(&self) -> Vec<Flash> {
        crate::session::flashed_messages(self)
    }

    fn state<T: Send + Sync + 'static>(&self) -> Option<&T> {
        self.app()?.state::<T>()
    }

    fn extract<'r, E: FromRequestParts<'r>>(&'r self) -> Result<E, Error> {
        E::from_request_parts(self)
    }

    fn g(&self) -> Globals<'_> {
        Globals::of(self)
    }

    fn after_this_request(&self, f: impl FnOnce(Response) -> Response + Send + 'static) {
        if let Some(context) = RequestContext::of(self) {
            context.after_this.borrow_mut().push(Box::new(f));
        }
    }
}
