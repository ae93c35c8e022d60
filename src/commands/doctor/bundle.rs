//! `doctor --bundle FILE`: a `.tar.gz` a participant hands the facilitator.
//! It holds the state file, the last run logs, what `doctor` found, the
//! clone's status and last commits, and (with a cluster) Flux's objects'
//! conditions. No token: the state file and the logs never hold one, and
//! every entry is redacted of it again before it is written.

use std::path::Path;

use serde_json::{Value, json};

use crate::config::Flags;
use crate::error::{Error, Result};

/// How many of the newest run logs go in.
const LOGS: usize = 5;
/// How many of the clone's commits are listed.
const COMMITS: usize = 10;

/// One file of the bundle.
struct Entry {
    name: String,
    bytes: Vec<u8>,
    /// What it is, for the README and the summary.
    what: String,
}

/// Refuse a `--bundle FILE` that cannot be made, before any work: its
/// directory must exist, and the file must not (it is never overwritten).
pub(super) fn check_target(file: &Path) -> Result<()> {
    let dir = match file.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    if !dir.is_dir() {
        return Err(Error::usage(
            format!(
                "--bundle {}: the directory {} does not exist",
                file.display(),
                dir.display()
            ),
            "give --bundle a new file in an existing directory, e.g. --bundle eks-workshop-bundle.tar.gz",
        ));
    }
    if file.symlink_metadata().is_ok() {
        return Err(Error::usage(
            format!(
                "--bundle {}: the file exists, and is never overwritten",
                file.display()
            ),
            "move that file away, or give --bundle a new file name",
        ));
    }
    Ok(())
}

/// Write the bundle to `file` (whole or not at all, mode 0600, never over
/// an existing file) and return what it holds, one line per entry.
pub(super) async fn write(global: &Flags, doctor: &Value, file: &Path) -> Result<Vec<String>> {
    let work = crate::config::work_dir(&global.dir);
    let mut entries = vec![Entry {
        name: "doctor.json".into(),
        bytes: pretty(doctor),
        what: "the tools doctor found, their versions, and whether the cluster answers".into(),
    }];
    let state = crate::state::load(&work).ok().flatten();
    // Bounded like every read of the state file: it may be anything by now.
    if let Ok(bytes) = crate::fsx::read_bounded(&work.join("state.json"), crate::fsx::INPUT_CAP) {
        entries.push(Entry {
            name: "state.json".into(),
            bytes,
            what: "the state file: settings, step results, outputs (no token)".into(),
        });
    }
    for log in newest_logs(&work.join(crate::log::DIR)) {
        if let Ok(bytes) = std::fs::read(&log) {
            let name = log.file_name().unwrap_or_default().to_string_lossy();
            entries.push(Entry {
                name: format!("logs/{name}"),
                bytes,
                what: format!("the log of a run ({name})"),
            });
        }
    }
    let clone = state
        .as_ref()
        .and_then(|s| s.outputs.clone_path.clone())
        .unwrap_or_else(|| {
            let upstream = crate::config::DEFAULT_UPSTREAM;
            global
                .dir
                .join(upstream.rsplit('/').next().unwrap_or(upstream))
        });
    if let Ok(repo) = crate::git::open(&clone) {
        entries.push(Entry {
            name: "clone/git-status.txt".into(),
            bytes: crate::git::status_lines(&repo).join("\n").into_bytes(),
            what: "the clone's `git status` (changed and untracked files)".into(),
        });
        entries.push(Entry {
            name: "clone/git-log.txt".into(),
            bytes: crate::git::log_lines(&repo, COMMITS)
                .join("\n")
                .into_bytes(),
            what: format!("the clone's last {COMMITS} commits"),
        });
    }
    if let Some(flux) = flux_status(global, state.as_ref()).await {
        entries.push(Entry {
            name: "cluster/flux.json".into(),
            bytes: pretty(&flux),
            what: "Flux's objects on the cluster: revision and status conditions".into(),
        });
    }
    let readme = readme(&entries);
    entries.insert(
        0,
        Entry {
            name: "README.txt".into(),
            bytes: readme.into_bytes(),
            what: "this list".into(),
        },
    );
    let bytes = archive(&entries)?;
    crate::fsx::write_new(file, &bytes, Some(0o600))?;
    Ok(entries
        .iter()
        .map(|e| format!("{}: {}", e.name, e.what))
        .collect())
}

/// Flux's objects, when a cluster with Flux answers within 10 s.
async fn flux_status(global: &Flags, state: Option<&crate::state::State>) -> Option<Value> {
    if state.is_some_and(|s| s.settings.offline) {
        return None;
    }
    let look = async {
        let access = crate::engine::Access::Inspect;
        let opened = crate::engine::open(global, "doctor", access, Default::default()).ok()?;
        let cluster = crate::kube::connect(&opened.ctx.config.settings)
            .await
            .ok()?;
        let types = crate::flux::types(&cluster).await.ok()??;
        let objects = crate::flux::reported::flux_status(&cluster, &types)
            .await
            .ok()?;
        Some(json!({"context": cluster.context, "server": cluster.server, "objects": objects}))
    };
    tokio::time::timeout(std::time::Duration::from_secs(10), look)
        .await
        .ok()
        .flatten()
}

fn newest_logs(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut logs = crate::log::files(dir);
    logs.split_off(logs.len().saturating_sub(LOGS))
}

fn readme(entries: &[Entry]) -> String {
    let mut out = format!(
        "eks-workshop {} support bundle: what the facilitator needs to help.\n\
         No GitHub token is in it (every file was checked and redacted).\n\n",
        crate::VERSION
    );
    for e in entries {
        out.push_str(&format!("{}\n    {}\n", e.name, e.what));
    }
    out
}

fn pretty(v: &Value) -> Vec<u8> {
    let mut bytes = serde_json::to_vec_pretty(v).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

/// The entries as a gzipped tar, each redacted of the secrets in the
/// environment first.
fn archive(entries: &[Entry]) -> Result<Vec<u8>> {
    let failed = |e: std::io::Error| Error::io("the support bundle", "write", e);
    let gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let mut tar = tar::Builder::new(gz);
    for e in entries {
        let bytes = crate::secrets::redact_bytes(&e.bytes);
        let mut header = tar::Header::new_gnu();
        header.set_size(bytes.len() as u64);
        header.set_mode(0o600);
        header.set_mtime(crate::clock::unix_now());
        header.set_cksum();
        tar.append_data(
            &mut header,
            format!("eks-workshop-bundle/{}", e.name),
            bytes.as_slice(),
        )
        .map_err(failed)?;
    }
    tar.into_inner().and_then(|gz| gz.finish()).map_err(failed)
}
