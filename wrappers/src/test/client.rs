//! The test client: requests in, responses out, cookies kept.

use std::sync::{Mutex, MutexGuard, PoisonError};

use cookie::Cookie;
use http::header::{CONTENT_LENGTH, CONTENT_TYPE, HOST, LOCATION, SET_COOKIE, TRANSFER_ENCODING};
use http::uri::Scheme;
use http::{Method, StatusCode, Uri};

use super::builder::RequestBuilder;
use super::jar::CookieJar;
use super::raw::{RawRequestError, parse_raw};
use super::response::TestResponse;
use crate::{Application, Request};

/// The most redirects followed for one request.
const MAX_REDIRECTS: usize = 20;

/// Sends requests to an application in-process and keeps cookies between
/// them, like a browser (Werkzeug's test `Client`).
///
/// # Examples
///
/// ```
/// use carafe_wrappers::test::Client;
/// use carafe_wrappers::{Request, Response};
/// use http::StatusCode;
///
/// let app = |request: Request| match request.path_info() {
///     "/login" => {
///         let mut response = Response::empty(StatusCode::SEE_OTHER);
///         response.headers_mut().insert("location", "/home".parse().unwrap());
///         response.headers_mut().insert("set-cookie", "user=ada; Path=/; HttpOnly".parse().unwrap());
///         response
///     }
///     _ => {
///         let user = request.cookies().unwrap().get("user").cloned().unwrap_or_default();
///         Response::text(format!("{} as {user}", request.method()))
///     }
/// };
/// let client = Client::new(app).follow_redirects(true);
/// let response = client.post("/login").form([("user", "ada")]).send();
/// assert_eq!(response.text(), "GET as ada");
/// assert_eq!(response.history(), [(StatusCode::SEE_OTHER, "/home".to_owned())]);
/// ```
pub struct Client<A> {
    app: A,
    jar: Mutex<CookieJar>,
    follow_redirects: bool,
}

/// What a [`RequestBuilder`] made by a client sends through.
pub(super) trait Dispatch {
    fn dispatch(&self, builder: RequestBuilder<'_>) -> TestResponse;
}

macro_rules! method_shortcuts {
    ($($name:ident => $method:ident,)*) => {
        $(
            #[doc = concat!("Starts a `", stringify!($method), "` request for `uri`.")]
            pub fn $name(&self, uri: &str) -> RequestBuilder<'_> {
                self.request(Method::$method, uri)
            }
        )*
    };
}

impl<A: Application> Client<A> {
    /// A client for `app`, with an empty cookie jar, not following redirects.
    pub fn new(app: A) -> Self {
        Self {
            app,
            jar: Mutex::new(CookieJar::new()),
            follow_redirects: false,
        }
    }

    /// Whether requests follow redirects by default (`false` unless set).
    #[must_use]
    pub fn follow_redirects(mut self, follow: bool) -> Self {
        self.follow_redirects = follow;
        self
    }

    /// The application.
    pub fn application(&self) -> &A {
        &self.app
    }

    /// Starts a request with `method` for `uri`.
    pub fn request(&self, method: Method, uri: &str) -> RequestBuilder<'_> {
        RequestBuilder::new(method, uri).with_client(self)
    }

    method_shortcuts! {
        get => GET,
        post => POST,
        put => PUT,
        patch => PATCH,
        delete => DELETE,
        head => HEAD,
        options => OPTIONS,
    }

    /// Sends a request built by any [`RequestBuilder`].
    pub fn send(&self, builder: RequestBuilder<'_>) -> TestResponse {
        self.dispatch(builder)
    }

    /// Sends a captured raw HTTP/1.1 request ([`parse_raw`]) as it is (the
    /// jar's cookies are not added; its `Set-Cookie` answers are stored).
    ///
    /// # Errors
    ///
    /// When the raw request is malformed.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::test::Client;
    /// use carafe_wrappers::{Request, Response};
    ///
    /// let client = Client::new(|request: Request| {
    ///     Response::text(request.cookies().unwrap().get("__Host-sess").cloned().unwrap_or_default())
    /// });
    /// let raw = b"GET /cookie HTTP/1.1\r\nHost: localhost\r\nCookie: =__Host-sess=evil; __Host-sess=good\r\n\r\n";
    /// assert_eq!(client.raw(raw).unwrap().text(), "good");
    /// ```
    pub fn raw(&self, raw: &[u8]) -> Result<TestResponse, RawRequestError> {
        let request = Request::from_http(parse_raw(raw)?);
        let (scheme, host, path) = (
            request.scheme().clone(),
            request.host().to_owned(),
            request.path_info().to_owned(),
        );
        let response = self.call(request);
        self.store_cookies(&response, scheme.as_str(), &host, &path);
        Ok(response)
    }

    /// The first unexpired cookie named `name` in the jar.
    pub fn cookie(&self, name: &str) -> Option<Cookie<'static>> {
        self.jar().get(name).cloned()
    }

    /// Stores a cookie as if `localhost` had set it with `Path=/`.
    pub fn set_cookie(&self, name: &str, value: &str) {
        self.jar()
            .store("http", "localhost", "/", &format!("{name}={value}; Path=/"));
    }

    /// Removes every cookie named `name` from the jar.
    pub fn delete_cookie(&self, name: &str) {
        self.jar().remove(name);
    }

    /// The cookie jar, to inspect or change it.
    pub fn cookie_jar(&self) -> MutexGuard<'_, CookieJar> {
        self.jar()
    }

    /// Runs the application and finishes its response the way a server does
    /// (`Response::prepare_for`: no body for HEAD, 204 and 304; a
    /// `Content-Length` whenever the length is known).
    fn call(&self, request: Request) -> TestResponse {
        let method = request.method().clone();
        let mut response = self.app.handle(request);
        response.prepare_for(&method);
        TestResponse::read(response)
    }

    fn jar(&self) -> MutexGuard<'_, CookieJar> {
        self.jar.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn store_cookies(&self, response: &TestResponse, scheme: &str, host: &str, path: &str) {
        let mut jar = self.jar();
        for value in response.headers().get_all(SET_COOKIE) {
            if let Ok(value) = value.to_str() {
                jar.store(scheme, host, path, value);
            }
        }
    }
}

impl<A: Application> Dispatch for Client<A> {
    fn dispatch(&self, builder: RequestBuilder<'_>) -> TestResponse {
        let follow = builder.follow_redirects.unwrap_or(self.follow_redirects);
        let mut builder = builder;
        let mut history = Vec::new();
        loop {
            let target = Target::of(&builder);
            let mut hop = builder.clone();
            if let Some(cookies) =
                self.jar()
                    .header(target.scheme.as_str(), &target.host, &target.path)
            {
                hop = hop.header("cookie", cookies);
            }
            let mut request = hop.build();
            request.set_scheme(target.scheme.clone());
            let response = self.call(request);
            self.store_cookies(
                &response,
                target.scheme.as_str(),
                &target.host,
                &target.path,
            );

            let is_redirect = matches!(response.status().as_u16(), 301 | 302 | 303 | 307 | 308);
            let location = response.header(LOCATION.as_str()).map(str::to_owned);
            let (true, true, Some(location)) = (follow, is_redirect, location) else {
                return response.with_history(history);
            };
            history.push((response.status(), location.clone()));
            assert!(
                history.len() <= MAX_REDIRECTS,
                "more than {MAX_REDIRECTS} redirects (a loop?): {history:?}"
            );
            builder = redirected(builder, &target, &location, response.status());
        }
    }
}

/// Where a builder's request goes.
struct Target {
    scheme: Scheme,
    host: String,
    path: String,
}

impl Target {
    fn of(builder: &RequestBuilder<'_>) -> Self {
        let uri: Uri = builder.uri.parse().unwrap_or_default();
        let host_header = builder
            .headers
            .iter()
            .rev()
            .find(|(name, _)| name.eq_ignore_ascii_case(HOST.as_str()))
            .map(|(_, value)| String::from_utf8_lossy(value).into_owned());
        Self {
            scheme: builder
                .scheme
                .clone()
                .or_else(|| uri.scheme().cloned())
                .unwrap_or(Scheme::HTTP),
            host: host_header
                .or_else(|| uri.authority().map(|a| a.to_string()))
                .unwrap_or_else(|| "localhost".to_owned()),
            path: match uri.path() {
                "" => "/".to_owned(),
                path => path.to_owned(),
            },
        }
    }
}

/// The request that follows a redirect to `location`.
fn redirected<'c>(
    builder: RequestBuilder<'c>,
    from: &Target,
    location: &str,
    status: StatusCode,
) -> RequestBuilder<'c> {
    let (scheme, host, path_and_query) = resolve(from, location);
    let keep_method = matches!(status.as_u16(), 307 | 308) || builder.method == Method::HEAD;
    let mut next = if keep_method {
        builder.clone().retarget(&path_and_query)
    } else {
        let mut next = RequestBuilder::new(Method::GET, &path_and_query);
        next.client = builder.client;
        next.headers = builder.headers.clone();
        next.cookies = builder.cookies.clone();
        next.follow_redirects = builder.follow_redirects;
        next.headers.retain(|(name, _)| {
            ![CONTENT_TYPE, CONTENT_LENGTH, TRANSFER_ENCODING]
                .iter()
                .any(|header| name.eq_ignore_ascii_case(header.as_str()))
        });
        next
    };
    next.headers
        .retain(|(name, _)| !name.eq_ignore_ascii_case(HOST.as_str()));
    next.headers
        .push((HOST.as_str().to_owned(), host.into_bytes()));
    next.scheme = Some(scheme);
    next
}

/// Resolves `location` against the request that got it: scheme, host and
/// path with query.
fn resolve(from: &Target, location: &str) -> (Scheme, String, String) {
    if let Ok(uri) = location.parse::<Uri>()
        && let (Some(scheme), Some(authority)) = (uri.scheme(), uri.authority())
    {
        let path = uri.path_and_query().map_or("/", |p| p.as_str());
        return (scheme.clone(), authority.to_string(), path.to_owned());
    }
    if let Some(rest) = location.strip_prefix("//") {
        let (authority, path) = rest
            .find('/')
            .map_or((rest, "/"), |i| (&rest[..i], &rest[i..]));
        return (from.scheme.clone(), authority.to_owned(), path.to_owned());
    }
    let (location_path, query) = location
        .split_once('?')
        .map_or((location, None), |(p, q)| (p, Some(q)));
    let merged = if location_path.starts_with('/') {
        location_path.to_owned()
    } else if location_path.is_empty() {
        from.path.clone()
    } else {
        let directory = &from.path[..from.path.rfind('/').map_or(0, |i| i + 1)];
        format!("{directory}{location_path}")
    };
    let mut path = remove_dot_segments(&merged);
    if let Some(query) = query {
        path.push('?');
        path.push_str(query);
    }
    (from.scheme.clone(), from.host.clone(), path)
}

/// RFC 3986 §5.2.4, on `/`-separated segments.
fn remove_dot_segments(path: &str) -> String {
    let mut output: Vec<&str> = Vec::new();
    let segments: Vec<&str> = path.split('/').collect();
    for (index, segment) in segments.iter().enumerate() {
        let last = index + 1 == segments.len();
        match *segment {
            "." => {
                if last {
                    output.push("");
                }
            }
            ".." => {
                if output.len() > 1 {
                    output.pop();
                }
                if last {
                    output.push("");
                }
            }
            other => output.push(other),
        }
    }
    let joined = output.join("/");
    if joined.starts_with('/') {
        joined
    } else {
        format!("/{joined}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Response;

    fn target(path: &str) -> Target {
        Target {
            scheme: Scheme::HTTP,
            host: "h".to_owned(),
            path: path.to_owned(),
        }
    }

    #[test]
    fn locations_resolve_like_a_browser() {
        let from = target("/a/b/c");
        assert_eq!(resolve(&from, "/x?y=1").2, "/x?y=1");
        assert_eq!(resolve(&from, "d").2, "/a/b/d");
        assert_eq!(resolve(&from, "../d").2, "/a/d");
        assert_eq!(resolve(&from, "./").2, "/a/b/");
        assert_eq!(resolve(&from, "../../../../d").2, "/d");
        let (scheme, host, path) = resolve(&from, "https://other.example:8443/p?q");
        assert_eq!(
            (scheme.as_str(), host.as_str(), path.as_str()),
            ("https", "other.example:8443", "/p?q")
        );
        let (_, host, path) = resolve(&from, "//cdn.example/x");
        assert_eq!((host.as_str(), path.as_str()), ("cdn.example", "/x"));
    }

    fn redirecting_app(request: Request) -> Response {
        let (status, location) = match request.path_info() {
            "/301" => (301, "/echo"),
            "/302" => (302, "/echo"),
            "/303" => (303, "/echo"),
            "/307" => (307, "/echo"),
            "/308" => (308, "https://secure.example/echo"),
            "/loop" => (302, "/loop"),
            _ => {
                let body = String::from_utf8(request.get_data().unwrap().to_vec()).unwrap();
                return Response::text(format!(
                    "{} {}://{}{} {body}",
                    request.method(),
                    request.scheme(),
                    request.host(),
                    request.path_info()
                ));
            }
        };
        let mut response = Response::empty(StatusCode::from_u16(status).unwrap());
        response
            .headers_mut()
            .insert(LOCATION, location.parse().unwrap());
        response
    }

    #[test]
    fn redirects_change_the_method_as_browsers_do() {
        let client = Client::new(redirecting_app).follow_redirects(true);
        for (path, expected) in [
            ("/301", "GET http://localhost/echo "),
            ("/302", "GET http://localhost/echo "),
            ("/303", "GET http://localhost/echo "),
            ("/307", "POST http://localhost/echo payload"),
            ("/308", "POST https://secure.example/echo payload"),
        ] {
            let response = client.post(path).body("payload").send();
            assert_eq!(response.text(), expected, "{path}");
            assert_eq!(response.history().len(), 1);
        }
        // HEAD stays HEAD: no body, but the length of what GET would say
        // about a HEAD request ("HEAD http://localhost/echo ").
        let response = client.head("/302").send();
        assert!(response.body().is_empty());
        assert_eq!(response.header("content-length"), Some("27"));
    }

    #[test]
    fn redirects_are_not_followed_unless_asked() {
        let client = Client::new(redirecting_app);
        let response = client.get("/302").send();
        assert_eq!(response.status(), 302);
        assert_eq!(response.header("location"), Some("/echo"));
        assert_eq!(
            client.get("/302").follow_redirects(true).send().status(),
            200
        );
    }

    #[test]
    #[should_panic(expected = "more than 20 redirects")]
    fn a_redirect_loop_is_reported() {
        Client::new(redirecting_app)
            .follow_redirects(true)
            .get("/loop")
            .send();
    }
}
