//! Blueprints (Flask's `Blueprint`): a named group of routes, hooks and
//! error handlers, registered on an app (or another blueprint) under a URL
//! prefix and subdomain.

use carafe_routing::Value;

use crate::hooks::Hooks;
use crate::scaffold::{Scaffold, registration_methods};
use crate::setup_error::{SetupProblem, Site};

/// A named group of routes with its own hooks and error handlers (Flask's
/// `Blueprint`). It records what is registered on it; registering it on an
/// app replays that with its URL prefix, subdomain and `name.` endpoint
/// prefix. It is a value: clone it to register it twice, under another name
/// ([`with_name`](Self::with_name)).
///
/// # Examples
///
/// ```
/// use carafe::prelude::*;
/// use carafe::wrappers::test::Client;
///
/// fn index(request: &Request) -> Result<String, Error> {
///     Ok(format!("{} at {}", request.endpoint().unwrap(), request.url_for(".index")?))
/// }
///
/// let api = Blueprint::new("api").url_prefix("/api").route("/", index);
/// let v1 = Blueprint::new("v1").url_prefix("/v1").route("/", index);
/// let app = App::builder()
///     .register_blueprint(api.clone().register_blueprint(v1))
///     .register_blueprint(api.with_name("api2").url_prefix("/api2"))
///     .build();
/// let client = Client::new(app);
/// assert_eq!(client.get("/api/").send().text(), "api.index at /api/");
/// assert_eq!(client.get("/api/v1/").send().text(), "api.v1.index at /api/v1/");
/// assert_eq!(client.get("/api2/").send().text(), "api2.index at /api2/");
/// ```
#[derive(Clone)]
pub struct Blueprint {
    pub(crate) name: String,
    pub(crate) url_prefix: Option<String>,
    pub(crate) subdomain: Option<String>,
    pub(crate) url_defaults: Vec<(String, Value<'static>)>,
    pub(crate) scaffold: Scaffold,
    /// Hooks registered with the `*_app_*` methods: for every request.
    pub(crate) app_hooks: Hooks,
}

impl std::fmt::Debug for Blueprint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Blueprint")
            .field("name", &self.name)
            .field("url_prefix", &self.url_prefix)
            .field("subdomain", &self.subdomain)
            .field("routes", &self.scaffold.routes.len())
            .finish_non_exhaustive()
    }
}

impl Blueprint {
    /// A blueprint named `name` (not empty, no `.`: endpoints become
    /// `name.endpoint`).
    ///
    /// # Examples
    ///
    /// ```
    /// let bp = carafe::Blueprint::new("admin");
    /// assert_eq!(bp.name(), "admin");
    /// ```
    #[track_caller]
    pub fn new(name: impl Into<String>) -> Self {
        let site = Site::caller();
        let mut blueprint = Blueprint {
            name: String::new(),
            url_prefix: None,
            subdomain: None,
            url_defaults: Vec::new(),
            scaffold: Scaffold::default(),
            app_hooks: Hooks::default(),
        };
        blueprint.set_name(name.into(), site);
        blueprint
    }

    fn set_name(&mut self, name: String, site: Site) {
        if name.is_empty() || name.contains('.') {
            let message = if name.is_empty() {
                "a blueprint name may not be empty".to_owned()
            } else {
                format!("blueprint name '{name}' may not contain a dot '.'")
            };
            self.scaffold.problems.push(SetupProblem::InvalidName {
                message,
                location: site,
            });
        }
        self.name = name;
    }

    /// The name.
    ///
    /// # Examples
    ///
    /// See [`Blueprint::new`].
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The same blueprint under another name (Flask's `name=` when
    /// registering), to register it twice.
    ///
    /// # Examples
    ///
    /// See [`Blueprint`].
    #[track_caller]
    #[must_use]
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.set_name(name.into(), Site::caller());
        self
    }

    /// The path its rules are mounted under (`"/admin"`).
    ///
    /// # Examples
    ///
    /// See [`Blueprint`].
    #[must_use]
    pub fn url_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.url_prefix = Some(prefix.into());
        self
    }

    /// The subdomain its rules match (needs the app's server name).
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe::prelude::*;
    /// use carafe::wrappers::test::Client;
    ///
    /// fn index(_: &Request) -> &'static str { "api" }
    /// let app = App::builder()
    ///     .server_name("example.com")
    ///     .register_blueprint(Blueprint::new("api").subdomain("api").route("/", index))
    ///     .build();
    /// let client = Client::new(app);
    /// assert_eq!(client.get("http://api.example.com/").send().text(), "api");
    /// assert_eq!(client.get("http://example.com/").send().status(), 404);
    /// ```
    #[must_use]
    pub fn subdomain(mut self, subdomain: impl Into<String>) -> Self {
        self.subdomain = Some(subdomain.into());
        self
    }

    /// A default value for every rule of the blueprint (Flask's
    /// `url_defaults`): handlers receive it, URL building uses it.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe::prelude::*;
    /// use carafe::routing::Values;
    /// use carafe::wrappers::test::Client;
    ///
    /// fn page(_: &Request, values: &Values<'_>) -> String {
    ///     values.get_as::<String>("lang").unwrap()
    /// }
    /// let app = App::builder()
    ///     .register_blueprint(Blueprint::new("en").url_default("lang", "en").route("/", page))
    ///     .build();
    /// assert_eq!(Client::new(app).get("/").send().text(), "en");
    /// ```
    #[must_use]
    pub fn url_default(
        mut self,
        name: impl Into<String>,
        value: impl Into<Value<'static>>,
    ) -> Self {
        self.url_defaults.push((name.into(), value.into()));
        self
    }

    /// A `before_request` function for every request of the app, not only
    /// this blueprint's (Flask's `before_app_request`).
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe::prelude::*;
    /// use carafe::wrappers::test::Client;
    ///
    /// fn index(_: &Request) -> &'static str { "index" }
    /// fn closed(_: &Request) -> Option<&'static str> { Some("closed") }
    /// let app = App::builder()
    ///     .route("/", index)
    ///     .register_blueprint(Blueprint::new("maintenance").before_app_request(closed))
    ///     .build();
    /// assert_eq!(Client::new(app).get("/").send().text(), "closed");
    /// ```
    #[must_use]
    pub fn before_app_request<F, R>(mut self, f: F) -> Self
    where
        F: Fn(&carafe_wrappers::Request) -> R + Send + Sync + 'static,
        R: crate::hooks::BeforeRequestOutcome,
    {
        self.app_hooks.before.push(crate::hooks::before_fn(f));
        self
    }

    /// An `after_request` function for every request of the app (Flask's
    /// `after_app_request`).
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe::prelude::*;
    /// use carafe::wrappers::test::Client;
    ///
    /// fn index(_: &Request) -> &'static str { "index" }
    /// fn tag(_: &Request, mut response: Response) -> Response {
    ///     response.headers_mut().insert("x-bp", "1".parse().unwrap());
    ///     response
    /// }
    /// let app = App::builder()
    ///     .route("/", index)
    ///     .register_blueprint(Blueprint::new("tags").after_app_request(tag))
    ///     .build();
    /// assert_eq!(Client::new(app).get("/").send().header("x-bp"), Some("1"));
    /// ```
    #[must_use]
    pub fn after_app_request<F>(mut self, f: F) -> Self
    where
        F: Fn(&carafe_wrappers::Request, carafe_wrappers::Response) -> carafe_wrappers::Response
            + Send
            + Sync
            + 'static,
    {
        self.app_hooks.after.push(std::sync::Arc::new(f));
        self
    }

    /// A `teardown_request` function for every request of the app (Flask's
    /// `teardown_app_request`).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::atomic::{AtomicU32, Ordering};
    /// use std::sync::Arc;
    /// use carafe::prelude::*;
    /// use carafe::wrappers::test::Client;
    ///
    /// fn index(_: &Request) -> &'static str { "index" }
    /// let count = Arc::new(AtomicU32::new(0));
    /// let seen = count.clone();
    /// let app = App::builder()
    ///     .route("/", index)
    ///     .register_blueprint(Blueprint::new("count").teardown_app_request(move |_: &Request, _: Option<&Error>| {
    ///         seen.fetch_add(1, Ordering::Relaxed);
    ///     }))
    ///     .build();
    /// Client::new(app).get("/missing").send();
    /// assert_eq!(count.load(Ordering::Relaxed), 1);
    /// ```
    #[must_use]
    pub fn teardown_app_request<F>(mut self, f: F) -> Self
    where
        F: Fn(&carafe_wrappers::Request, Option<&crate::Error>) + Send + Sync + 'static,
    {
        self.app_hooks.teardown.push(std::sync::Arc::new(f));
        self
    }

    /// An error handler by status for every request of the app (Flask's
    /// `app_errorhandler`).
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe::prelude::*;
    /// use carafe::wrappers::test::Client;
    ///
    /// fn missing(_: &Error, _: &Request) -> (StatusCode, &'static str) { (StatusCode::NOT_FOUND, "gone fishing") }
    /// let app = App::builder()
    ///     .register_blueprint(Blueprint::new("errors").app_error_handler(404, missing))
    ///     .build();
    /// assert_eq!(Client::new(app).get("/x").send().text(), "gone fishing");
    /// ```
    #[track_caller]
    #[must_use]
    pub fn app_error_handler<S, F, R>(mut self, status: S, f: F) -> Self
    where
        S: TryInto<http::StatusCode>,
        F: Fn(&crate::Error, &carafe_wrappers::Request) -> R + Send + Sync + 'static,
        R: crate::IntoResponse,
    {
        let site = Site::caller();
        match status.try_into() {
            Ok(status) if status.is_client_error() || status.is_server_error() => {
                self.app_hooks
                    .by_status
                    .push((status, crate::hooks::status_fn(f)));
            }
            _ => self.scaffold.problems.push(SetupProblem::InvalidName {
                message: "an error handler needs an error status (400 to 599)".to_owned(),
                location: site,
            }),
        }
        self
    }

    /// An error handler by type for every request of the app.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe::prelude::*;
    /// use carafe::wrappers::test::Client;
    ///
    /// fn parse(_: &Request) -> Result<String, Error> { Ok("x".parse::<i32>()?.to_string()) }
    /// fn bad_number(e: &std::num::ParseIntError, _: &Request) -> (StatusCode, String) {
    ///     (StatusCode::BAD_REQUEST, e.to_string())
    /// }
    /// let app = App::builder()
    ///     .route("/", parse)
    ///     .register_blueprint(Blueprint::new("errors").app_error_handler_for(bad_number))
    ///     .build();
    /// assert_eq!(Client::new(app).get("/").send().status(), 400);
    /// ```
    #[must_use]
    pub fn app_error_handler_for<E, F, R>(mut self, f: F) -> Self
    where
        E: std::error::Error + 'static,
        F: Fn(&E, &carafe_wrappers::Request) -> R + Send + Sync + 'static,
        R: crate::IntoResponse,
    {
        self.app_hooks.by_type.push(crate::hooks::type_fn(f));
        self
    }

    registration_methods!(
        "App::builder().register_blueprint(Blueprint::new(\"bp\")",
        ").build()"
    );
}
