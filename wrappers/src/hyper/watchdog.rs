//! The per-connection clock (sans-IO): one timer ticking every
//! [`Watchdog::period`] closes a keep-alive connection left idle and one whose
//! next request head is late.
//!
//! hyper can time the head itself (`header_read_timeout`), but it arms a new
//! timer for every request (an allocation, an insertion into tokio's timer
//! wheel and a removal: about 850 instructions, 6% of a small request). The
//! keep-alive timer has to tick anyway; counting its ticks times the head
//! too, at no cost per request, with the precision of a tick (a quarter of
//! the timeout).

use std::time::Duration;

/// What the connection does after a tick.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Keep serving.
    Serve,
    /// Idle for the keep-alive timeout: close gracefully.
    Idle,
    /// No complete head within the header timeout since the last request
    /// ended (or the connection was accepted): drop the connection, as
    /// hyper's `header_read_timeout` does.
    HeadTimeout,
}

/// What a tick sees of the connection ([`super::connection::ConnState`]).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Seen {
    /// Bumped at the start and the end of every request.
    pub(crate) generation: u64,
    /// Requests in progress (a response body not dropped yet).
    pub(crate) active: usize,
    /// Whether any bytes were read since the last tick.
    pub(crate) read: bool,
}

#[derive(Debug)]
pub(crate) struct Watchdog {
    period: Duration,
    /// Quiet ticks after which an idle connection closes.
    idle_ticks: Option<u32>,
    /// Ticks without a new request after which the head is late.
    head_ticks: Option<u32>,
    generation: u64,
    quiet: u32,
    waiting: u32,
}

impl Watchdog {
    /// A watchdog for these timeouts; `None` when neither is set (no timer).
    ///
    /// The period is half the keep-alive and a quarter of the header timeout,
    /// whichever is shorter (at least 10 ms): an idle connection closes after
    /// 1 to 1.5 keep-alives, a late head after 1 to 1.25 header timeouts
    /// (counted from the end of the previous request, or from the accept).
    pub(crate) fn new(
        keepalive: Option<Duration>,
        header_timeout: Option<Duration>,
    ) -> Option<Self> {
        let period = [keepalive.map(|k| k / 2), header_timeout.map(|h| h / 4)]
            .into_iter()
            .flatten()
            .min()?
            .max(Duration::from_millis(10));
        let ticks = |timeout: Duration| {
            let ticks = timeout.as_nanos().div_ceil(period.as_nanos()).max(1);
            u32::try_from(ticks).unwrap_or(u32::MAX)
        };
        Some(Self {
            period,
            idle_ticks: keepalive.map(ticks),
            head_ticks: header_timeout.map(ticks),
            generation: 0,
            quiet: 0,
            waiting: 0,
        })
    }

    /// Time between ticks.
    pub(crate) fn period(&self) -> Duration {
        self.period
    }

    /// One tick. `closing`: the connection is already closing gracefully
    /// (only a late head still matters).
    pub(crate) fn tick(&mut self, seen: Seen, closing: bool) -> Verdict {
        let changed = seen.generation != self.generation;
        self.generation = seen.generation;
        let between_requests = seen.active == 0 && !changed;
        self.waiting = if between_requests {
            self.waiting + 1
        } else {
            0
        };
        self.quiet = if between_requests && !seen.read {
            self.quiet + 1
        } else {
            0
        };
        if self.head_ticks.is_some_and(|ticks| self.waiting >= ticks) {
            Verdict::HeadTimeout
        } else if !closing && self.idle_ticks.is_some_and(|ticks| self.quiet >= ticks) {
            Verdict::Idle
        } else {
            Verdict::Serve
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECOND: Duration = Duration::from_secs(1);

    fn idle(generation: u64) -> Seen {
        Seen {
            generation,
            active: 0,
            read: false,
        }
    }

    fn trickle(generation: u64) -> Seen {
        Seen {
            read: true,
            ..idle(generation)
        }
    }

    /// Ticks until the verdict is not `Serve` (at most 1000).
    fn ticks_until(watchdog: &mut Watchdog, seen: impl Fn(u32) -> Seen) -> (u32, Verdict) {
        for tick in 1..=1000 {
            match watchdog.tick(seen(tick), false) {
                Verdict::Serve => {}
                verdict => return (tick, verdict),
            }
        }
        (1000, Verdict::Serve)
    }

    #[test]
    fn the_period_is_the_shorter_of_half_the_keepalive_and_a_quarter_of_the_header_timeout() {
        let period = |k: Option<u64>, h: Option<u64>| {
            Watchdog::new(k.map(Duration::from_secs), h.map(Duration::from_secs))
                .map(|w| w.period())
        };
        assert_eq!(period(Some(2), Some(30)), Some(SECOND));
        assert_eq!(period(Some(10), Some(4)), Some(SECOND));
        assert_eq!(period(None, Some(30)), Some(Duration::from_millis(7500)));
        assert_eq!(period(Some(2), None), Some(SECOND));
        assert_eq!(period(None, None), None);
        let tiny = Watchdog::new(Some(Duration::from_millis(1)), None).unwrap();
        assert_eq!(tiny.period(), Duration::from_millis(10));
    }

    #[test]
    fn an_idle_connection_closes_after_the_keepalive_and_a_trickling_head_after_the_header_timeout()
    {
        // gunicorn's keepalive (2 s) and Carafe's header timeout (30 s): one tick a second.
        let mut watchdog = Watchdog::new(Some(2 * SECOND), Some(30 * SECOND)).unwrap();
        assert_eq!(ticks_until(&mut watchdog, |_| idle(0)), (2, Verdict::Idle));

        let mut watchdog = Watchdog::new(Some(2 * SECOND), Some(30 * SECOND)).unwrap();
        assert_eq!(
            ticks_until(&mut watchdog, |_| trickle(0)),
            (30, Verdict::HeadTimeout)
        );
    }

    #[test]
    fn the_head_clock_starts_when_the_previous_request_ends() {
        let mut watchdog = Watchdog::new(Some(2 * SECOND), Some(4 * SECOND)).unwrap();
        assert_eq!(watchdog.period(), SECOND);
        // Requests keep starting and ending for 10 ticks; then a head trickles in.
        let (tick, verdict) = ticks_until(&mut watchdog, |tick| {
            if tick <= 10 {
                trickle(u64::from(tick) * 2)
            } else {
                trickle(20)
            }
        });
        assert_eq!(verdict, Verdict::HeadTimeout);
        // Generation 20 was first seen at tick 10; four more ticks.
        assert_eq!(tick, 14);
    }

    #[test]
    fn a_request_in_progress_is_never_timed_out() {
        let mut watchdog = Watchdog::new(Some(2 * SECOND), Some(4 * SECOND)).unwrap();
        let busy = Seen {
            generation: 1,
            active: 1,
            read: false,
        };
        assert_eq!(ticks_until(&mut watchdog, |_| busy), (1000, Verdict::Serve));
        // When it ends, the keep-alive and the head clocks start again.
        assert_eq!(ticks_until(&mut watchdog, |_| idle(2)), (3, Verdict::Idle));
    }

    #[test]
    fn a_closing_connection_still_times_out_a_late_head_but_is_not_closed_as_idle() {
        let mut watchdog = Watchdog::new(Some(2 * SECOND), Some(4 * SECOND)).unwrap();
        let verdicts: Vec<Verdict> = (0..4).map(|_| watchdog.tick(idle(0), true)).collect();
        assert_eq!(
            verdicts,
            [
                Verdict::Serve,
                Verdict::Serve,
                Verdict::Serve,
                Verdict::HeadTimeout
            ]
        );
    }

    #[test]
    fn without_a_header_timeout_a_trickling_head_is_never_dropped() {
        let mut watchdog = Watchdog::new(Some(2 * SECOND), None).unwrap();
        assert_eq!(
            ticks_until(&mut watchdog, |_| trickle(0)),
            (1000, Verdict::Serve)
        );
        let mut watchdog = Watchdog::new(None, Some(SECOND)).unwrap();
        assert_eq!(
            ticks_until(&mut watchdog, |_| idle(0)),
            (4, Verdict::HeadTimeout)
        );
    }
}
