//! The one clock: what time it is now, as the state file, the logs, the
//! support bundle and the saved Helm releases record it.

use std::time::{SystemTime, UNIX_EPOCH};

/// Seconds since the Unix epoch of `t` (0 before it).
pub(crate) fn unix(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// Seconds since the Unix epoch, now.
pub(crate) fn unix_now() -> u64 {
    unix(SystemTime::now())
}
