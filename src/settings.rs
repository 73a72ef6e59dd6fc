//! Applying the typed configuration ([`config::Settings`](crate::config::Settings),
//! Flask's built-in keys) to an app being set up, and the host check of
//! `TRUSTED_HOSTS`.

use crate::builder::AppBuilder;
use crate::config::Settings;
use crate::session::SessionConfig;

impl AppBuilder {
    /// Applies Flask's built-in configuration keys, as loaded by
    /// [`config`](crate::config) from files and `CARAFE_*` variables:
    /// `DEBUG`, `TESTING`, `PROPAGATE_EXCEPTIONS`, `SECRET_KEY` (and its
    /// fallbacks), the `SESSION_COOKIE_*` keys, `PERMANENT_SESSION_LIFETIME`,
    /// `SESSION_REFRESH_EACH_REQUEST`, `MAX_COOKIE_SIZE`, the request limits
    /// (`MAX_CONTENT_LENGTH`, `MAX_FORM_MEMORY_SIZE`, `MAX_FORM_PARTS`, ...),
    /// `SERVER_NAME`, `APPLICATION_ROOT`, `PREFERRED_URL_SCHEME`,
    /// `TRUSTED_HOSTS`, `SEND_FILE_MAX_AGE_DEFAULT` (static files),
    /// `TEMPLATES_AUTO_RELOAD` and `PROVIDE_AUTOMATIC_OPTIONS`. Call it
    /// first: later calls override single settings.
    ///
    /// Not applied (no effect in Carafe yet): `USE_X_SENDFILE`,
    /// `TRAP_BAD_REQUEST_ERRORS`, `TRAP_HTTP_EXCEPTIONS`,
    /// `EXPLAIN_TEMPLATE_LOADING`.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe::prelude::*;
    /// use carafe::config::Settings;
    /// use carafe::wrappers::test::Client;
    ///
    /// fn echo(request: &Request) -> Result<String, Error> {
    ///     Ok(format!("{} bytes", request.get_data()?.len()))
    /// }
    /// let mut settings = Settings::default();
    /// settings.max_content_length = Some(4);
    /// settings.trusted_hosts = Some(vec![".example.com".into()]);
    /// let app = App::builder().settings(&settings).post("/", echo).build();
    /// let client = Client::new(app);
    /// assert_eq!(client.post("http://www.example.com/").body("12345").send().status(), 413);
    /// assert_eq!(client.post("http://www.example.com/").body("1234").send().text(), "4 bytes");
    /// assert_eq!(client.post("http://evil.test/").body("1").send().status(), 400);
    /// ```
    #[must_use]
    pub fn settings(mut self, settings: &Settings) -> Self {
        self.settings.debug = settings.debug;
        self.settings.testing = settings.testing;
        self.settings.propagate_exceptions = settings.propagate_exceptions;
        self.secret_key = settings
            .secret_key
            .as_ref()
            .map(|key| key.expose().as_bytes().to_vec());
        self.secret_key_fallbacks = settings
            .secret_key_fallbacks
            .iter()
            .map(|key| key.expose().as_bytes().to_vec())
            .collect();
        let mut session = SessionConfig::default()
            .cookie_name(settings.session_cookie_name.clone())
            .http_only(settings.session_cookie_httponly)
            .secure(settings.session_cookie_secure)
            .partitioned(settings.session_cookie_partitioned)
            .same_site(settings.session_cookie_samesite)
            .permanent_lifetime(settings.permanent_session_lifetime)
            .refresh_each_request(settings.session_refresh_each_request)
            .max_cookie_size(settings.max_cookie_size);
        if let Some(domain) = &settings.session_cookie_domain {
            session = session.domain(domain.clone());
        }
        if let Some(path) = &settings.session_cookie_path {
            session = session.path(path.clone());
        }
        self.session = session;
        self.settings.limits = settings.limits();
        self.settings.server_name.clone_from(&settings.server_name);
        self = self
            .application_root(settings.application_root.clone())
            .preferred_url_scheme(settings.preferred_url_scheme.clone());
        self.settings
            .trusted_hosts
            .clone_from(&settings.trusted_hosts);
        self.settings.send_file_max_age = settings.send_file_max_age_default;
        self.settings.templates_auto_reload = settings.templates_auto_reload;
        let automatic_options = settings.provide_automatic_options;
        self.url_map(move |map| map.automatic_options(automatic_options))
    }

    /// The hosts requests may be sent to (Flask's `TRUSTED_HOSTS`): an
    /// entry matches that host with any port; one starting with a dot also
    /// matches its subdomains (`.example.com`). A request for another host
    /// is a `400`. Default: any host.
    ///
    /// # Examples
    ///
    /// See [`settings`](Self::settings).
    #[must_use]
    pub fn trusted_hosts<S: Into<String>>(mut self, hosts: impl IntoIterator<Item = S>) -> Self {
        self.settings.trusted_hosts = Some(hosts.into_iter().map(Into::into).collect());
        self
    }
}

/// Werkzeug's `host_is_trusted`: the host without its port, matched
/// case-insensitively against each entry; `.example.com` also matches
/// `example.com` and its subdomains.
pub(crate) fn host_is_trusted(host: &str, trusted: &[String]) -> bool {
    let name = match host.rsplit_once(':') {
        Some((name, port)) if !name.ends_with(']') && port.bytes().all(|b| b.is_ascii_digit()) => {
            name
        }
        _ if host.starts_with('[') => host.split_once(']').map_or(host, |(name, _)| name),
        _ => host,
    };
    let name = name.trim_start_matches('[').trim_end_matches('.');
    trusted.iter().any(|entry| {
        let entry = entry.trim_end_matches('.');
        match entry.strip_prefix('.') {
            Some(domain) => {
                name.eq_ignore_ascii_case(domain)
                    || (name.len() > domain.len() + 1
                        && name[name.len() - domain.len()..].eq_ignore_ascii_case(domain)
                        && name.as_bytes()[name.len() - domain.len() - 1] == b'.')
            }
            None => name.eq_ignore_ascii_case(entry),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn werkzeug_trusted_hosts() {
        let trusted = ["example.org".to_owned(), ".example.com".to_owned()];
        assert!(host_is_trusted("example.org", &trusted));
        assert!(host_is_trusted("Example.ORG:8080", &trusted));
        assert!(host_is_trusted("example.com", &trusted));
        assert!(host_is_trusted("www.example.com", &trusted));
        assert!(!host_is_trusted("www.example.org", &trusted));
        assert!(!host_is_trusted("evilexample.com", &trusted));
        assert!(!host_is_trusted("example.com.evil.test", &trusted));
        assert!(!host_is_trusted("", &trusted));
    }
}
