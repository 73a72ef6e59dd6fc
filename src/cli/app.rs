//! What the command line needs from an app, and how it makes one.

use carafe_routing::Map;
use carafe_wrappers::Application;

/// An error of an app factory.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// What the command line needs from an application besides serving it:
/// the URL map for `routes` and `check`, and the app's own checks.
///
/// The App implements it. Anything else that serves requests can, with the
/// defaults (no URL map, no problems).
///
/// # Examples
///
/// ```
/// use carafe::cli::CliApp;
/// use carafe::routing::{Map, Rule};
/// use carafe::wrappers::{Application, Request, Response};
///
/// struct Api {
///     map: Map,
/// }
///
/// impl Application for Api {
///     fn handle(&self, _request: Request) -> Response {
///         Response::text("ok")
///     }
/// }
///
/// impl CliApp for Api {
///     fn url_map(&self) -> Option<&Map> {
///         Some(&self.map)
///     }
/// }
///
/// let api = Api { map: Map::builder().rule(Rule::new("/", "index")).build().unwrap() };
/// assert_eq!(api.url_map().unwrap().rules().count(), 1);
/// assert!(api.problems().is_empty());
/// ```
pub trait CliApp: Application {
    /// The URL rules `routes` lists (`None`: the app routes without a
    /// [`Map`]).
    fn url_map(&self) -> Option<&Map> {
        None
    }

    /// Problems `check` reports besides the routes: templates that do not
    /// compile, missing handlers, static folders that do not exist. Each is
    /// one line, naming what is wrong and where.
    fn problems(&self) -> Vec<String> {
        Vec::new()
    }
}

/// The App: its URL map, and its own checks.
impl CliApp for crate::App {
    fn url_map(&self) -> Option<&Map> {
        Some(self.map())
    }

    fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if let Some(folder) = &self.inner.settings.static_folder
            && !folder.is_dir()
        {
            problems.push(format!(
                "the static folder {} does not exist",
                folder.display()
            ));
        }
        // Templates need no check here: the App loads every one when it is
        // built, so a broken template already fails the factory, and `check`
        // reports the environment's error (file, line, column, snippet).
        problems
    }
}

/// What an app factory may return: the app, or a `Result` with it.
pub trait IntoApp {
    /// The app.
    type App: CliApp;

    /// The app, or why it could not be made.
    ///
    /// # Errors
    ///
    /// The factory's error.
    fn into_app(self) -> Result<Self::App, BoxError>;
}

impl<A: CliApp> IntoApp for A {
    type App = A;

    fn into_app(self) -> Result<A, BoxError> {
        Ok(self)
    }
}

impl<A: CliApp, E: Into<BoxError>> IntoApp for Result<A, E> {
    type App = A;

    fn into_app(self) -> Result<A, BoxError> {
        self.map_err(Into::into)
    }
}

/// A function that builds the app: `fn create_app() -> App` or
/// `fn create_app() -> Result<App, E>`. The production server calls it
/// once in every worker process; `check` and `routes` call it once.
pub trait AppFactory {
    /// The app it builds.
    type App: CliApp;

    /// Builds the app.
    ///
    /// # Errors
    ///
    /// The factory's error.
    fn create(&self) -> Result<Self::App, BoxError>;
}

impl<F, R> AppFactory for F
where
    F: Fn() -> R,
    R: IntoApp,
{
    type App = R::App;

    fn create(&self) -> Result<R::App, BoxError> {
        self().into_app()
    }
}
