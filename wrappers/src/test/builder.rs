//! Building test requests.

use std::io::Cursor;
use std::net::SocketAddr;

use bytes::Bytes;
use http::header::{CONTENT_TYPE, COOKIE, HOST, HeaderName, HeaderValue, TRANSFER_ENCODING};
use http::uri::Scheme;
use http::{HeaderMap, Method, Uri};
use serde::Serialize;

use super::TestResponse;
use super::client::Dispatch;
use crate::{Body, Limits, Request};

/// A file to upload in a multipart test request.
///
/// # Examples
///
/// ```
/// use carafe_wrappers::test::{FileUpload, RequestBuilder};
///
/// let upload = FileUpload::new("report.csv", "a,b\n1,2\n").content_type("text/csv");
/// let request = RequestBuilder::post("/").file("report", upload).build();
/// assert_eq!(request.files().unwrap().get("report").unwrap().mimetype(), "text/csv");
/// ```
#[derive(Debug, Clone)]
pub struct FileUpload {
    filename: String,
    content_type: String,
    content: Bytes,
}

impl FileUpload {
    /// A file named `filename` holding `content`, sent as
    /// `application/octet-stream`.
    pub fn new(filename: impl Into<String>, content: impl Into<Bytes>) -> Self {
        Self {
            filename: filename.into(),
            content_type: "application/octet-stream".to_owned(),
            content: content.into(),
        }
    }

    /// Sets the part's content type.
    #[must_use]
    pub fn content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = content_type.into();
        self
    }
}

/// A test request being built; [`build`](Self::build) gives the
/// [`Request`], [`send`](Self::send) sends it through the [`Client`](super::Client)
/// that made the builder.
///
/// Without a `Host` header, a request for a path goes to `localhost`; an
/// absolute URI (`https://example.com/x`) gives the scheme and host.
///
/// # Panics
///
/// The builder is test tooling: an invalid URI, header name or value panics
/// at [`build`](Self::build) with a message naming it.
///
/// # Examples
///
/// ```
/// use carafe_wrappers::test::RequestBuilder;
///
/// let request = RequestBuilder::get("/search")
///     .query("q", "café")
///     .header("accept", "text/html")
///     .cookie("session", "abc")
///     .build();
/// assert_eq!(request.uri(), "/search?q=caf%C3%A9");
/// assert_eq!(request.host(), "localhost");
/// assert_eq!(request.cookies().unwrap().get("session").unwrap(), "abc");
/// ```
#[must_use = "a request builder does nothing until built or sent"]
#[derive(Clone)]
pub struct RequestBuilder<'c> {
    pub(super) client: Option<&'c dyn Dispatch>,
    pub(super) method: Method,
    pub(super) uri: String,
    query: Vec<(String, String)>,
    pub(super) headers: Vec<(String, Vec<u8>)>,
    pub(super) cookies: Vec<(String, String)>,
    form: Vec<(String, String)>,
    files: Vec<(String, FileUpload)>,
    pub(super) body: Option<Bytes>,
    content_type: Option<String>,
    chunked: bool,
    script_root: Option<String>,
    pub(super) scheme: Option<Scheme>,
    remote_addr: Option<SocketAddr>,
    limits: Option<Limits>,
    pub(super) follow_redirects: Option<bool>,
}

macro_rules! method_constructors {
    ($($name:ident => $method:ident,)*) => {
        $(
            #[doc = concat!("A `", stringify!($method), "` request for `uri`.")]
            pub fn $name(uri: &str) -> Self {
                Self::new(Method::$method, uri)
            }
        )*
    };
}

impl<'c> RequestBuilder<'c> {
    /// A request with `method` for `uri` (a path with an optional query, or an
    /// absolute URI).
    pub fn new(method: Method, uri: &str) -> Self {
        Self {
            client: None,
            method,
            uri: uri.to_owned(),
            query: Vec::new(),
            headers: Vec::new(),
            cookies: Vec::new(),
            form: Vec::new(),
            files: Vec::new(),
            body: None,
            content_type: None,
            chunked: false,
            script_root: None,
            scheme: None,
            remote_addr: None,
            limits: None,
            follow_redirects: None,
        }
    }

    method_constructors! {
        get => GET,
        post => POST,
        put => PUT,
        patch => PATCH,
        delete => DELETE,
        head => HEAD,
        options => OPTIONS,
    }

    pub(super) fn with_client(mut self, client: &'c dyn Dispatch) -> Self {
        self.client = Some(client);
        self
    }

    /// Adds a query argument (appended to any query of the URI).
    pub fn query(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.query.push((key.into(), value.into()));
        self
    }

    /// Adds a header (a repeated name adds another value).
    pub fn header(mut self, name: impl Into<String>, value: impl AsRef<[u8]>) -> Self {
        self.headers.push((name.into(), value.as_ref().to_vec()));
        self
    }

    /// Adds a cookie to the `Cookie` header (besides the client's jar).
    pub fn cookie(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.cookies.push((name.into(), value.into()));
        self
    }

    /// Adds form fields: sent urlencoded, or as multipart parts when files are
    /// added too.
    pub fn form<K: Into<String>, V: Into<String>>(
        mut self,
        fields: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        self.form
            .extend(fields.into_iter().map(|(k, v)| (k.into(), v.into())));
        self
    }

    /// Adds a file; the body becomes `multipart/form-data`.
    pub fn file(mut self, field: impl Into<String>, upload: FileUpload) -> Self {
        self.files.push((field.into(), upload));
        self
    }

    /// Sets a JSON body (`application/json`).
    ///
    /// # Panics
    ///
    /// When `value` cannot be serialized.
    #[track_caller]
    pub fn json<T: Serialize + ?Sized>(mut self, value: &T) -> Self {
        let json = serde_json::to_vec(value).expect("a value serializable as JSON");
        self.body = Some(Bytes::from(json));
        self.content_type
            .get_or_insert_with(|| "application/json".to_owned());
        self
    }

    /// Sets a raw body.
    pub fn body(mut self, body: impl Into<Bytes>) -> Self {
        self.body = Some(body.into());
        self
    }

    /// Sets the `Content-Type` (overrides the one of a form or JSON body).
    pub fn content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = Some(content_type.into());
        self
    }

    /// Sends the body with `Transfer-Encoding: chunked`: the application sees
    /// a body of unknown length.
    pub fn chunked(mut self) -> Self {
        self.chunked = true;
        self
    }

    /// Mounts the application at `script_root`: the URI's path must start with
    /// it, and the rest becomes the path info.
    pub fn script_root(mut self, script_root: impl Into<String>) -> Self {
        self.script_root = Some(script_root.into());
        self
    }

    /// Sets the scheme the client used (as a TLS-terminating server would);
    /// an absolute URI gives it too.
    pub fn scheme(mut self, scheme: Scheme) -> Self {
        self.scheme = Some(scheme);
        self
    }

    pub(super) fn retarget(mut self, uri: &str) -> Self {
        uri.clone_into(&mut self.uri);
        self.query.clear();
        self
    }

    /// Sets the client's address.
    pub fn remote_addr(mut self, address: SocketAddr) -> Self {
        self.remote_addr = Some(address);
        self
    }

    /// Sets the request's limits.
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = Some(limits);
        self
    }

    /// Follows redirects for this request (overrides the client's setting).
    pub fn follow_redirects(mut self, follow: bool) -> Self {
        self.follow_redirects = Some(follow);
        self
    }

    /// Sends the request through the client that made this builder.
    ///
    /// # Panics
    ///
    /// When the builder was not made by a [`Client`](super::Client) (use
    /// [`build`](Self::build) and call the application yourself).
    #[track_caller]
    pub fn send(self) -> TestResponse {
        let client = self
            .client
            .expect("RequestBuilder::send needs a builder made by a Client");
        client.dispatch(self)
    }

    /// Builds the request.
    ///
    /// # Panics
    ///
    /// When the URI, a header or the script root is invalid.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::test::RequestBuilder;
    ///
    /// let request = RequestBuilder::put("/items/7").json(&[1, 2]).build();
    /// assert_eq!(request.method(), "PUT");
    /// assert_eq!(request.headers()["content-type"], "application/json");
    /// assert_eq!(request.json::<Vec<u8>>().unwrap(), [1, 2]);
    /// ```
    #[track_caller]
    pub fn build(self) -> Request {
        let mut uri = self.uri.clone();
        let scheme = self.scheme.clone();
        if !self.query.is_empty() {
            uri.push(if uri.contains('?') { '&' } else { '?' });
            uri.push_str(&crate::urlencoded::encode(
                self.query.iter().map(|(k, v)| (k, v)),
            ));
        }
        let uri: Uri = uri
            .parse()
            .unwrap_or_else(|error| panic!("invalid test URI {uri:?}: {error}"));
        let mut headers = HeaderMap::new();
        for (name, value) in &self.headers {
            let name = HeaderName::from_bytes(name.as_bytes())
                .unwrap_or_else(|error| panic!("invalid header name {name:?}: {error}"));
            let value = HeaderValue::from_bytes(value)
                .unwrap_or_else(|error| panic!("invalid value for header {name}: {error}"));
            headers.append(name, value);
        }
        if !headers.contains_key(HOST) {
            let host = uri.authority().map_or("localhost", |a| a.as_str());
            headers.insert(
                HOST,
                HeaderValue::from_str(host).expect("a valid authority"),
            );
        }
        if !self.cookies.is_empty() {
            let cookies = self
                .cookies
                .iter()
                .map(|(name, value)| format!("{name}={value}"))
                .collect::<Vec<_>>()
                .join("; ");
            let value = HeaderValue::from_str(&cookies)
                .unwrap_or_else(|error| panic!("invalid cookie header {cookies:?}: {error}"));
            headers.append(COOKIE, value);
        }
        let (body, content_type) = self.encode_body();
        if let Some(content_type) = self.content_type.as_deref().or(content_type.as_deref()) {
            let value = HeaderValue::from_str(content_type)
                .unwrap_or_else(|error| panic!("invalid content type {content_type:?}: {error}"));
            headers.insert(CONTENT_TYPE, value);
        }
        let body = match body {
            None => Body::empty(),
            Some(bytes) if self.chunked => {
                headers.insert(TRANSFER_ENCODING, HeaderValue::from_static("chunked"));
                Body::from_reader(Cursor::new(bytes), None)
            }
            Some(bytes) => {
                headers.insert(http::header::CONTENT_LENGTH, bytes.len().into());
                Body::from(bytes)
            }
        };
        let mut http_request = http::Request::new(());
        *http_request.method_mut() = self.method.clone();
        *http_request.uri_mut() = uri;
        *http_request.headers_mut() = headers;
        let (head, ()) = http_request.into_parts();
        let mut request = Request::from_parts(head, body);
        if let Some(script_root) = &self.script_root {
            let path = request.path_info().to_owned();
            let rest = path
                .strip_prefix(script_root.trim_end_matches('/'))
                .unwrap_or_else(|| {
                    panic!("the path {path:?} is not under the script root {script_root:?}")
                });
            let rest = if rest.starts_with('/') {
                rest.to_owned()
            } else {
                format!("/{rest}")
            };
            request.set_path(script_root.clone(), rest);
        }
        if let Some(scheme) = scheme {
            request.set_scheme(scheme);
        }
        if let Some(limits) = self.limits {
            request.set_limits(limits);
        }
        request.set_remote_addr(self.remote_addr);
        request
    }

    /// The body bytes and the content type they imply.
    fn encode_body(&self) -> (Option<Bytes>, Option<String>) {
        if !self.files.is_empty() {
            let (body, boundary) = encode_multipart(&self.form, &self.files);
            return (
                Some(body),
                Some(format!("multipart/form-data; boundary={boundary}")),
            );
        }
        if !self.form.is_empty() {
            let body = crate::urlencoded::encode(self.form.iter().map(|(k, v)| (k, v)));
            return (
                Some(Bytes::from(body)),
                Some("application/x-www-form-urlencoded".to_owned()),
            );
        }
        (self.body.clone(), None)
    }
}

/// A `multipart/form-data` body, with a boundary found in none of the parts.
fn encode_multipart(form: &[(String, String)], files: &[(String, FileUpload)]) -> (Bytes, String) {
    let mut boundary = "CarafeTestBoundary7MA4YWxkTrZu0gW".to_owned();
    let contains =
        |haystack: &[u8], needle: &str| memchr::memmem::find(haystack, needle.as_bytes()).is_some();
    while form
        .iter()
        .any(|(k, v)| contains(k.as_bytes(), &boundary) || contains(v.as_bytes(), &boundary))
        || files.iter().any(|(_, f)| contains(&f.content, &boundary))
    {
        boundary.push('x');
    }
    let mut body = Vec::new();
    for (name, value) in form {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{}\"\r\n\r\n",
                escape(name)
            )
            .as_bytes(),
        );
        body.extend_from_slice(value.as_bytes());
        body.extend_from_slice(b"\r\n");
    }
    for (name, file) in files {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{}\"; filename=\"{}\"\r\nContent-Type: {}\r\n\r\n",
                escape(name),
                escape(&file.filename),
                file.content_type
            )
            .as_bytes(),
        );
        body.extend_from_slice(&file.content);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (Bytes::from(body), boundary)
}

/// The HTML form encoding of a name in a `Content-Disposition` header.
fn escape(name: &str) -> String {
    name.replace('"', "%22")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multipart_round_trip_with_awkward_names_and_content() {
        let request = RequestBuilder::post("/")
            .form([("quote\"d", "line\r\n--CarafeTestBoundary7MA4YWxkTrZu0gW--")])
            .file(
                "f",
                FileUpload::new("ü \"x\".bin", vec![0u8, 13, 10, 45, 45, 255]),
            )
            .build();
        let form = request.form().unwrap();
        assert_eq!(
            form.get("quote\"d").unwrap(),
            "line\r\n--CarafeTestBoundary7MA4YWxkTrZu0gW--"
        );
        let file = request.files().unwrap().get("f").unwrap();
        assert_eq!(file.filename(), "ü \"x\".bin");
        assert_eq!(file.bytes().unwrap(), &[0u8, 13, 10, 45, 45, 255][..]);
    }

    #[test]
    fn chunked_bodies_have_no_length() {
        let mut request = RequestBuilder::post("/").body("abc").chunked().build();
        assert_eq!(request.headers()["transfer-encoding"], "chunked");
        assert!(request.headers().get("content-length").is_none());
        assert_eq!(request.body_mut().length(), None);
        assert_eq!(request.get_data().unwrap(), "abc");
    }

    #[test]
    fn query_pairs_are_appended() {
        let request = RequestBuilder::get("/p?a=1").query("b", "x y").build();
        assert_eq!(request.query_string(), "a=1&b=x+y");
        assert_eq!(request.args().unwrap().get("b").unwrap(), "x y");
    }
}
