//! Every wait before trying again: capped exponential backoff with jitter
//! for the GitHub API and git over the network (a bounded number of tries
//! keeps a dead network from hanging a run: with the default base the waits
//! add up to under ten seconds), polling for something still being created,
//! and the pace of a watch that lost its connection.

use std::sync::OnceLock;
use std::time::Duration;

/// Tries in all (the first one and four retries).
pub(crate) const TRIES: u32 = 5;
/// No single wait is longer than this.
const CAP: Duration = Duration::from_secs(8);
const DEFAULT_BASE: Duration = Duration::from_millis(500);

/// The first wait; `EKS_WORKSHOP_RETRY_BASE_MS` overrides it (tests make it
/// tiny). Read once per process.
fn base() -> Duration {
    static BASE: OnceLock<Duration> = OnceLock::new();
    *BASE.get_or_init(|| {
        std::env::var("EKS_WORKSHOP_RETRY_BASE_MS")
            .ok()
            .and_then(|ms| ms.trim().parse().ok())
            .map_or(DEFAULT_BASE, Duration::from_millis)
    })
}

/// How long a server may stay silent (a GitHub API request, from sending to
/// the last byte of its answer; a git transfer, between two reads) before
/// the call fails with a message instead of hanging.
const NETWORK_TIMEOUT: Duration = Duration::from_secs(30);

/// [`NETWORK_TIMEOUT`]; `EKS_WORKSHOP_NET_TIMEOUT_MS` overrides it (tests
/// that black-hole a server make it short). Read once per process.
pub(crate) fn network_timeout() -> Duration {
    static TIMEOUT: OnceLock<Duration> = OnceLock::new();
    *TIMEOUT.get_or_init(|| {
        std::env::var("EKS_WORKSHOP_NET_TIMEOUT_MS")
            .ok()
            .and_then(|ms| ms.trim().parse().ok())
            .map_or(NETWORK_TIMEOUT, Duration::from_millis)
    })
}

/// Hands out the wait before each retry, then `None` when the tries are used up.
#[derive(Debug)]
pub(crate) struct Backoff {
    tries: u32,
    base: Duration,
}

impl Backoff {
    pub(crate) fn new() -> Backoff {
        Backoff::with_base(base())
    }

    pub(crate) fn with_base(base: Duration) -> Backoff {
        Backoff { tries: 1, base }
    }

    /// How many tries have been made (counting the first).
    pub(crate) fn tries(&self) -> u32 {
        self.tries
    }

    /// The wait before the next try: base·2ⁿ capped, of which a random half is
    /// jitter (so many clients failing together do not retry together).
    pub(crate) fn next_delay(&mut self) -> Option<Duration> {
        if self.tries >= TRIES {
            return None;
        }
        let exp = self
            .base
            .saturating_mul(1 << (self.tries - 1).min(16))
            .min(CAP);
        self.tries += 1;
        let half = exp / 2;
        Some(half + half.mul_f64(fastrand::f64()))
    }

    /// Like [`Backoff::next_delay`], but a server's own `retry-after` wins when
    /// it is longer (still capped, so the run cannot stall for long).
    pub(crate) fn next_delay_at_least(&mut self, floor: Duration) -> Option<Duration> {
        self.next_delay().map(|d| d.max(floor.min(CAP)))
    }
}

/// Polling until something the run waits for appears (a fork GitHub is
/// still creating): waits doubling from `start` up to [`CAP`], for as long
/// as the caller's deadline allows. Not jittered: one client, one resource.
pub(crate) fn polling(start: Duration) -> impl Iterator<Item = Duration> {
    std::iter::successors(Some(start), |d| Some((*d * 2).min(CAP)))
}

/// Backoff for watches that lost their connection: quick first retries, so
/// an API server restart costs little, capped at a few seconds, unbounded
/// (the wait's own deadline ends it). kube-rs's watcher takes it.
pub(crate) struct WatchPace {
    next: Duration,
}

const FIRST_RETRY: Duration = Duration::from_millis(100);
const MAX_RETRY: Duration = Duration::from_secs(3);

impl WatchPace {
    pub(crate) fn new() -> WatchPace {
        WatchPace { next: FIRST_RETRY }
    }
}

impl Iterator for WatchPace {
    type Item = Duration;
    fn next(&mut self) -> Option<Duration> {
        let d = self.next;
        self.next = (self.next * 2).min(MAX_RETRY);
        Some(d)
    }
}

impl ::kube::runtime::utils::Backoff for WatchPace {
    fn reset(&mut self) {
        self.next = FIRST_RETRY;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_tries_and_capped_growing_waits() {
        let mut b = Backoff::with_base(Duration::from_millis(500));
        let waits: Vec<_> = std::iter::from_fn(|| b.next_delay()).collect();
        assert_eq!(waits.len() as u32, TRIES - 1);
        for (i, w) in waits.iter().enumerate() {
            let full = Duration::from_millis(500 * (1 << i)).min(CAP);
            assert!(
                *w >= full / 2 && *w <= full,
                "wait {i}: {w:?} not in [{:?}, {full:?}]",
                full / 2
            );
        }
        let total: Duration = waits.iter().sum();
        assert!(total < Duration::from_secs(30), "{total:?}");
        assert_eq!(b.tries(), TRIES);
    }

    #[test]
    fn polling_doubles_up_to_the_cap() {
        let waits: Vec<_> = polling(Duration::from_secs(1)).take(6).collect();
        let secs: Vec<u64> = waits.iter().map(Duration::as_secs).collect();
        assert_eq!(secs, [1, 2, 4, 8, 8, 8]);
    }

    #[test]
    fn retry_after_raises_the_wait_but_stays_capped() {
        let mut b = Backoff::with_base(Duration::from_millis(1));
        assert_eq!(
            b.next_delay_at_least(Duration::from_secs(2)),
            Some(Duration::from_secs(2))
        );
        assert_eq!(b.next_delay_at_least(Duration::from_secs(600)), Some(CAP));
    }

    #[test]
    fn retry_pace_doubles_to_a_cap_and_resets() {
        use ::kube::runtime::utils::Backoff;
        let mut p = WatchPace::new();
        let first: Vec<_> = p.by_ref().take(7).collect();
        assert_eq!(first[0], FIRST_RETRY);
        assert_eq!(first[6], MAX_RETRY);
        p.reset();
        assert_eq!(p.next(), Some(FIRST_RETRY));
    }
}
