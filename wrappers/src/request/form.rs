//! The body as raw data or as a form, read once and cached.

use std::io::{self, Read};

use bytes::Bytes;
use http::Method;

use super::Request;
use crate::{Body, BodyError, ExtractError, FileStorage, FormError, MultiDict};

const URLENCODED: &str = "application/x-www-form-urlencoded";
const MULTIPART: &str = "multipart/form-data";

/// What happened to the raw body.
#[derive(Debug, Default)]
pub(super) enum DataState {
    /// Not read yet.
    #[default]
    Unread,
    /// Read whole and kept ([`Request::get_data`]).
    Cached(Bytes),
    /// Read by the form parser, which keeps no copy.
    Consumed,
    /// Reading failed; the error is given again.
    Failed(BodyError),
}

/// The parsed form and files.
#[derive(Debug, Clone, Default)]
pub(super) struct FormData {
    form: MultiDict,
    files: MultiDict<FileStorage>,
}

impl FormData {
    pub(super) fn new(form: MultiDict, files: MultiDict<FileStorage>) -> Self {
        Self { form, files }
    }

    pub(super) fn parts(&self) -> (&MultiDict, &MultiDict<FileStorage>) {
        (&self.form, &self.files)
    }
}

impl Request {
    /// The body, read whole into memory and cached (Werkzeug's `get_data()`).
    ///
    /// The read is bounded by [`max_content_length`](crate::Limits::max_content_length):
    /// set it (Flask's `MAX_CONTENT_LENGTH`) before reading bodies of untrusted
    /// size. Werkzeug's rule on reading the body twice holds:
    ///
    /// - `get_data()` first: the bytes are cached, and a later
    ///   [`form`](Self::form) is parsed from the cache, so both are available;
    /// - [`form`](Self::form) first (for a form content type): the parser
    ///   consumes the stream and keeps no copy, so `get_data()` is then empty;
    /// - reading [`body_mut`](Self::body_mut) directly bypasses both.
    ///
    /// # Errors
    ///
    /// [`BodyError::TooLarge`] (413), [`BodyError::Incomplete`] or
    /// [`BodyError::Io`] (400); the same error again on later calls.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::test::RequestBuilder;
    ///
    /// let request = RequestBuilder::post("/").form([("foo", "Hello World")]).build();
    /// assert_eq!(request.get_data().unwrap(), "foo=Hello+World");
    /// assert_eq!(request.form().unwrap().get("foo").unwrap(), "Hello World");
    /// assert_eq!(request.get_data().unwrap(), "foo=Hello+World");
    ///
    /// let request = RequestBuilder::post("/").form([("foo", "Hello World")]).build();
    /// assert_eq!(request.form().unwrap().get("foo").unwrap(), "Hello World");
    /// assert_eq!(request.get_data().unwrap(), "");
    /// ```
    pub fn get_data(&self) -> Result<Bytes, BodyError> {
        let mut state = self.fields.cache.data.borrow_mut();
        match &*state {
            DataState::Cached(bytes) => return Ok(bytes.clone()),
            DataState::Consumed => return Ok(Bytes::new()),
            DataState::Failed(error) => return Err(duplicate(error)),
            DataState::Unread => {}
        }
        match self.fields.body.borrow_mut().read_all() {
            Ok(bytes) => {
                *state = DataState::Cached(bytes.clone());
                Ok(bytes)
            }
            Err(error) => {
                *state = DataState::Failed(duplicate(&error));
                Err(error)
            }
        }
    }

    /// Werkzeug's `data`: for a form content type the form is parsed (and the
    /// raw bytes are then empty, see [`get_data`](Self::get_data)); for any
    /// other content type, the raw bytes.
    ///
    /// # Errors
    ///
    /// A [`FormError`] from the form parse or the read.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::test::RequestBuilder;
    ///
    /// let form = RequestBuilder::post("/").form([("foo", "bar")]).build();
    /// assert_eq!(form.data().unwrap(), "");
    /// assert_eq!(form.form().unwrap().get("foo").unwrap(), "bar");
    ///
    /// let text = RequestBuilder::post("/").body("plain").content_type("text/plain").build();
    /// assert_eq!(text.data().unwrap(), "plain");
    /// ```
    pub fn data(&self) -> Result<Bytes, FormError> {
        if matches!(self.mimetype().as_str(), URLENCODED | MULTIPART) {
            self.form_data()?;
        }
        Ok(self.get_data()?)
    }

    /// The form fields of an urlencoded or multipart body, parsed on first use
    /// (Werkzeug's `form`). Empty for any other content type, whose body is
    /// left untouched.
    ///
    /// # Errors
    ///
    /// A [`FormError`] naming the limit that fired (413) or what is malformed
    /// (400); the same error again on later calls, and from
    /// [`files`](Self::files).
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::test::RequestBuilder;
    /// use carafe_wrappers::Limits;
    ///
    /// let request = RequestBuilder::post("/")
    ///     .form([("name", "Ada"), ("lang", "en"), ("lang", "fr")])
    ///     .build();
    /// let form = request.form().unwrap();
    /// assert_eq!(form.get("name").unwrap(), "Ada");
    /// assert_eq!(form.get_all("lang").collect::<Vec<_>>(), ["en", "fr"]);
    ///
    /// let mut request = RequestBuilder::post("/").form([("bio", "x".repeat(100))]).build();
    /// request.set_limits(Limits::default().with_max_form_memory_size(50));
    /// let error = request.form().unwrap_err();
    /// assert_eq!(error.status(), 413);
    /// assert_eq!(error.to_string(), "urlencoded form exceeds max_form_memory_size (50 bytes)");
    /// ```
    pub fn form(&self) -> Result<&MultiDict, FormError> {
        self.form_data().map(|data| data.parts().0)
    }

    /// The files of a multipart body, parsed on first use together with the
    /// [`form`](Self::form) (Werkzeug's `files`).
    ///
    /// # Errors
    ///
    /// As [`form`](Self::form).
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::test::{FileUpload, RequestBuilder};
    ///
    /// let request = RequestBuilder::post("/upload")
    ///     .form([("title", "Holiday")])
    ///     .file("photo", FileUpload::new("beach.jpg", &b"\xff\xd8 jpeg"[..]).content_type("image/jpeg"))
    ///     .build();
    /// let photo = request.files().unwrap().get("photo").unwrap();
    /// assert_eq!(photo.filename(), "beach.jpg");
    /// assert_eq!(photo.content_type(), Some("image/jpeg"));
    /// assert_eq!(photo.bytes().unwrap(), &b"\xff\xd8 jpeg"[..]);
    /// assert_eq!(request.form().unwrap().get("title").unwrap(), "Holiday");
    /// ```
    pub fn files(&self) -> Result<&MultiDict<FileStorage>, FormError> {
        self.form_data().map(|data| data.parts().1)
    }

    /// The query arguments followed by the form fields (Werkzeug's `values`;
    /// the form only for methods other than `GET`), so a lookup finds the
    /// query's value first.
    ///
    /// # Errors
    ///
    /// The query's or the form's error.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::test::RequestBuilder;
    ///
    /// let request = RequestBuilder::post("/?a=1").form([("a", "2"), ("b", "2")]).build();
    /// let values = request.values().unwrap();
    /// assert_eq!(values.get("a").unwrap(), "1");
    /// assert_eq!(values.get("b").unwrap(), "2");
    /// ```
    pub fn values(&self) -> Result<MultiDict, ExtractError> {
        let mut values = self.args().map_err(ExtractError::Query)?.clone();
        if self.method() != Method::GET {
            let form = self.form().map_err(ExtractError::Form)?;
            values.extend(form.iter().map(|(k, v)| (k.to_owned(), v.clone())));
        }
        Ok(values)
    }

    pub(super) fn form_data(&self) -> Result<&FormData, FormError> {
        self.fields
            .cache
            .form
            .get_or_init(|| self.parse_form())
            .as_ref()
            .map_err(Clone::clone)
    }

    fn parse_form(&self) -> Result<FormData, FormError> {
        let content_type = self.content_type();
        let mimetype = content_type.mimetype();
        if mimetype != URLENCODED && mimetype != MULTIPART {
            return Ok(FormData::default());
        }
        let limits = &self.fields.limits;
        let mut state = self.fields.cache.data.borrow_mut();
        let cached = match &*state {
            DataState::Cached(bytes) => Some(bytes.clone()),
            DataState::Consumed => return Ok(FormData::default()),
            DataState::Failed(error) => return Err(duplicate(error).into()),
            DataState::Unread => None,
        };
        let mut body = self.fields.body.borrow_mut();
        let declared = match cached {
            Some(_) => None,
            None if body.exceeds_limit() => {
                *state = DataState::Consumed;
                return Err(BodyError::TooLarge {
                    limit: body.limit().unwrap_or_default(),
                }
                .into());
            }
            None => body.length(),
        };
        let mut cached_body;
        let reader: &mut Body = match &cached {
            Some(bytes) => {
                cached_body = Body::from(bytes.clone());
                &mut cached_body
            }
            None => {
                *state = DataState::Consumed;
                &mut body
            }
        };
        if mimetype == URLENCODED {
            let max = limits.max_form_memory_size();
            if declared.is_some_and(|length| length > max as u64) {
                return Err(FormError::UrlencodedTooLarge { limit: max });
            }
            let mut bytes = Vec::new();
            reader
                .take(max as u64 + 1)
                .read_to_end(&mut bytes)
                .map_err(|error| FormError::from(BodyError::from_io(error)))?;
            if bytes.len() > max {
                return Err(FormError::UrlencodedTooLarge { limit: max });
            }
            let text = String::from_utf8(bytes).map_err(|_| FormError::InvalidUtf8 {
                field: String::new(),
            })?;
            let form = crate::urlencoded::parse(&text, limits.max_form_fields()).map_err(|_| {
                FormError::TooManyFields {
                    limit: limits.max_form_fields(),
                }
            })?;
            return Ok(FormData::new(form, MultiDict::new()));
        }
        let boundary = content_type.param("boundary").unwrap_or_default();
        let (form, files) = crate::multipart::parse_sized(
            crate::multipart::Input::Body(reader),
            boundary,
            limits,
            declared,
        )?;
        Ok(FormData::new(form, files))
    }
}

/// A copy of a body error, to give it again on later calls.
fn duplicate(error: &BodyError) -> BodyError {
    match error {
        BodyError::TooLarge { limit } => BodyError::TooLarge { limit: *limit },
        BodyError::Incomplete { expected, received } => BodyError::Incomplete {
            expected: *expected,
            received: *received,
        },
        BodyError::Io(error) => BodyError::Io(io::Error::new(error.kind(), error.to_string())),
    }
}
