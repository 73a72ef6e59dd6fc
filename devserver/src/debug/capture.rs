//! Catching a handler's panic with its message, location and backtrace.
//!
//! A process-wide panic hook (installed once, in front of the previous one,
//! which still runs: the terminal shows the panic as usual) records the
//! panic of the current thread while [`catch`] is running on it.

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Once;

use backtrace::Backtrace;

/// A caught panic.
#[derive(Debug)]
pub(crate) struct Panic {
    /// The panic message (`"Box<dyn Any>"` when the payload is not a string).
    pub(crate) message: String,
    /// `file:line:column` of the `panic!`.
    pub(crate) location: Option<String>,
    /// The thread's name.
    pub(crate) thread: String,
    /// The stack at the panic, not yet symbolised.
    pub(crate) backtrace: Option<Backtrace>,
}

thread_local! {
    static ARMED: Cell<bool> = const { Cell::new(false) };
    static CAUGHT: RefCell<Option<Panic>> = const { RefCell::new(None) };
}

fn payload_message(payload: &(dyn Any + Send)) -> String {
    if let Some(message) = payload.downcast_ref::<&str>() {
        (*message).to_owned()
    } else if let Some(message) = payload.downcast_ref::<String>() {
        message.clone()
    } else {
        "Box<dyn Any>".to_owned()
    }
}

fn install_hook() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if ARMED.with(Cell::get) {
                let panic = Panic {
                    message: payload_message(info.payload()),
                    location: info
                        .location()
                        .map(|at| format!("{}:{}:{}", at.file(), at.line(), at.column())),
                    thread: std::thread::current()
                        .name()
                        .unwrap_or("<unnamed>")
                        .to_owned(),
                    backtrace: Some(Backtrace::new_unresolved()),
                };
                CAUGHT.with(|caught| *caught.borrow_mut() = Some(panic));
            }
            previous(info);
        }));
    });
}

/// Runs `f`; a panic comes back as `Err` with what the hook saw.
pub(crate) fn catch<R>(f: impl FnOnce() -> R) -> Result<R, Panic> {
    install_hook();
    // A panic the application caught itself may have left one here.
    CAUGHT.with(|caught| caught.borrow_mut().take());
    let armed = ARMED.with(|armed| armed.replace(true));
    let result = catch_unwind(AssertUnwindSafe(f));
    ARMED.with(|cell| cell.set(armed));
    result.map_err(|payload| {
        CAUGHT
            .with(|caught| caught.borrow_mut().take())
            .unwrap_or_else(|| Panic {
                // A hook installed after ours replaced it: the payload is
                // all there is.
                message: payload_message(payload.as_ref()),
                location: None,
                thread: std::thread::current()
                    .name()
                    .unwrap_or("<unnamed>")
                    .to_owned(),
                backtrace: None,
            })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catches_message_location_and_backtrace() {
        let line = line!() + 1;
        let panic = catch(|| -> () { panic!("boom {}", 42) }).unwrap_err();
        assert_eq!(panic.message, "boom 42");
        let location = panic.location.unwrap();
        assert!(
            location.contains(&format!("capture.rs:{line}:")),
            "{location}"
        );
        assert!(panic.backtrace.is_some());
    }

    #[test]
    fn passes_results_through_and_disarms() {
        assert_eq!(catch(|| 7).unwrap(), 7);
        assert!(!ARMED.with(Cell::get));
        let nested = catch(|| catch(|| -> () { panic!("inner") }).unwrap_err().message);
        assert_eq!(nested.unwrap(), "inner");
    }

    #[test]
    fn non_string_payloads() {
        let panic = catch(|| std::panic::panic_any(5_u8)).unwrap_err();
        assert_eq!(panic.message, "Box<dyn Any>");
    }
}
