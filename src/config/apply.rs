//! From loaded [`Settings`] to the App: the keys the App reads.

use crate::{AppBuilder, SessionConfig};

use super::settings::Settings;

impl Settings {
    /// The session cookie's settings (`SESSION_COOKIE_*`,
    /// `PERMANENT_SESSION_LIFETIME`, `SESSION_REFRESH_EACH_REQUEST`).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use carafe::config::Settings;
    ///
    /// let mut settings = Settings::default();
    /// settings.session_cookie_name = "sid".into();
    /// settings.permanent_session_lifetime = Duration::from_secs(3600);
    /// let session = settings.session_config();
    /// assert_eq!(session.name(), "sid");
    /// assert_eq!(session.lifetime(), Duration::from_secs(3600));
    /// ```
    pub fn session_config(&self) -> SessionConfig {
        let mut session = SessionConfig::default()
            .cookie_name(self.session_cookie_name.clone())
            .http_only(self.session_cookie_httponly)
            .secure(self.session_cookie_secure)
            .same_site(self.session_cookie_samesite)
            .partitioned(self.session_cookie_partitioned)
            .permanent_lifetime(self.permanent_session_lifetime)
            .refresh_each_request(self.session_refresh_each_request);
        if let Some(domain) = &self.session_cookie_domain {
            session = session.domain(domain.clone());
        }
        if let Some(path) = &self.session_cookie_path {
            session = session.path(path.clone());
        }
        session
    }

    /// Applies the keys the App reads to an app being set up: the secret
    /// keys, the session cookie, the request limits, `SERVER_NAME`,
    /// `APPLICATION_ROOT`, `PREFERRED_URL_SCHEME`, `DEBUG`, `TESTING`,
    /// `PROPAGATE_EXCEPTIONS` and `PROVIDE_AUTOMATIC_OPTIONS`. (The App does
    /// not read the others yet: `TRUSTED_HOSTS`, `USE_X_SENDFILE`,
    /// `SEND_FILE_MAX_AGE_DEFAULT`, `TRAP_*`, `EXPLAIN_TEMPLATE_LOADING`,
    /// `TEMPLATES_AUTO_RELOAD`, `MAX_COOKIE_SIZE`.)
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe::App;
    /// use carafe::config::{Config, Mode};
    /// use carafe::wrappers::test::Client;
    ///
    /// let config: Config = Config::loader()
    ///     .mode(Mode::Development)
    ///     .env([("CARAFE_MAX_CONTENT_LENGTH", "4"), ("CARAFE_SECRET_KEY", "k")])
    ///     .load()
    ///     .unwrap();
    /// fn echo(request: &carafe::wrappers::Request) -> Result<String, carafe::Error> {
    ///     Ok(format!("{} bytes", request.get_data()?.len()))
    /// }
    /// let app = config.settings.apply_to(App::builder()).post("/", echo).build();
    /// assert!(app.debug());
    /// let client = Client::new(app);
    /// assert_eq!(client.post("/").body("1234").send().text(), "4 bytes");
    /// assert_eq!(client.post("/").body("12345").send().status(), 413);
    /// ```
    pub fn apply_to(&self, builder: AppBuilder) -> AppBuilder {
        let mut builder = builder
            .secret_key_fallbacks(self.secret_key_fallbacks.iter().map(|k| k.expose().clone()))
            .session(self.session_config())
            .limits(self.limits())
            .application_root(self.application_root.clone())
            .preferred_url_scheme(self.preferred_url_scheme.clone())
            .debug(self.debug)
            .testing(self.testing);
        if let Some(key) = &self.secret_key {
            builder = builder.secret_key(key.expose());
        }
        if let Some(name) = &self.server_name {
            builder = builder.server_name(name.clone());
        }
        if let Some(on) = self.propagate_exceptions {
            builder = builder.propagate_exceptions(on);
        }
        if !self.provide_automatic_options {
            builder = builder.url_map(|map| map.automatic_options(false));
        }
        builder
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Secret;
    use carafe_wrappers::test::Client;

    fn hello(_: &carafe_wrappers::Request) -> &'static str {
        "hello"
    }

    #[test]
    fn the_app_reads_the_settings() {
        let settings = Settings {
            server_name: Some("example.com".into()),
            application_root: "/shop/".into(),
            preferred_url_scheme: "https".into(),
            testing: true,
            secret_key: Some(Secret::new("key".into())),
            provide_automatic_options: false,
            ..Settings::default()
        };
        let app = settings
            .apply_to(crate::App::builder())
            .route("/", hello)
            .build();
        assert!(app.testing());
        assert!(!app.debug());
        assert_eq!(app.url_for("hello").unwrap(), "https://example.com/shop/");
        let client = Client::new(app);
        assert_eq!(client.get("/").send().text(), "hello");
        assert_eq!(
            client.options("/").send().status(),
            405,
            "no automatic OPTIONS"
        );
    }

    #[test]
    fn the_session_cookie_follows_the_settings() {
        let settings = Settings {
            session_cookie_domain: Some("example.com".into()),
            session_cookie_path: Some("/app".into()),
            ..Settings::default()
        };
        let session = settings.session_config();
        assert_eq!(session.name(), "session");
        assert_eq!(
            session,
            SessionConfig::default()
                .same_site(None)
                .domain("example.com")
                .path("/app")
        );
    }
}
