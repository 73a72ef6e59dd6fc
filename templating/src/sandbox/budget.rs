//! The running account of one sandboxed render: time, iterations, depth, output.
//!
//! A budget lives in the thread's render [frame](crate::scope) while the render runs;
//! the sandbox's hooks (loop starts, component entries, `set`, bounded filters, the
//! output writer) charge it. The first cap that fires is remembered, so the error
//! that comes back out of Tera (which only keeps a message) can be turned back into a
//! typed [`Error::CapExceeded`](crate::Error::CapExceeded).

use std::cell::{Cell, RefCell};
use std::time::Duration;

use tera::Value;
use tera::value::ValueKind;

use super::Caps;
use crate::scope;
use crate::{Cap, ForbiddenKind};

pub(crate) struct Budget {
    pub(crate) caps: Caps,
    /// `None`: the render time is not capped (a limit too large to add to now).
    deadline: Option<Duration>,
    iterations: Cell<u64>,
    loops: Cell<u32>,
    depth: Cell<u64>,
    violation: Cell<Option<Cap>>,
    forbidden: RefCell<Option<(ForbiddenKind, String)>>,
}

impl Budget {
    pub(crate) fn new(caps: Caps) -> Self {
        Budget {
            caps,
            deadline: now().checked_add(caps.render_time()),
            iterations: Cell::new(0),
            loops: Cell::new(0),
            depth: Cell::new(0),
            violation: Cell::new(None),
            forbidden: RefCell::new(None),
        }
    }

    /// The first cap that fired during this render.
    pub(crate) fn violation(&self) -> Option<Cap> {
        self.violation.get()
    }

    /// Records `cap` as fired and returns the error that aborts the render.
    pub(crate) fn fail(&self, cap: Cap) -> tera::Error {
        if self.violation.get().is_none() {
            self.violation.set(Some(cap));
        }
        let limit = self.caps.limit(cap).unwrap_or_default();
        tera::Error::message(format!(
            "sandbox cap `{cap}` exceeded (limit: {limit} {})",
            cap.unit()
        ))
    }

    /// What the policy refused during this render (a denied filter called at run time).
    pub(crate) fn forbidden(&self) -> Option<(ForbiddenKind, String)> {
        self.forbidden.borrow().clone()
    }

    pub(crate) fn forbid(&self, kind: ForbiddenKind, name: &str) -> tera::Error {
        self.forbidden
            .borrow_mut()
            .get_or_insert_with(|| (kind, name.to_string()));
        tera::Error::message(format!("the sandbox does not allow the {kind} `{name}`"))
    }

    /// Measures a value the template built: text bytes, items (nested included) and
    /// nesting, without recursion and stopping as soon as a cap is passed.
    pub(crate) fn measure(&self, value: &Value) -> Result<(), tera::Error> {
        let mut items: u64 = 0;
        let mut bytes: u64 = 0;
        let mut pending: Vec<(&Value, u64)> = vec![(value, 0)];
        while let Some((value, depth)) = pending.pop() {
            if depth > self.caps.max_value_depth {
                return Err(self.fail(Cap::ValueDepth));
            }
            match value.kind() {
                ValueKind::String => bytes += value.as_str().map_or(0, str::len) as u64,
                ValueKind::Bytes => bytes += value.as_bytes().map_or(0, <[u8]>::len) as u64,
                ValueKind::Array => {
                    let array = value.as_array().unwrap_or_default();
                    items += array.len() as u64;
                    if items > self.caps.max_collection_items {
                        return Err(self.fail(Cap::CollectionLength));
                    }
                    pending.extend(array.iter().map(|v| (v, depth + 1)));
                }
                ValueKind::Map => {
                    let Some(map) = value.as_map() else { continue };
                    items += map.len() as u64;
                    if items > self.caps.max_collection_items {
                        return Err(self.fail(Cap::CollectionLength));
                    }
                    for (key, v) in map.iter() {
                        bytes += key.as_str().map_or(0, str::len) as u64;
                        pending.push((v, depth + 1));
                    }
                }
                _ => {}
            }
            if bytes > self.caps.max_string_bytes {
                return Err(self.fail(Cap::StringLength));
            }
        }
        Ok(())
    }

    pub(crate) fn check_time(&self) -> Result<(), tera::Error> {
        match self.deadline {
            Some(deadline) if now() >= deadline => Err(self.fail(Cap::RenderTime)),
            _ => Ok(()),
        }
    }

    /// Charges `n` loop iterations (or component calls) before they run, and reads
    /// the clock before a long loop and every 16th loop.
    pub(crate) fn charge_iterations(&self, n: u64) -> Result<(), tera::Error> {
        let total = self.iterations.get().saturating_add(n);
        if total > self.caps.max_iterations {
            return Err(self.fail(Cap::Iterations));
        }
        self.iterations.set(total);
        let loops = self.loops.get().wrapping_add(1);
        self.loops.set(loops);
        if n >= 64 || loops.is_multiple_of(16) {
            self.check_time()?;
        }
        Ok(())
    }

    pub(crate) fn enter_component(&self) -> Result<(), tera::Error> {
        let depth = self.depth.get() + 1;
        if depth > self.caps.max_recursion_depth {
            return Err(self.fail(Cap::RecursionDepth));
        }
        self.depth.set(depth);
        self.charge_iterations(1)
    }

    pub(crate) fn leave_component(&self) {
        self.depth.set(self.depth.get().saturating_sub(1));
    }

    pub(crate) fn check_string(&self, bytes: usize) -> Result<(), tera::Error> {
        if bytes as u64 > self.caps.max_string_bytes {
            return Err(self.fail(Cap::StringLength));
        }
        Ok(())
    }

    pub(crate) fn check_collection(&self, items: usize) -> Result<(), tera::Error> {
        if items as u64 > self.caps.max_collection_items {
            return Err(self.fail(Cap::CollectionLength));
        }
        Ok(())
    }
}

/// The sandbox's clock. On Linux, the coarse monotonic clock: a read costs a few
/// nanoseconds instead of about 25 (a render reads it at least once), with the kernel
/// tick's resolution (1 to 4 ms), plenty for render caps of tens of milliseconds.
#[cfg(target_os = "linux")]
fn now() -> Duration {
    nix::time::clock_gettime(nix::time::ClockId::CLOCK_MONOTONIC_COARSE)
        .map(Duration::from)
        .unwrap_or_default()
}

/// The sandbox's clock: time since the first read.
#[cfg(not(target_os = "linux"))]
fn now() -> Duration {
    static START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    START.get_or_init(std::time::Instant::now).elapsed()
}

/// Checks a string about to be built against the running render's budget; outside a
/// sandboxed render this does nothing. For filters: call it *before* building.
///
/// # Examples
///
/// ```
/// // Outside a sandbox render, any size passes.
/// assert!(carafe_templating::sandbox::check_string_len(usize::MAX).is_ok());
/// ```
pub fn check_string_len(bytes: usize) -> Result<(), tera::Error> {
    scope::with_budget(|budget| budget.check_string(bytes)).unwrap_or(Ok(()))
}

/// Checks an array or map about to be built against the running render's budget;
/// outside a sandboxed render this does nothing.
///
/// # Examples
///
/// ```
/// assert!(carafe_templating::sandbox::check_collection_len(1 << 40).is_ok());
/// ```
pub fn check_collection_len(items: usize) -> Result<(), tera::Error> {
    scope::with_budget(|budget| budget.check_collection(items)).unwrap_or(Ok(()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn iterations_are_charged_before_running() {
        let budget = Budget::new(Caps::default().max_iterations(10));
        assert!(budget.charge_iterations(6).is_ok());
        assert!(budget.charge_iterations(5).is_err());
        assert_eq!(budget.violation(), Some(Cap::Iterations));
    }

    #[test]
    fn the_first_violation_is_kept() {
        let budget = Budget::new(Caps::default().max_string_bytes(1).max_collection_items(1));
        assert!(budget.check_collection(2).is_err());
        assert!(budget.check_string(2).is_err());
        assert_eq!(budget.violation(), Some(Cap::CollectionLength));
    }

    #[test]
    fn depth_goes_down_again() {
        let budget = Budget::new(Caps::default().max_recursion_depth(2));
        budget.enter_component().unwrap();
        budget.enter_component().unwrap();
        assert!(budget.enter_component().is_err());
        budget.leave_component();
        budget.leave_component();
        assert!(budget.enter_component().is_ok());
    }

    #[test]
    fn an_enormous_time_limit_means_no_limit() {
        let budget = Budget::new(Caps::default().max_render_time(Duration::MAX));
        assert!(budget.check_time().is_ok());
    }

    #[test]
    fn time_runs_out() {
        let budget = Budget::new(Caps::default().max_render_time(Duration::ZERO));
        std::thread::sleep(Duration::from_millis(2));
        assert!(budget.check_time().is_err());
        assert_eq!(budget.violation(), Some(Cap::RenderTime));
    }

    #[test]
    fn measure_counts_nested_items_text_and_depth() {
        let budget = Budget::new(
            Caps::default()
                .max_collection_items(5)
                .max_string_bytes(6)
                .max_value_depth(2),
        );
        assert!(
            budget
                .measure(&Value::from(vec![vec![1, 2], vec![3]]))
                .is_ok()
        );
        assert!(
            budget
                .measure(&Value::from(vec![vec![1, 2], vec![3, 4]]))
                .is_err()
        );
        assert_eq!(budget.violation(), Some(Cap::CollectionLength));
        let budget = Budget::new(Caps::default().max_string_bytes(6));
        assert!(budget.measure(&Value::from(vec!["abc", "def"])).is_ok());
        assert!(budget.measure(&Value::from(vec!["abc", "defg"])).is_err());
        let budget = Budget::new(Caps::default().max_value_depth(2));
        let deep = Value::from(vec![Value::from(vec![Value::from(vec![Value::from(1)])])]);
        assert!(budget.measure(&deep).is_err());
        assert_eq!(budget.violation(), Some(Cap::ValueDepth));
    }
}
