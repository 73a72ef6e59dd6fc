//! Request-local values: typed data a framework attaches to one request.
//!
//! `http::Extensions` only holds `Send + Sync + Clone` values, which rules
//! out per-request state with interior mutability (a `RefCell` session, a
//! `Cell` flag). These values only need `Send`: a request moves between
//! threads but is never shared. They do not survive
//! [`into_http`](Request::into_http).

use std::any::{Any, TypeId};
use std::fmt;

use super::Request;

/// The request-local values, one per type.
#[derive(Default)]
pub(super) struct Locals {
    values: Vec<Box<dyn Any + Send>>,
}

impl fmt::Debug for Locals {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Locals")
            .field("len", &self.values.len())
            .finish()
    }
}

impl Locals {
    fn position<T: Any>(&self) -> Option<usize> {
        self.values
            .iter()
            .position(|value| (**value).type_id() == TypeId::of::<T>())
    }
}

impl Request {
    /// Attaches a request-local value of type `T` (frameworks: the
    /// application's per-request context), returning the one it replaces.
    ///
    /// Unlike [`extensions_mut`](Self::extensions_mut) the value needs to be
    /// `Send` only, so it may use `Cell`/`RefCell` for state that changes
    /// while the request is handled.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::cell::Cell;
    /// use carafe_wrappers::Request;
    ///
    /// struct Visits(Cell<u32>);
    ///
    /// let mut request = Request::get("/");
    /// assert!(request.insert_local(Visits(Cell::new(0))).is_none());
    /// let visits = request.local::<Visits>().unwrap();
    /// visits.0.set(visits.0.get() + 1);
    /// assert_eq!(request.local::<Visits>().unwrap().0.get(), 1);
    /// ```
    pub fn insert_local<T: Any + Send>(&mut self, value: T) -> Option<T> {
        let locals = &mut self.cache.locals;
        match locals.position::<T>() {
            Some(index) => {
                let old = std::mem::replace(&mut locals.values[index], Box::new(value));
                old.downcast::<T>().ok().map(|old| *old)
            }
            None => {
                locals.values.push(Box::new(value));
                None
            }
        }
    }

    /// The request-local value of type `T`, if one was attached.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::Request;
    ///
    /// let mut request = Request::get("/");
    /// assert_eq!(request.local::<u8>(), None);
    /// request.insert_local(7u8);
    /// assert_eq!(request.local::<u8>(), Some(&7));
    /// ```
    pub fn local<T: Any + Send>(&self) -> Option<&T> {
        self.cache
            .locals
            .values
            .iter()
            .find_map(|value| value.downcast_ref::<T>())
    }

    /// The request-local value of type `T`, mutably.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::Request;
    ///
    /// let mut request = Request::get("/");
    /// request.insert_local(String::from("a"));
    /// request.local_mut::<String>().unwrap().push('b');
    /// assert_eq!(request.local::<String>().unwrap(), "ab");
    /// ```
    pub fn local_mut<T: Any + Send>(&mut self) -> Option<&mut T> {
        self.cache
            .locals
            .values
            .iter_mut()
            .find_map(|value| value.downcast_mut::<T>())
    }

    /// Detaches the request-local value of type `T`.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_wrappers::Request;
    ///
    /// let mut request = Request::get("/");
    /// request.insert_local(1u32);
    /// assert_eq!(request.remove_local::<u32>(), Some(1));
    /// assert_eq!(request.local::<u32>(), None);
    /// ```
    pub fn remove_local<T: Any + Send>(&mut self) -> Option<T> {
        let locals = &mut self.cache.locals;
        let index = locals.position::<T>()?;
        locals
            .values
            .remove(index)
            .downcast::<T>()
            .ok()
            .map(|value| *value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_value_per_type() {
        let mut request = Request::get("/");
        request.insert_local(1u32);
        request.insert_local(String::from("x"));
        assert_eq!(request.insert_local(2u32), Some(1));
        assert_eq!(request.local::<u32>(), Some(&2));
        assert_eq!(request.local::<String>().map(String::as_str), Some("x"));
    }

    #[test]
    fn request_stays_send() {
        fn send<T: Send>() {}
        send::<Request>();
    }
}
