//! Per-request values (Flask's `g`) and response callbacks registered by a
//! handler (Flask's `after_this_request`).

use std::any::Any;
use std::cell::Ref;

use carafe_wrappers::{Request, Response};

use crate::context::RequestContext;

/// A callback for the response of the current request.
pub(crate) type AfterThis = Box<dyn FnOnce(Response) -> Response + Send>;

/// Storage for values that live as long as one request (Flask's `g`): a
/// `before_request` function loads the user, the handler and the templates
/// read it. One value per type. Outside an app it holds nothing.
///
/// # Examples
///
/// ```
/// use carafe::prelude::*;
/// use carafe::wrappers::test::Client;
///
/// struct User(String);
///
/// fn load_user(request: &Request) {
///     if let Some(name) = request.headers().get("x-user").and_then(|v| v.to_str().ok()) {
///         request.g().insert(User(name.to_owned()));
///     }
/// }
/// fn whoami(request: &Request) -> String {
///     match request.g().get::<User>() {
///         Some(user) => format!("hello {}", user.0),
///         None => "anonymous".into(),
///     }
/// }
/// let app = App::builder().before_request(load_user).route("/", whoami).build();
/// let client = Client::new(app);
/// assert_eq!(client.get("/").header("x-user", "ada").send().text(), "hello ada");
/// assert_eq!(client.get("/").send().text(), "anonymous");
/// ```
#[derive(Clone, Copy)]
pub struct Globals<'r> {
    context: Option<&'r RequestContext>,
}

impl std::fmt::Debug for Globals<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let len = self.context.map_or(0, |c| c.globals.borrow().len());
        f.debug_struct("Globals").field("len", &len).finish()
    }
}

impl<'r> Globals<'r> {
    pub(crate) fn of(request: &'r Request) -> Self {
        Globals {
            context: RequestContext::of(request),
        }
    }

    /// Stores `value`, returning the value of that type it replaces.
    ///
    /// # Examples
    ///
    /// See [`Globals`].
    pub fn insert<T: Any + Send>(&self, value: T) -> Option<T> {
        let context = self.context?;
        let mut values = context.globals.borrow_mut();
        for slot in values.iter_mut() {
            if slot.is::<T>() {
                let old = std::mem::replace(slot, Box::new(value));
                return old.downcast::<T>().ok().map(|old| *old);
            }
        }
        values.push(Box::new(value));
        None
    }

    /// The value of type `T`, borrowed until the returned guard drops.
    ///
    /// # Panics
    ///
    /// When a value is being inserted or removed at the same time (not
    /// possible from one handler's code).
    ///
    /// # Examples
    ///
    /// See [`Globals`].
    pub fn get<T: Any + Send>(&self) -> Option<Ref<'r, T>> {
        let context = self.context?;
        Ref::filter_map(context.globals.borrow(), |values| {
            values.iter().find_map(|value| value.downcast_ref::<T>())
        })
        .ok()
    }

    /// Removes and returns the value of type `T`.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe::prelude::*;
    /// assert_eq!(Request::get("/").g().remove::<u8>(), None);
    /// ```
    pub fn remove<T: Any + Send>(&self) -> Option<T> {
        let context = self.context?;
        let mut values = context.globals.borrow_mut();
        let index = values.iter().position(|value| value.is::<T>())?;
        values
            .remove(index)
            .downcast::<T>()
            .ok()
            .map(|value| *value)
    }
}
