//! Lossless conversion between [`Request`] and `http::Request`.
//!
//! An `http::Request` has a method, a target, a version, headers, extensions
//! and a body. A [`Request`] also has what WSGI's environ adds: the mount
//! point and the remaining path, the scheme, the host, the client's address
//! and the limits. Converting to `http::Request` stores those in a
//! [`RequestEnviron`] extension, and converting back reads them from it, so a
//! round trip through code that only knows `http` (tower middleware, a hyper
//! service) loses nothing. What has been parsed from the body travels too:
//! a form parsed from the stream stays available, and the raw bytes cached by
//! [`get_data`](Request::get_data) become the body again.

use std::net::SocketAddr;

use http::uri::Scheme;

use super::Request;
use super::form::{DataState, FormData};
use crate::{Body, FormError, Limits};

/// The parts of a [`Request`] that an `http::Request` has no field for,
/// carried in its extensions.
///
/// [`Request::into_http`] inserts one with every field set. A server or an
/// adapter may insert one into an `http::Request` before converting it
/// ([`Request::from_http`]) to pass the client's address, the scheme of a
/// TLS connection, a mount point or limits; fields left `None` keep the
/// values [`Request::from_parts`] derives from the head.
///
/// # Examples
///
/// ```
/// use carafe_wrappers::{Request, RequestEnviron};
///
/// let mut http_request = http::Request::get("/shop/cart").body(()).unwrap();
/// http_request.extensions_mut().insert(RequestEnviron {
///     remote_addr: Some("203.0.113.7:50000".parse().unwrap()),
///     script_root: Some("/shop".into()),
///     path_info: Some("/cart".into()),
///     ..RequestEnviron::default()
/// });
/// let request = Request::from_http(http_request.map(|()| carafe_wrappers::Body::empty()));
/// assert_eq!(request.remote_addr().unwrap().port(), 50000);
/// assert_eq!((request.script_root(), request.path_info()), ("/shop", "/cart"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestEnviron {
    /// The mount point (raw), WSGI's `SCRIPT_NAME`.
    pub script_root: Option<String>,
    /// The path below the mount point (raw), WSGI's `PATH_INFO`.
    pub path_info: Option<String>,
    /// The scheme the client used.
    pub scheme: Option<Scheme>,
    /// The host the request was sent to.
    pub host: Option<String>,
    /// The client's address.
    pub remote_addr: Option<SocketAddr>,
    /// The limits for reading the request.
    pub limits: Option<Limits>,
}

/// The parsed body, carried across a conversion.
#[derive(Debug, Clone)]
struct CarriedBody {
    form: Option<Result<FormData, FormError>>,
    consumed: bool,
}

impl Request {
    /// Converts an `http::Request` into a request, reading the
    /// [`RequestEnviron`] extension (and what [`into_http`](Self::into_http)
    /// carried) when present.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::Request;
    ///
    /// let request = Request::from_http(http::Request::post("/a?b=c").body("x=1").unwrap());
    /// assert_eq!(request.path_info(), "/a");
    /// assert_eq!(request.get_data().unwrap(), "x=1");
    /// ```
    pub fn from_http<B: Into<Body>>(request: http::Request<B>) -> Self {
        let (mut head, body) = request.into_parts();
        let environ = head.extensions.remove::<RequestEnviron>();
        let carried = head.extensions.remove::<CarriedBody>();
        let mut request = Request::from_parts(head, body.into());
        if let Some(environ) = environ {
            if let Some(limits) = environ.limits {
                request.set_limits(limits);
            }
            if let Some(scheme) = environ.scheme {
                request.fields.scheme = scheme;
            }
            if let Some(host) = environ.host {
                request.set_host(host);
            }
            if environ.remote_addr.is_some() {
                request.fields.remote_addr = environ.remote_addr;
            }
            if let Some(script_root) = environ.script_root {
                request.fields.script_root = script_root;
            }
            if let Some(path_info) = environ.path_info {
                request.fields.path_info = Some(path_info);
            }
        }
        if let Some(carried) = carried {
            if let Some(form) = carried.form {
                let _ = request.fields.cache.form.set(form);
            }
            if carried.consumed {
                *request.fields.cache.data.get_mut() = DataState::Consumed;
            }
        }
        request
    }

    /// Converts the request into an `http::Request`, with a
    /// [`RequestEnviron`] extension holding the mount point, path, scheme,
    /// host, client address and limits. The body is the cached raw bytes when
    /// [`get_data`](Self::get_data) read them, otherwise what is left of the
    /// stream.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::{Request, RequestEnviron};
    ///
    /// let mut request = Request::get("/app/page?x=1");
    /// request.set_path("/app", "/page");
    /// request.set_remote_addr(Some("127.0.0.1:9000".parse().unwrap()));
    ///
    /// let http_request = request.into_http();
    /// assert_eq!(http_request.uri(), "/app/page?x=1");
    /// let environ = http_request.extensions().get::<RequestEnviron>().unwrap();
    /// assert_eq!(environ.script_root.as_deref(), Some("/app"));
    ///
    /// let back = Request::from_http(http_request);
    /// assert_eq!((back.script_root(), back.path_info()), ("/app", "/page"));
    /// assert_eq!(back.remote_addr().unwrap().port(), 9000);
    /// ```
    pub fn into_http(self) -> http::Request<Body> {
        let path_info = self.path_info().to_owned();
        let host = self.host().to_owned();
        let super::fields::Request {
            mut head,
            script_root,
            scheme,
            remote_addr,
            limits,
            body,
            cache,
            ..
        } = *self.fields;
        let mut body = body.into_inner();
        let consumed = match cache.data.into_inner() {
            DataState::Cached(bytes) => {
                body = Body::from(bytes).with_limit(body.limit());
                false
            }
            DataState::Consumed => true,
            DataState::Unread | DataState::Failed(_) => false,
        };
        let form = cache.form.into_inner();
        if form.is_some() || consumed {
            head.extensions.insert(CarriedBody { form, consumed });
        }
        head.extensions.insert(RequestEnviron {
            script_root: Some(script_root),
            path_info: Some(path_info),
            scheme: Some(scheme),
            host: Some(host),
            remote_addr,
            limits: Some(limits),
        });
        http::Request::from_parts(head, body)
    }
}

impl<B: Into<Body>> From<http::Request<B>> for Request {
    fn from(request: http::Request<B>) -> Self {
        Request::from_http(request)
    }
}

impl From<Request> for http::Request<Body> {
    fn from(request: Request) -> Self {
        request.into_http()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test::{FileUpload, RequestBuilder};

    #[derive(Debug, Clone, PartialEq)]
    struct UserExtension(u32);

    #[test]
    fn every_part_survives_a_round_trip() {
        let limits = Limits::default().with_max_form_parts(7);
        let mut request = RequestBuilder::post("https://shop.example:8443/app/a%20b?x=1&x=2")
            .script_root("/app")
            .header("x-custom", "1")
            .header("x-custom", "2")
            .remote_addr("198.51.100.4:4711".parse().unwrap())
            .body("payload")
            .content_type("text/plain")
            .build();
        request.set_limits(limits);
        request.extensions_mut().insert(UserExtension(43));

        let http_request = request.into_http();
        let back = Request::from_http(http_request);
        assert_eq!(back.method(), "POST");
        assert_eq!(back.uri(), "https://shop.example:8443/app/a%20b?x=1&x=2");
        assert_eq!(back.script_root(), "/app");
        assert_eq!(back.path_info(), "/a%20b");
        assert_eq!(back.scheme(), &Scheme::HTTPS);
        assert_eq!(back.host(), "shop.example:8443");
        assert_eq!(
            back.remote_addr(),
            Some("198.51.100.4:4711".parse().unwrap())
        );
        assert_eq!(back.limits(), &limits);
        assert_eq!(
            back.headers()
                .get_all("x-custom")
                .iter()
                .collect::<Vec<_>>(),
            ["1", "2"]
        );
        assert_eq!(
            back.extensions().get::<UserExtension>(),
            Some(&UserExtension(43))
        );
        assert!(back.extensions().get::<RequestEnviron>().is_none());
        assert_eq!(back.get_data().unwrap(), "payload");
        assert_eq!(back.url(), "https://shop.example:8443/app/a%20b?x=1&x=2");
    }

    #[test]
    fn cached_data_becomes_the_body_again() {
        let request = RequestBuilder::post("/").form([("a", "1")]).build();
        assert_eq!(request.get_data().unwrap(), "a=1");
        let back = Request::from_http(request.into_http());
        assert_eq!(back.get_data().unwrap(), "a=1");
        assert_eq!(back.form().unwrap().get("a").unwrap(), "1");
    }

    #[test]
    fn a_form_parsed_from_the_stream_travels_with_the_request() {
        let request = RequestBuilder::post("/")
            .form([("a", "1")])
            .file("f", FileUpload::new("f.txt", "content"))
            .build();
        assert_eq!(request.form().unwrap().get("a").unwrap(), "1");
        let back = Request::from_http(request.into_http());
        assert_eq!(back.form().unwrap().get("a").unwrap(), "1");
        assert_eq!(
            back.files().unwrap().get("f").unwrap().bytes().unwrap(),
            "content"
        );
        assert_eq!(back.get_data().unwrap(), "");
    }

    #[test]
    fn a_plain_http_request_gets_the_defaults() {
        let http_request = http::Request::get("/x")
            .header("host", "h.example")
            .body(Body::empty())
            .unwrap();
        let request = Request::from(http_request);
        assert_eq!(request.script_root(), "");
        assert_eq!(request.path_info(), "/x");
        assert_eq!(request.host(), "h.example");
        assert_eq!(request.remote_addr(), None);
        assert_eq!(request.limits(), &Limits::default());
    }
}
