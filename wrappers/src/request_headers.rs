//! Typed views of the request's headers: negotiation, conditions, ranges,
//! credentials, user agent, and where the request came from.
//!
//! Like Werkzeug's request attributes, the list headers read leniently: a
//! header that is absent or malformed reads as empty. [`Request::range`] is the
//! exception, because a malformed `Range` is answered with `416`.

use http::HeaderMap;

use crate::Request;
use crate::headers::syntax::parse_list;
use crate::headers::{
    Accept, AcceptCharset, AcceptEncoding, AcceptLanguage, Authorization, CacheControl, ETags,
    HeaderError, HttpDate, IfRange, Range, TypedHeader, UserAgent,
};

/// Reads `H`, treating a malformed value as absent.
fn lenient<H: TypedHeader>(headers: &HeaderMap) -> Option<H> {
    H::from_headers(headers).ok().flatten()
}

/// Joins every line of `name` with `", "`; `None` when absent or not text.
pub(crate) fn joined(headers: &HeaderMap, name: http::header::HeaderName) -> Option<String> {
    let mut joined: Option<String> = None;
    for value in headers.get_all(name) {
        let text = value.to_str().ok()?;
        match &mut joined {
            Some(joined) => {
                joined.push_str(", ");
                joined.push_str(text);
            }
            None => joined = Some(text.to_owned()),
        }
    }
    joined
}

/// Reads a date header (the first line); `None` when absent or invalid.
pub(crate) fn date(headers: &HeaderMap, name: http::header::HeaderName) -> Option<HttpDate> {
    headers.get(name)?.to_str().ok()?.parse().ok()
}

impl Request {
    /// The `Accept` header (empty when absent or malformed).
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::Request;
    ///
    /// let mut request = Request::get("/");
    /// request.headers_mut().insert("accept", "text/html;q=0.9,application/json".parse().unwrap());
    /// assert_eq!(request.accept().best_match(["text/html", "application/json"]), Some("application/json"));
    /// assert!(Request::get("/").accept().is_empty());
    /// ```
    pub fn accept(&self) -> Accept {
        lenient(self.headers()).unwrap_or_default()
    }

    /// The `Accept-Language` header (empty when absent or malformed).
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::Request;
    ///
    /// let mut request = Request::get("/");
    /// request.headers_mut().insert("accept-language", "en-us,en;q=0.5".parse().unwrap());
    /// assert_eq!(request.accept_language().best_match(["de", "en"]), Some("en"));
    /// ```
    pub fn accept_language(&self) -> AcceptLanguage {
        lenient(self.headers()).unwrap_or_default()
    }

    /// The `Accept-Charset` header (empty when absent or malformed).
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::Request;
    ///
    /// let mut request = Request::get("/");
    /// request.headers_mut().insert("accept-charset", "utf-8".parse().unwrap());
    /// assert!(request.accept_charset().contains("UTF8"));
    /// ```
    pub fn accept_charset(&self) -> AcceptCharset {
        lenient(self.headers()).unwrap_or_default()
    }

    /// The `Accept-Encoding` header (empty when absent or malformed).
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::Request;
    ///
    /// let mut request = Request::get("/");
    /// request.headers_mut().insert("accept-encoding", "gzip,deflate".parse().unwrap());
    /// assert_eq!(request.accept_encoding().best(), Some("gzip"));
    /// ```
    pub fn accept_encoding(&self) -> AcceptEncoding {
        lenient(self.headers()).unwrap_or_default()
    }

    /// The `If-Match` tags (empty when absent or malformed; the conditional
    /// logic of [`Response::make_conditional`](crate::Response::make_conditional)
    /// treats a malformed `If-Match` as failing).
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::Request;
    ///
    /// let mut request = Request::get("/");
    /// request.headers_mut().insert("if-match", r#"W/"foo", bar, "baz""#.parse().unwrap());
    /// let tags = request.if_match();
    /// assert!(tags.contains("bar") && tags.contains_weak("foo") && !tags.contains("foo"));
    /// ```
    pub fn if_match(&self) -> ETags {
        etags(self.headers(), http::header::IF_MATCH)
    }

    /// The `If-None-Match` tags (empty when absent or malformed).
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::Request;
    ///
    /// let mut request = Request::get("/");
    /// request.headers_mut().insert("if-none-match", "*".parse().unwrap());
    /// assert!(request.if_none_match().is_any());
    /// ```
    pub fn if_none_match(&self) -> ETags {
        etags(self.headers(), http::header::IF_NONE_MATCH)
    }

    /// The `If-Modified-Since` date (`None` when absent or invalid).
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::Request;
    ///
    /// let mut request = Request::get("/");
    /// request.headers_mut().insert("if-modified-since", "Tue, 22 Jan 2008 11:18:44 GMT".parse().unwrap());
    /// assert_eq!(request.if_modified_since().unwrap().unix_seconds(), 1_201_000_724);
    /// ```
    pub fn if_modified_since(&self) -> Option<HttpDate> {
        date(self.headers(), http::header::IF_MODIFIED_SINCE)
    }

    /// The `If-Unmodified-Since` date (`None` when absent or invalid).
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::Request;
    ///
    /// let mut request = Request::get("/");
    /// request.headers_mut().insert("if-unmodified-since", "garbage".parse().unwrap());
    /// assert_eq!(request.if_unmodified_since(), None);
    /// ```
    pub fn if_unmodified_since(&self) -> Option<HttpDate> {
        date(self.headers(), http::header::IF_UNMODIFIED_SINCE)
    }

    /// The `If-Range` condition (`None` when absent or malformed).
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::Request;
    /// use carafe_wrappers::headers::IfRange;
    ///
    /// let mut request = Request::get("/");
    /// request.headers_mut().insert("if-range", r#""v1""#.parse().unwrap());
    /// assert!(matches!(request.if_range(), Some(IfRange::ETag(tag)) if tag.tag() == "v1"));
    /// ```
    pub fn if_range(&self) -> Option<IfRange> {
        lenient(self.headers())
    }

    /// The `Range` header: `Ok(None)` when absent.
    ///
    /// # Errors
    ///
    /// A malformed value, or more than [`Range::MAX_RANGES`] ranges.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::Request;
    ///
    /// let mut request = Request::get("/");
    /// assert_eq!(request.range(), Ok(None));
    /// request.headers_mut().insert("range", "bytes=0-499".parse().unwrap());
    /// assert_eq!(request.range().unwrap().unwrap().satisfiable(1000), [(0, 499)]);
    /// ```
    pub fn range(&self) -> Result<Option<Range>, HeaderError> {
        Range::from_headers(self.headers())
    }

    /// The `Authorization` header (`None` when absent or malformed, such as
    /// `Basic` credentials that are not base64 of UTF-8).
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::Request;
    ///
    /// let mut request = Request::get("/");
    /// request.headers_mut().insert("authorization", "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==".parse().unwrap());
    /// let auth = request.authorization().unwrap();
    /// assert_eq!((auth.username(), auth.password()), (Some("Aladdin"), Some("open sesame")));
    /// ```
    pub fn authorization(&self) -> Option<Authorization> {
        lenient(self.headers())
    }

    /// The `Cache-Control` directives (empty when absent or malformed).
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::Request;
    ///
    /// let mut request = Request::get("/");
    /// request.headers_mut().insert("cache-control", "no-store, no-cache".parse().unwrap());
    /// assert!(request.cache_control().no_store() && request.cache_control().no_cache());
    /// ```
    pub fn cache_control(&self) -> CacheControl {
        lenient(self.headers()).unwrap_or_default()
    }

    /// The `User-Agent` header (empty when absent or not text).
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::Request;
    ///
    /// let mut request = Request::get("/");
    /// request.headers_mut().insert("user-agent", "curl/8.5.0".parse().unwrap());
    /// assert_eq!(request.user_agent().as_str(), "curl/8.5.0");
    /// ```
    pub fn user_agent(&self) -> UserAgent {
        lenient(self.headers()).unwrap_or_default()
    }

    /// Whether the request came over a secure protocol (`https` or `wss`).
    /// Behind a TLS-terminating proxy this is only true once trusted
    /// middleware has set the scheme from `X-Forwarded-Proto`.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::Request;
    ///
    /// assert!(!Request::get("/").is_secure());
    /// assert!(Request::get("https://example.com/").is_secure());
    /// ```
    pub fn is_secure(&self) -> bool {
        matches!(self.scheme().as_str(), "https" | "wss")
    }

    /// The route from the client to the application: the `X-Forwarded-For`
    /// entries as given when the header is present, otherwise the remote
    /// address (Werkzeug's `access_route`).
    ///
    /// Anyone can send `X-Forwarded-For`: only the last N entries, N being the
    /// number of trusted proxies in front of the application, mean anything.
    /// Deciding that is the application's (or its proxy-fix middleware's) job.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::Request;
    ///
    /// let mut request = Request::get("/");
    /// request.set_remote_addr(Some("192.168.1.3:4711".parse().unwrap()));
    /// assert_eq!(request.access_route(), ["192.168.1.3"]);
    /// request.headers_mut().insert("x-forwarded-for", "192.168.1.2, 192.168.1.1".parse().unwrap());
    /// assert_eq!(request.access_route(), ["192.168.1.2", "192.168.1.1"]);
    /// ```
    pub fn access_route(&self) -> Vec<String> {
        if self.headers().contains_key("x-forwarded-for") {
            let forwarded = joined(
                self.headers(),
                http::header::HeaderName::from_static("x-forwarded-for"),
            );
            return forwarded.and_then(|v| parse_list(&v)).unwrap_or_default();
        }
        self.remote_addr()
            .map(|addr| vec![addr.ip().to_string()])
            .unwrap_or_default()
    }
}

fn etags(headers: &HeaderMap, name: http::header::HeaderName) -> ETags {
    joined(headers, name)
        .and_then(|value| value.parse().ok())
        .unwrap_or_default()
}
