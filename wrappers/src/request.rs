//! The incoming request, as a server hands it to an application.

mod convert;
mod extract;
mod form;
mod json;
mod locals;
mod url;

use std::cell::{OnceCell, RefCell};
use std::net::SocketAddr;

use http::header::{CONTENT_LENGTH, CONTENT_TYPE, HeaderValue};
use http::request::Parts;
use http::uri::Scheme;
use http::{HeaderMap, Method, Uri, Version};

pub use self::convert::RequestEnviron;
use self::form::{DataState, FormData};
use crate::options_header::OptionsHeader;
use crate::{Body, CookieError, FormError, Limits, MultiDict, QueryError};

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
/// assert_eq!(request.args().unwrap().get("q").unwrap(), "carafe");
/// ```
///
/// # Parsed views
///
/// The query ([`args`](Self::args)), cookies ([`cookies`](Self::cookies)),
/// form and files ([`form`](Self::form), [`files`](Self::files)) and the raw
/// body ([`get_data`](Self::get_data)) are parsed on first use and cached, so
/// they take `&self` and can be asked for again at no cost. The body is read
/// once: see [`get_data`](Self::get_data) for Werkzeug's rule on which of the
/// raw bytes and the form stays available. Every parser applies the
/// [`Limits`] and fails with an error that knows its `status()` and names the
/// limit that fired.
pub struct Request {
    /// Boxed: a request is moved several times between the server and the
    /// handler (into the panic guard, the application, …); a pointer is
    /// cheaper to move than the ~700 bytes, and one allocation per request
    /// costs less than those copies.
    fields: Box<fields::Request>,
}

impl std::fmt::Debug for Request {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.fields.fmt(f)
    }
}

mod fields {
    use super::*;

    /// What a [`Request`](super::Request) holds.
    #[derive(Debug)]
    pub(super) struct Request {
        pub(super) head: Parts,
        pub(super) script_root: String,
        /// `None`: the request target's path (`/` when empty), not copied.
        pub(super) path_info: Option<String>,
        pub(super) scheme: Scheme,
        pub(super) host: Host,
        pub(super) remote_addr: Option<SocketAddr>,
        pub(super) limits: Limits,
        pub(super) body: RefCell<Body>,
        pub(super) cache: Cache,
    }
}

/// Where [`Request::host`] comes from: read from the head when asked, not
/// copied out of it for every request.
#[derive(Debug)]
enum Host {
    /// The request target's authority (absolute form).
    Authority,
    /// The `Host` header (a clone of the value, which shares its bytes),
    /// checked to be text when the request was built.
    Header(HeaderValue),
    /// Set by [`Request::set_host`], or empty when the request has no host.
    Set(String),
}

/// What has been parsed from the request so far.
#[derive(Debug, Default)]
struct Cache {
    args: OnceCell<Result<MultiDict, QueryError>>,
    cookies: OnceCell<Result<MultiDict, CookieError>>,
    data: RefCell<DataState>,
    form: OnceCell<Result<FormData, FormError>>,
    locals: locals::Locals,
}

impl Request {
    /// Builds a request from the head a server parsed and the body stream.
    ///
    /// The host comes from the request target when it is in absolute form,
    /// otherwise from the `Host` header; the scheme from the target, otherwise
    /// `http` (a TLS-terminating server calls [`set_scheme`](Self::set_scheme)).
    pub fn from_parts(head: Parts, body: Body) -> Self {
        let host = if head.uri.authority().is_some() {
            Host::Authority
        } else {
            match head.headers.get(http::header::HOST) {
                Some(value) if value.to_str().is_ok() => Host::Header(value.clone()),
                _ => Host::Set(String::new()),
            }
        };
        let scheme = head.uri.scheme().cloned().unwrap_or(Scheme::HTTP);
        let limits = Limits::default();
        Self {
            fields: Box::new(fields::Request {
                body: RefCell::new(body.with_limit(limits.max_content_length())),
                head,
                script_root: String::new(),
                path_info: None,
                scheme,
                host,
                remote_addr: None,
                limits,
                cache: Cache::default(),
            }),
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
        &self.fields.head.method
    }

    /// The request target as the client sent it.
    pub fn uri(&self) -> &Uri {
        &self.fields.head.uri
    }

    /// The HTTP version.
    pub fn version(&self) -> Version {
        self.fields.head.version
    }

    /// The request headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.fields.head.headers
    }

    /// The request headers, mutably (middleware). The parsed cookies are
    /// parsed again on next use.
    pub fn headers_mut(&mut self) -> &mut HeaderMap {
        self.fields.cache.cookies.take();
        &mut self.fields.head.headers
    }

    /// Typed values attached by servers and middleware.
    pub fn extensions(&self) -> &http::Extensions {
        &self.fields.head.extensions
    }

    /// Typed values attached by servers and middleware, mutably.
    pub fn extensions_mut(&mut self) -> &mut http::Extensions {
        &mut self.fields.head.extensions
    }

    /// The mount point of the application (WSGI's `SCRIPT_NAME`), raw: `""` at
    /// the root, otherwise starting with `/` and without a trailing slash.
    pub fn script_root(&self) -> &str {
        &self.fields.script_root
    }

    /// The path below the mount point (WSGI's `PATH_INFO`), raw (percent-encoded
    /// as on the wire), always starting with `/`.
    pub fn path_info(&self) -> &str {
        match &self.fields.path_info {
            Some(path_info) => path_info,
            None => match self.fields.head.uri.path() {
                "" => "/",
                path => path,
            },
        }
    }

    /// Sets the mount point and the remaining path (dispatchers and middleware).
    pub fn set_path(&mut self, script_root: impl Into<String>, path_info: impl Into<String>) {
        self.fields.script_root = script_root.into();
        self.fields.path_info = Some(path_info.into());
    }

    /// The raw query string, without the `?` (empty when absent).
    pub fn query_string(&self) -> &str {
        self.fields.head.uri.query().unwrap_or_default()
    }

    /// The URL scheme the client used.
    pub fn scheme(&self) -> &Scheme {
        &self.fields.scheme
    }

    /// Sets the URL scheme (TLS termination, trusted `X-Forwarded-Proto`).
    pub fn set_scheme(&mut self, scheme: Scheme) {
        self.fields.scheme = scheme;
    }

    /// The host (and port, if the client named one) the request was sent to.
    pub fn host(&self) -> &str {
        match &self.fields.host {
            Host::Authority => self.fields.head.uri.authority().map_or("", |a| a.as_str()),
            Host::Header(value) => value.to_str().unwrap_or_default(),
            Host::Set(host) => host,
        }
    }

    /// Sets the host (trusted `X-Forwarded-Host`).
    pub fn set_host(&mut self, host: impl Into<String>) {
        self.fields.host = Host::Set(host.into());
    }

    /// The address of the client, when the server knows it.
    pub fn remote_addr(&self) -> Option<SocketAddr> {
        self.fields.remote_addr
    }

    /// Sets the address of the client (servers; trusted `X-Forwarded-For`).
    pub fn set_remote_addr(&mut self, remote_addr: Option<SocketAddr>) {
        self.fields.remote_addr = remote_addr;
    }

    /// The limits that apply while reading this request.
    pub fn limits(&self) -> &Limits {
        &self.fields.limits
    }

    /// Sets the limits for this request; the body is bounded by the new
    /// `max_content_length` at once, and the query and cookies are parsed
    /// again under the new limits on next use.
    pub fn set_limits(&mut self, limits: Limits) {
        self.fields
            .body
            .get_mut()
            .set_limit(limits.max_content_length());
        self.fields.limits = limits;
        self.fields.cache.args.take();
        self.fields.cache.cookies.take();
    }

    /// The body stream. Reading it directly bypasses the cache: what is read
    /// here is neither in [`get_data`](Self::get_data) nor parsed as a form
    /// (Werkzeug's `get_data(cache=False)`).
    pub fn body_mut(&mut self) -> &mut Body {
        self.fields.body.get_mut()
    }

    /// The head of the request (method, target, version, headers, extensions).
    pub fn head(&self) -> &Parts {
        &self.fields.head
    }

    /// Splits the request into its head and body stream.
    pub fn into_parts(self) -> (Parts, Body) {
        (self.fields.head, self.fields.body.into_inner())
    }

    /// The query string parsed into ordered pairs (Werkzeug's `args`), with at
    /// most [`max_query_fields`](Limits::max_query_fields) pairs. See
    /// [`urlencoded`](crate::urlencoded) for the decoding rules.
    ///
    /// # Errors
    ///
    /// [`QueryError::TooManyFields`] (a 400).
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::Request;
    ///
    /// let request = Request::get("/search?tag=rust&tag=web&q=caf%C3%A9");
    /// let args = request.args().unwrap();
    /// assert_eq!(args.get("q").unwrap(), "café");
    /// assert_eq!(args.get_all("tag").collect::<Vec<_>>(), ["rust", "web"]);
    /// ```
    pub fn args(&self) -> Result<&MultiDict, QueryError> {
        self.fields
            .cache
            .args
            .get_or_init(|| {
                crate::urlencoded::parse(self.query_string(), self.fields.limits.max_query_fields())
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    /// The cookies the client sent (Werkzeug's `cookies`): every `Cookie`
    /// header, parsed by [`parse_cookie`](crate::cookies::parse_cookie).
    ///
    /// # Errors
    ///
    /// [`CookieError::HeaderTooLarge`] (431) past
    /// [`max_cookie_header_size`](Limits::max_cookie_header_size),
    /// [`CookieError::InvalidUtf8`] (400).
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::test::Client;
    /// use carafe_wrappers::{Request, Response};
    ///
    /// let client = Client::new(|request: Request| {
    ///     let cookies = request.cookies().unwrap();
    ///     Response::text(cookies.get("__Host-sess").cloned().unwrap_or_default())
    /// });
    /// let response = client.get("/").header("cookie", "=__Host-sess=evil; __Host-sess=good").send();
    /// assert_eq!(response.text(), "good");
    /// ```
    pub fn cookies(&self) -> Result<&MultiDict, CookieError> {
        self.fields
            .cache
            .cookies
            .get_or_init(|| {
                crate::cookies::parse_cookie_headers(
                    &self.fields.head.headers,
                    self.fields.limits.max_cookie_header_size(),
                )
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    /// The media type of the body, lowercased, without parameters (empty when
    /// there is no `Content-Type`).
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::test::RequestBuilder;
    ///
    /// let request = RequestBuilder::get("/")
    ///     .header("content-type", "Text/HTML; Charset=utf-8")
    ///     .build();
    /// assert_eq!(request.mimetype(), "text/html");
    /// assert_eq!(request.mimetype_params().get("charset").unwrap(), "utf-8");
    /// ```
    pub fn mimetype(&self) -> String {
        self.content_type().mimetype()
    }

    /// The parameters of the `Content-Type` header (`charset`, `boundary`),
    /// keys lowercased.
    pub fn mimetype_params(&self) -> MultiDict {
        self.content_type().params
    }

    fn content_type(&self) -> OptionsHeader {
        self.fields
            .head
            .headers
            .get(CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .map(OptionsHeader::parse)
            .unwrap_or_default()
    }

    /// The `Content-Length` header as a number (`None` when absent or not a
    /// number).
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::test::RequestBuilder;
    ///
    /// assert_eq!(RequestBuilder::post("/").body("abc").build().content_length(), Some(3));
    /// assert_eq!(RequestBuilder::post("/").body("abc").chunked().build().content_length(), None);
    /// ```
    pub fn content_length(&self) -> Option<u64> {
        self.fields
            .head
            .headers
            .get(CONTENT_LENGTH)?
            .to_str()
            .ok()?
            .trim()
            .parse()
            .ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(request: http::Request<()>) -> Parts {
        request.into_parts().0
    }

    #[test]
    fn host_and_path_are_read_from_the_head_as_it_was_built() {
        let head = parts(
            http::Request::get("/users/7")
                .header("host", "example.com")
                .body(())
                .unwrap(),
        );
        let mut request = Request::from_parts(head, Body::empty());
        request.headers_mut().insert(
            http::header::HOST,
            HeaderValue::from_static("other.example"),
        );
        assert_eq!(
            request.host(),
            "example.com",
            "the host of the request as it came"
        );
        assert_eq!(request.path_info(), "/users/7");
        request.set_host("set.example");
        request.set_path("/app", "/x");
        assert_eq!((request.host(), request.path_info()), ("set.example", "/x"));
        let binary = parts(
            http::Request::get("/")
                .header("host", HeaderValue::from_bytes(b"caf\xc3\xa9").unwrap())
                .body(())
                .unwrap(),
        );
        assert_eq!(Request::from_parts(binary, Body::empty()).host(), "");
        let absolute = parts(
            http::Request::get("http://abs.example:81")
                .body(())
                .unwrap(),
        );
        let request = Request::from_parts(absolute, Body::empty());
        assert_eq!(
            (request.host(), request.path_info()),
            ("abs.example:81", "/")
        );
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
    fn requests_move_between_threads() {
        fn assert_send<T: Send + 'static>() {}
        assert_send::<Request>();
    }

    #[test]
    fn limits_bound_the_body() {
        let (head, ()) = http::Request::post("/").body(()).unwrap().into_parts();
        let mut request = Request::from_parts(head, Body::from("0123456789"));
        request.set_limits(Limits::default().with_max_content_length(Some(4)));
        assert!(request.body_mut().read_all().is_err());
    }
}
