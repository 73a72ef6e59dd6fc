//! Typed extraction of the query string and the form into serde types.

use serde::Deserialize;

use super::Request;
use crate::ExtractError;
use crate::extract::{FieldError, from_multidict};

impl Request {
    /// The query string deserialized into `T` (a struct, usually), with an
    /// error that names the field at fault.
    ///
    /// Each distinct key is a field: a scalar takes the first value, a `Vec`
    /// every value, an `Option` is `None` when the key is absent or empty;
    /// numbers, booleans (`true/false/on/off/1/0/yes/no`) and unit enum
    /// variants are parsed from text. Nested structures are not supported.
    ///
    /// # Errors
    ///
    /// [`ExtractError::Invalid`] (400) naming the field, or the query's error.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::Request;
    ///
    /// #[derive(serde::Deserialize, Debug)]
    /// struct Search { q: String, page: Option<u32>, tag: Vec<String> }
    ///
    /// let request = Request::get("/search?q=rust&tag=web&tag=sync&page=");
    /// let search: Search = request.args_as().unwrap();
    /// assert_eq!(search.q, "rust");
    /// assert_eq!(search.page, None);
    /// assert_eq!(search.tag, ["web", "sync"]);
    ///
    /// let error = Request::get("/search?page=1").args_as::<Search>().unwrap_err();
    /// assert_eq!(error.to_string(), "invalid query string: field `q`: missing");
    /// ```
    pub fn args_as<'a, T: Deserialize<'a>>(&'a self) -> Result<T, ExtractError> {
        let args = self.args().map_err(ExtractError::Query)?;
        from_multidict(args).map_err(|error| invalid("query string", error))
    }

    /// The form fields deserialized into `T`, as [`args_as`](Self::args_as)
    /// does for the query string (files are not part of it: see
    /// [`files`](Self::files)).
    ///
    /// # Errors
    ///
    /// [`ExtractError::Invalid`] (400) naming the field, or the form's error.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::test::RequestBuilder;
    ///
    /// #[derive(serde::Deserialize, Debug)]
    /// struct Signup { email: String, age: u8, newsletter: Option<bool> }
    ///
    /// let request = RequestBuilder::post("/").form([("email", "a@b.c"), ("age", "41"), ("newsletter", "on")]).build();
    /// let signup: Signup = request.form_as().unwrap();
    /// assert_eq!((signup.age, signup.newsletter), (41, Some(true)));
    ///
    /// let request = RequestBuilder::post("/").form([("email", "a@b.c"), ("age", "-3")]).build();
    /// let error = request.form_as::<Signup>().unwrap_err();
    /// assert_eq!(error.field(), Some("age"));
    /// assert_eq!(error.to_string(), "invalid form: field `age`: invalid digit found in string (got \"-3\")");
    /// ```
    pub fn form_as<'a, T: Deserialize<'a>>(&'a self) -> Result<T, ExtractError> {
        let form = self.form().map_err(ExtractError::Form)?;
        from_multidict(form).map_err(|error| invalid("form", error))
    }
}

fn invalid(source: &'static str, error: FieldError) -> ExtractError {
    ExtractError::Invalid {
        source,
        field: error.field,
        message: error.message,
    }
}
