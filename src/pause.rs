//! Pause points for crash tests. When `EKS_WORKSHOP_PAUSE_AT` names a point,
//! the process prints `paused at <point>` on stderr when it gets there and
//! waits, so a test can kill it with SIGKILL at exactly that place and then
//! check that `resume` reaches the same end state. Unset, a point costs one
//! comparison.

use std::sync::OnceLock;

const VAR: &str = "EKS_WORKSHOP_PAUSE_AT";

fn wanted() -> Option<&'static str> {
    static WANTED: OnceLock<Option<String>> = OnceLock::new();
    WANTED.get_or_init(|| std::env::var(VAR).ok()).as_deref()
}

/// Stop here for good if a crash test asked for this point.
pub(crate) fn point(name: &str) {
    if wanted() == Some(name) {
        eprintln!("paused at {name}");
        loop {
            std::thread::park();
        }
    }
}
