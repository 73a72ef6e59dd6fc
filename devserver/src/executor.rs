//! One request at a time: Werkzeug's non-threaded mode on hyper.
//!
//! Connections are read and written concurrently on the current-thread
//! runtime (so a slow client never blocks the others), but handlers run one
//! after the other:
//!
//! - a handler whose request body is in memory runs inline on the runtime
//!   thread when no other handler is running or waiting;
//! - otherwise (its body still arriving, or another handler busy) it goes to
//!   the queue of the one handler thread, which runs jobs in arrival order.
//!
//! While the handler thread has work, nothing runs inline, and while a
//! handler runs inline the runtime thread cannot hand out work: so two
//! handlers never overlap.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;

use carafe_wrappers::Request;
use carafe_wrappers::hyper::{Executor, Job};

/// The one-at-a-time [`Executor`] of the development server.
pub(crate) struct Serial {
    queue: mpsc::Sender<Job>,
    /// Jobs queued or running on the handler thread.
    busy: Arc<AtomicUsize>,
}

impl Serial {
    /// Starts the handler thread; it ends when the executor is dropped.
    pub(crate) fn start() -> std::io::Result<Self> {
        let (queue, jobs) = mpsc::channel::<Job>();
        let busy = Arc::new(AtomicUsize::new(0));
        let done = Arc::clone(&busy);
        std::thread::Builder::new()
            .name("carafe-devserver-handler".to_owned())
            .spawn(move || {
                for job in jobs {
                    // Handlers are wrapped in `call_app`, which catches their
                    // panics; this guards the count against anything else.
                    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
                    done.fetch_sub(1, Ordering::SeqCst);
                }
            })?;
        Ok(Self { queue, busy })
    }
}

impl Executor for Serial {
    fn spawn(&self, job: Job) {
        self.busy.fetch_add(1, Ordering::SeqCst);
        if self.queue.send(job).is_err() {
            // The handler thread is gone (it never panics out of its loop);
            // the job is dropped, and with it the response channel: the
            // gateway answers 500.
            self.busy.fetch_sub(1, Ordering::SeqCst);
        }
    }

    fn run_inline(&self, _: &Request) -> bool {
        self.busy.load(Ordering::SeqCst) == 0
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;
    use std::time::Duration;

    use super::*;

    #[test]
    fn jobs_run_one_at_a_time_in_order_and_block_inline_runs() {
        let executor = Serial::start().unwrap();
        assert!(executor.run_inline(&Request::get("/")));
        let log = Arc::new(Mutex::new(Vec::new()));
        let (release, gate) = mpsc::channel::<()>();
        let first = Arc::clone(&log);
        executor.spawn(Box::new(move || {
            gate.recv().unwrap();
            first.lock().unwrap().push(1);
        }));
        let second = Arc::clone(&log);
        executor.spawn(Box::new(move || second.lock().unwrap().push(2)));
        assert!(!executor.run_inline(&Request::get("/")), "busy: queue");
        release.send(()).unwrap();
        for _ in 0..500 {
            if executor.run_inline(&Request::get("/")) {
                break;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        assert!(executor.run_inline(&Request::get("/")), "idle again");
        assert_eq!(*log.lock().unwrap(), [1, 2]);
    }

    #[test]
    fn a_panicking_job_does_not_stop_the_thread() {
        let executor = Serial::start().unwrap();
        executor.spawn(Box::new(|| panic!("a job panicked")));
        let (tx, rx) = mpsc::channel();
        executor.spawn(Box::new(move || tx.send(()).unwrap()));
        rx.recv_timeout(Duration::from_secs(5)).unwrap();
    }
}
