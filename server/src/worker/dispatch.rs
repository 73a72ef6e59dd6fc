//! Where a worker runs each handler (the `scheduler` setting).

use std::sync::Arc;

use carafe_wrappers::Request;
use carafe_wrappers::hyper::{Executor, Job};

use super::pool::Pool;
use super::watch::{Predictor, Watch};
use crate::Scheduler;

/// The worker's executor: the handler pool, and the choice of running a
/// handler inline instead.
pub(crate) struct Dispatch {
    pub(crate) scheduler: Scheduler,
    pub(crate) pool: Pool,
    pub(crate) watch: Arc<Watch>,
}

impl Executor for Dispatch {
    fn spawn(&self, job: Job) {
        match self.scheduler {
            Scheduler::Blocking => drop(tokio::task::spawn_blocking(job)),
            _ => self.pool.spawn(job),
        }
    }

    fn run_inline(&self, request: &Request) -> bool {
        match self.scheduler {
            Scheduler::Inline => true,
            Scheduler::Pool | Scheduler::Blocking => false,
            Scheduler::Adaptive => {
                let key = Predictor::key(request);
                let fast = self.watch.predictor.is_fast(key);
                if fast {
                    // The handler runs next, on this thread: it reuses the key.
                    Predictor::hand_over(key, request);
                }
                fast
            }
        }
    }
}
