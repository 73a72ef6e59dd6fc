//! A test client: drives any [`Application`](crate::Application) in-process,
//! without a socket (Werkzeug's `werkzeug.test.Client`).
//!
//! - [`Client`] sends requests to the application and keeps a [`CookieJar`]
//!   across them (RFC 6265 domain, path, expiry and `Secure` rules, the
//!   `__Host-`/`__Secure-` prefixes), and can follow redirects.
//! - [`RequestBuilder`] builds a request: query, headers, cookies, an
//!   urlencoded or multipart form with files ([`FileUpload`]), JSON, a raw or
//!   chunked body, a mount point, the client's address, limits. `build()`
//!   gives the [`Request`](crate::Request) alone, to test code that takes one.
//! - [`TestResponse`] holds the status, the headers and the whole body.
//! - [`parse_raw`] and [`Client::raw`] read a captured HTTP/1.1 request (a
//!   `.http` fixture file: request line, headers, a `Content-Length` or
//!   chunked body), so real clients' requests can be replayed.
//!
//! ```
//! use carafe_wrappers::test::Client;
//! use carafe_wrappers::{Request, Response};
//!
//! let app = |request: Request| {
//!     let name = request.form().unwrap().get("name").cloned().unwrap_or_default();
//!     let mut response = Response::text(format!("hello {name}"));
//!     response.headers_mut().append("set-cookie", "seen=1; Path=/".parse().unwrap());
//!     response
//! };
//! let client = Client::new(app);
//! let response = client.post("/greet").form([("name", "Ada")]).send();
//! assert_eq!(response.status(), 200);
//! assert_eq!(response.text(), "hello Ada");
//! assert_eq!(client.cookie("seen").unwrap().value(), "1");
//! ```

mod builder;
mod client;
mod jar;
mod raw;
mod response;

pub use builder::{FileUpload, RequestBuilder};
pub use client::Client;
pub use jar::CookieJar;
pub use raw::{RawRequestError, parse_raw};
pub use response::TestResponse;
