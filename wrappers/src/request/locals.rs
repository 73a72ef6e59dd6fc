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

/// The request-local values, one per type. The first lives inline (one
/// allocation for the usual single framework context), the others in a
/// list.
#[derive(Default)]
pub(super) struct Locals {
    first: Option<Box<dyn Any + Send>>,
    rest: Vec<Box<dyn Any + Send>>,
}

impl fmt::Debug for Locals {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Locals")
            .field(
                "len",
                &(usize::from(self.first.is_some()) + self.rest.len()),
            )
            .finish()
    }
}

impl Locals {
    fn slots(&self) -> impl Iterator<Item = &Box<dyn Any + Send>> {
        self.first.iter().chain(self.rest.iter())
    }

    fn slots_mut(&mut self) -> impl Iterator<Item = &mut Box<dyn Any + Send>> {
        self.first.iter_mut().chain(self.rest.iter_mut())
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
        let locals = &mut self.fields.cache.locals;
        if let Some(slot) = locals
            .slots_mut()
            .find(|slot| (***slot).type_id() == TypeId::of::<T>())
        {
            let old = std::mem::replace(slot, Box::new(value));
            return old.downcast::<T>().ok().map(|old| *old);
        }
        if locals.first.is_none() {
            locals.first = Some(Box::new(value));
        } else {
            locals.rest.push(Box::new(value));
        }
        None
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
        self.fields
            .cache
            .locals
            .slots()
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
        self.fields
            .cache
            .locals
            .slots_mut()
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
        let locals = &mut self.fields.cache.locals;
        let is_t = |slot: &Box<dyn Any + Send>| (**slot).type_id() == TypeId::of::<T>();
        let taken = if locals.first.as_ref().is_some_and(is_t) {
            let taken = locals.first.take();
            if !locals.rest.is_empty() {
                locals.first = Some(locals.rest.remove(0));
            }
            taken
        } else {
            let index = locals.rest.iter().position(is_t)?;
            Some(locals.rest.remove(index))
        };
        taken?.downcast::<T>().ok().map(|value| *value)
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
    fn remove_keeps_the_others() {
        let mut request = Request::get("/");
        request.insert_local(1u8);
        request.insert_local(2u16);
        request.insert_local(3u32);
        assert_eq!(request.remove_local::<u8>(), Some(1));
        assert_eq!(request.remove_local::<u8>(), None);
        assert_eq!(request.local::<u16>(), Some(&2));
        assert_eq!(request.remove_local::<u32>(), Some(3));
        assert_eq!(request.local::<u16>(), Some(&2));
    }

    #[test]
    fn request_stays_send() {
        fn send<T: Send>() {}
        send::<Request>();
    }
}
