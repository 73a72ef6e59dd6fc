//! The body as JSON, through serde.

use serde::de::DeserializeOwned;

use super::Request;
use crate::JsonError;

impl Request {
    /// Whether the content type is JSON: `application/json` or
    /// `application/*+json` (Werkzeug's `is_json`).
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::test::RequestBuilder;
    ///
    /// let request = RequestBuilder::post("/").content_type("application/problem+json").build();
    /// assert!(request.is_json());
    /// assert!(!RequestBuilder::post("/").content_type("text/json").build().is_json());
    /// ```
    pub fn is_json(&self) -> bool {
        let mimetype = self.mimetype();
        mimetype == "application/json"
            || (mimetype.starts_with("application/") && mimetype.ends_with("+json"))
    }

    /// The body parsed as JSON into `T` (Werkzeug's `get_json()`).
    ///
    /// The body is read through [`get_data`](Self::get_data), so it stays
    /// available afterwards and is bounded by `max_content_length`.
    ///
    /// # Errors
    ///
    /// [`JsonError::UnsupportedMediaType`] (415) when the content type is not
    /// JSON; [`JsonError::Invalid`] (400, naming the line and column) when the
    /// body is not JSON or not of the shape of `T`; [`JsonError::Body`] when
    /// the body cannot be read.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::test::RequestBuilder;
    ///
    /// #[derive(serde::Deserialize, Debug)]
    /// struct Login { user: String }
    ///
    /// let request = RequestBuilder::post("/").body(r#"{"user": "ada"}"#).content_type("application/json").build();
    /// assert_eq!(request.json::<Login>().unwrap().user, "ada");
    ///
    /// let request = RequestBuilder::post("/").body("{\n  \"name\": 1\n}").content_type("application/json").build();
    /// let error = request.json::<Login>().unwrap_err();
    /// assert_eq!(error.status(), 400);
    /// assert_eq!(error.to_string(), "invalid json at line 3 column 1: missing field `user`");
    /// ```
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, JsonError> {
        if !self.is_json() {
            return Err(JsonError::UnsupportedMediaType {
                mimetype: self.mimetype(),
            });
        }
        self.force_json()
    }

    /// The body parsed as JSON whatever the content type says (Werkzeug's
    /// `get_json(force=True)`).
    ///
    /// # Errors
    ///
    /// As [`json`](Self::json), without the 415.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::test::RequestBuilder;
    ///
    /// let request = RequestBuilder::post("/").body("[1, 2]").content_type("text/plain").build();
    /// assert_eq!(request.json::<Vec<u8>>().unwrap_err().status(), 415);
    /// assert_eq!(request.force_json::<Vec<u8>>().unwrap(), [1, 2]);
    /// ```
    pub fn force_json<T: DeserializeOwned>(&self) -> Result<T, JsonError> {
        let data = self.get_data()?;
        serde_json::from_slice(&data).map_err(|error| {
            let message = error.to_string();
            let suffix = format!(" at line {} column {}", error.line(), error.column());
            JsonError::Invalid {
                line: error.line(),
                column: error.column(),
                message: message.strip_suffix(&suffix).unwrap_or(&message).to_owned(),
            }
        })
    }
}
