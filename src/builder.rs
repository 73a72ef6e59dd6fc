//! `AppBuilder`: the app being set up — its registrations (the surface it
//! shares with [`Blueprint`](crate::Blueprint)) and its settings.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use carafe_routing::MapBuilder;
use carafe_templating::EnvironmentBuilder;
use carafe_wrappers::Limits;

use crate::app::App;
use crate::scaffold::{Scaffold, registration_methods};
use crate::session::SessionConfig;
use crate::setup_error::SetupError;

/// The settings an app runs with (Flask's config values that the app itself
/// reads).
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub(crate) limits: Limits,
    pub(crate) server_name: Option<String>,
    pub(crate) application_root: String,
    pub(crate) preferred_url_scheme: String,
    pub(crate) debug: bool,
    pub(crate) testing: bool,
    pub(crate) propagate_exceptions: Option<bool>,
    pub(crate) static_folder: Option<PathBuf>,
    pub(crate) static_url_path: String,
    pub(crate) template_folder: Option<PathBuf>,
    pub(crate) templates_auto_reload: Option<bool>,
    pub(crate) trusted_hosts: Option<Vec<String>>,
    pub(crate) send_file_max_age: Option<std::time::Duration>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            limits: Limits::default(),
            server_name: None,
            application_root: String::new(),
            preferred_url_scheme: "http".to_owned(),
            debug: false,
            testing: false,
            propagate_exceptions: None,
            static_folder: None,
            static_url_path: "/static".to_owned(),
            template_folder: None,
            templates_auto_reload: None,
            trusted_hosts: None,
            send_file_max_age: None,
        }
    }
}

impl Settings {
    /// Flask's `PROPAGATE_EXCEPTIONS`: explicit, else testing or debug.
    pub(crate) fn propagate(&self) -> bool {
        self.propagate_exceptions
            .unwrap_or(self.testing || self.debug)
    }
}

pub(crate) type StateMap = HashMap<TypeId, Arc<dyn Any + Send + Sync>>;

/// An app being set up: routes, blueprints, hooks, error handlers and
/// settings. [`build`](Self::build) checks everything and returns the
/// [`App`] that serves requests.
///
/// # Examples
///
/// ```
/// use carafe::prelude::*;
/// use carafe::wrappers::test::Client;
///
/// #[get("/")]
/// fn index() -> &'static str {
///     "Hello, World!"
/// }
///
/// let app = App::builder()
///     .secret_key("a long, random secret")
///     .max_content_length(16 * 1024 * 1024)
///     .register(index)
///     .build();
/// assert_eq!(Client::new(app).get("/").send().text(), "Hello, World!");
/// ```
#[derive(Default)]
pub struct AppBuilder {
    pub(crate) scaffold: Scaffold,
    pub(crate) settings: Settings,
    pub(crate) secret_key: Option<Vec<u8>>,
    pub(crate) secret_key_fallbacks: Vec<Vec<u8>>,
    pub(crate) session: SessionConfig,
    pub(crate) state: StateMap,
    pub(crate) url_map: Vec<Box<dyn FnOnce(MapBuilder) -> MapBuilder>>,
    pub(crate) templates: Vec<Box<dyn FnOnce(EnvironmentBuilder) -> EnvironmentBuilder>>,
}

impl std::fmt::Debug for AppBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppBuilder")
            .field("routes", &self.scaffold.routes.len())
            .field("blueprints", &self.scaffold.blueprints.len())
            .field("settings", &self.settings)
            .field("session", &self.session)
            .field("secret_key", &self.secret_key.as_ref().map(|_| "<hidden>"))
            .finish_non_exhaustive()
    }
}

impl AppBuilder {
    /// The key sessions are encrypted and authenticated with (Flask's
    /// `SECRET_KEY`). Every process that shares it reads the others'
    /// sessions. Without one, sessions are read-only and empty. Use a long
    /// random value and keep it out of the source.
    ///
    /// # Examples
    ///
    /// See [`Session`](crate::Session).
    #[must_use]
    pub fn secret_key(mut self, key: impl AsRef<[u8]>) -> Self {
        self.secret_key = Some(key.as_ref().to_vec());
        self
    }

    /// Older keys that sessions are still read with (Flask's
    /// `SECRET_KEY_FALLBACKS`): rotate keys without logging everyone out.
    /// New cookies always use [`secret_key`](Self::secret_key).
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe::App;
    /// let app = App::builder().secret_key("new secret").secret_key_fallbacks(["old secret"]).build();
    /// # let _ = app;
    /// ```
    #[must_use]
    pub fn secret_key_fallbacks<K: AsRef<[u8]>>(
        mut self,
        keys: impl IntoIterator<Item = K>,
    ) -> Self {
        self.secret_key_fallbacks = keys.into_iter().map(|k| k.as_ref().to_vec()).collect();
        self
    }

    /// The session cookie's settings.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe::{App, SessionConfig};
    /// let app = App::builder().session(SessionConfig::default().cookie_name("sid")).build();
    /// # let _ = app;
    /// ```
    #[must_use]
    pub fn session(mut self, config: SessionConfig) -> Self {
        self.session = config;
        self
    }

    /// The limits each request is read with (Flask's `MAX_CONTENT_LENGTH`,
    /// `MAX_FORM_MEMORY_SIZE`, `MAX_FORM_PARTS`).
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe::App;
    /// use carafe::wrappers::Limits;
    /// let app = App::builder().limits(Limits::default().with_max_form_parts(100)).build();
    /// # let _ = app;
    /// ```
    #[must_use]
    pub fn limits(mut self, limits: Limits) -> Self {
        self.settings.limits = limits;
        self
    }

    /// The largest request body read, in bytes (Flask's
    /// `MAX_CONTENT_LENGTH`): a larger one is a `413`.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe::prelude::*;
    /// use carafe::wrappers::test::Client;
    ///
    /// fn echo(request: &Request) -> Result<String, Error> {
    ///     Ok(format!("{} bytes", request.get_data()?.len()))
    /// }
    /// let app = App::builder().max_content_length(4).post("/", echo).build();
    /// let client = Client::new(app);
    /// assert_eq!(client.post("/").body("1234").send().text(), "4 bytes");
    /// assert_eq!(client.post("/").body("12345").send().status(), 413);
    /// ```
    #[must_use]
    pub fn max_content_length(mut self, bytes: u64) -> Self {
        self.settings.limits = self.settings.limits.with_max_content_length(Some(bytes));
        self
    }

    /// The app's host name (Flask's `SERVER_NAME`): enables subdomain
    /// routing and URL building outside requests.
    ///
    /// # Examples
    ///
    /// See [`Blueprint::subdomain`](crate::Blueprint::subdomain).
    #[must_use]
    pub fn server_name(mut self, name: impl Into<String>) -> Self {
        self.settings.server_name = Some(name.into());
        self
    }

    /// Where the app is mounted when URLs are built outside requests and
    /// the default session cookie path (Flask's `APPLICATION_ROOT`).
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe::prelude::*;
    /// fn index(_: &Request) -> &'static str { "" }
    /// let app = App::builder().server_name("example.com").application_root("/shop").route("/", index).build();
    /// assert_eq!(app.url_for("index").unwrap(), "http://example.com/shop/");
    /// ```
    #[must_use]
    pub fn application_root(mut self, root: impl Into<String>) -> Self {
        let root: String = root.into();
        self.settings.application_root = root.trim_end_matches('/').to_owned();
        self
    }

    /// The scheme of URLs built outside requests (Flask's
    /// `PREFERRED_URL_SCHEME`, default `http`).
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe::prelude::*;
    /// fn index(_: &Request) -> &'static str { "" }
    /// let app = App::builder().server_name("example.com").preferred_url_scheme("https").route("/", index).build();
    /// assert_eq!(app.url_for("index").unwrap(), "https://example.com/");
    /// ```
    #[must_use]
    pub fn preferred_url_scheme(mut self, scheme: impl Into<String>) -> Self {
        self.settings.preferred_url_scheme = scheme.into();
        self
    }

    /// Debug mode (Flask's `DEBUG`): errors propagate to the server (the
    /// development server shows them) unless
    /// [`propagate_exceptions`](Self::propagate_exceptions) says otherwise.
    ///
    /// # Examples
    ///
    /// ```
    /// let app = carafe::App::builder().debug(true).build();
    /// assert!(app.debug());
    /// ```
    #[must_use]
    pub fn debug(mut self, on: bool) -> Self {
        self.settings.debug = on;
        self
    }

    /// Testing mode (Flask's `TESTING`): errors propagate to the caller
    /// (the test fails with the handler's panic) unless
    /// [`propagate_exceptions`](Self::propagate_exceptions) says otherwise.
    ///
    /// # Examples
    ///
    /// ```
    /// let app = carafe::App::builder().testing(true).build();
    /// assert!(app.testing());
    /// ```
    #[must_use]
    pub fn testing(mut self, on: bool) -> Self {
        self.settings.testing = on;
        self
    }

    /// Whether an error no handler takes (a panic included) is re-raised
    /// after the request is torn down instead of answered with a `500`
    /// (Flask's `PROPAGATE_EXCEPTIONS`; default: in debug or testing mode).
    ///
    /// # Examples
    ///
    /// ```
    /// let app = carafe::App::builder().debug(true).propagate_exceptions(false).build();
    /// # let _ = app;
    /// ```
    #[must_use]
    pub fn propagate_exceptions(mut self, on: bool) -> Self {
        self.settings.propagate_exceptions = Some(on);
        self
    }

    /// Serves the files of `folder` at `/static/<path:filename>` (endpoint
    /// `static`): dotfiles and symbolic links out of the folder are `404`,
    /// conditional and range requests are answered.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe::App;
    /// use carafe::wrappers::test::Client;
    ///
    /// let dir = std::env::temp_dir().join(format!("carafe-static-doc-{}", std::process::id()));
    /// std::fs::create_dir_all(&dir).unwrap();
    /// std::fs::write(dir.join("hello.txt"), "hello-static").unwrap();
    /// let app = App::builder().static_folder(&dir).build();
    /// let client = Client::new(app);
    /// assert_eq!(client.get("/static/hello.txt").send().text(), "hello-static");
    /// assert_eq!(client.get("/static/../secret").send().status(), 404);
    /// # std::fs::remove_dir_all(&dir).unwrap();
    /// ```
    #[must_use]
    pub fn static_folder(mut self, folder: impl Into<PathBuf>) -> Self {
        self.settings.static_folder = Some(folder.into());
        self
    }

    /// The URL path static files are served under (default `/static`).
    ///
    /// # Examples
    ///
    /// ```
    /// let app = carafe::App::builder().static_folder("assets").static_url_path("/assets").build();
    /// # let _ = app;
    /// ```
    #[must_use]
    pub fn static_url_path(mut self, path: impl Into<String>) -> Self {
        let path: String = path.into();
        self.settings.static_url_path = path.trim_end_matches('/').to_owned();
        self
    }

    /// Shared state for handlers ([`State<T>`](crate::State),
    /// [`RequestExt::state`](crate::RequestExt::state)): one value per type.
    ///
    /// # Examples
    ///
    /// See [`State`](crate::State).
    #[must_use]
    pub fn state<T: Send + Sync + 'static>(mut self, value: T) -> Self {
        self.state.insert(TypeId::of::<T>(), Arc::new(value));
        self
    }

    /// Configures the URL map: Werkzeug's `strict_slashes`,
    /// `merge_slashes`, custom converters, ...
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe::prelude::*;
    /// use carafe::wrappers::test::Client;
    ///
    /// fn dir(_: &Request) -> &'static str { "dir" }
    /// let app = App::builder().url_map(|map| map.strict_slashes(false)).route("/dir/", dir).build();
    /// assert_eq!(Client::new(app).get("/dir").send().text(), "dir");
    /// ```
    #[must_use]
    pub fn url_map(mut self, configure: impl FnOnce(MapBuilder) -> MapBuilder + 'static) -> Self {
        self.url_map.push(Box::new(configure));
        self
    }

    /// Loads the templates of `folder` (Flask's `template_folder`): every
    /// file below it, named by its path relative to it (`"users/list.html"`).
    /// Templates are checked when the app is built: a syntax error, an
    /// unknown filter or a missing parent stops the start-up, naming the
    /// file and line.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe::prelude::*;
    /// use carafe::render_template;
    /// use carafe::wrappers::test::Client;
    ///
    /// let dir = std::env::temp_dir().join(format!("carafe-templates-doc-{}", std::process::id()));
    /// std::fs::create_dir_all(&dir).unwrap();
    /// std::fs::write(dir.join("index.html"), "<h1>{{ title }}</h1>\n").unwrap();
    ///
    /// fn index(request: &Request) -> Result<Html<String>, Error> {
    ///     render_template(request, "index.html", &serde_json::json!({"title": "Home"}))
    /// }
    /// let app = App::builder().template_folder(&dir).route("/", index).build();
    /// assert_eq!(Client::new(app).get("/").send().text(), "<h1>Home</h1>");
    /// # std::fs::remove_dir_all(&dir).unwrap();
    /// ```
    #[must_use]
    pub fn template_folder(mut self, folder: impl Into<PathBuf>) -> Self {
        self.settings.template_folder = Some(folder.into());
        self
    }

    /// Configures the template environment: more templates, filters,
    /// tests, functions, globals, autoescaping (see
    /// [`EnvironmentBuilder`]). The app adds its functions (`url_for`,
    /// `static_url`, `get_flashed_messages`) before this runs.
    ///
    /// # Examples
    ///
    /// See [`render_template`](crate::render_template).
    #[must_use]
    pub fn templates(
        mut self,
        configure: impl FnOnce(EnvironmentBuilder) -> EnvironmentBuilder + 'static,
    ) -> Self {
        self.templates.push(Box::new(configure));
        self
    }

    /// Whether changed templates are reloaded without a restart (Flask's
    /// `TEMPLATES_AUTO_RELOAD`; default: in debug mode).
    ///
    /// # Examples
    ///
    /// ```
    /// let app = carafe::App::builder().templates_auto_reload(true).templates(|env| env.template("a.txt", "")).build();
    /// assert!(app.templates().unwrap().auto_reloads());
    /// ```
    #[must_use]
    pub fn templates_auto_reload(mut self, on: bool) -> Self {
        self.settings.templates_auto_reload = Some(on);
        self
    }

    /// Checks everything and returns the app.
    ///
    /// # Panics
    ///
    /// On a [`SetupError`] (a bad rule, a conflict, a duplicate endpoint or
    /// blueprint), naming the lines that registered what is wrong: the
    /// program should not start.
    ///
    /// # Examples
    ///
    /// See [`AppBuilder`].
    #[track_caller]
    pub fn build(self) -> App {
        match self.try_build() {
            Ok(app) => app,
            Err(error) => panic!("the app cannot start: {error}"),
        }
    }

    /// Checks everything and returns the app, or what is wrong (for tools,
    /// such as a `check` command).
    ///
    /// # Errors
    ///
    /// A [`SetupError`] listing every problem found.
    ///
    /// # Examples
    ///
    /// See [`SetupError`].
    pub fn try_build(self) -> Result<App, SetupError> {
        crate::setup::build(self)
    }

    registration_methods!("App::builder()", ".build()");
}
