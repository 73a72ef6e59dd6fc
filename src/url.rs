//! URL building through the request (Flask's `url_for`): [`UrlFor`] and
//! [`UrlError`]. The compile-time checked form is [`url_for!`](crate::url_for).

use std::any::TypeId;
use std::borrow::Cow;
use std::fmt;

use carafe_routing::{BuildError, MapAdapter, Value};
use carafe_wrappers::Request;
use http::Method;

use crate::app::{App, AppInner};
use crate::context::RequestContext;
use crate::route::Route;

/// What URLs are built relative to: the app and the request's host,
/// scheme, mount point, method and blueprint.
pub(crate) struct UrlBase<'a> {
    pub(crate) app: &'a AppInner,
    pub(crate) host: &'a str,
    pub(crate) scheme: &'a str,
    pub(crate) script_root: &'a str,
    pub(crate) method: &'a Method,
    pub(crate) blueprint: Option<&'a str>,
}

/// A URL to build: an endpoint (or a `#[route]` handler), values for its
/// rule's variables (others become the query string), and Flask's
/// `_method`, `_external`, `_scheme` and `_anchor`. Build it with
/// [`RequestExt::url_for`](crate::RequestExt::url_for) (relative to the
/// request's app root) or [`App::url_for`] (outside requests).
///
/// An endpoint starting with `.` is relative to the current blueprint
/// (`.index` in `admin.users` is `admin.index`); a leading `.` outside a
/// blueprint is dropped.
///
/// # Examples
///
/// ```
/// use carafe::prelude::*;
/// use carafe::wrappers::test::Client;
///
/// fn page(request: &Request) -> Result<String, Error> {
///     let url = UrlFor::new("page").value("name", "a b").value("tab", 2).anchor("top");
///     Ok(request.url_for(url)?)
/// }
/// let client = Client::new(App::builder().route("/pages/<name>", page).build());
/// assert_eq!(client.get("/pages/x").send().text(), "/pages/a%20b?tab=2#top");
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct UrlFor<'v> {
    target: Target<'v>,
    values: Vec<(Cow<'v, str>, Value<'v>)>,
    method: Option<Method>,
    external: Option<bool>,
    scheme: Option<Cow<'v, str>>,
    anchor: Option<Cow<'v, str>>,
}

#[derive(Debug, Clone)]
enum Target<'v> {
    Endpoint(Cow<'v, str>),
    Handler { id: TypeId, name: &'static str },
}

impl<'v> UrlFor<'v> {
    /// A URL for `endpoint`.
    ///
    /// # Examples
    ///
    /// See [`UrlFor`].
    pub fn new(endpoint: impl Into<Cow<'v, str>>) -> Self {
        UrlFor::with_target(Target::Endpoint(endpoint.into()))
    }

    /// A URL for the endpoint a `#[route]` handler is registered under
    /// (what [`url_for!`](crate::url_for) starts from). When the handler is
    /// registered several times (in several blueprints), the one in the
    /// current blueprint is chosen, else the first.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe::prelude::*;
    /// use carafe::wrappers::test::Client;
    ///
    /// #[get("/")]
    /// fn index(request: &Request) -> Result<String, Error> {
    ///     Ok(request.url_for(UrlFor::route::<index>())?)
    /// }
    /// let app = App::builder().register_blueprint(Blueprint::new("site").url_prefix("/site").register(index)).build();
    /// assert_eq!(Client::new(app).get("/site/").send().text(), "/site/");
    /// ```
    pub fn route<R: Route>() -> Self {
        UrlFor::with_target(Target::Handler {
            id: TypeId::of::<R>(),
            name: R::ENDPOINT,
        })
    }

    fn with_target(target: Target<'v>) -> Self {
        UrlFor {
            target,
            values: Vec::new(),
            method: None,
            external: None,
            scheme: None,
            anchor: None,
        }
    }

    /// Adds a value: a rule variable, or a query argument (repeat a name
    /// for several values).
    ///
    /// # Examples
    ///
    /// See [`UrlFor`].
    pub fn value(mut self, name: impl Into<Cow<'v, str>>, value: impl Into<Value<'v>>) -> Self {
        self.values.push((name.into(), value.into()));
        self
    }

    /// Picks the rule that accepts `method` (Flask's `_method`).
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe::prelude::*;
    /// use carafe::routing::Rule;
    /// use carafe::wrappers::test::Client;
    ///
    /// fn search(request: &Request) -> Result<String, Error> {
    ///     Ok(request.url_for(UrlFor::new("search").method(Method::POST))?)
    /// }
    /// let app = App::builder()
    ///     .add_url_rule(Rule::new("/search", "search").methods([Method::GET]), search)
    ///     .add_url_rule(Rule::new("/search/run", "search").methods([Method::POST]), search)
    ///     .build();
    /// assert_eq!(Client::new(app).get("/search").send().text(), "/search/run");
    /// ```
    pub fn method(mut self, method: Method) -> Self {
        self.method = Some(method);
        self
    }

    /// An absolute URL, with scheme and host (Flask's `_external`). The
    /// default is relative within a request, absolute outside one.
    ///
    /// # Examples
    ///
    /// See [`RequestExt::url_for`](crate::RequestExt::url_for).
    pub fn external(mut self, external: bool) -> Self {
        self.external = Some(external);
        self
    }

    /// The scheme of the URL (Flask's `_scheme`); implies `external` unless
    /// set otherwise.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe::prelude::*;
    /// use carafe::wrappers::test::Client;
    ///
    /// fn index(request: &Request) -> Result<String, Error> {
    ///     Ok(request.url_for(UrlFor::new("index").scheme("https"))?)
    /// }
    /// let client = Client::new(App::builder().route("/", index).build());
    /// assert_eq!(client.get("/").send().text(), "https://localhost/");
    /// ```
    pub fn scheme(mut self, scheme: impl Into<Cow<'v, str>>) -> Self {
        self.scheme = Some(scheme.into());
        self
    }

    /// Appends `#anchor`, percent-encoded (Flask's `_anchor`).
    ///
    /// # Examples
    ///
    /// See [`UrlFor`].
    pub fn anchor(mut self, anchor: impl Into<Cow<'v, str>>) -> Self {
        self.anchor = Some(anchor.into());
        self
    }

    /// Builds the URL for `request` (relative to its app's root unless
    /// external); what [`RequestExt::url_for`](crate::RequestExt::url_for)
    /// calls.
    ///
    /// # Errors
    ///
    /// See [`UrlError`].
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe::{UrlError, UrlFor};
    /// use carafe::wrappers::Request;
    /// let error = UrlFor::new("index").build(&Request::get("/")).unwrap_err();
    /// assert!(matches!(error, UrlError::NoApp));
    /// ```
    pub fn build(self, request: &Request) -> Result<String, UrlError> {
        let context = RequestContext::of(request).ok_or(UrlError::NoApp)?;
        self.build_in(&UrlBase {
            app: &context.app.inner,
            host: request.host(),
            scheme: request.scheme().as_str(),
            script_root: request.script_root(),
            method: request.method(),
            blueprint: context.blueprint_name(),
        })
    }

    /// Builds the URL relative to a request described by `base`.
    pub(crate) fn build_in(self, base: &UrlBase<'_>) -> Result<String, UrlError> {
        let app = base.app;
        let endpoint = self.resolve(app, base.blueprint)?;
        let adapter = app
            .map
            .bind_to_host(base.host, base.scheme)
            .map_err(|error| UrlError::InvalidHost(error.to_string()))?
            .with_script_root(base.script_root)
            .with_method(base.method.clone());
        if self.scheme.is_some() && self.external == Some(false) {
            return Err(UrlError::SchemeNotExternal);
        }
        let external = self.external.unwrap_or(self.scheme.is_some());
        self.finish(&adapter, endpoint, external)
    }

    /// Builds the URL with the app's server name (Flask's `url_for` in an
    /// app context): absolute unless `external(false)`.
    pub(crate) fn build_for_app(self, app: &App) -> Result<String, UrlError> {
        let inner = &*app.inner;
        let server_name = inner
            .settings
            .server_name
            .as_deref()
            .ok_or(UrlError::NoServerName)?;
        let endpoint = self.resolve(inner, None)?;
        let adapter = inner
            .map
            .bind(server_name)
            .map_err(|error| UrlError::InvalidHost(error.to_string()))?
            .with_script_root(&inner.settings.application_root)
            .with_scheme(&inner.settings.preferred_url_scheme);
        let external = self.external.unwrap_or(true);
        self.finish(&adapter, endpoint, external)
    }

    fn resolve(&self, app: &AppInner, blueprint: Option<&str>) -> Result<String, UrlError> {
        match &self.target {
            Target::Endpoint(name) => Ok(match name.strip_prefix('.') {
                Some(relative) => match blueprint {
                    Some(blueprint) => format!("{blueprint}.{relative}"),
                    None => relative.to_owned(),
                },
                None => name.to_string(),
            }),
            Target::Handler { id, name } => {
                let endpoints = app
                    .handler_endpoints
                    .get(id)
                    .filter(|list| !list.is_empty())
                    .ok_or(UrlError::NotRegistered { handler: name })?;
                let pick = endpoints
                    .iter()
                    .find(|&&index| app.endpoints[index as usize].blueprint.as_deref() == blueprint)
                    .unwrap_or(&endpoints[0]);
                Ok(app.endpoints[*pick as usize].name.to_string())
            }
        }
    }

    fn finish(
        self,
        adapter: &MapAdapter<'_>,
        endpoint: String,
        external: bool,
    ) -> Result<String, UrlError> {
        let mut builder = adapter
            .url_for(endpoint)
            .values(self.values)
            .external(external);
        if let Some(method) = self.method {
            builder = builder.method(method);
        }
        if let Some(scheme) = self.scheme {
            builder = builder.scheme(scheme);
        }
        if let Some(anchor) = self.anchor {
            builder = builder.anchor(anchor);
        }
        builder.build().map_err(UrlError::Build)
    }
}

impl<'v> From<&'v str> for UrlFor<'v> {
    fn from(endpoint: &'v str) -> Self {
        UrlFor::new(endpoint)
    }
}

impl From<String> for UrlFor<'_> {
    fn from(endpoint: String) -> Self {
        UrlFor::new(endpoint)
    }
}

/// A URL that cannot be built. Through `?` in a handler it becomes a `500`
/// (Flask's `BuildError`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum UrlError {
    /// No rule of the endpoint fits the values and method, or a converter
    /// rejected a value (with Werkzeug's "did you mean" suggestion).
    Build(BuildError),
    /// The request is not being handled by an app.
    NoApp,
    /// A `#[route]` handler that is not registered on the app.
    NotRegistered {
        /// The handler's name.
        handler: &'static str,
    },
    /// URLs outside a request need the app's server name.
    NoServerName,
    /// The host cannot be used in a URL.
    InvalidHost(String),
    /// A scheme was given for a URL that is not external (Flask's
    /// `ValueError`).
    SchemeNotExternal,
}

impl fmt::Display for UrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UrlError::Build(error) => write!(f, "{error}"),
            UrlError::NoApp => f.write_str("the request is not handled by an app: no url map"),
            UrlError::NotRegistered { handler } => write!(
                f,
                "could not build url for handler '{handler}': it is not registered on the app"
            ),
            UrlError::NoServerName => f.write_str(
                "unable to build urls outside a request without a server name \
                 (AppBuilder::server_name)",
            ),
            UrlError::InvalidHost(reason) => write!(f, "could not build url: {reason}"),
            UrlError::SchemeNotExternal => {
                f.write_str("a url with a scheme must be external: drop external(false)")
            }
        }
    }
}

impl std::error::Error for UrlError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            UrlError::Build(error) => Some(error),
            _ => None,
        }
    }
}

/// A value `url_for!` accepts for a rule variable whose handler parameter
/// has type `T`: a `T`, or for `String` parameters a `&str`, `&String`
/// or `Cow<str>`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be the value of a url variable of type `{T}`",
    label = "expected a `{T}` here",
    note = "url_for! values have the type of the handler's parameter for that rule variable"
)]
pub trait IntoUrlArg<T> {
    /// Converts the value.
    fn into_url_arg(self) -> T;
}

impl<T> IntoUrlArg<T> for T {
    fn into_url_arg(self) -> T {
        self
    }
}

impl IntoUrlArg<String> for &str {
    fn into_url_arg(self) -> String {
        self.to_owned()
    }
}

impl IntoUrlArg<String> for &String {
    fn into_url_arg(self) -> String {
        self.clone()
    }
}

impl IntoUrlArg<String> for Cow<'_, str> {
    fn into_url_arg(self) -> String {
        self.into_owned()
    }
}

/// Converts a `url_for!` value to the parameter's type.
pub fn url_arg<T, U: IntoUrlArg<T>>(value: U) -> T {
    value.into_url_arg()
}
