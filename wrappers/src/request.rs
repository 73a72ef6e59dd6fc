//! The incoming request, as a server hands it to an application.

use std::net::SocketAddr;

use http::request::Parts;
use http::uri::Scheme;
use http::{HeaderMap, Method, Uri, Version};

use crate::{Body, Limits};

/// An HTTP request: what WSGI's environ carries, typed.
///
/// The path is kept in two raw (still percent-encoded) pieces, as WSGI keeps
/// `SCRIPT_NAME` and `PATH_INFO`: the mount point of the application
/// ([`script_root`](Self::script_root)) and the rest of the path
/// ([`path_info`](Self::path_info)). A dispatcher that mounts applications under
/// prefixes moves segments from one to the other, so URL building inside the
/// mounted application stays correct.
///
/// # Examples
///
/// ```
/// use carafe_wrappers::Request;
///
/// let request = Request::get("/search?q=carafe");
/// assert_eq!(request.method(), "GET");
/// assert_eq!(request.path_info(), "/search");
/// assert_eq!(request.query_string(), "q=carafe");
/// ```
#[derive(Debug)]
pub struct Request {
    head: Parts,
    script_root: String,
    path_info: String,
    scheme: Scheme,
    host: String,
    remote_addr: Option<SocketAddr>,
    limits: Limits,
    body: Body,
}

impl Request {
    /// Builds a request from the head a server parsed and the body stream.
    ///
    /// The host comes from the request target when it is in absolute form,
    /// otherwise from the `Host` header; the scheme from the target, otherwise
    /// `http` (a TLS-terminating server calls [`set_scheme`](Self::set_scheme)).
    pub fn from_parts(head: Parts, body: Body) -> Self {
        let host = match head.uri.authority() {
            Some(authority) => authority.as_str().to_owned(),
            None => head
                .headers
                .get(http::header::HOST)
                .and_then(|value| value.to_str().ok())
                .unwrap_or_default()
                .to_owned(),
        };
        let scheme = head.uri.scheme().cloned().unwrap_or(Scheme::HTTP);
        let path_info = match head.uri.path() {
            "" => "/".to_owned(),
            path => path.to_owned(),
        };
        let limits = Limits::default();
        Self {
            body: body.with_limit(limits.max_content_length()),
            head,
            script_root: String::new(),
            path_info,
            scheme,
            host,
            remote_addr: None,
            limits,
        }
    }

    /// A `GET` request for `uri` with an empty body (handy in tests and docs).
    ///
    /// # Panics
    ///
    /// When `uri` is not a valid request target.
    #[track_caller]
    pub fn get(uri: &str) -> Self {
        let (head, ()) = http::Request::get(uri)
            .body(())
            .expect("a valid request target")
            .into_parts();
        Self::from_parts(head, Body::empty())
    }

    /// The request method.
    pub fn method(&self) -> &Method {
        &self.head.method
    }

    /// The request target as the client sent it.
    pub fn uri(&self) -> &Uri {
        &self.head.uri
    }

    /// The HTTP version.
    pub fn version(&self) -> Version {
        self.head.version
    }

    /// The request headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.head.headers
    }

    /// The request headers, mutably (middleware).
    pub fn headers_mut(&mut self) -> &mut HeaderMap {
        &mut self.head.headers
    }

    /// Typed values attached by servers and middleware.
    pub fn extensions(&self) -> &http::Extensions {
        &self.head.extensions
    }

    /// Typed values attached by servers and middleware, mutably.
    pub fn extensions_mut(&mut self) -> &mut http::Extensions {
        &mut self.head.extensions
    }

    /// The mount point of the application (WSGI's `SCRIPT_NAME`), raw: `""` at
    /// the root, otherwise starting with `/` and without a trailing slash.
    pub fn script_root(&self) -> &str {
        &self.script_root
    }

    /// The path below the mount point (WSGI's `PATH_INFO`), raw (percent-encoded
    /// as on the wire), always starting with `/`.
    pub fn path_info(&self) -> &str {
        &self.path_info
    }

    /// Sets the mount point and the remaining path (dispatchers and middleware).
    pub fn set_path(&mut self, script_root: impl Into<String>, path_info: impl Into<String>) {
        self.script_root = script_root.into();
        self.path_info = path_info.into();
    }

    /// The raw query string, without the `?` (empty when absent).
    pub fn query_string(&self) -> &str {
        self.head.uri.query().unwrap_or_default()
    }

    /// The URL scheme the client used.
    pub fn scheme(&self) -> &Scheme {
        &self.scheme
    }

    /// Sets the URL scheme (TLS termination, trusted `X-Forwarded-Proto`).
    pub fn set_scheme(&mut self, scheme: Scheme) {
        self.scheme = scheme;
    }

    /// The host (and port, if the client named one) the request was sent to.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// Sets the host (trusted `X-Forwarded-Host`).
    pub fn set_host(&mut self, host: impl Into<String>) {
        self.host = host.into();
    }

    /// The address of the client, when the server knows it.
    pub fn remote_addr(&self) -> Option<SocketAddr> {
        self.remote_addr
    }

    /// Sets the address of the client (servers; trusted `X-Forwarded-For`).
    pub fn set_remote_addr(&mut self, remote_addr: Option<SocketAddr>) {
        self.remote_addr = remote_addr;
    }

    /// The limits that apply while reading this request.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Sets the limits for this request; the body is bounded by the new
    /// `max_content_length` at once.
    pub fn set_limits(&mut self, limits: Limits) {
        self.body.set_limit(limits.max_content_length());
        self.limits = limits;
    }

    /// The body stream.
    pub fn body_mut(&mut self) -> &mut Body {
        &mut self.body
    }

    /// The head of the request (method, target, version, headers, extensions).
    pub fn head(&self) -> &Parts {
        &self.head
    }

    /// Splits the request into its head and body stream.
    pub fn into_parts(self) -> (Parts, Body) {
        (self.head, self.body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(request: http::Request<()>) -> Parts {
        request.into_parts().0
    }

    #[test]
    fn host_comes_from_the_header_for_origin_form() {
        let head = parts(
            http::Request::get("/a?b=c")
                .header("host", "example.com:8080")
                .body(())
                .unwrap(),
        );
        let request = Request::from_parts(head, Body::empty());
        assert_eq!(request.host(), "example.com:8080");
        assert_eq!(request.scheme(), &Scheme::HTTP);
        assert_eq!(request.path_info(), "/a");
        assert_eq!(request.script_root(), "");
    }

    #[test]
    fn host_and_scheme_come_from_an_absolute_target() {
        let head = parts(
            http::Request::get("https://target.example/x")
                .header("host", "header.example")
                .body(())
                .unwrap(),
        );
        let request = Request::from_parts(head, Body::empty());
        assert_eq!(request.host(), "target.example");
        assert_eq!(request.scheme(), &Scheme::HTTPS);
    }

    #[test]
    fn path_stays_percent_encoded() {
        let request = Request::get("/files/a%2Fb%20c");
        assert_eq!(request.path_info(), "/files/a%2Fb%20c");
    }

    #[test]
    fn limits_bound_the_body() {
        let (head, ()) = http::Request::post("/").body(()).unwrap().into_parts();
        let mut request = Request::from_parts(head, Body::from("0123456789"));
        request.set_limits(Limits::default().with_max_content_length(Some(4)));
        assert!(request.body_mut().read_all().is_err());
    }
}
