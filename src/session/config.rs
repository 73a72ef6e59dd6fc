//! The session cookie's settings (Flask's `SESSION_COOKIE_*`,
//! `PERMANENT_SESSION_LIFETIME`, `SESSION_REFRESH_EACH_REQUEST`).

use std::time::Duration;

use carafe_wrappers::SameSite;

/// How the session cookie is named, scoped and kept, with Flask's defaults
/// (except `SameSite=Lax`, which browsers assume anyway and which is now
/// written explicitly).
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use carafe::SessionConfig;
///
/// let config = SessionConfig::default()
///     .cookie_name("sid")
///     .secure(true)
///     .permanent_lifetime(Duration::from_secs(7 * 24 * 3600));
/// assert_eq!(config.name(), "sid");
/// assert_eq!(SessionConfig::default().lifetime(), Duration::from_secs(31 * 24 * 3600));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionConfig {
    pub(crate) cookie_name: String,
    pub(crate) domain: Option<String>,
    pub(crate) path: Option<String>,
    pub(crate) http_only: bool,
    pub(crate) secure: bool,
    pub(crate) same_site: Option<SameSite>,
    pub(crate) partitioned: bool,
    pub(crate) permanent_lifetime: Duration,
    pub(crate) refresh_each_request: bool,
    pub(crate) max_cookie_size: usize,
}

impl Default for SessionConfig {
    fn default() -> Self {
        SessionConfig {
            cookie_name: "session".to_owned(),
            domain: None,
            path: None,
            http_only: true,
            secure: false,
            same_site: Some(SameSite::Lax),
            partitioned: false,
            permanent_lifetime: Duration::from_secs(31 * 24 * 60 * 60),
            refresh_each_request: true,
            max_cookie_size: 4093,
        }
    }
}

impl SessionConfig {
    /// The cookie's name (`SESSION_COOKIE_NAME`, default `session`).
    ///
    /// # Examples
    ///
    /// See [`SessionConfig`].
    #[must_use]
    pub fn cookie_name(mut self, name: impl Into<String>) -> Self {
        self.cookie_name = name.into();
        self
    }

    /// The cookie's `Domain` (`SESSION_COOKIE_DOMAIN`, default none: the
    /// exact host only).
    ///
    /// # Examples
    ///
    /// ```
    /// let config = carafe::SessionConfig::default().domain("example.com");
    /// # let _ = config;
    /// ```
    #[must_use]
    pub fn domain(mut self, domain: impl Into<String>) -> Self {
        self.domain = Some(domain.into());
        self
    }

    /// The cookie's `Path` (`SESSION_COOKIE_PATH`; default the app's
    /// application root, `/`).
    ///
    /// # Examples
    ///
    /// ```
    /// let config = carafe::SessionConfig::default().path("/app");
    /// # let _ = config;
    /// ```
    #[must_use]
    pub fn path(mut self, path: impl Into<String>) -> Self {
        self.path = Some(path.into());
        self
    }

    /// `HttpOnly` (`SESSION_COOKIE_HTTPONLY`, default on).
    ///
    /// # Examples
    ///
    /// ```
    /// let config = carafe::SessionConfig::default().http_only(false);
    /// # let _ = config;
    /// ```
    #[must_use]
    pub fn http_only(mut self, on: bool) -> Self {
        self.http_only = on;
        self
    }

    /// `Secure` (`SESSION_COOKIE_SECURE`, default off; turn it on behind
    /// HTTPS).
    ///
    /// # Examples
    ///
    /// See [`SessionConfig`].
    #[must_use]
    pub fn secure(mut self, on: bool) -> Self {
        self.secure = on;
        self
    }

    /// `SameSite` (`SESSION_COOKIE_SAMESITE`, default `Lax`).
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe::wrappers::SameSite;
    /// let config = carafe::SessionConfig::default().same_site(Some(SameSite::Strict));
    /// # let _ = config;
    /// ```
    #[must_use]
    pub fn same_site(mut self, same_site: Option<SameSite>) -> Self {
        self.same_site = same_site;
        self
    }

    /// `Partitioned` (CHIPS; implies `Secure`).
    ///
    /// # Examples
    ///
    /// ```
    /// let config = carafe::SessionConfig::default().partitioned(true);
    /// # let _ = config;
    /// ```
    #[must_use]
    pub fn partitioned(mut self, on: bool) -> Self {
        self.partitioned = on;
        self
    }

    /// How long a session lives (`PERMANENT_SESSION_LIFETIME`, default 31
    /// days): the cookie's expiry for permanent sessions, and the age past
    /// which any session cookie is refused.
    ///
    /// # Examples
    ///
    /// See [`SessionConfig`].
    #[must_use]
    pub fn permanent_lifetime(mut self, lifetime: Duration) -> Self {
        self.permanent_lifetime = lifetime;
        self
    }

    /// Whether a permanent session's cookie is sent again on every request,
    /// moving its expiry (`SESSION_REFRESH_EACH_REQUEST`, default on).
    ///
    /// # Examples
    ///
    /// ```
    /// let config = carafe::SessionConfig::default().refresh_each_request(false);
    /// # let _ = config;
    /// ```
    #[must_use]
    pub fn refresh_each_request(mut self, on: bool) -> Self {
        self.refresh_each_request = on;
        self
    }

    /// Warn (with `tracing`) when the session cookie is larger than this,
    /// in bytes (`MAX_COOKIE_SIZE`, default 4093, what browsers keep; 0:
    /// never).
    ///
    /// # Examples
    ///
    /// ```
    /// let config = carafe::SessionConfig::default().max_cookie_size(0);
    /// # let _ = config;
    /// ```
    #[must_use]
    pub fn max_cookie_size(mut self, bytes: usize) -> Self {
        self.max_cookie_size = bytes;
        self
    }

    /// The cookie's name.
    ///
    /// # Examples
    ///
    /// See [`SessionConfig`].
    pub fn name(&self) -> &str {
        &self.cookie_name
    }

    /// The session lifetime.
    ///
    /// # Examples
    ///
    /// See [`SessionConfig`].
    pub fn lifetime(&self) -> Duration {
        self.permanent_lifetime
    }
}
