//! Conditional and range requests (RFC 9110 §13 and §14), sans-IO.
//!
//! [`evaluate`] decides, from the request's method and headers and the
//! representation's validators, how to answer. [`Response::make_conditional`]
//! applies the decision to a response; [`send_file`](crate::send_file) applies
//! it to a file with seeks.

use http::header::{
    ACCEPT_RANGES, CONTENT_LENGTH, CONTENT_RANGE, CONTENT_TYPE, DATE, ETAG, HeaderValue, IF_MATCH,
    IF_MODIFIED_SINCE, IF_NONE_MATCH, IF_RANGE, IF_UNMODIFIED_SINCE, LAST_MODIFIED, RANGE,
};
use http::{HeaderMap, Method, StatusCode};

use crate::byteranges::{self, Forward};
use crate::headers::{ETags, EntityTag, HttpDate, IfRange, Range};
use crate::request_headers::{date, joined};
use crate::{HttpError, Request, Response, ResponseBody};

/// What identifies the current representation: its validators and length.
///
/// # Examples
///
/// ```
/// use carafe_wrappers::Validators;
/// use carafe_wrappers::headers::EntityTag;
///
/// let validators = Validators::new()
///     .with_etag(EntityTag::strong("v1").unwrap())
///     .with_length(11);
/// assert_eq!(validators.length(), Some(11));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    etag: Option<EntityTag>,
    last_modified: Option<HttpDate>,
    length: Option<u64>,
}

impl Validators {
    /// No validators, unknown length.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::Validators;
    ///
    /// assert_eq!(Validators::new().etag(), None);
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Returns these validators with the entity tag.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::Validators;
    /// use carafe_wrappers::headers::EntityTag;
    ///
    /// let v = Validators::new().with_etag(EntityTag::weak("w").unwrap());
    /// assert!(v.etag().unwrap().is_weak());
    /// ```
    #[must_use]
    pub fn with_etag(mut self, etag: EntityTag) -> Self {
        self.etag = Some(etag);
        self
    }

    /// Returns these validators with the modification date.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::Validators;
    /// use carafe_wrappers::headers::HttpDate;
    ///
    /// let v = Validators::new().with_last_modified(HttpDate::from_unix_seconds(0).unwrap());
    /// assert_eq!(v.last_modified().unwrap().unix_seconds(), 0);
    /// ```
    #[must_use]
    pub fn with_last_modified(mut self, last_modified: HttpDate) -> Self {
        self.last_modified = Some(last_modified);
        self
    }

    /// Returns these validators with the representation's length (ranges are
    /// only served when it is known).
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::Validators;
    ///
    /// assert_eq!(Validators::new().with_length(3).length(), Some(3));
    /// ```
    #[must_use]
    pub fn with_length(mut self, length: u64) -> Self {
        self.length = Some(length);
        self
    }

    /// The entity tag.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::Validators;
    ///
    /// assert!(Validators::new().etag().is_none());
    /// ```
    pub fn etag(&self) -> Option<&EntityTag> {
        self.etag.as_ref()
    }

    /// The modification date.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::Validators;
    ///
    /// assert!(Validators::new().last_modified().is_none());
    /// ```
    pub fn last_modified(&self) -> Option<HttpDate> {
        self.last_modified
    }

    /// The length in bytes.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::Validators;
    ///
    /// assert!(Validators::new().length().is_none());
    /// ```
    pub fn length(&self) -> Option<u64> {
        self.length
    }

    /// The validators a response declares: its `ETag` and `Last-Modified`
    /// headers and its body length.
    fn of(response: &Response) -> Self {
        let headers = response.headers();
        Self {
            etag: headers
                .get(ETAG)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse().ok()),
            last_modified: date(headers, LAST_MODIFIED),
            length: response.body().length(),
        }
    }
}

/// How to answer a conditional or range request.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Decision {
    /// Send the whole representation (`200`).
    Full,
    /// `304 Not Modified` (GET and HEAD only).
    NotModified,
    /// `412 Precondition Failed`.
    PreconditionFailed,
    /// `206 Partial Content` with these `(first, last)` byte ranges: sorted,
    /// disjoint, at least one.
    Partial(Vec<(u64, u64)>),
    /// `416 Range Not Satisfiable`.
    RangeNotSatisfiable,
}

/// Evaluates the preconditions and the range of a request, in RFC 9110
/// §13.2.2's order: `If-Match`, `If-Unmodified-Since`, `If-None-Match`,
/// `If-Modified-Since`, then `Range` guarded by `If-Range`.
///
/// - A malformed `If-Match` fails (412); malformed or invalid
///   `If-None-Match` and dates are ignored.
/// - `304` only answers GET and HEAD; a matching `If-None-Match` on another
///   method is `412`.
/// - Ranges are served for GET and HEAD when the length is known and not zero.
///   A malformed `Range`, or one with more than [`Range::MAX_RANGES`] ranges
///   or with overlapping ranges, is `416` (Werkzeug); a unit other than
///   `bytes` is ignored. Overlapping ranges left after resolving suffixes are
///   merged.
///
/// # Examples
///
/// ```
/// use carafe_wrappers::{Decision, Validators, evaluate};
/// use carafe_wrappers::headers::EntityTag;
/// use http::{HeaderMap, Method};
///
/// let validators = Validators::new().with_etag(EntityTag::strong("v1").unwrap()).with_length(11);
/// let mut headers = HeaderMap::new();
/// headers.insert("if-none-match", r#""v1""#.parse().unwrap());
/// assert_eq!(evaluate(&Method::GET, &headers, &validators), Decision::NotModified);
///
/// let mut headers = HeaderMap::new();
/// headers.insert("range", "bytes=0-4".parse().unwrap());
/// assert_eq!(evaluate(&Method::GET, &headers, &validators), Decision::Partial(vec![(0, 4)]));
/// ```
pub fn evaluate(method: &Method, headers: &HeaderMap, validators: &Validators) -> Decision {
    let safe = method == Method::GET || method == Method::HEAD;
    if let Some(decision) = preconditions(safe, headers, validators) {
        return decision;
    }
    if !safe || !headers.contains_key(RANGE) {
        return Decision::Full;
    }
    let Some(length) = validators.length.filter(|length| *length > 0) else {
        return Decision::Full;
    };
    if headers.contains_key(IF_RANGE) && !if_range_holds(headers, validators) {
        return Decision::Full;
    }
    // Malformed, overlapping or too many ranges: 416, as Werkzeug answers.
    let Some(Ok(range)) = joined(headers, RANGE).map(|value| value.parse::<Range>()) else {
        return Decision::RangeNotSatisfiable;
    };
    if range.unit() != "bytes" {
        return Decision::Full;
    }
    let ranges = range.satisfiable(length);
    if ranges.is_empty() {
        Decision::RangeNotSatisfiable
    } else {
        Decision::Partial(ranges)
    }
}

/// Steps 1–4 of RFC 9110 §13.2.2.
fn preconditions(safe: bool, headers: &HeaderMap, validators: &Validators) -> Option<Decision> {
    let current = validators.etag.as_ref();
    if headers.contains_key(IF_MATCH) {
        let holds = match joined(headers, IF_MATCH).map(|v| v.parse::<ETags>()) {
            Some(Ok(tags)) if tags.is_any() => true,
            Some(Ok(tags)) => current.is_some_and(|etag| tags.matches_strong(etag)),
            _ => false,
        };
        if !holds {
            return Some(Decision::PreconditionFailed);
        }
    } else if let (Some(since), Some(modified)) =
        (date(headers, IF_UNMODIFIED_SINCE), validators.last_modified)
        && modified > since
    {
        return Some(Decision::PreconditionFailed);
    }
    let none_match = joined(headers, IF_NONE_MATCH).and_then(|v| v.parse::<ETags>().ok());
    if let Some(tags) = none_match.filter(|tags| !tags.is_empty()) {
        let matched = tags.is_any() || current.is_some_and(|etag| tags.matches_weak(etag));
        if matched {
            return Some(if safe {
                Decision::NotModified
            } else {
                Decision::PreconditionFailed
            });
        }
    } else if safe
        && let (Some(since), Some(modified)) =
            (date(headers, IF_MODIFIED_SINCE), validators.last_modified)
        && modified <= since
    {
        return Some(Decision::NotModified);
    }
    None
}

/// `If-Range`: a strong tag equal to the current one, or the exact date.
fn if_range_holds(headers: &HeaderMap, validators: &Validators) -> bool {
    let Some(Ok(condition)) = headers
        .get(IF_RANGE)
        .and_then(|v| v.to_str().ok())
        .map(str::parse::<IfRange>)
    else {
        return false;
    };
    match condition {
        IfRange::ETag(tag) => validators
            .etag
            .as_ref()
            .is_some_and(|etag| etag.strong_eq(&tag)),
        IfRange::Date(date) => validators.last_modified == Some(date),
    }
}

/// The headers a `304` drops (Werkzeug's entity headers, minus `Expires`
/// and `Content-Location`).
pub(crate) const ENTITY_HEADERS: [&str; 8] = [
    "allow",
    "content-encoding",
    "content-language",
    "content-length",
    "content-md5",
    "content-range",
    "content-type",
    "last-modified",
];

impl Response {
    /// Makes this response conditional on `request` (Werkzeug's
    /// `make_conditional`): answers `304 Not Modified`, `412 Precondition
    /// Failed`, `206 Partial Content` (one range, or `multipart/byteranges`
    /// for several) or `416 Range Not Satisfiable` with `Content-Range:
    /// bytes */length`, as [`evaluate`] decides from the response's `ETag`,
    /// `Last-Modified` and body length.
    ///
    /// Only GET and HEAD requests and `200 OK` responses are touched. A
    /// `Date` header is added when missing. When the body's length is known,
    /// `Accept-Ranges: bytes` is set, and `Content-Length` when missing (ranges
    /// need the length; unlike Werkzeug no `accept_ranges` flag is needed). A reader
    /// body is sliced by reading and discarding the bytes before a range;
    /// [`send_file`](crate::send_file) seeks instead.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::{Request, Response};
    ///
    /// let mut request = Request::get("/");
    /// request.headers_mut().insert("range", "bytes=6-666".parse().unwrap());
    /// let response = Response::text("Hello World").make_conditional(&request);
    /// assert_eq!(response.status(), 206);
    /// assert_eq!(response.headers()["content-range"], "bytes 6-10/11");
    /// assert_eq!(response.headers()["content-length"], "5");
    /// ```
    #[must_use]
    pub fn make_conditional(mut self, request: &Request) -> Response {
        let method = request.method();
        if (method != Method::GET && method != Method::HEAD) || self.status() != StatusCode::OK {
            return self;
        }
        if !self.headers().contains_key(DATE) {
            self.insert_header(DATE, &HttpDate::now().to_string());
        }
        let validators = Validators::of(&self);
        let rangeable = matches!(
            self.body(),
            ResponseBody::Bytes(_)
                | ResponseBody::Empty
                | ResponseBody::Reader {
                    length: Some(_),
                    ..
                }
        );
        let decision = if rangeable {
            evaluate(method, request.headers(), &validators)
        } else {
            // Without a known length there are no ranges; the preconditions still apply.
            evaluate(
                method,
                request.headers(),
                &Validators {
                    length: None,
                    ..validators.clone()
                },
            )
        };
        match decision {
            Decision::Full => {
                if let Some(length) = validators.length.filter(|_| rangeable) {
                    self.insert_header(ACCEPT_RANGES, "bytes");
                    // Werkzeug sets it only when missing; prepare_for corrects it.
                    if !self.headers().contains_key(CONTENT_LENGTH) {
                        self.insert_header(CONTENT_LENGTH, &length.to_string());
                    }
                }
                self
            }
            Decision::NotModified => {
                self.make_not_modified();
                self
            }
            Decision::PreconditionFailed => self.with_status(StatusCode::PRECONDITION_FAILED),
            Decision::RangeNotSatisfiable => {
                HttpError::range_not_satisfiable(validators.length).into_response_for(request)
            }
            Decision::Partial(ranges) => {
                let length = validators.length.unwrap_or_default();
                self.into_partial(&ranges, length)
            }
        }
    }

    /// Turns this response into a `304`: no body, no entity headers.
    pub(crate) fn make_not_modified(&mut self) {
        self.set_status(StatusCode::NOT_MODIFIED);
        self.set_body(ResponseBody::Empty);
        for name in ENTITY_HEADERS {
            self.headers_mut().remove(name);
        }
    }

    fn into_partial(self, ranges: &[(u64, u64)], complete_length: u64) -> Response {
        let content_type = self.headers().get(CONTENT_TYPE).cloned();
        let (head, body) = self.into_parts();
        let mut response = Response::from_parts(head, ResponseBody::Empty);
        let body = match body {
            ResponseBody::Bytes(bytes) => {
                byteranges::from_bytes(&bytes, ranges, content_type.as_ref(), complete_length)
            }
            ResponseBody::Reader { reader, .. } => byteranges::from_source(
                Forward::new(reader),
                ranges,
                content_type.as_ref(),
                complete_length,
            ),
            other => {
                // Not rangeable: evaluate() was given no length, so this is unreachable;
                // answering with the full body is still correct.
                response.set_body(other);
                return response;
            }
        };
        response.apply_ranges(body);
        response
    }

    /// Sets status, body and the headers of a `206` built by [`byteranges`].
    pub(crate) fn apply_ranges(&mut self, ranged: byteranges::Ranged) {
        self.set_status(StatusCode::PARTIAL_CONTENT);
        let length = ranged.body.length();
        self.set_body(ranged.body);
        self.insert_header(ACCEPT_RANGES, "bytes");
        match ranged.content_range {
            Some(content_range) => self.insert_header(CONTENT_RANGE, &content_range),
            None => {
                self.headers_mut().remove(CONTENT_RANGE);
            }
        }
        if let Some(content_type) = ranged.content_type {
            self.insert_header(CONTENT_TYPE, &content_type);
        }
        if let Some(length) = length {
            self.insert_header(CONTENT_LENGTH, &length.to_string());
        }
    }

    /// Inserts a header whose value this crate built (digits, dates, tokens).
    pub(crate) fn insert_header(&mut self, name: http::header::HeaderName, value: &str) {
        if let Ok(value) = HeaderValue::from_str(value) {
            self.headers_mut().insert(name, value);
        }
    }
}
