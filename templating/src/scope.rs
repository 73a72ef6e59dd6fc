//! Per-render values for filters and functions: the current request for `url_for`,
//! the user's locale for a date filter, without rebuilding the environment.
//!
//! Template *data* goes in the [`Context`](crate::Context). Rust values that only
//! filters and functions need (a URL adapter bound to the request, a database handle,
//! the sandbox's budget) go in a [`RenderScope`] passed to
//! [`Environment::render_with`](crate::Environment::render_with). While that render
//! runs on the current thread, [`RenderScope::current`] returns the values to any
//! filter or function it calls. Renders nest (a function may render another template),
//! so the innermost render's scope is the one seen.

use std::any::{Any, TypeId};
use std::cell::RefCell;
use std::sync::Arc;

use crate::sandbox::budget::Budget;

/// A small typed map of per-render values, one per type (like `http::Extensions`).
/// Cloning is cheap (one reference count).
///
/// # Examples
///
/// A `url_for` function that needs the current request's mount point:
///
/// ```
/// use carafe_templating::{Context, Environment, Kwargs, RenderScope, State};
///
/// struct CurrentRequest {
///     script_root: String,
/// }
///
/// let env = Environment::builder()
///     .function("url_for", |kwargs: Kwargs, _: &State<'_>| {
///         let endpoint = kwargs.must_get::<&str>("endpoint")?;
///         let root = RenderScope::current::<CurrentRequest>()
///             .map(|r| r.script_root.clone())
///             .unwrap_or_default();
///         Ok::<_, carafe_templating::tera::Error>(format!("{root}/{endpoint}"))
///     })
///     .template("nav.html", r#"<a href="{{ url_for(endpoint='about') }}">About</a>"#)
///     .build()
///     .unwrap();
///
/// let scope = RenderScope::new().with(CurrentRequest { script_root: "/blog".into() });
/// let html = env.render_with("nav.html", &Context::new(), &scope).unwrap();
/// assert_eq!(html, r#"<a href="/blog/about">About</a>"#);
/// ```
#[derive(Clone, Default)]
pub struct RenderScope {
    values: Arc<Vec<(TypeId, Arc<dyn Any + Send + Sync>)>>,
}

impl RenderScope {
    /// An empty scope.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a value, replacing an earlier one of the same type.
    pub fn with<T: Any + Send + Sync>(mut self, value: T) -> Self {
        let values = Arc::make_mut(&mut self.values);
        let id = TypeId::of::<T>();
        values.retain(|(other, _)| *other != id);
        values.push((id, Arc::new(value)));
        self
    }

    /// The value of type `T` in this scope.
    ///
    /// # Examples
    ///
    /// ```
    /// use carafe_templating::RenderScope;
    /// let scope = RenderScope::new().with(42u32).with("locale: fr");
    /// assert_eq!(scope.get::<u32>(), Some(&42));
    /// assert_eq!(scope.get::<i64>(), None);
    /// ```
    pub fn get<T: Any>(&self) -> Option<&T> {
        let id = TypeId::of::<T>();
        self.values
            .iter()
            .find(|(other, _)| *other == id)
            .and_then(|(_, value)| value.downcast_ref())
    }

    /// The value of type `T` in the scope of the render running on this thread (for
    /// filters and functions); `None` outside a render, or when the render was started
    /// without that value.
    pub fn current<T: Any + Send + Sync>() -> Option<Arc<T>> {
        FRAMES.with(|frames| {
            let frames = frames.borrow();
            let scope = frames.iter().rev().find_map(|f| f.scope.as_ref())?;
            let id = TypeId::of::<T>();
            let value = scope
                .values
                .iter()
                .find(|(other, _)| *other == id)?
                .1
                .clone();
            value.downcast().ok()
        })
    }
}

impl std::fmt::Debug for RenderScope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RenderScope")
            .field("values", &self.values.len())
            .finish()
    }
}

/// What a render running on this thread carries for its filters and functions.
pub(crate) struct Frame {
    pub(crate) scope: Option<RenderScope>,
    pub(crate) budget: Option<Budget>,
}

thread_local! {
    static FRAMES: RefCell<Vec<Frame>> = const { RefCell::new(Vec::new()) };
}

/// Pops the frame when the render ends, also by panic.
pub(crate) struct FrameGuard {
    popped: bool,
}

impl FrameGuard {
    /// Ends the render normally and gives its frame back (with the budget's record).
    pub(crate) fn finish(mut self) -> Option<Frame> {
        self.popped = true;
        FRAMES.with(|frames| frames.borrow_mut().pop())
    }
}

impl Drop for FrameGuard {
    fn drop(&mut self) {
        if !self.popped {
            FRAMES.with(|frames| frames.borrow_mut().pop());
        }
    }
}

pub(crate) fn enter(frame: Frame) -> FrameGuard {
    FRAMES.with(|frames| frames.borrow_mut().push(frame));
    FrameGuard { popped: false }
}

/// Runs `f` with the budget of the innermost render on this thread, if that render is
/// sandboxed.
pub(crate) fn with_budget<R>(f: impl FnOnce(&Budget) -> R) -> Option<R> {
    FRAMES.with(|frames| {
        frames
            .borrow()
            .last()
            .and_then(|frame| frame.budget.as_ref())
            .map(f)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn current_sees_the_innermost_scope_and_nothing_after() {
        assert!(RenderScope::current::<u8>().is_none());
        let outer = enter(Frame {
            scope: Some(RenderScope::new().with(1u8)),
            budget: None,
        });
        assert_eq!(RenderScope::current::<u8>().as_deref(), Some(&1));
        {
            let _inner = enter(Frame {
                scope: Some(RenderScope::new().with(2u8)),
                budget: None,
            });
            assert_eq!(RenderScope::current::<u8>().as_deref(), Some(&2));
        }
        assert_eq!(RenderScope::current::<u8>().as_deref(), Some(&1));
        drop(outer);
        assert!(RenderScope::current::<u8>().is_none());
    }

    #[test]
    fn with_replaces_a_value_of_the_same_type() {
        let scope = RenderScope::new().with(1u8).with(2u8);
        assert_eq!(scope.get::<u8>(), Some(&2));
        let copy = scope.clone().with("x");
        assert_eq!(
            scope.get::<&str>(),
            None,
            "clones do not share later additions"
        );
        assert_eq!(copy.get::<&str>(), Some(&"x"));
    }
}
