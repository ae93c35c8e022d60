//! The log of a run: `DIR/.eks-workshop/logs/<time>-<command>.log` (mode
//! 0600, the last [`KEEP`] kept), for the facilitator when something fails.
//! It holds the command line, every step's check and run with timings,
//! every HTTP request's method, URL, status and duration (no bodies, no
//! headers), the git remotes spoken to, the child processes run, and the
//! full error chain. `-v` prints the same lines on stderr.
//!
//! Every line is redacted of the GitHub token (each of its forms, see
//! [`crate::secrets`]) before it goes anywhere.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant, SystemTime};

/// How many logs a workshop dir keeps.
pub(crate) const KEEP: usize = 20;
/// The logs' directory under the work dir.
pub(crate) const DIR: &str = "logs";

struct Log {
    file: Option<(PathBuf, std::fs::File)>,
    verbose: bool,
    started: Instant,
}

static LOG: OnceLock<Mutex<Log>> = OnceLock::new();

fn log() -> &'static Mutex<Log> {
    LOG.get_or_init(|| {
        Mutex::new(Log {
            file: None,
            verbose: false,
            started: Instant::now(),
        })
    })
}

/// `-v`: every log line on stderr too.
pub(crate) fn set_verbose(on: bool) {
    if let Ok(mut log) = log().lock() {
        log.verbose = on;
    }
}

/// Open this run's log under `work_dir` (made if missing), write the
/// command line, and prune the oldest beyond [`KEEP`]. A log that cannot be
/// written is not worth failing the run for: `None`.
pub(crate) fn start(work_dir: &Path, command: &str, args: &[String]) -> Option<PathBuf> {
    let dir = work_dir.join(DIR);
    crate::fsx::create_dir_all(&dir).ok()?;
    let stamp = humantime::format_rfc3339_millis(SystemTime::now()).to_string();
    let path = (1..)
        .map(|n| dir.join(file_name(&stamp, command, n)))
        .find(|p| !p.exists())?;
    let file = open_private(&path).ok()?;
    if let Ok(mut log) = log().lock() {
        log.file = Some((path.clone(), file));
    }
    prune(&dir);
    line("command", format!("eks-workshop {}", args.join(" ")));
    line("version", crate::VERSION);
    Some(path)
}

/// The log file of this run, if one is open.
pub(crate) fn path() -> Option<PathBuf> {
    log().lock().ok()?.file.as_ref().map(|(p, _)| p.clone())
}

/// One line: time since the start, what kind, the text (redacted).
pub(crate) fn line(kind: &str, text: impl std::fmt::Display) {
    let Ok(mut log) = log().lock() else { return };
    let text = crate::secrets::redact(&text.to_string());
    let text = text.replace('\n', "\n    ");
    let at = log.started.elapsed().as_secs_f64();
    let line = format!("{at:>8.3}s {kind:<8} {text}\n");
    if log.verbose {
        eprint!("{line}");
    }
    if let Some((_, file)) = &mut log.file {
        let _ = file.write_all(line.as_bytes());
    }
}

/// An HTTP request: method, URL (no query secrets: we send none), status or
/// the failure, and how long it took.
pub(crate) fn http(method: &str, url: &str, status: Result<u16, String>, took: Duration) {
    let status = match status {
        Ok(code) => code.to_string(),
        Err(why) => format!("failed: {why}"),
    };
    line(
        "http",
        format!("{method} {url} -> {status} ({} ms)", took.as_millis()),
    );
}

/// A timed piece of work, logged as `what -> outcome (ms)`.
pub(crate) fn timed(kind: &str, what: &str, took: Duration, outcome: &str) {
    line(
        kind,
        format!("{what} -> {outcome} ({} ms)", took.as_millis()),
    );
}

/// An error with its causes and help line.
pub(crate) fn error(err: &crate::error::Error) {
    let mut text = err.to_string();
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        text.push_str(&format!("\ncaused by: {cause}"));
        source = cause.source();
    }
    if let Some(help) = err.help() {
        text.push_str(&format!("\nhelp: {help}"));
    }
    line("error", text);
}

fn open_private(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.create_new(true).append(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

/// The `n`th log started in the millisecond `stamp` (RFC 3339): names sort
/// by start time, whatever the command, so the newest is always the last
/// (`…T070553.123Z-setup.log` < `…T070553.123Z.002-enable-addon.log`).
fn file_name(stamp: &str, command: &str, n: u32) -> String {
    let stamp = stamp.replace(':', "");
    match n {
        1 => format!("{stamp}-{command}.log"),
        n => format!("{stamp}.{n:03}-{command}.log"),
    }
}

/// The run logs in `dir`, oldest first (their names sort by time).
pub(crate) fn files(dir: &Path) -> Vec<PathBuf> {
    let mut logs: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    logs.retain(|p| p.extension().is_some_and(|e| e == "log"));
    logs.sort();
    logs
}

/// Keep the newest [`KEEP`] logs (their names sort by time).
fn prune(dir: &Path) {
    let logs = files(dir);
    let extra = logs.len().saturating_sub(KEEP);
    for old in &logs[..extra] {
        let _ = std::fs::remove_file(old);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_newest_logs_are_kept() {
        let dir = tempfile::tempdir().unwrap();
        for i in 0..KEEP + 3 {
            std::fs::write(
                dir.path().join(format!("2026-01-01T00{i:04}Z-setup.log")),
                "",
            )
            .unwrap();
        }
        std::fs::write(dir.path().join("notes.txt"), "").unwrap();
        prune(dir.path());
        let mut left: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left.len(), KEEP + 1, "{left:?}");
        assert_eq!(left[0], "2026-01-01T000003Z-setup.log");
        assert!(left.contains(&"notes.txt".to_string()));
    }

    #[test]
    fn names_sort_by_start_whatever_the_command() {
        let stamp = "2026-12-02T07:05:53.123Z";
        let mut names = vec![
            file_name("2026-12-02T07:05:53.122Z", "verify", 1),
            file_name(stamp, "setup", 1),
            file_name(stamp, "enable-addon", 2),
            file_name(stamp, "addons", 10),
            file_name("2026-12-02T07:05:53.124Z", "doctor", 1),
        ];
        let started = names.clone();
        names.sort();
        assert_eq!(names, started);
        assert_eq!(started[1], "2026-12-02T070553.123Z-setup.log");
    }
}
