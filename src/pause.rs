//! Pause points for crash and Ctrl-C tests. When `EKS_WORKSHOP_PAUSE_AT`
//! names a point, the process prints `paused at <point>` on stderr when it
//! gets there and waits, standing in for a long operation: a test can kill it
//! with SIGKILL at exactly that place, or press Ctrl-C, which ends the wait
//! like any long operation ends at its next safe point. A name ending in `!`
//! makes the wait ignore Ctrl-C (an operation that cannot stop early).
//! Unset, a point costs one comparison.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

const VAR: &str = "EKS_WORKSHOP_PAUSE_AT";

static INTERRUPTED: AtomicBool = AtomicBool::new(false);

fn wanted() -> Option<&'static str> {
    static WANTED: OnceLock<Option<String>> = OnceLock::new();
    WANTED.get_or_init(|| std::env::var(VAR).ok()).as_deref()
}

/// Ctrl-C was pressed: end soft waits.
pub(crate) fn interrupt() {
    INTERRUPTED.store(true, Ordering::SeqCst);
}

/// [`point`] named `<kind>:<what>` (`write:state.json`), the name made only
/// when some point is asked for.
pub(crate) fn point_at(kind: &str, what: &str) {
    if wanted().is_some() {
        point(&format!("{kind}:{what}"));
    }
}

/// Wait here if a test asked for this point.
pub(crate) fn point(name: &str) {
    let Some(wanted) = wanted() else { return };
    let hard = wanted.strip_suffix('!');
    if hard.unwrap_or(wanted) != name {
        return;
    }
    eprintln!("paused at {name}");
    while hard.is_some() || !INTERRUPTED.load(Ordering::SeqCst) {
        std::thread::park_timeout(Duration::from_millis(20));
    }
}
