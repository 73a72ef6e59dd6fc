//! Flask's built-in configuration keys, typed: the settings the App reads.

use std::time::Duration;

use carafe_wrappers::{Limits, SameSite};
use serde::{Deserialize, Serialize};

use super::secret::Secret;
use super::values::{
    duration, optional_duration, same_site, serialize_duration, serialize_optional_duration,
    serialize_same_site,
};

/// Flask's built-in configuration keys, as a plain struct the App reads.
///
/// In config files the keys are Flask's names in lowercase (`secret_key`,
/// `session_cookie_name`); the environment sets them as `CARAFE_` + the
/// uppercase name (`CARAFE_SECRET_KEY`, `CARAFE_MAX_CONTENT_LENGTH`), the way
/// Flask's `from_prefixed_env` reads `FLASK_SECRET_KEY`. Every default is
/// Flask's (3.1), except that `debug` and `testing` follow the
/// [`Mode`](crate::config::Mode). Durations are seconds (`3600`) or text
/// with units (`"31d"`, `"12h"`, `"1h30m"`, `"500ms"`).
///
/// The last five fields are the request limits Carafe has beyond Flask's;
/// [`Settings::limits`] hands all of them to the wrappers.
///
/// It serializes (durations as seconds) for templates, which see Flask's
/// `config`; the secret keys serialize as `[redacted]`.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use carafe::config::Settings;
///
/// let settings = Settings::default();
/// assert_eq!(settings.session_cookie_name, "session");
/// assert_eq!(settings.permanent_session_lifetime, Duration::from_secs(31 * 24 * 3600));
/// assert_eq!(settings.max_form_memory_size, 500_000);
/// assert!(settings.secret_key.is_none());
/// assert_eq!(settings.limits().max_form_parts(), 1_000);
/// ```
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct Settings {
    /// `DEBUG`: debug mode (error pages with tracebacks, template reloading).
    /// Default: on in development mode, off otherwise (Flask: off).
    pub debug: bool,
    /// `TESTING`: exceptions propagate instead of becoming 500 pages. Default:
    /// on in testing mode, off otherwise (Flask: off).
    pub testing: bool,
    /// `PROPAGATE_EXCEPTIONS`: re-raise handler errors instead of answering
    /// 500. Default `None`: follow `testing || debug`.
    pub propagate_exceptions: Option<bool>,
    /// `SECRET_KEY`: signs and encrypts the session cookie. Default `None`
    /// (sessions refuse to work). Never printed.
    pub secret_key: Option<Secret<String>>,
    /// `SECRET_KEY_FALLBACKS`: older keys, still accepted for reading
    /// sessions (key rotation). Default empty. Never printed.
    pub secret_key_fallbacks: Vec<Secret<String>>,
    /// `PERMANENT_SESSION_LIFETIME`: how long a permanent session lives.
    /// Default 31 days.
    #[serde(deserialize_with = "duration", serialize_with = "serialize_duration")]
    pub permanent_session_lifetime: Duration,
    /// `USE_X_SENDFILE`: let the front server (nginx `X-Accel-Redirect`,
    /// `X-Sendfile`) send files. Default off.
    pub use_x_sendfile: bool,
    /// `TRUSTED_HOSTS`: the `Host` values accepted (`.example.com` matches
    /// subdomains). Default `None`: any.
    pub trusted_hosts: Option<Vec<String>>,
    /// `SERVER_NAME`: host (and port) for URLs built outside a request.
    /// Default `None`.
    pub server_name: Option<String>,
    /// `APPLICATION_ROOT`: the path the app is mounted at, for URLs built
    /// outside a request and the session cookie's path. Default `/`.
    pub application_root: String,
    /// `SESSION_COOKIE_NAME`. Default `session`.
    pub session_cookie_name: String,
    /// `SESSION_COOKIE_DOMAIN`. Default `None`: the cookie is for the exact
    /// host only.
    pub session_cookie_domain: Option<String>,
    /// `SESSION_COOKIE_PATH`. Default `None`: `application_root`.
    pub session_cookie_path: Option<String>,
    /// `SESSION_COOKIE_HTTPONLY`. Default on.
    pub session_cookie_httponly: bool,
    /// `SESSION_COOKIE_SECURE`: send the cookie over HTTPS only. Default off.
    pub session_cookie_secure: bool,
    /// `SESSION_COOKIE_PARTITIONED` (CHIPS). Default off.
    pub session_cookie_partitioned: bool,
    /// `SESSION_COOKIE_SAMESITE`: `Strict`, `Lax` or `None` (the attribute
    /// value `None`); `null` leaves the attribute out. Default `None` (left
    /// out).
    #[serde(deserialize_with = "same_site", serialize_with = "serialize_same_site")]
    pub session_cookie_samesite: Option<SameSite>,
    /// `SESSION_REFRESH_EACH_REQUEST`: send the cookie of a permanent
    /// session on every request. Default on.
    pub session_refresh_each_request: bool,
    /// `MAX_CONTENT_LENGTH`: the largest request body, in bytes. Default
    /// `None` (unbounded).
    pub max_content_length: Option<u64>,
    /// `MAX_FORM_MEMORY_SIZE`: the largest non-file form field, in bytes.
    /// Default 500 000.
    pub max_form_memory_size: usize,
    /// `MAX_FORM_PARTS`: the most parts of a multipart body. Default 1000.
    pub max_form_parts: usize,
    /// `SEND_FILE_MAX_AGE_DEFAULT`: `Cache-Control: max-age` of sent files.
    /// Default `None` (conditional requests only).
    #[serde(
        deserialize_with = "optional_duration",
        serialize_with = "serialize_optional_duration"
    )]
    pub send_file_max_age_default: Option<Duration>,
    /// `TRAP_BAD_REQUEST_ERRORS`: show key errors of bad requests as
    /// errors, not plain 400s. Default `None`: on in debug mode.
    pub trap_bad_request_errors: Option<bool>,
    /// `TRAP_HTTP_EXCEPTIONS`: let HTTP errors propagate like other errors.
    /// Default off.
    pub trap_http_exceptions: bool,
    /// `EXPLAIN_TEMPLATE_LOADING`: log how each template was found. Default
    /// off.
    pub explain_template_loading: bool,
    /// `PREFERRED_URL_SCHEME`: the scheme of URLs built outside a request.
    /// Default `http`.
    pub preferred_url_scheme: String,
    /// `TEMPLATES_AUTO_RELOAD`: reload changed templates. Default `None`:
    /// follow `debug`.
    pub templates_auto_reload: Option<bool>,
    /// `MAX_COOKIE_SIZE`: warn when a cookie is larger, in bytes (0: never).
    /// Default 4093.
    pub max_cookie_size: usize,
    /// `PROVIDE_AUTOMATIC_OPTIONS`: answer `OPTIONS` for every route.
    /// Default on.
    pub provide_automatic_options: bool,
    /// Carafe: the most fields of a query string. Default 1000.
    pub max_query_fields: usize,
    /// Carafe: the most fields of a urlencoded form. Default 1000.
    pub max_form_fields: usize,
    /// Carafe: the largest header block of one multipart part, in bytes.
    /// Default 8190 (gunicorn's field limit).
    pub max_part_header_size: usize,
    /// Carafe: the largest `Cookie` header, in bytes. Default 8190.
    pub max_cookie_header_size: usize,
    /// Carafe: uploaded bytes kept in memory per request before spooling to
    /// a temporary file. Default 500 KiB (Werkzeug's).
    pub file_memory_threshold: usize,
}

impl Default for Settings {
    fn default() -> Self {
        let limits = Limits::default();
        Self {
            debug: false,
            testing: false,
            propagate_exceptions: None,
            secret_key: None,
            secret_key_fallbacks: Vec::new(),
            permanent_session_lifetime: Duration::from_secs(31 * 24 * 60 * 60),
            use_x_sendfile: false,
            trusted_hosts: None,
            server_name: None,
            application_root: "/".to_owned(),
            session_cookie_name: "session".to_owned(),
            session_cookie_domain: None,
            session_cookie_path: None,
            session_cookie_httponly: true,
            session_cookie_secure: false,
            session_cookie_partitioned: false,
            session_cookie_samesite: None,
            session_refresh_each_request: true,
            max_content_length: limits.max_content_length(),
            max_form_memory_size: limits.max_form_memory_size(),
            max_form_parts: limits.max_form_parts(),
            send_file_max_age_default: None,
            trap_bad_request_errors: None,
            trap_http_exceptions: false,
            explain_template_loading: false,
            preferred_url_scheme: "http".to_owned(),
            templates_auto_reload: None,
            max_cookie_size: 4093,
            provide_automatic_options: true,
            max_query_fields: limits.max_query_fields(),
            max_form_fields: limits.max_form_fields(),
            max_part_header_size: limits.max_part_header_size(),
            max_cookie_header_size: limits.max_cookie_header_size(),
            file_memory_threshold: limits.file_memory_threshold(),
        }
    }
}

impl Settings {
    /// The request limits these settings describe, for
    /// [`Request::set_limits`](carafe_wrappers::Request::set_limits).
    ///
    /// # Examples
    ///
    /// ```
    /// let mut settings = carafe::config::Settings::default();
    /// settings.max_content_length = Some(16 * 1024 * 1024);
    /// assert_eq!(settings.limits().max_content_length(), Some(16 * 1024 * 1024));
    /// ```
    pub fn limits(&self) -> Limits {
        Limits::default()
            .with_max_content_length(self.max_content_length)
            .with_max_form_memory_size(self.max_form_memory_size)
            .with_max_form_parts(self.max_form_parts)
            .with_max_query_fields(self.max_query_fields)
            .with_max_form_fields(self.max_form_fields)
            .with_max_part_header_size(self.max_part_header_size)
            .with_max_cookie_header_size(self.max_cookie_header_size)
            .with_file_memory_threshold(self.file_memory_threshold)
    }

    /// Whether handler errors propagate (Flask's rule: `propagate_exceptions`
    /// if set, else `testing || debug`).
    ///
    /// # Examples
    ///
    /// ```
    /// let mut settings = carafe::config::Settings::default();
    /// assert!(!settings.propagates_exceptions());
    /// settings.testing = true;
    /// assert!(settings.propagates_exceptions());
    /// ```
    pub fn propagates_exceptions(&self) -> bool {
        self.propagate_exceptions
            .unwrap_or(self.testing || self.debug)
    }

    /// Whether templates reload when they change (`templates_auto_reload` if
    /// set, else `debug`).
    ///
    /// # Examples
    ///
    /// ```
    /// let mut settings = carafe::config::Settings::default();
    /// settings.debug = true;
    /// assert!(settings.templates_reload());
    /// settings.templates_auto_reload = Some(false);
    /// assert!(!settings.templates_reload());
    /// ```
    pub fn templates_reload(&self) -> bool {
        self.templates_auto_reload.unwrap_or(self.debug)
    }

    /// The path of the session cookie (`session_cookie_path` if set, else
    /// `application_root`).
    ///
    /// # Examples
    ///
    /// ```
    /// let mut settings = carafe::config::Settings::default();
    /// settings.application_root = "/shop".into();
    /// assert_eq!(settings.session_cookie_path(), "/shop");
    /// ```
    pub fn session_cookie_path(&self) -> &str {
        self.session_cookie_path
            .as_deref()
            .unwrap_or(&self.application_root)
    }

    /// The configuration keys (field names), as config files spell them.
    ///
    /// # Examples
    ///
    /// ```
    /// let keys = carafe::config::Settings::keys();
    /// assert!(keys.contains(&"secret_key"));
    /// assert!(keys.contains(&"max_content_length"));
    /// ```
    pub fn keys() -> &'static [&'static str] {
        super::values::struct_fields::<Settings>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_match_the_wrappers_limits() {
        assert_eq!(Settings::default().limits(), Limits::default());
    }

    #[test]
    fn keys_are_every_field() {
        let keys = Settings::keys();
        assert_eq!(keys.len(), 34);
        assert!(keys.contains(&"provide_automatic_options"));
        assert!(keys.contains(&"file_memory_threshold"));
    }

    #[test]
    fn serializes_for_templates_without_secrets() {
        let settings = Settings {
            secret_key: Some(Secret::new("s3cr3t-value".into())),
            session_cookie_samesite: Some(SameSite::Lax),
            ..Settings::default()
        };
        let value = serde_json::to_value(&settings).unwrap();
        assert_eq!(value["session_cookie_name"], "session");
        assert_eq!(value["permanent_session_lifetime"], 2_678_400);
        assert_eq!(value["session_cookie_samesite"], "Lax");
        assert_eq!(value["send_file_max_age_default"], serde_json::Value::Null);
        assert_eq!(value["secret_key"], "[redacted]");
        // What serializes deserializes back (but the redacted key).
        let text = serde_json::to_string(&settings).unwrap();
        assert!(!text.contains("s3cr3t"));
    }

    #[test]
    fn debug_output_hides_secrets() {
        let settings = Settings {
            secret_key: Some(Secret::new("s3cr3t-value".into())),
            secret_key_fallbacks: vec![Secret::new("old-s3cr3t".into())],
            ..Settings::default()
        };
        let shown = format!("{settings:?} {settings:#?}");
        assert!(!shown.contains("s3cr3t"), "{shown}");
        assert!(shown.contains("secret_key"));
    }
}
