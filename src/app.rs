//! `App`: the built application, what servers serve (it implements the
//! gateway trait).

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::sync::Arc;

use carafe_routing::Map;
use carafe_wrappers::{Application, Request, Response};

use crate::builder::{AppBuilder, Settings, StateMap};
use crate::handler::ErasedHandler;
use crate::hooks::Hooks;
use crate::session::cookie::CookieSessions;
use crate::url::{UrlError, UrlFor};

/// An endpoint: its handler, blueprint and hook scopes.
pub(crate) struct Endpoint {
    pub(crate) name: Box<str>,
    pub(crate) handler: Arc<dyn ErasedHandler>,
    /// The dotted name of its blueprint.
    pub(crate) blueprint: Option<Box<str>>,
    /// The hook scopes of its blueprints that have hooks, innermost first.
    pub(crate) scopes: Box<[u32]>,
}

/// Everything the app needs per request, frozen.
pub(crate) struct AppInner {
    pub(crate) map: Map,
    pub(crate) endpoints: Vec<Endpoint>,
    /// Per rule of `map` (in `Map::rules` order): its endpoint's index in
    /// `endpoints`, or `u32::MAX` for a rule no handler serves.
    pub(crate) rule_endpoints: Box<[u32]>,
    pub(crate) handler_endpoints: HashMap<TypeId, Vec<u32>>,
    pub(crate) app_hooks: Hooks,
    pub(crate) scopes: Vec<Hooks>,
    pub(crate) settings: Settings,
    pub(crate) sessions: CookieSessions,
    pub(crate) state: StateMap,
    pub(crate) templates: Option<crate::templates::Templates>,
}

/// A Carafe application: routes, blueprints, hooks, error handlers,
/// sessions and settings, frozen. Made with [`App::builder`]; served by
/// any Carafe server (it is an [`Application`]); cheap to clone (shared).
///
/// Each request: the limits are applied, the URL map matched against the
/// raw path (the router decodes), the before-request functions run, the
/// handler is called (panics are caught), errors go to the error handlers,
/// the after-request functions run, the session is saved, the teardown
/// functions run, and the response is finished for the method (`HEAD`).
///
/// # Examples
///
/// ```
/// use carafe::prelude::*;
/// use carafe::wrappers::test::Client;
///
/// fn hello(_: &Request) -> &'static str {
///     "Hello, World!"
/// }
///
/// let app = App::builder().route("/", hello).build();
/// let client = Client::new(app.clone());
/// assert_eq!(client.get("/").send().text(), "Hello, World!");
/// assert_eq!(client.get("/nope").send().status(), 404);
/// let head = client.head("/").send();
/// assert_eq!((head.header("content-length"), head.body().len()), (Some("13"), 0));
/// assert_eq!(app.map().rules().count(), 1);
/// ```
#[derive(Clone)]
pub struct App {
    pub(crate) inner: Arc<AppInner>,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App")
            .field("map", &self.inner.map)
            .field("settings", &self.inner.settings)
            .finish_non_exhaustive()
    }
}

impl App {
    /// Starts setting up an app.
    ///
    /// # Examples
    ///
    /// See [`App`].
    pub fn builder() -> AppBuilder {
        AppBuilder::default()
    }

    pub(crate) fn from_inner(inner: AppInner) -> Self {
        App {
            inner: Arc::new(inner),
        }
    }

    /// The URL map (rules, endpoints, methods), for tools such as a
    /// `routes` command.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe::prelude::*;
    /// fn index(_: &Request) -> &'static str { "" }
    /// let app = App::builder().route("/", index).build();
    /// let rule = app.map().rules().next().unwrap();
    /// assert_eq!((rule.pattern(), rule.endpoint()), ("/", "index"));
    /// ```
    pub fn map(&self) -> &Map {
        &self.inner.map
    }

    /// Builds a URL outside a request (Flask's `url_for` in an app
    /// context): absolute, with the server name and preferred scheme.
    ///
    /// # Errors
    ///
    /// [`UrlError::NoServerName`] without a server name, or the build error.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe::prelude::*;
    /// fn user(_: &Request) -> &'static str { "" }
    /// let app = App::builder().server_name("example.com").route("/users/<int:id>", user).build();
    /// assert_eq!(app.url_for(UrlFor::new("user").value("id", 3)).unwrap(), "http://example.com/users/3");
    /// assert_eq!(app.url_for(UrlFor::new("user").value("id", 3).external(false)).unwrap(), "/users/3");
    /// ```
    pub fn url_for<'v>(&self, target: impl Into<UrlFor<'v>>) -> Result<String, UrlError> {
        target.into().build_for_app(self)
    }

    /// The app state of type `T` ([`AppBuilder::state`]).
    ///
    /// # Examples
    ///
    /// ```
    /// let app = carafe::App::builder().state(42u32).build();
    /// assert_eq!(app.state::<u32>(), Some(&42));
    /// assert_eq!(app.state::<u64>(), None);
    /// ```
    pub fn state<T: Send + Sync + 'static>(&self) -> Option<&T> {
        self.inner
            .state
            .get(&TypeId::of::<T>())
            .and_then(|value| value.downcast_ref::<T>())
    }

    pub(crate) fn state_arc<T: Send + Sync + 'static>(&self) -> Option<Arc<T>> {
        let value: Arc<dyn Any + Send + Sync> = self.inner.state.get(&TypeId::of::<T>())?.clone();
        value.downcast::<T>().ok()
    }

    /// Whether the app runs in debug mode.
    ///
    /// # Examples
    ///
    /// See [`AppBuilder::debug`].
    pub fn debug(&self) -> bool {
        self.inner.settings.debug
    }

    /// Whether the app runs in testing mode.
    ///
    /// # Examples
    ///
    /// See [`AppBuilder::testing`].
    pub fn testing(&self) -> bool {
        self.inner.settings.testing
    }

    /// The endpoint names, in registration order.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe::prelude::*;
    /// fn a(_: &Request) -> &'static str { "" }
    /// let app = App::builder().route("/a", a).register_blueprint(Blueprint::new("bp").route("/b", a)).build();
    /// assert_eq!(app.endpoints().collect::<Vec<_>>(), ["a", "bp.a"]);
    /// ```
    pub fn endpoints(&self) -> impl Iterator<Item = &str> {
        self.inner.endpoints.iter().map(|endpoint| &*endpoint.name)
    }
}

impl Application for App {
    fn handle(&self, request: Request) -> Response {
        crate::dispatch::handle(self, request)
    }
}
