//! How often the eks driver asks EKS how an update is going.

use std::sync::OnceLock;
use std::time::Duration;

/// The first wait between two `describe-update` calls; the waits double up
/// to [`crate::backoff::polling`]'s cap. A control-plane update takes
/// minutes, so asking more often would only add calls.
pub(super) const POLL_START: Duration = Duration::from_secs(2);

/// [`POLL_START`]; `EKS_WORKSHOP_POLL_MS` overrides it (tests make it
/// tiny). Read once per process.
pub(super) fn poll_start() -> Duration {
    static START: OnceLock<Duration> = OnceLock::new();
    *START.get_or_init(|| poll_from(std::env::var("EKS_WORKSHOP_POLL_MS").ok().as_deref()))
}

pub(super) fn poll_from(ms: Option<&str>) -> Duration {
    ms.and_then(|ms| ms.trim().parse().ok())
        .map_or(POLL_START, Duration::from_millis)
}
