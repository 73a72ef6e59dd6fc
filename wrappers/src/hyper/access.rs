//! What an access log learns about each request.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use http::header::{HeaderValue, REFERER, USER_AGENT};
use http::request::Parts;
use http::{Method, StatusCode, Uri, Version};

use super::Peer;

/// One finished request, for an access log.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct AccessRecord {
    /// The client address (`None` on a Unix socket).
    pub remote_addr: Option<SocketAddr>,
    /// The request method.
    pub method: Method,
    /// The request target, as sent.
    pub uri: Uri,
    /// The HTTP version.
    pub version: Version,
    /// The response status.
    pub status: StatusCode,
    /// Body bytes sent.
    pub bytes: u64,
    /// The `Referer` header.
    pub referer: Option<HeaderValue>,
    /// The `User-Agent` header.
    pub user_agent: Option<HeaderValue>,
    /// When the request head was received.
    pub started: SystemTime,
    /// From the request head to the end of the response body.
    pub duration: Duration,
    /// Whether the whole response was sent.
    pub complete: bool,
}

impl AccessRecord {
    /// A record for a request with `head`, answered with `status` and `bytes`
    /// of body, received at `started` (complete, zero duration): for access
    /// log formatters and their tests.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::hyper::AccessRecord;
    ///
    /// let (head, ()) = http::Request::get("/").body(()).unwrap().into_parts();
    /// let record = AccessRecord::new(None, &head, http::StatusCode::OK, 2, std::time::SystemTime::now());
    /// assert_eq!(record.bytes, 2);
    /// ```
    pub fn new(
        remote_addr: Option<SocketAddr>,
        head: &Parts,
        status: StatusCode,
        bytes: u64,
        started: SystemTime,
    ) -> Self {
        Self {
            remote_addr,
            method: head.method.clone(),
            uri: head.uri.clone(),
            version: head.version,
            status,
            bytes,
            referer: head.headers.get(REFERER).cloned(),
            user_agent: head.headers.get(USER_AGENT).cloned(),
            started,
            duration: Duration::ZERO,
            complete: true,
        }
    }
}

/// Receives an [`AccessRecord`] for every request.
pub type AccessObserver = Arc<dyn Fn(AccessRecord) + Send + Sync>;

/// What the access log needs from the request, taken before the handler
/// consumes it.
pub(crate) struct LogStart {
    remote_addr: Option<SocketAddr>,
    method: Method,
    uri: Uri,
    version: Version,
    referer: Option<HeaderValue>,
    user_agent: Option<HeaderValue>,
    started: SystemTime,
    clock: Instant,
}

impl LogStart {
    pub(crate) fn new(head: &Parts, peer: &Peer) -> Self {
        Self {
            remote_addr: peer.remote_addr(),
            method: head.method.clone(),
            uri: head.uri.clone(),
            version: head.version,
            referer: head.headers.get(REFERER).cloned(),
            user_agent: head.headers.get(USER_AGENT).cloned(),
            started: SystemTime::now(),
            clock: Instant::now(),
        }
    }

    pub(crate) fn record(self, status: StatusCode, bytes: u64, complete: bool) -> AccessRecord {
        AccessRecord {
            remote_addr: self.remote_addr,
            method: self.method,
            uri: self.uri,
            version: self.version,
            status,
            bytes,
            referer: self.referer,
            user_agent: self.user_agent,
            started: self.started,
            duration: self.clock.elapsed(),
            complete,
        }
    }
}
