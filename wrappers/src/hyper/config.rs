//! How a gateway treats its connections: limits and timeouts.

use std::time::Duration;

use http::header::HeaderName;

use super::HeadLimits;

/// Limits and timeouts of the connections a [`Gateway`](super::Gateway) serves.
///
/// The defaults are gunicorn's where gunicorn has the setting (`keepalive` 2 s,
/// the head limits of [`HeadLimits`]) and Kestrel's minimum request body data
/// rate (240 bytes/s after a 5 s grace period) for slow bodies, which gunicorn
/// leaves to a buffering proxy.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use carafe_wrappers::hyper::GatewayConfig;
///
/// let config = GatewayConfig::default().with_keepalive(Some(Duration::from_secs(5)));
/// assert_eq!(config.keepalive(), Some(Duration::from_secs(5)));
/// assert_eq!(config.header_read_timeout(), Some(Duration::from_secs(30)));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GatewayConfig {
    head_limits: HeadLimits,
    keepalive: Option<Duration>,
    header_read_timeout: Option<Duration>,
    write_timeout: Option<Duration>,
    body_min_rate: Option<u64>,
    body_rate_grace: Duration,
    buffer_body: usize,
    buffer_body_total: Option<usize>,
    secure_scheme_headers: Vec<(String, String)>,
    /// The same, names parsed once (a name that is not a valid header name
    /// can never match and is left out).
    secure_scheme_names: Vec<(HeaderName, String)>,
}

impl Default for GatewayConfig {
    fn default() -> Self {
        Self {
            head_limits: HeadLimits::default(),
            keepalive: Some(Duration::from_secs(2)),
            header_read_timeout: Some(Duration::from_secs(30)),
            write_timeout: Some(Duration::from_secs(30)),
            body_min_rate: Some(240),
            body_rate_grace: Duration::from_secs(5),
            buffer_body: 16 * 1024,
            buffer_body_total: None,
            secure_scheme_headers: Vec::new(),
            secure_scheme_names: Vec::new(),
        }
        .with_secure_scheme_headers(vec![
            ("x-forwarded-protocol".to_owned(), "ssl".to_owned()),
            ("x-forwarded-proto".to_owned(), "https".to_owned()),
            ("x-forwarded-ssl".to_owned(), "on".to_owned()),
        ])
    }
}

impl GatewayConfig {
    /// The limits on the request head.
    pub fn head_limits(&self) -> &HeadLimits {
        &self.head_limits
    }

    /// How long an idle keep-alive connection stays open (`None`: no
    /// keep-alive, every response closes its connection). gunicorn's `keepalive`.
    pub fn keepalive(&self) -> Option<Duration> {
        self.keepalive
    }

    /// How long a client may take to send a complete request head, counted
    /// from the end of the previous request on the connection (or from the
    /// accept); the connection is dropped between 1 and 1.25 times this late.
    pub fn header_read_timeout(&self) -> Option<Duration> {
        self.header_read_timeout
    }

    /// How long a write to a client may stall (a client that does not read)
    /// before the connection is dropped.
    pub fn write_timeout(&self) -> Option<Duration> {
        self.write_timeout
    }

    /// The slowest a request body may arrive while the application waits for
    /// it, in bytes per second, averaged after the grace period (`None`: no
    /// minimum). A slower client gets its connection closed.
    pub fn body_min_rate(&self) -> Option<u64> {
        self.body_min_rate
    }

    /// How long a body may arrive below the minimum rate before it counts.
    pub fn body_rate_grace(&self) -> Duration {
        self.body_rate_grace
    }

    /// Bodies up to this many bytes are read into memory before the handler
    /// is called (so it can run without waiting for the network); larger and
    /// `Expect: 100-continue` bodies are streamed to it.
    pub fn buffer_body(&self) -> usize {
        self.buffer_body
    }

    /// The most bytes the bodies read ahead of their handlers may take
    /// together, over all connections of the gateway (`None`: no bound
    /// beyond [`buffer_body`](Self::buffer_body) per request). A body that
    /// does not fit is streamed to its handler instead.
    pub fn buffer_body_total(&self) -> Option<usize> {
        self.buffer_body_total
    }

    /// Header/value pairs that mark a request as `https` when they come from a
    /// trusted proxy (gunicorn's `secure_scheme_headers`; names lowercase).
    pub fn secure_scheme_headers(&self) -> &[(String, String)] {
        &self.secure_scheme_headers
    }

    /// Returns this configuration with `head_limits`.
    #[must_use]
    pub fn with_head_limits(mut self, head_limits: HeadLimits) -> Self {
        self.head_limits = head_limits;
        self
    }

    /// Returns this configuration with `keepalive`.
    #[must_use]
    pub fn with_keepalive(mut self, keepalive: Option<Duration>) -> Self {
        self.keepalive = keepalive;
        self
    }

    /// Returns this configuration with `header_read_timeout`.
    #[must_use]
    pub fn with_header_read_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.header_read_timeout = timeout;
        self
    }

    /// Returns this configuration with `write_timeout`.
    #[must_use]
    pub fn with_write_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.write_timeout = timeout;
        self
    }

    /// Returns this configuration with `body_min_rate` and `body_rate_grace`.
    #[must_use]
    pub fn with_body_min_rate(mut self, bytes_per_second: Option<u64>, grace: Duration) -> Self {
        self.body_min_rate = bytes_per_second;
        self.body_rate_grace = grace;
        self
    }

    /// Returns this configuration with `buffer_body`.
    #[must_use]
    pub fn with_buffer_body(mut self, bytes: usize) -> Self {
        self.buffer_body = bytes;
        self
    }

    /// Returns this configuration with `buffer_body_total`.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::hyper::GatewayConfig;
    ///
    /// let config = GatewayConfig::default().with_buffer_body_total(Some(64 << 20));
    /// assert_eq!(config.buffer_body_total(), Some(64 << 20));
    /// assert_eq!(GatewayConfig::default().buffer_body_total(), None);
    /// ```
    #[must_use]
    pub fn with_buffer_body_total(mut self, bytes: Option<usize>) -> Self {
        self.buffer_body_total = bytes;
        self
    }

    /// Returns this configuration with `secure_scheme_headers` (names are
    /// lowercased).
    #[must_use]
    pub fn with_secure_scheme_headers(mut self, headers: Vec<(String, String)>) -> Self {
        self.secure_scheme_headers = headers
            .into_iter()
            .map(|(name, value)| (name.to_ascii_lowercase(), value))
            .collect();
        self.secure_scheme_names = self
            .secure_scheme_headers
            .iter()
            .filter_map(|(name, value)| {
                Some((HeaderName::from_bytes(name.as_bytes()).ok()?, value.clone()))
            })
            .collect();
        self
    }

    /// [`secure_scheme_headers`](Self::secure_scheme_headers) with the names
    /// parsed.
    pub(crate) fn secure_scheme_names(&self) -> &[(HeaderName, String)] {
        &self.secure_scheme_names
    }
}
