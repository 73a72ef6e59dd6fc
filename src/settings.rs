//! Applying the typed configuration ([`config::Settings`](crate::config::Settings),
//! Flask's built-in keys) to an app being set up, and the host check of
//! `TRUSTED_HOSTS`.

use crate::builder::AppBuilder;
use crate::config::Settings;

impl AppBuilder {
    /// Applies Flask's built-in configuration keys, as loaded by
    /// [`config`](crate::config) from files and `CARAFE_*` variables: what
    /// [`Settings::apply_to`] applies (secret keys, session cookie, request
    /// limits, `SERVER_NAME`, `APPLICATION_ROOT`, `PREFERRED_URL_SCHEME`,
    /// `DEBUG`, `TESTING`, `PROPAGATE_EXCEPTIONS`,
    /// `PROVIDE_AUTOMATIC_OPTIONS`), and the keys it leaves out that the
    /// App reads too: `TRUSTED_HOSTS`, `SEND_FILE_MAX_AGE_DEFAULT` (static
    /// files), `TEMPLATES_AUTO_RELOAD` and `MAX_COOKIE_SIZE`. Call it first:
    /// later calls override single settings.
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
    pub fn settings(self, settings: &Settings) -> Self {
        let mut builder = settings.apply_to(self);
        builder.session = builder.session.max_cookie_size(settings.max_cookie_size);
        builder
            .settings
            .trusted_hosts
            .clone_from(&settings.trusted_hosts);
        builder.settings.send_file_max_age = settings.send_file_max_age_default;
        if let Some(on) = settings.templates_auto_reload {
            builder.settings.templates_auto_reload = Some(on);
        }
        builder
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
