//! The environment variables that hold our secrets, and their values: no
//! child process gets them, and the log and the support bundle are redacted
//! of them.

/// Where a GitHub token may be.
pub(crate) const VARS: &[&str] = &["GITHUB_TOKEN", "GH_TOKEN"];

/// The secrets set in this process's environment (long enough to redact
/// without mangling ordinary text).
pub(crate) fn in_env() -> Vec<String> {
    VARS.iter()
        .filter_map(|v| std::env::var(v).ok())
        .map(|t| t.trim().to_string())
        .filter(|t| t.len() >= 4)
        .collect()
}
