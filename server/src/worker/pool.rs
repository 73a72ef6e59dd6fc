//! The handler pool: `threads` threads that run handlers which may block.

use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex, PoisonError};

use carafe_wrappers::hyper::Job;

struct Queue {
    jobs: VecDeque<Job>,
    idle: usize,
}

struct Shared {
    queue: Mutex<Queue>,
    ready: Condvar,
}

/// A fixed set of threads taking jobs from one queue (gunicorn's gthread
/// pool). A job that panics is caught by the job itself (`call_app`); the
/// thread survives anything else too, since it only runs jobs.
#[derive(Clone)]
pub(crate) struct Pool {
    shared: Arc<Shared>,
}

impl Pool {
    /// Starts `threads` threads.
    pub(crate) fn new(threads: usize) -> std::io::Result<Self> {
        let shared = Arc::new(Shared {
            queue: Mutex::new(Queue {
                jobs: VecDeque::new(),
                idle: 0,
            }),
            ready: Condvar::new(),
        });
        for index in 0..threads {
            let shared = Arc::clone(&shared);
            std::thread::Builder::new()
                .name(format!("carafe-handler-{index}"))
                .spawn(move || work(&shared))?;
        }
        Ok(Self { shared })
    }

    /// Queues `job`; an idle thread takes it at once.
    pub(crate) fn spawn(&self, job: Job) {
        let mut queue = self
            .shared
            .queue
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        queue.jobs.push_back(job);
        let wake = queue.idle > 0;
        drop(queue);
        if wake {
            self.shared.ready.notify_one();
        }
    }
}

fn work(shared: &Shared) {
    loop {
        let job = {
            let mut queue = shared.queue.lock().unwrap_or_else(PoisonError::into_inner);
            loop {
                if let Some(job) = queue.jobs.pop_front() {
                    break job;
                }
                queue.idle += 1;
                queue = shared
                    .ready
                    .wait(queue)
                    .unwrap_or_else(PoisonError::into_inner);
                queue.idle -= 1;
            }
        };
        // Jobs catch their own panics; a panic escaping one must not take
        // the thread (and with it a slot of the pool) away.
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;
    use std::time::{Duration, Instant};

    #[test]
    fn runs_jobs_concurrently_up_to_its_size() {
        let pool = Pool::new(4).unwrap();
        let (tx, rx) = mpsc::channel();
        let started = Instant::now();
        for _ in 0..4 {
            let tx = tx.clone();
            pool.spawn(Box::new(move || {
                std::thread::sleep(Duration::from_millis(200));
                tx.send(()).unwrap();
            }));
        }
        for _ in 0..4 {
            rx.recv_timeout(Duration::from_secs(5)).unwrap();
        }
        assert!(
            started.elapsed() < Duration::from_millis(700),
            "{:?}",
            started.elapsed()
        );
    }

    #[test]
    fn survives_a_panicking_job() {
        let pool = Pool::new(1).unwrap();
        pool.spawn(Box::new(|| panic!("job panic")));
        let (tx, rx) = mpsc::channel();
        pool.spawn(Box::new(move || tx.send(7).unwrap()));
        assert_eq!(rx.recv_timeout(Duration::from_secs(5)).unwrap(), 7);
    }
}
