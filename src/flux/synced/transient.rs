//! Failures that pass by themselves.

/// A failed fetch whose cause passes: the git host's 5xx, a connection cut
/// or timed out. "repository not found" or a refused credential do not pass.
pub(super) fn transient_fetch(message: &str) -> bool {
    let lower = message.to_ascii_lowercase();
    [
        "500 internal",
        "502",
        "503",
        "504",
        "connection reset",
        "unexpected eof",
        "broken pipe",
        "i/o timeout",
        "timed out",
    ]
    .iter()
    .any(|w| lower.contains(w))
}
