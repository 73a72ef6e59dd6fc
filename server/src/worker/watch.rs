//! What a worker knows about its handlers: how long each request shape
//! takes (the adaptive scheduler's prediction), which handlers run right now
//! and since when (the `timeout` watchdog), and how many requests it served
//! (`max_requests`).

use std::cell::Cell;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use carafe_wrappers::{Application, Request, Response};

/// Handlers predicted to take less than this run inline.
pub(crate) const FAST: Duration = Duration::from_millis(1);

const TABLE: usize = 4096;

/// Per request shape (method and path, digit runs folded so `/users/42` and
/// `/users/7` are one shape), an estimate of the handler's duration: it jumps
/// up to a slower sample at once and decays towards faster ones by 1/8 per
/// sample. A fixed table, no locks: an entry is a tag and an estimate in µs
/// in one atomic word; two shapes sharing a slot evict each other (both are
/// then unknown, which is the safe side).
pub(crate) struct Predictor {
    table: Box<[AtomicU64]>,
}

impl Predictor {
    pub(crate) fn new() -> Self {
        Self {
            table: (0..TABLE).map(|_| AtomicU64::new(0)).collect(),
        }
    }

    /// The shape of a request.
    pub(crate) fn key(request: &Request) -> u64 {
        // FNV-1a over the method, a separator and the path with every run of
        // ASCII digits replaced by one `#`.
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        let mut feed = |byte: u8| {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        };
        request.method().as_str().bytes().for_each(&mut feed);
        feed(b' ');
        let mut in_digits = false;
        for byte in request.path_info().bytes() {
            if byte.is_ascii_digit() {
                if !in_digits {
                    feed(b'#');
                }
                in_digits = true;
            } else {
                in_digits = false;
                feed(byte);
            }
        }
        hash
    }

    /// Leaves `key` for [`Watched`]'s call of the handler of `request`,
    /// which follows on this thread (a request is known by its path's
    /// buffer, which stays put while the request moves).
    pub(crate) fn hand_over(key: u64, request: &Request) {
        HANDED_OVER.set(Some((key, request.path_info().as_ptr() as usize)));
    }

    /// The key of `request`: the one handed over for it, else computed.
    fn key_of(request: &Request) -> u64 {
        match HANDED_OVER.take() {
            Some((key, path)) if path == request.path_info().as_ptr() as usize => key,
            _ => Self::key(request),
        }
    }

    fn slot(&self, key: u64) -> (&AtomicU64, u64) {
        let tag = (key >> 32) | 1;
        (&self.table[(key as usize) % TABLE], tag)
    }

    /// Whether requests of this shape are known to be fast.
    pub(crate) fn is_fast(&self, key: u64) -> bool {
        let (slot, tag) = self.slot(key);
        let entry = slot.load(Ordering::Relaxed);
        entry >> 32 == tag && (entry & 0xffff_ffff) < FAST.as_micros() as u64
    }

    /// Records one handler duration.
    pub(crate) fn record(&self, key: u64, took: Duration) {
        let (slot, tag) = self.slot(key);
        let sample = took.as_micros().min(u128::from(u32::MAX)) as u64;
        let entry = slot.load(Ordering::Relaxed);
        let estimate = if entry >> 32 == tag {
            let old = entry & 0xffff_ffff;
            if sample >= old {
                sample
            } else {
                old - old / 8 + sample / 8
            }
        } else {
            sample
        };
        slot.store((tag << 32) | estimate, Ordering::Relaxed);
    }
}

thread_local! {
    /// The shape key `Dispatch::run_inline` computed for the request whose
    /// handler this thread runs next, with that request's path address.
    static HANDED_OVER: Cell<Option<(u64, usize)>> = const { Cell::new(None) };
    /// This thread's index in `Watch::running` (`usize::MAX`: none yet).
    static SLOT: Cell<usize> = const { Cell::new(usize::MAX) };
}

/// The worker's view of its handlers.
pub(crate) struct Watch {
    base: Instant,
    /// Per thread that ran a handler: when the running one started (ns since
    /// `base`, odd so that 0 means idle).
    running: Box<[AtomicU64]>,
    next_slot: AtomicUsize,
    pub(crate) predictor: Predictor,
    predict: bool,
    served: AtomicU64,
    max_requests: u64,
    retire: AtomicBool,
    pub(crate) retire_notify: tokio::sync::Notify,
}

impl Watch {
    /// A watch for up to `threads` threads running handlers; `max_requests`
    /// 0 never retires.
    pub(crate) fn new(threads: usize, max_requests: u64, predict: bool) -> Arc<Self> {
        Arc::new(Self {
            base: Instant::now(),
            running: (0..threads).map(|_| AtomicU64::new(0)).collect(),
            next_slot: AtomicUsize::new(0),
            predictor: Predictor::new(),
            predict,
            served: AtomicU64::new(0),
            max_requests,
            retire: AtomicBool::new(false),
            retire_notify: tokio::sync::Notify::new(),
        })
    }

    fn my_slot(&self) -> Option<&AtomicU64> {
        let mut index = SLOT.get();
        if index == usize::MAX {
            index = self.next_slot.fetch_add(1, Ordering::Relaxed);
            SLOT.set(index);
        }
        self.running.get(index)
    }

    /// How long the longest-running handler has been running.
    pub(crate) fn longest_running(&self) -> Option<Duration> {
        let now = self.base.elapsed().as_nanos() as u64;
        self.running
            .iter()
            .map(|slot| slot.load(Ordering::Relaxed))
            .filter(|started| *started != 0)
            .map(|started| Duration::from_nanos(now.saturating_sub(started)))
            .max()
    }

    /// Whether `max_requests` was reached.
    #[cfg(test)]
    pub(crate) fn retiring(&self) -> bool {
        self.retire.load(Ordering::Relaxed)
    }
}

/// Clears the running slot and records the duration, also when the handler
/// panics.
struct Running<'a> {
    watch: &'a Watch,
    slot: Option<&'a AtomicU64>,
    started: Instant,
    key: Option<u64>,
}

impl Drop for Running<'_> {
    fn drop(&mut self) {
        if let Some(slot) = self.slot {
            slot.store(0, Ordering::Relaxed);
        }
        if let Some(key) = self.key {
            self.watch.predictor.record(key, self.started.elapsed());
        }
    }
}

/// The application, watched.
pub(crate) struct Watched<A> {
    pub(crate) app: A,
    pub(crate) watch: Arc<Watch>,
}

impl<A: Application> Application for Watched<A> {
    fn handle(&self, request: Request) -> Response {
        let watch = &*self.watch;
        let key = watch.predict.then(|| Predictor::key_of(&request));
        let started = Instant::now();
        let slot = watch.my_slot();
        if let Some(slot) = slot {
            let since = started.duration_since(watch.base).as_nanos() as u64;
            slot.store(since | 1, Ordering::Relaxed);
        }
        let _running = Running {
            watch,
            slot,
            started,
            key,
        };
        if watch.max_requests > 0 {
            let served = watch.served.fetch_add(1, Ordering::Relaxed) + 1;
            if served == watch.max_requests {
                watch.retire.store(true, Ordering::Relaxed);
                watch.retire_notify.notify_one();
            }
        }
        self.app.handle(request)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(method: &str, path: &str) -> Request {
        let (head, ()) = http::Request::builder()
            .method(method)
            .uri(path)
            .body(())
            .unwrap()
            .into_parts();
        Request::from_parts(head, carafe_wrappers::Body::empty())
    }

    #[test]
    fn digit_runs_share_a_shape() {
        let key = |m, p| Predictor::key(&request(m, p));
        assert_eq!(key("GET", "/users/42/posts"), key("GET", "/users/7/posts"));
        assert_ne!(key("GET", "/users/42"), key("POST", "/users/42"));
        assert_ne!(key("GET", "/users/42"), key("GET", "/users/x"));
    }

    #[test]
    fn unknown_is_slow_fast_after_a_fast_sample_slow_at_once_after_a_slow_one() {
        let predictor = Predictor::new();
        let key = Predictor::key(&request("GET", "/a"));
        assert!(!predictor.is_fast(key));
        predictor.record(key, Duration::from_micros(20));
        assert!(predictor.is_fast(key));
        predictor.record(key, Duration::from_millis(900));
        assert!(!predictor.is_fast(key));
        // It takes many fast samples to trust the shape again.
        for _ in 0..20 {
            predictor.record(key, Duration::from_micros(20));
        }
        assert!(!predictor.is_fast(key));
        for _ in 0..60 {
            predictor.record(key, Duration::from_micros(20));
        }
        assert!(predictor.is_fast(key));
    }

    #[test]
    fn a_handed_over_key_serves_only_its_own_request() {
        let users = request("GET", "/users/1");
        let other = request("GET", "/other");
        Predictor::hand_over(12345, &users);
        assert_eq!(Predictor::key_of(&other), Predictor::key(&other));
        assert_eq!(
            Predictor::key_of(&users),
            Predictor::key(&users),
            "taken once"
        );
        Predictor::hand_over(12345, &users);
        let moved = users;
        assert_eq!(
            Predictor::key_of(&moved),
            12345,
            "the request moved, its path did not"
        );
    }

    #[test]
    fn watched_app_counts_and_tracks() {
        let watch = Watch::new(4, 2, true);
        let app = Watched {
            app: |_: Request| Response::text("x"),
            watch: Arc::clone(&watch),
        };
        app.handle(request("GET", "/"));
        assert!(!watch.retiring());
        app.handle(request("GET", "/"));
        assert!(watch.retiring());
        assert_eq!(watch.longest_running(), None);
    }
}
