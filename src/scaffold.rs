//! The registration surface App and Blueprint share (Flask's `Scaffold`):
//! what was registered, recorded as values, and the public methods both
//! types get from [`registration_methods!`].

use carafe_routing::Rule;

use crate::blueprint::Blueprint;
use crate::handler::BoxedHandler;
use crate::hooks::Hooks;
use crate::route::Route;
use crate::setup_error::{SetupProblem, Site};

/// A registered rule and its handler.
#[derive(Clone)]
pub(crate) struct RouteDef {
    pub(crate) rule: Rule,
    pub(crate) handler: BoxedHandler,
    pub(crate) site: Site,
}

/// What an app or blueprint has recorded.
#[derive(Clone, Default)]
pub(crate) struct Scaffold {
    pub(crate) routes: Vec<RouteDef>,
    pub(crate) hooks: Hooks,
    pub(crate) blueprints: Vec<(Blueprint, Site)>,
    pub(crate) problems: Vec<SetupProblem>,
}

impl Scaffold {
    pub(crate) fn add(&mut self, rule: Rule, handler: BoxedHandler, site: Site) {
        self.routes.push(RouteDef {
            rule,
            handler,
            site,
        });
    }

    /// Registers a `#[route]` handler (also what `inventory` entries call).
    pub(crate) fn register_route<R: Route>(mut self) -> Self {
        self.add(R::rule(), BoxedHandler::new(R::HANDLER), R::SITE);
        self
    }

    /// Registers every collected `#[route]` defined in `module` (or in the
    /// whole binary for `None`).
    pub(crate) fn register_collected(mut self, module: Option<&str>) -> Self {
        for entry in crate::route::entries() {
            if module.is_none_or(|module| entry.is_in(module)) {
                self = (entry.register)(self);
            }
        }
        self
    }
}

/// The registration methods of `AppBuilder` and `Blueprint`: one surface,
/// as Flask's `Scaffold`. `$open`/`$close` wrap the calls in the examples so
/// they build an app.
macro_rules! registration_methods {
    ($open:literal, $close:literal) => {
        /// Registers `handler` for `rule`, answering `GET` (and `HEAD` and
        /// `OPTIONS`), as Flask's `route` does by default. The endpoint is
        /// the function's name.
        ///
        /// # Panics
        ///
        /// Never here: problems (a rule that does not parse, a closure
        /// without an endpoint name) are reported by
        /// [`build`](crate::AppBuilder::build), with this call's line.
        ///
        /// # Examples
        ///
        /// ```
        /// use carafe::prelude::*;
        /// use carafe::wrappers::test::Client;
        ///
        /// fn index(_: &Request) -> &'static str { "Hello, World!" }
        ///
        #[doc = concat!("let app = ", $open, ".route(\"/\", index)", $close, ";")]
        /// let client = Client::new(app);
        /// assert_eq!(client.get("/").send().text(), "Hello, World!");
        /// assert_eq!(client.post("/").send().status(), 405);
        /// ```
        #[track_caller]
        #[must_use]
        pub fn route<M: 'static, H: $crate::handler::Handler<M>>(
            self,
            rule: &str,
            handler: H,
        ) -> Self {
            self.method_route(rule, http::Method::GET, handler)
        }

        /// Registers `handler` for `rule`, answering `GET` (and `HEAD`).
        ///
        /// # Examples
        ///
        /// ```
        /// use carafe::prelude::*;
        /// use carafe::wrappers::test::Client;
        ///
        /// fn index(_: &Request) -> &'static str { "hi" }
        #[doc = concat!("let app = ", $open, ".get(\"/\", index)", $close, ";")]
        /// assert_eq!(Client::new(app).head("/").send().status(), 200);
        /// ```
        #[track_caller]
        #[must_use]
        pub fn get<M: 'static, H: $crate::handler::Handler<M>>(self, rule: &str, handler: H) -> Self {
            self.method_route(rule, http::Method::GET, handler)
        }

        /// Registers `handler` for `POST` requests to `rule`.
        ///
        /// # Examples
        ///
        /// ```
        /// use carafe::prelude::*;
        /// use carafe::wrappers::test::Client;
        ///
        /// fn create(_: &Request) -> (StatusCode, &'static str) { (StatusCode::CREATED, "made") }
        #[doc = concat!("let app = ", $open, ".post(\"/items\", create)", $close, ";")]
        /// let client = Client::new(app);
        /// assert_eq!(client.post("/items").send().status(), 201);
        /// assert_eq!(client.get("/items").send().status(), 405);
        /// ```
        #[track_caller]
        #[must_use]
        pub fn post<M: 'static, H: $crate::handler::Handler<M>>(self, rule: &str, handler: H) -> Self {
            self.method_route(rule, http::Method::POST, handler)
        }

        /// Registers `handler` for `PUT` requests to `rule`.
        ///
        /// # Examples
        ///
        /// ```
        /// use carafe::prelude::*;
        /// use carafe::wrappers::test::Client;
        ///
        /// fn replace(_: &Request) -> &'static str { "replaced" }
        #[doc = concat!("let app = ", $open, ".put(\"/items/<int:id>\", replace)", $close, ";")]
        /// assert_eq!(Client::new(app).put("/items/1").send().text(), "replaced");
        /// ```
        #[track_caller]
        #[must_use]
        pub fn put<M: 'static, H: $crate::handler::Handler<M>>(self, rule: &str, handler: H) -> Self {
            self.method_route(rule, http::Method::PUT, handler)
        }

        /// Registers `handler` for `PATCH` requests to `rule`.
        ///
        /// # Examples
        ///
        /// ```
        /// use carafe::prelude::*;
        /// use carafe::wrappers::test::Client;
        ///
        /// fn update(_: &Request) -> &'static str { "updated" }
        #[doc = concat!("let app = ", $open, ".patch(\"/items/<int:id>\", update)", $close, ";")]
        /// assert_eq!(Client::new(app).patch("/items/1").send().text(), "updated");
        /// ```
        #[track_caller]
        #[must_use]
        pub fn patch<M: 'static, H: $crate::handler::Handler<M>>(self, rule: &str, handler: H) -> Self {
            self.method_route(rule, http::Method::PATCH, handler)
        }

        /// Registers `handler` for `DELETE` requests to `rule`.
        ///
        /// # Examples
        ///
        /// ```
        /// use carafe::prelude::*;
        /// use carafe::wrappers::test::Client;
        ///
        /// fn remove(_: &Request) -> StatusCode { StatusCode::NO_CONTENT }
        #[doc = concat!("let app = ", $open, ".delete(\"/items/<int:id>\", remove)", $close, ";")]
        /// assert_eq!(Client::new(app).delete("/items/1").send().status(), 204);
        /// ```
        #[track_caller]
        #[must_use]
        pub fn delete<M: 'static, H: $crate::handler::Handler<M>>(self, rule: &str, handler: H) -> Self {
            self.method_route(rule, http::Method::DELETE, handler)
        }

        #[track_caller]
        fn method_route<M: 'static, H: $crate::handler::Handler<M>>(
            self,
            rule: &str,
            method: http::Method,
            handler: H,
        ) -> Self {
            self.add_url_rule(carafe_routing::Rule::new(rule, "").methods([method]), handler)
        }

        /// Registers `handler` for a [`Rule`](carafe_routing::Rule) with
        /// every option Werkzeug's rules have: methods (all of them when
        /// none are given), defaults, redirects, `strict_slashes`,
        /// subdomain, host (Flask's `add_url_rule`). The rule's endpoint
        /// names the handler; an empty one takes the function's name.
        ///
        /// # Examples
        ///
        /// ```
        /// use carafe::prelude::*;
        /// use carafe::routing::{Rule, Values};
        /// use carafe::wrappers::test::Client;
        ///
        /// fn page(_: &Request, values: &Values<'_>) -> String {
        ///     format!("page {}", values.get_as::<i64>("n").unwrap())
        /// }
        #[doc = concat!("let app = ", $open)]
        ///     .add_url_rule(Rule::new("/pages/", "pages").default_value("n", 1), page)
        ///     .add_url_rule(Rule::new("/pages/<int:n>", "pages"), page)
        #[doc = concat!("    ", $close, ";")]
        /// let client = Client::new(app);
        /// assert_eq!(client.get("/pages/").send().text(), "page 1");
        /// assert_eq!(client.get("/pages/7").send().text(), "page 7");
        /// assert_eq!(client.get("/pages/1").send().status(), 308);
        /// ```
        #[track_caller]
        #[must_use]
        pub fn add_url_rule<M: 'static, H: $crate::handler::Handler<M>>(
            mut self,
            rule: carafe_routing::Rule,
            handler: H,
        ) -> Self {
            let site = $crate::setup_error::Site::caller();
            self.scaffold
                .add(rule, $crate::handler::BoxedHandler::new(handler), site);
            self
        }

        /// Registers a function marked with `#[route]`, `#[get]`, ...: its
        /// rule, methods and endpoint come from the attribute (one
        /// registration step, never listed twice). A function without a
        /// route attribute is reported by [`build`](crate::AppBuilder::build).
        ///
        /// # Examples
        ///
        /// ```
        /// use carafe::prelude::*;
        /// use carafe::wrappers::test::Client;
        ///
        /// #[get("/hello/<name>")]
        /// fn hello(name: String) -> String { format!("Hello, {name}!") }
        ///
        #[doc = concat!("let app = ", $open, ".register(hello)", $close, ";")]
        /// assert_eq!(Client::new(app).get("/hello/Ada").send().text(), "Hello, Ada!");
        /// assert_eq!(hello("Bob".into()), "Hello, Bob!");
        /// ```
        #[track_caller]
        #[must_use]
        pub fn register<F: 'static>(mut self, handler: F) -> Self {
            let _ = handler;
            match $crate::route::entry_of::<F>() {
                Some(entry) => self.scaffold = (entry.register)(self.scaffold),
                None => self.scaffold.problems.push($crate::setup_error::SetupProblem::InvalidName {
                    message: format!(
                        "`{}` is not a function marked with #[route], #[get], #[post], ...: \
                         register plain handlers with route(rule, handler)",
                        std::any::type_name::<F>()
                    ),
                    location: $crate::setup_error::Site::caller(),
                }),
            }
            self
        }

        /// Registers every `#[route]` handler of the binary (collected at
        /// link time with `inventory`).
        ///
        /// # Examples
        ///
        /// ```standalone_crate
        /// use carafe::prelude::*;
        /// use carafe::wrappers::test::Client;
        ///
        /// #[get("/")]
        /// fn index() -> &'static str { "index" }
        /// #[get("/about")]
        /// fn about() -> &'static str { "about" }
        ///
        #[doc = concat!("let app = ", $open, ".register_all()", $close, ";")]
        /// assert_eq!(Client::new(app).get("/about").send().text(), "about");
        /// ```
        #[must_use]
        pub fn register_all(mut self) -> Self {
            self.scaffold = self.scaffold.register_collected(None);
            self
        }

        /// Registers every `#[route]` handler defined in `module` or its
        /// submodules: `register_module(module_path!())` for the current
        /// module, `"my_app::admin"` for another.
        ///
        /// # Examples
        ///
        /// ```
        /// use carafe::prelude::*;
        /// use carafe::wrappers::test::Client;
        ///
        /// mod admin {
        ///     use carafe::prelude::*;
        ///     #[get("/users")]
        ///     pub fn users() -> &'static str { "users" }
        /// }
        ///
        #[doc = concat!("let app = ", $open, ".register_module(&format!(\"{}::admin\", module_path!()))", $close, ";")]
        /// assert_eq!(Client::new(app).get("/users").send().text(), "users");
        /// ```
        #[must_use]
        pub fn register_module(mut self, module: &str) -> Self {
            self.scaffold = self.scaffold.register_collected(Some(module));
            self
        }

        /// Registers a blueprint: its routes under its URL prefix and
        /// subdomain, its endpoints as `name.endpoint`, its hooks and error
        /// handlers for its endpoints. A blueprint registered on a
        /// blueprint nests (`parent.child.endpoint`, prefixes joined).
        ///
        /// # Examples
        ///
        /// ```
        /// use carafe::prelude::*;
        /// use carafe::wrappers::test::Client;
        ///
        /// fn users(request: &Request) -> String { request.endpoint().unwrap().to_owned() }
        /// let admin = Blueprint::new("admin").url_prefix("/admin").route("/users", users);
        #[doc = concat!("let app = ", $open, ".register_blueprint(admin)", $close, ";")]
        /// let text = Client::new(app).get("/admin/users").send().text();
        /// assert!(text.ends_with("admin.users"), "{text}");
        /// ```
        #[track_caller]
        #[must_use]
        pub fn register_blueprint(mut self, blueprint: $crate::blueprint::Blueprint) -> Self {
            let site = $crate::setup_error::Site::caller();
            self.scaffold.blueprints.push((blueprint, site));
            self
        }

        /// Runs `f` before each request handled here (Flask's
        /// `before_request`; in a blueprint, before its endpoints' requests).
        /// The app's functions run first, then the outer blueprints', then
        /// the inner ones', each in registration order. One that answers
        /// (`Some(response)`, or an error) ends the request: the handler is
        /// not called, the after-request functions still run.
        ///
        /// # Examples
        ///
        /// ```
        /// use carafe::prelude::*;
        /// use carafe::wrappers::test::Client;
        ///
        /// fn index(_: &Request) -> &'static str { "secret" }
        /// fn require_key(request: &Request) -> Option<(StatusCode, &'static str)> {
        ///     request.headers().get("x-key").is_none().then_some((StatusCode::FORBIDDEN, "no key"))
        /// }
        #[doc = concat!("let app = ", $open, ".route(\"/\", index).before_request(require_key)", $close, ";")]
        /// let client = Client::new(app);
        /// assert_eq!(client.get("/").send().text(), "no key");
        /// assert_eq!(client.get("/").header("x-key", "1").send().text(), "secret");
        /// ```
        #[must_use]
        pub fn before_request<F, R>(mut self, f: F) -> Self
        where
            F: Fn(&carafe_wrappers::Request) -> R + Send + Sync + 'static,
            R: $crate::hooks::BeforeRequestOutcome,
        {
            self.scaffold.hooks.before.push($crate::hooks::before_fn(f));
            self
        }

        /// Runs `f` on each response (Flask's `after_request`), also for
        /// error responses: the inner blueprints' functions first, the
        /// app's last, each scope in reverse registration order. The
        /// session is saved after them.
        ///
        /// # Examples
        ///
        /// ```
        /// use carafe::prelude::*;
        /// use carafe::wrappers::test::Client;
        ///
        /// fn index(_: &Request) -> &'static str { "hi" }
        /// fn powered_by(_: &Request, mut response: Response) -> Response {
        ///     response.headers_mut().insert("x-powered-by", "carafe".parse().unwrap());
        ///     response
        /// }
        #[doc = concat!("let app = ", $open, ".route(\"/\", index).after_request(powered_by)", $close, ";")]
        /// let client = Client::new(app);
        /// assert_eq!(client.get("/").send().header("x-powered-by"), Some("carafe"));
        /// ```
        #[must_use]
        pub fn after_request<F>(mut self, f: F) -> Self
        where
            F: Fn(&carafe_wrappers::Request, carafe_wrappers::Response) -> carafe_wrappers::Response
                + Send
                + Sync
                + 'static,
        {
            self.scaffold.hooks.after.push(std::sync::Arc::new(f));
            self
        }

        /// Runs `f` when each request ends, whatever happened (Flask's
        /// `teardown_request`), with the error that ended it in a `500`
        /// (a panic, or an error no handler took), `None` otherwise. Inner
        /// blueprints first, the app last; a panic in `f` is logged and
        /// ignored.
        ///
        /// # Examples
        ///
        /// ```
        /// use std::sync::{Arc, Mutex};
        /// use carafe::prelude::*;
        /// use carafe::wrappers::test::Client;
        ///
        /// fn boom(_: &Request) -> Result<&'static str, Error> { Err(Error::msg("db down")) }
        /// let seen = Arc::new(Mutex::new(Vec::new()));
        /// let log = seen.clone();
        #[doc = concat!("let app = ", $open, ".route(\"/\", boom)")]
        ///     .teardown_request(move |_: &Request, error: Option<&Error>| {
        ///         log.lock().unwrap().push(error.map(|e| e.to_string()));
        ///     })
        #[doc = concat!("    ", $close, ";")]
        /// assert_eq!(Client::new(app).get("/").send().status(), 500);
        /// assert_eq!(*seen.lock().unwrap(), [Some("db down".to_owned())]);
        /// ```
        #[must_use]
        pub fn teardown_request<F>(mut self, f: F) -> Self
        where
            F: Fn(&carafe_wrappers::Request, Option<&$crate::error::Error>) + Send + Sync + 'static,
        {
            self.scaffold.hooks.teardown.push(std::sync::Arc::new(f));
            self
        }

        /// Answers errors of `status` with `f` (Flask's `errorhandler(404)`):
        /// HTTP errors raised or returned while handling a request, routing
        /// errors (`404`, `405`) and, for `500`, any error no other handler
        /// took (panics included). In a blueprint, only for its endpoints'
        /// requests, before the app's handlers.
        ///
        /// # Examples
        ///
        /// ```
        /// use carafe::prelude::*;
        /// use carafe::wrappers::test::Client;
        ///
        /// fn find(_: &Request) -> Result<&'static str, HttpError> { Err(HttpError::not_found()) }
        /// fn not_found(error: &Error, request: &Request) -> (StatusCode, String) {
        ///     (error.status(), format!("nothing at {}", request.path_info()))
        /// }
        #[doc = concat!("let app = ", $open, ".route(\"/<page>\", find).error_handler(404, not_found)", $close, ";")]
        /// let response = Client::new(app).get("/missing").send();
        /// assert_eq!((response.status(), response.text()), (StatusCode::NOT_FOUND, "nothing at /missing".to_owned()));
        /// ```
        #[track_caller]
        #[must_use]
        pub fn error_handler<S, F, R>(mut self, status: S, f: F) -> Self
        where
            S: TryInto<http::StatusCode>,
            F: Fn(&$crate::error::Error, &carafe_wrappers::Request) -> R + Send + Sync + 'static,
            R: $crate::response::IntoResponse,
        {
            let site = $crate::setup_error::Site::caller();
            match status.try_into() {
                Ok(status) if status.is_client_error() || status.is_server_error() => {
                    self.scaffold.hooks.by_status.push((status, $crate::hooks::status_fn(f)));
                }
                _ => self.scaffold.problems.push($crate::setup_error::SetupProblem::InvalidName {
                    message: "an error handler needs an error status (400 to 599)".to_owned(),
                    location: site,
                }),
            }
            self
        }

        /// Answers errors of type `E` with `f` (Flask's
        /// `errorhandler(SomeException)`): a handler, hook or extractor
        /// that fails with an [`Error`](crate::Error) holding an `E`. In a
        /// blueprint, only for its endpoints' requests, before the app's.
        ///
        /// # Examples
        ///
        /// ```
        /// use carafe::prelude::*;
        /// use carafe::wrappers::test::Client;
        ///
        /// #[derive(Debug)]
        /// struct NoSuchUser(u32);
        /// impl std::fmt::Display for NoSuchUser {
        ///     fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { write!(f, "no user {}", self.0) }
        /// }
        /// impl std::error::Error for NoSuchUser {}
        ///
        /// fn user(_: &Request) -> Result<&'static str, Error> { Err(NoSuchUser(7).into()) }
        /// fn no_user(error: &NoSuchUser, _: &Request) -> (StatusCode, String) {
        ///     (StatusCode::NOT_FOUND, error.to_string())
        /// }
        #[doc = concat!("let app = ", $open, ".route(\"/\", user).error_handler_for(no_user)", $close, ";")]
        /// let response = Client::new(app).get("/").send();
        /// assert_eq!((response.status(), response.text()), (StatusCode::NOT_FOUND, "no user 7".to_owned()));
        /// ```
        #[must_use]
        pub fn error_handler_for<E, F, R>(mut self, f: F) -> Self
        where
            E: std::error::Error + 'static,
            F: Fn(&E, &carafe_wrappers::Request) -> R + Send + Sync + 'static,
            R: $crate::response::IntoResponse,
        {
            self.scaffold.hooks.by_type.push($crate::hooks::type_fn(f));
            self
        }
    };
}

pub(crate) use registration_methods;
