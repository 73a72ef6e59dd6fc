//! What `run_simple` and [`Server`](crate::Server) can be told.

use std::path::{Path, PathBuf};
use std::time::Duration;

use carafe_wrappers::hyper::GatewayConfig;

use crate::BuildSpec;

/// The development server's options: Werkzeug's `run_simple` keyword
/// arguments, as a frozen value built with `with_*` calls.
///
/// | option | default | Werkzeug |
/// |---|---|---|
/// | [`reload`](Self::reload) | `true` | `use_reloader` |
/// | [`debugger`](Self::debugger) | on in debug builds | `use_debugger` (without the console) |
/// | [`extra_files`](Self::extra_files) | none | `extra_files` |
/// | [`exclude_patterns`](Self::exclude_patterns) | none | `exclude_patterns` (fnmatch) |
/// | [`static_files`](Self::static_files) | none | `static_files` (SharedDataMiddleware) |
/// | [`log_requests`](Self::log_requests) | `true` | the request log of `WSGIRequestHandler` |
/// | [`gateway`](Self::gateway) | [`Options::default_gateway`] | timeouts and limits |
/// | [`build`](Self::build) | detected | — (the `cargo build` the reloader runs) |
/// | [`debounce`](Self::debounce) | 50 ms | `reloader_interval` |
///
/// # Examples
///
/// ```
/// use carafe_devserver::Options;
///
/// let options = Options::default()
///     .with_reload(false)
///     .with_static_files("/static", "static")
///     .with_extra_files(["config/development.toml"]);
/// assert!(!options.reload());
/// assert_eq!(options.static_files()[0].0, "/static");
/// assert_eq!(options.extra_files().len(), 1);
/// ```
#[derive(Debug, Clone)]
pub struct Options {
    reload: bool,
    debugger: bool,
    log_requests: bool,
    extra_files: Vec<PathBuf>,
    exclude_patterns: Vec<String>,
    static_files: Vec<(String, PathBuf)>,
    gateway: GatewayConfig,
    build: Option<BuildSpec>,
    debounce: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            reload: true,
            debugger: cfg!(debug_assertions),
            log_requests: true,
            extra_files: Vec::new(),
            exclude_patterns: Vec::new(),
            static_files: Vec::new(),
            gateway: Self::default_gateway(),
            build: None,
            debounce: Duration::from_millis(50),
        }
    }
}

impl Options {
    /// The gateway configuration the development server starts from:
    /// [`GatewayConfig`]'s defaults (gunicorn's head limits and timeouts, a
    /// minimum body rate of 240 bytes/s after 5 s) with request bodies up to
    /// 8 MiB read into memory before the handler runs, so a slow client
    /// uploading a form never holds the one handler thread; all connections
    /// together hold at most 64 MiB that way, and a body past that is streamed
    /// to the handler (so many concurrent uploads cannot exhaust memory).
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_devserver::Options;
    ///
    /// assert_eq!(Options::default_gateway().buffer_body(), 8 << 20);
    /// assert_eq!(Options::default_gateway().buffer_body_total(), Some(64 << 20));
    /// ```
    pub fn default_gateway() -> GatewayConfig {
        GatewayConfig::default()
            .with_buffer_body(8 << 20)
            .with_buffer_body_total(Some(64 << 20))
    }

    /// Whether the reloader supervises the app (rebuild and restart on
    /// source changes).
    pub fn reload(&self) -> bool {
        self.reload
    }

    /// Whether panics show the debug page (to loopback clients, in debug
    /// builds only: in a release build this is always `false`).
    pub fn debugger(&self) -> bool {
        self.debugger && cfg!(debug_assertions)
    }

    /// Whether every request is logged on stderr.
    pub fn log_requests(&self) -> bool {
        self.log_requests
    }

    /// Files and folders the reloader watches besides the package's sources.
    pub fn extra_files(&self) -> &[PathBuf] {
        &self.extra_files
    }

    /// fnmatch patterns of paths the reloader ignores (matched against the
    /// whole path and against the file name).
    pub fn exclude_patterns(&self) -> &[String] {
        &self.exclude_patterns
    }

    /// URL prefixes served from folders, before the application sees the
    /// request.
    pub fn static_files(&self) -> &[(String, PathBuf)] {
        &self.static_files
    }

    /// Limits and timeouts of the connections.
    pub fn gateway(&self) -> &GatewayConfig {
        &self.gateway
    }

    /// The `cargo build` the reloader runs, when given (otherwise it is
    /// detected from the running executable).
    pub fn build(&self) -> Option<&BuildSpec> {
        self.build.as_ref()
    }

    /// How long the reloader waits for a burst of file events to end.
    pub fn debounce(&self) -> Duration {
        self.debounce
    }

    /// Returns these options with the reloader on or off.
    #[must_use]
    pub fn with_reload(mut self, reload: bool) -> Self {
        self.reload = reload;
        self
    }

    /// Returns these options with the debug page on or off (it never shows
    /// in release builds).
    #[must_use]
    pub fn with_debugger(mut self, debugger: bool) -> Self {
        self.debugger = debugger;
        self
    }

    /// Returns these options with the request log on or off.
    #[must_use]
    pub fn with_log_requests(mut self, log_requests: bool) -> Self {
        self.log_requests = log_requests;
        self
    }

    /// Returns these options watching `files` too (files or folders; a
    /// folder is watched with everything below it).
    #[must_use]
    pub fn with_extra_files<P: Into<PathBuf>>(
        mut self,
        files: impl IntoIterator<Item = P>,
    ) -> Self {
        self.extra_files.extend(files.into_iter().map(Into::into));
        self
    }

    /// Returns these options ignoring paths that match one of `patterns`
    /// (fnmatch: `*`, `?`, `[abc]`, `[!abc]`; `*` also matches `/`).
    #[must_use]
    pub fn with_exclude_patterns<S: Into<String>>(
        mut self,
        patterns: impl IntoIterator<Item = S>,
    ) -> Self {
        self.exclude_patterns
            .extend(patterns.into_iter().map(Into::into));
        self
    }

    /// Returns these options serving the files of `directory` under
    /// `url_prefix` (`"/static"`), with conditional and range requests. The
    /// reloader ignores changes there: the next request sees the new file.
    #[must_use]
    pub fn with_static_files(
        mut self,
        url_prefix: impl Into<String>,
        directory: impl AsRef<Path>,
    ) -> Self {
        let mut prefix: String = url_prefix.into();
        while prefix.ends_with('/') {
            prefix.pop();
        }
        if !prefix.starts_with('/') {
            prefix.insert(0, '/');
        }
        self.static_files
            .push((prefix, directory.as_ref().to_path_buf()));
        self
    }

    /// Returns these options with `gateway`'s limits and timeouts.
    #[must_use]
    pub fn with_gateway(mut self, gateway: GatewayConfig) -> Self {
        self.gateway = gateway;
        self
    }

    /// Returns these options with the `cargo build` the reloader runs.
    #[must_use]
    pub fn with_build(mut self, build: BuildSpec) -> Self {
        self.build = Some(build);
        self
    }

    /// Returns these options waiting `debounce` for a burst of file events
    /// to end before rebuilding.
    #[must_use]
    pub fn with_debounce(mut self, debounce: Duration) -> Self {
        self.debounce = debounce;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn static_prefixes_are_normalised() {
        let options = Options::default()
            .with_static_files("assets/", "a")
            .with_static_files("/", "b");
        assert_eq!(options.static_files()[0].0, "/assets");
        assert_eq!(options.static_files()[1].0, "/");
    }

    #[test]
    fn the_debugger_follows_the_build() {
        assert_eq!(
            Options::default().debugger(),
            cfg!(debug_assertions),
            "on in debug builds only"
        );
        assert!(!Options::default().with_debugger(false).debugger());
    }
}
