//! A graceful-shutdown signal for many connections, cheap to poll.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::task::{Context, Poll, Waker};

#[derive(Default)]
struct Slot {
    fired: AtomicBool,
    waker: Mutex<Option<Waker>>,
}

#[derive(Default)]
struct Inner {
    fired: AtomicBool,
    watchers: Mutex<Vec<Weak<Slot>>>,
    registered: AtomicUsize,
}

/// Tells every connection that watches it to finish gracefully (the
/// `shutdown` argument of [`Gateway::serve_connection`](super::Gateway::serve_connection)).
///
/// Each connection gets its own [`ShutdownWatch`]: polling one costs an
/// atomic load (no lock shared between connections, unlike a broadcast
/// channel), and [`fire`](Self::fire) wakes them all.
///
/// # Examples
///
/// ```
/// use carafe_wrappers::hyper::Shutdown;
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let shutdown = Shutdown::new();
/// let watch = shutdown.watch();
/// let waiter = tokio::spawn(watch);
/// shutdown.fire();
/// waiter.await.unwrap();
/// assert!(shutdown.is_fired());
/// # });
/// ```
#[derive(Clone, Default)]
pub struct Shutdown {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Shutdown {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shutdown")
            .field("fired", &self.is_fired())
            .finish_non_exhaustive()
    }
}

impl Shutdown {
    /// A signal that has not fired.
    pub fn new() -> Self {
        Self::default()
    }

    /// A future that completes when the signal fires (at once if it has).
    pub fn watch(&self) -> ShutdownWatch {
        let slot = Arc::new(Slot::default());
        let mut watchers = self
            .inner
            .watchers
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        // Forget finished connections now and then (amortised).
        let registered = self.inner.registered.fetch_add(1, Ordering::Relaxed);
        if registered % 1024 == 1023 {
            watchers.retain(|watcher| watcher.strong_count() > 0);
        }
        watchers.push(Arc::downgrade(&slot));
        drop(watchers);
        if self.inner.fired.load(Ordering::SeqCst) {
            slot.fired.store(true, Ordering::SeqCst);
        }
        ShutdownWatch { slot, seen: None }
    }

    /// Fires the signal: every watch completes.
    pub fn fire(&self) {
        self.inner.fired.store(true, Ordering::SeqCst);
        let watchers = std::mem::take(
            &mut *self
                .inner
                .watchers
                .lock()
                .unwrap_or_else(PoisonError::into_inner),
        );
        for slot in watchers.iter().filter_map(Weak::upgrade) {
            slot.fired.store(true, Ordering::SeqCst);
            let waker = slot
                .waker
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take();
            if let Some(waker) = waker {
                waker.wake();
            }
        }
    }

    /// Whether the signal has fired.
    pub fn is_fired(&self) -> bool {
        self.inner.fired.load(Ordering::SeqCst)
    }
}

/// Completes when its [`Shutdown`] fires.
#[must_use = "futures do nothing unless polled"]
pub struct ShutdownWatch {
    slot: Arc<Slot>,
    /// The waker last registered (so an unchanged one is not stored again).
    seen: Option<Waker>,
}

impl std::fmt::Debug for ShutdownWatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ShutdownWatch")
            .field("fired", &self.slot.fired.load(Ordering::Relaxed))
            .finish()
    }
}

impl Future for ShutdownWatch {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.slot.fired.load(Ordering::Acquire) {
            return Poll::Ready(());
        }
        if !self
            .seen
            .as_ref()
            .is_some_and(|seen| seen.will_wake(cx.waker()))
        {
            *self
                .slot
                .waker
                .lock()
                .unwrap_or_else(PoisonError::into_inner) = Some(cx.waker().clone());
            self.seen = Some(cx.waker().clone());
        }
        if self.slot.fired.load(Ordering::SeqCst) {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn fires_every_watch_even_late_ones() {
        let shutdown = Shutdown::new();
        let early: Vec<_> = (0..3).map(|_| tokio::spawn(shutdown.watch())).collect();
        tokio::task::yield_now().await;
        shutdown.fire();
        for watch in early {
            watch.await.unwrap();
        }
        // A watch taken after the signal completes at once.
        shutdown.watch().await;
    }

    #[test]
    fn finished_watches_are_forgotten() {
        let shutdown = Shutdown::new();
        for _ in 0..5000 {
            drop(shutdown.watch());
        }
        let kept = shutdown.inner.watchers.lock().unwrap().len();
        assert!(kept < 1100, "{kept}");
    }
}
