//! What a mis-registered app fails with at start-up ([`SetupError`]), and
//! the places in the program problems point at ([`Site`]).

use std::error::Error as StdError;
use std::fmt;
use std::panic::Location;

use carafe_routing::MapError;

/// An app that cannot be built: a rule that does not parse or collides with
/// another, a duplicate endpoint, a blueprint registered twice under one
/// name. Each problem names the line of the program that registered it.
///
/// [`AppBuilder::build`](crate::AppBuilder::build) panics with it;
/// [`AppBuilder::try_build`](crate::AppBuilder::try_build) returns it.
///
/// # Examples
///
/// ```
/// use carafe::App;
/// use carafe::wrappers::Request;
///
/// fn a(_: &Request) -> &'static str { "a" }
/// fn b(_: &Request) -> &'static str { "b" }
///
/// let error = App::builder().route("/page/<x>", a).route("/page/<y>", b).try_build().unwrap_err();
/// let text = error.to_string();
/// assert!(text.contains("conflicts with rule '/page/<x>' (GET) -> a"), "{text}");
/// assert!(text.contains(file!()), "{text}");
/// ```
#[derive(Debug, Clone)]
pub struct SetupError {
    problems: Vec<SetupProblem>,
}

/// One problem of a [`SetupError`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum SetupProblem {
    /// The rules do not form a map: a rule that does not parse, an unknown
    /// converter, two rules that match the same URLs.
    Map {
        /// What the routing crate says.
        error: MapError,
        /// Where the rule (the later one, for a conflict) was registered.
        location: Option<Site>,
        /// Where the other rule of a conflict was registered.
        other: Option<Site>,
    },
    /// An endpoint name is already used by another handler (Flask: "View
    /// function mapping is overwriting an existing endpoint function").
    DuplicateEndpoint {
        /// The endpoint.
        endpoint: String,
        /// Where the second handler was registered.
        location: Site,
        /// Where the first one was.
        existing: Site,
    },
    /// A name that is not allowed: an empty or dotted blueprint name, an
    /// endpoint with a dot in a blueprint, a closure without an endpoint.
    InvalidName {
        /// What is wrong.
        message: String,
        /// Where it was registered.
        location: Site,
    },
    /// Two blueprints registered under the same name.
    DuplicateBlueprint {
        /// The (dotted) name.
        name: String,
        /// Where the second was registered.
        location: Site,
        /// Where the first was.
        existing: Site,
    },
    /// A setting that cannot work (a bad secret key, a static folder that
    /// does not exist, templates that do not compile).
    Setting {
        /// What is wrong.
        message: String,
    },
}

impl SetupError {
    pub(crate) fn new(problems: Vec<SetupProblem>) -> Self {
        SetupError { problems }
    }

    /// The problems, in registration order.
    ///
    /// # Examples
    ///
    /// See [`SetupError`].
    pub fn problems(&self) -> &[SetupProblem] {
        &self.problems
    }
}

impl fmt::Display for SetupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.problems.as_slice() {
            [one] => write!(f, "{one}"),
            many => {
                write!(f, "{} problems:", many.len())?;
                for problem in many {
                    write!(f, "\n  - {problem}")?;
                }
                Ok(())
            }
        }
    }
}

impl StdError for SetupError {}

impl fmt::Display for SetupProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SetupProblem::Map {
                error,
                location,
                other,
            } => {
                write!(f, "{error}")?;
                if let Some(location) = location {
                    write!(f, " (registered at {location}")?;
                    if let Some(other) = other {
                        write!(f, ", the other rule at {other}")?;
                    }
                    f.write_str(")")?;
                }
                Ok(())
            }
            SetupProblem::DuplicateEndpoint {
                endpoint,
                location,
                existing,
            } => write!(
                f,
                "endpoint '{endpoint}' at {location} is already the endpoint of another handler \
                 (registered at {existing}); give one of them another endpoint name"
            ),
            SetupProblem::InvalidName { message, location } => {
                write!(f, "{message} (at {location})")
            }
            SetupProblem::DuplicateBlueprint {
                name,
                location,
                existing,
            } => write!(
                f,
                "a blueprint named '{name}' is already registered (at {existing}); the one at \
                 {location} needs another name (Blueprint::with_name)"
            ),
            SetupProblem::Setting { message } => f.write_str(message),
        }
    }
}

/// A place in the program: where something was registered (a call marked
/// `#[track_caller]`, or a `#[route]` attribute).
///
/// # Examples
///
/// ```
/// let site = carafe::Site::caller();
/// assert_eq!(site.file(), file!());
/// assert_eq!(site.to_string(), format!("{}:{}:{}", file!(), line!() - 2, 12));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Site {
    file: &'static str,
    line: u32,
    column: u32,
}

impl Site {
    /// A site from its parts (what `#[route]` expands to, with `file!()`,
    /// `line!()` and `column!()`).
    ///
    /// # Examples
    ///
    /// ```
    /// let site = carafe::Site::new("src/main.rs", 3, 1);
    /// assert_eq!(site.to_string(), "src/main.rs:3:1");
    /// ```
    pub const fn new(file: &'static str, line: u32, column: u32) -> Self {
        Site { file, line, column }
    }

    /// The site of the caller of the `#[track_caller]` function calling this.
    ///
    /// # Examples
    ///
    /// See [`Site`].
    #[track_caller]
    pub fn caller() -> Self {
        Location::caller().into()
    }

    /// The file.
    ///
    /// # Examples
    ///
    /// See [`Site`].
    pub fn file(&self) -> &'static str {
        self.file
    }

    /// The line (1-based).
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(carafe::Site::new("a.rs", 3, 1).line(), 3);
    /// ```
    pub fn line(&self) -> u32 {
        self.line
    }
}

impl From<&'static Location<'static>> for Site {
    fn from(location: &'static Location<'static>) -> Self {
        Site::new(location.file(), location.line(), location.column())
    }
}

impl fmt::Display for Site {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}
