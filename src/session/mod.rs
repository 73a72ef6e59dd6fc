//! Sessions (Flask's `session`) and flashed messages (Flask's `flash`).
//!
//! The session is a map of JSON values kept in one cookie, encrypted and
//! authenticated (see [`SessionConfig`] and the app's secret key). It is
//! loaded on first use in a request and written back into the response
//! when it changed.

mod config;
pub(crate) mod cookie;

use std::cell::RefMut;
use std::fmt;

use carafe_wrappers::Request;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

pub use self::config::SessionConfig;
use crate::context::RequestContext;

/// The data of a session, as loaded from its cookie.
#[derive(Debug, Clone, Default)]
pub(crate) struct SessionData {
    pub(crate) values: Map<String, Value>,
    pub(crate) permanent: bool,
    /// No valid cookie came with the request.
    pub(crate) new: bool,
    pub(crate) modified: bool,
    pub(crate) accessed: bool,
}

impl SessionData {
    pub(crate) fn new() -> Self {
        SessionData {
            new: true,
            ..SessionData::default()
        }
    }

    pub(crate) fn loaded(values: Map<String, Value>, permanent: bool) -> Self {
        SessionData {
            values,
            permanent,
            ..SessionData::default()
        }
    }
}

/// Why the session could not be changed.
#[derive(Debug)]
#[non_exhaustive]
pub enum SessionError {
    /// The app has no secret key, so it cannot write sessions (Flask: "the
    /// session is unavailable because no secret key was set").
    NoSecretKey,
    /// The request is not handled by an app.
    NoApp,
    /// The value does not serialize to JSON.
    Serialize(serde_json::Error),
}

impl fmt::Display for SessionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SessionError::NoSecretKey => f.write_str(
                "the session is unavailable because no secret key was set: \
                 give the app one with AppBuilder::secret_key",
            ),
            SessionError::NoApp => f.write_str("the request is not handled by an app: no session"),
            SessionError::Serialize(error) => write!(f, "session value: {error}"),
        }
    }
}

impl std::error::Error for SessionError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            SessionError::Serialize(error) => Some(error),
            _ => None,
        }
    }
}

/// The session of the current request (Flask's `session`): from
/// [`RequestExt::session`](crate::RequestExt::session), or as a handler
/// parameter.
///
/// Values are JSON: anything `Serialize` goes in, anything `Deserialize`
/// comes out. Reading marks the session accessed (the response then varies
/// on `Cookie`); changing it marks it modified (the response then carries
/// the new cookie).
///
/// # Examples
///
/// ```
/// use carafe::prelude::*;
/// use carafe::wrappers::test::Client;
///
/// fn login(request: &Request) -> Result<&'static str, Error> {
///     request.session().insert("user", "ada")?;
///     Ok("logged in")
/// }
/// fn whoami(request: &Request) -> String {
///     request.session().get::<String>("user").unwrap_or_else(|| "anonymous".into())
/// }
///
/// let app = App::builder()
///     .secret_key("change me: a long random secret")
///     .post("/login", login)
///     .route("/whoami", whoami)
///     .build();
/// let client = Client::new(app);
/// assert_eq!(client.get("/whoami").send().text(), "anonymous");
/// client.post("/login").send();
/// assert_eq!(client.get("/whoami").send().text(), "ada");
/// ```
pub struct Session<'r> {
    request: &'r Request,
}

impl fmt::Debug for Session<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.data() {
            Some(data) => f
                .debug_struct("Session")
                .field("values", &data.values)
                .field("permanent", &data.permanent)
                .field("modified", &data.modified)
                .finish(),
            None => f.write_str("Session(unavailable)"),
        }
    }
}

impl<'r> Session<'r> {
    pub(crate) fn of(request: &'r Request) -> Self {
        Session { request }
    }

    /// The loaded session data, `None` outside an app.
    fn data(&self) -> Option<RefMut<'r, SessionData>> {
        let context = RequestContext::of(self.request)?;
        let mut slot = context.session.borrow_mut();
        if slot.is_none() {
            *slot = Some(context.app.inner.sessions.open(self.request));
        }
        Some(RefMut::map(slot, |slot| {
            slot.get_or_insert_with(SessionData::new)
        }))
    }

    fn read(&self) -> Option<RefMut<'r, SessionData>> {
        let mut data = self.data()?;
        data.accessed = true;
        Some(data)
    }

    fn write(&self) -> Result<RefMut<'r, SessionData>, SessionError> {
        let context = RequestContext::of(self.request).ok_or(SessionError::NoApp)?;
        if context.app.inner.sessions.is_null() {
            return Err(SessionError::NoSecretKey);
        }
        let mut data = self.data().ok_or(SessionError::NoApp)?;
        data.accessed = true;
        data.modified = true;
        Ok(data)
    }

    /// The value of `key` as `T`; `None` when absent or of another shape.
    ///
    /// # Examples
    ///
    /// See [`Session`].
    pub fn get<T: DeserializeOwned>(&self, key: &str) -> Option<T> {
        let value = self.get_value(key)?;
        serde_json::from_value(value).ok()
    }

    /// The JSON value of `key`.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe::Session;
    /// use carafe::wrappers::Request;
    /// let request = Request::get("/");
    /// assert_eq!(carafe::RequestExt::session(&request).get_value("x"), None);
    /// ```
    pub fn get_value(&self, key: &str) -> Option<Value> {
        self.read()?.values.get(key).cloned()
    }

    /// Whether `key` is set.
    ///
    /// # Examples
    ///
    /// ```
    /// # use carafe::prelude::*;
    /// assert!(!Request::get("/").session().contains("user"));
    /// ```
    pub fn contains(&self, key: &str) -> bool {
        self.read()
            .is_some_and(|data| data.values.contains_key(key))
    }

    /// The keys, in order.
    ///
    /// # Examples
    ///
    /// ```
    /// # use carafe::prelude::*;
    /// assert!(Request::get("/").session().keys().is_empty());
    /// ```
    pub fn keys(&self) -> Vec<String> {
        self.read()
            .map(|data| data.values.keys().cloned().collect())
            .unwrap_or_default()
    }

    /// The number of values.
    ///
    /// # Examples
    ///
    /// ```
    /// # use carafe::prelude::*;
    /// assert_eq!(Request::get("/").session().len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.read().map_or(0, |data| data.values.len())
    }

    /// Whether the session holds no value.
    ///
    /// # Examples
    ///
    /// ```
    /// # use carafe::prelude::*;
    /// assert!(Request::get("/").session().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Sets `key` to `value` (anything `Serialize`).
    ///
    /// # Errors
    ///
    /// [`SessionError::NoSecretKey`] when the app has no secret key,
    /// [`SessionError::Serialize`] when `value` is not JSON.
    ///
    /// # Examples
    ///
    /// See [`Session`].
    pub fn insert(
        &self,
        key: impl Into<String>,
        value: impl Serialize,
    ) -> Result<(), SessionError> {
        let value = serde_json::to_value(value).map_err(SessionError::Serialize)?;
        self.write()?.values.insert(key.into(), value);
        Ok(())
    }

    /// Removes `key`, returning its value.
    ///
    /// # Errors
    ///
    /// [`SessionError::NoSecretKey`] when the app has no secret key.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe::prelude::*;
    /// use carafe::wrappers::test::Client;
    ///
    /// fn logout(request: &Request) -> Result<String, Error> {
    ///     let user = request.session().remove("user")?;
    ///     Ok(format!("bye {}", user.map(|v| v.to_string()).unwrap_or_default()))
    /// }
    /// let app = App::builder().secret_key("s3cret-s3cret-s3cret").route("/logout", logout).build();
    /// let response = Client::new(app).get("/logout").send();
    /// assert_eq!(response.text(), "bye ");
    /// ```
    pub fn remove(&self, key: &str) -> Result<Option<Value>, SessionError> {
        Ok(self.write()?.values.remove(key))
    }

    /// Removes every value (the cookie is then deleted).
    ///
    /// # Errors
    ///
    /// [`SessionError::NoSecretKey`] when the app has no secret key.
    ///
    /// # Examples
    ///
    /// ```
    /// # use carafe::prelude::*;
    /// assert!(Request::get("/").session().clear().is_err());
    /// ```
    pub fn clear(&self) -> Result<(), SessionError> {
        self.write()?.values.clear();
        Ok(())
    }

    /// Whether the session outlives the browser session (Flask's
    /// `session.permanent`): its cookie expires after the session lifetime.
    ///
    /// # Examples
    ///
    /// ```
    /// # use carafe::prelude::*;
    /// assert!(!Request::get("/").session().is_permanent());
    /// ```
    pub fn is_permanent(&self) -> bool {
        self.read().is_some_and(|data| data.permanent)
    }

    /// Makes the session permanent (or not).
    ///
    /// # Errors
    ///
    /// [`SessionError::NoSecretKey`] when the app has no secret key.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe::prelude::*;
    /// use carafe::wrappers::test::Client;
    ///
    /// fn remember(request: &Request) -> Result<&'static str, Error> {
    ///     request.session().set_permanent(true)?;
    ///     request.session().insert("user", "ada")?;
    ///     Ok("ok")
    /// }
    /// let app = App::builder().secret_key("s3cret-s3cret-s3cret").route("/", remember).build();
    /// let response = Client::new(app).get("/").send();
    /// assert!(response.header("set-cookie").unwrap().contains("; Expires="));
    /// ```
    pub fn set_permanent(&self, permanent: bool) -> Result<(), SessionError> {
        self.write()?.permanent = permanent;
        Ok(())
    }

    /// Whether the request came without a valid session cookie.
    ///
    /// # Examples
    ///
    /// ```
    /// # use carafe::prelude::*;
    /// assert!(!Request::get("/").session().is_new());
    /// ```
    pub fn is_new(&self) -> bool {
        self.data().is_some_and(|data| data.new)
    }

    /// Whether the session was changed during this request.
    ///
    /// # Examples
    ///
    /// ```
    /// # use carafe::prelude::*;
    /// assert!(!Request::get("/").session().is_modified());
    /// ```
    pub fn is_modified(&self) -> bool {
        self.data().is_some_and(|data| data.modified)
    }
}

/// A flashed message and its category (`"message"` unless given).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Flash {
    /// The category: `"message"`, `"error"`, `"info"`, ...
    pub category: String,
    /// The message.
    pub message: String,
}

const FLASHES: &str = "_flashes";

pub(crate) fn flash(
    request: &Request,
    category: String,
    message: String,
) -> Result<(), SessionError> {
    let session = Session::of(request);
    let mut data = session.write()?;
    let list = data
        .values
        .entry(FLASHES)
        .or_insert_with(|| Value::Array(Vec::new()));
    if !list.is_array() {
        *list = Value::Array(Vec::new());
    }
    if let Value::Array(items) = list {
        items.push(Value::Array(vec![
            Value::String(category),
            Value::String(message),
        ]));
    }
    Ok(())
}

fn parse_flashes(value: Option<Value>) -> Vec<Flash> {
    match value {
        Some(Value::Array(items)) => items
            .into_iter()
            .filter_map(|item| match item {
                Value::Array(pair) => match pair.as_slice() {
                    [Value::String(category), Value::String(message)] => Some(Flash {
                        category: category.clone(),
                        message: message.clone(),
                    }),
                    _ => None,
                },
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// The flashed messages in the session, left there.
pub(crate) fn peek_flashes(request: &Request) -> Vec<Flash> {
    let session = Session::of(request);
    let value = session
        .data()
        .and_then(|data| data.values.get(FLASHES).cloned());
    parse_flashes(value)
}

pub(crate) fn flashed_messages(request: &Request) -> Vec<Flash> {
    let Some(context) = RequestContext::of(request) else {
        return Vec::new();
    };
    if let Some(flashes) = context.flashes.borrow().as_ref() {
        return flashes.clone();
    }
    let session = Session::of(request);
    let taken = match session.read() {
        Some(data) if data.values.contains_key(FLASHES) => {
            drop(data);
            match session.write() {
                Ok(mut data) => data.values.remove(FLASHES),
                Err(_) => None,
            }
        }
        _ => None,
    };
    let flashes = parse_flashes(taken);
    *context.flashes.borrow_mut() = Some(flashes.clone());
    flashes
}
