//! The `User-Agent` header.

use std::fmt;
use std::str::FromStr;

use http::HeaderName;

use super::{HeaderError, TypedHeader};

/// The `User-Agent` request header, kept as the client sent it.
///
/// Like Werkzeug's `UserAgent` since 2.0, this does no parsing: user agent
/// strings are unreliable, and any parser goes stale. Match on
/// [`as_str`](Self::as_str) for the rare case that needs it.
///
/// # Examples
///
/// ```
/// use carafe_wrappers::headers::UserAgent;
///
/// let ua = UserAgent::new("Mozilla/5.0 (X11; Linux x86_64; rv:94.0) Gecko/20100101 Firefox/94.0");
/// assert!(ua.as_str().contains("Firefox/"));
/// assert_eq!(ua.to_string(), ua.as_str());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Hash)]
pub struct UserAgent(String);

impl UserAgent {
    /// A user agent string.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::headers::UserAgent;
    ///
    /// assert_eq!(UserAgent::new("curl/8.5.0").as_str(), "curl/8.5.0");
    /// ```
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The header value.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::headers::UserAgent;
    ///
    /// assert_eq!(UserAgent::default().as_str(), "");
    /// ```
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the client sent no (or an empty) `User-Agent`.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::headers::UserAgent;
    ///
    /// assert!(UserAgent::default().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for UserAgent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for UserAgent {
    type Err = HeaderError;

    fn from_str(value: &str) -> Result<Self, HeaderError> {
        Ok(Self(value.to_owned()))
    }
}

impl TypedHeader for UserAgent {
    const NAME: HeaderName = http::header::USER_AGENT;
}
