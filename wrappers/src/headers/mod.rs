//! Typed HTTP headers: each type owns its wire format (`FromStr` + `Display`).
//!
//! | header | type |
//! |---|---|
//! | `Accept` | [`Accept`] (media ranges, [`best_match`](Accept::best_match)) |
//! | `Accept-Language` | [`AcceptLanguage`] |
//! | `Accept-Charset` | [`AcceptCharset`] |
//! | `Accept-Encoding` | [`AcceptEncoding`] |
//! | `ETag`, `If-Match`, `If-None-Match` | [`EntityTag`], [`ETags`] |
//! | `Date`, `Last-Modified`, `If-Modified-Since`, `If-Unmodified-Since`, `Expires` | [`HttpDate`] |
//! | `If-Range` | [`IfRange`] |
//! | `Range`, `Content-Range` | [`Range`], [`ContentRange`] |
//! | `Authorization`, `WWW-Authenticate` | [`Authorization`], [`WwwAuthenticate`] |
//! | `Cache-Control` | [`CacheControl`] |
//! | `User-Agent` | [`UserAgent`] |
//!
//! Parsing follows Werkzeug (`werkzeug.http`, `werkzeug.datastructures`),
//! whose test cases are ported in this crate's tests. Every parser is a total
//! function: arbitrary input gives a value or a [`HeaderError`], never a panic
//! (shown by property tests). The request accessors
//! ([`Request::accept`](crate::Request::accept) and friends) are lenient the way
//! Werkzeug's are: a malformed list header reads as absent.
//!
//! ```
//! use carafe_wrappers::headers::{Accept, TypedHeader};
//! use http::HeaderMap;
//!
//! let mut headers = HeaderMap::new();
//! headers.insert("accept", "text/html;q=0.9, application/json".parse().unwrap());
//! let accept = Accept::from_headers(&headers).unwrap().unwrap();
//! assert_eq!(accept.best_match(["text/html", "application/json"]), Some("application/json"));
//! ```

mod accept;
mod auth;
mod cache_control;
mod date;
mod error;
mod etag;
mod range;
pub(crate) mod syntax;
mod user_agent;

use std::fmt::Display;
use std::str::FromStr;

use http::{HeaderMap, HeaderName, HeaderValue};

pub use accept::{Accept, AcceptCharset, AcceptEncoding, AcceptLanguage};
pub use auth::{Authorization, Credentials, WwwAuthenticate};
pub use cache_control::CacheControl;
pub use date::HttpDate;
pub use error::HeaderError;
pub use etag::{ETags, EntityTag};
pub use range::{ByteRangeSpec, ContentRange, IfRange, Range};
pub use user_agent::UserAgent;

/// A header with a typed value: its name, and a wire format given by
/// `FromStr` and `Display`.
///
/// # Examples
///
/// ```
/// use carafe_wrappers::headers::{CacheControl, TypedHeader};
///
/// let value = CacheControl::new().with_no_cache().to_header_value().unwrap();
/// assert_eq!(value, "no-cache");
/// assert_eq!(CacheControl::NAME, http::header::CACHE_CONTROL);
/// ```
pub trait TypedHeader: Sized + FromStr<Err = HeaderError> + Display {
    /// The header's name.
    const NAME: HeaderName;

    /// Parses one header value (obs-text bytes are a [`HeaderError::NotText`]).
    ///
    /// # Errors
    ///
    /// When the value is not visible ASCII or does not parse.
    fn from_header_value(value: &HeaderValue) -> Result<Self, HeaderError> {
        value
            .to_str()
            .map_err(|_| HeaderError::NotText {
                header: static_name(&Self::NAME),
            })?
            .parse()
    }

    /// Reads this header from `headers`: `Ok(None)` when absent. Several lines
    /// are joined with `", "` (RFC 9110 §5.3), so a repeated single-valued
    /// header fails to parse instead of one copy winning silently.
    ///
    /// # Errors
    ///
    /// When a value is not visible ASCII or the (joined) value does not parse.
    fn from_headers(headers: &HeaderMap) -> Result<Option<Self>, HeaderError> {
        let mut values = headers.get_all(Self::NAME).iter();
        let Some(first) = values.next() else {
            return Ok(None);
        };
        let mut joined = text(first, &Self::NAME)?.to_owned();
        for value in values {
            joined.push_str(", ");
            joined.push_str(text(value, &Self::NAME)?);
        }
        joined.parse().map(Some)
    }

    /// This value as a header value.
    ///
    /// # Errors
    ///
    /// [`HeaderError::InvalidValue`] when the text cannot be sent in a header
    /// (control characters, non-ASCII text given by the program).
    fn to_header_value(&self) -> Result<HeaderValue, HeaderError> {
        let text = self.to_string();
        HeaderValue::from_str(&text)
            .map_err(|_| HeaderError::invalid_value(static_name(&Self::NAME), &text))
    }
}

fn text<'a>(value: &'a HeaderValue, name: &HeaderName) -> Result<&'a str, HeaderError> {
    value.to_str().map_err(|_| HeaderError::NotText {
        header: static_name(name),
    })
}

/// The `'static` lowercase name of one of the standard headers this module types.
fn static_name(name: &HeaderName) -> &'static str {
    const KNOWN: [&str; 19] = [
        "accept",
        "accept-charset",
        "accept-encoding",
        "accept-language",
        "authorization",
        "cache-control",
        "content-range",
        "date",
        "etag",
        "expires",
        "if-match",
        "if-modified-since",
        "if-none-match",
        "if-range",
        "if-unmodified-since",
        "last-modified",
        "range",
        "user-agent",
        "www-authenticate",
    ];
    KNOWN
        .iter()
        .find(|known| **known == name.as_str())
        .copied()
        .unwrap_or("header")
}
