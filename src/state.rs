//! The state file `DIR/.eks-workshop/state.json`: versioned, mode 0600,
//! replaced atomically after every step, guarded by a lock file so that a
//! second run in the same directory stops at once.
//!
//! The state carries settings and step outputs from one run to the next; the
//! world, read by each step's `check`, has the final say on what is done.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::config::Settings;
use crate::error::{Error, Result};
use crate::fsx;
use crate::stand::Stand;

mod ends;

pub(crate) use ends::{End, ResetPoint, changing, ended};

pub(crate) const VERSION: u32 = 1;
pub(crate) const FILE: &str = "state.json";
const LOCK: &str = "lock";

#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct State {
    pub(crate) version: u32,
    pub(crate) settings: Settings,
    #[serde(default)]
    pub(crate) outputs: Outputs,
    #[serde(default)]
    pub(crate) steps: BTreeMap<String, StepRecord>,
    /// The last command that changed things, for `resume`.
    #[serde(default)]
    pub(crate) last_command: Option<LastCommand>,
}

/// What steps hand to later steps (and to later runs).
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub(crate) struct Outputs {
    pub(crate) login: Option<String>,
    pub(crate) fork: Option<String>,
    pub(crate) fork_url: Option<String>,
    pub(crate) clone_path: Option<PathBuf>,
    pub(crate) pushed_commit: Option<String>,
    /// When `upgrade` last moved the control plane (RFC 3339): Flux's
    /// answers from before it say nothing of the new version.
    #[serde(default)]
    pub(crate) control_plane_moved: Option<String>,
    /// Where each rendered file had a placeholder, and what we wrote there:
    /// the tool owns these values, never the files.
    #[serde(default)]
    pub(crate) placements: crate::placeholders::Placements,
    /// `upgrade`: how each hop (by its Kubernetes version) found the world
    /// when it began, for what it says it changed at its end.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub(crate) hops: BTreeMap<String, Hop>,
    /// Where `setup` and the add-on commands left the fork, for `reset`
    /// (absent from state files written before it was recorded).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub(crate) ends: BTreeMap<ResetPoint, End>,
    /// The command under way (or killed) began to change things: its end
    /// is recorded in `ends` when it finishes, also by a `resume`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) changing: Option<ResetPoint>,
}

/// The world as a hop of `upgrade` found it before it changed anything.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub(crate) struct Hop {
    /// Seconds since the Unix epoch.
    pub(crate) started: u64,
    /// The clone's HEAD: the hop's commits are the ones after it.
    pub(crate) head: String,
    /// Each HelmRelease (`namespace/name`) and the chart version it ran.
    pub(crate) releases: BTreeMap<String, String>,
    /// The Flux release running.
    pub(crate) flux: Option<String>,
    /// Nodes whose kubelet was older than the hop's version.
    pub(crate) old_nodes: Vec<String>,
    /// When its last step first found it over.
    #[serde(default)]
    pub(crate) finished: Option<u64>,
}

/// What a step found out, for the engine to record in [`Outputs`]: a
/// check only reads, so it returns what it learned instead of writing it.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Learned {
    Fork {
        name: String,
        url: String,
    },
    ClonePath(PathBuf),
    PushedCommit(String),
    /// Where the values we own sit in one file.
    Placements(String, Vec<crate::placeholders::Placement>),
    /// A hop of `upgrade` began (kept if one to that version already had).
    HopBegan(String, Hop),
    /// That hop is over, now (kept if it was over before).
    HopEnded(String, u64),
    /// A command finished, leaving the fork at this commit.
    Ended(ResetPoint, End),
}

impl Outputs {
    pub(crate) fn learn(&mut self, learned: Learned) {
        match learned {
            Learned::Fork { name, url } => {
                self.fork = Some(name);
                self.fork_url = Some(url);
            }
            Learned::ClonePath(path) => self.clone_path = Some(path),
            Learned::PushedCommit(commit) => self.pushed_commit = Some(commit),
            Learned::Placements(path, placements) => {
                self.placements.insert(path, placements);
            }
            Learned::HopBegan(to, hop) => {
                self.hops.entry(to).or_insert(hop);
            }
            Learned::HopEnded(to, at) => {
                if let Some(hop) = self.hops.get_mut(&to) {
                    hop.finished.get_or_insert(at);
                }
            }
            Learned::Ended(point, end) => {
                self.ends.insert(point, end);
            }
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct StepRecord {
    /// [`Stand::Ran`], [`Stand::Skipped`] or [`Stand::Failed`].
    pub(crate) status: Stand,
    pub(crate) detail: String,
    /// Seconds since the Unix epoch.
    pub(crate) at: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "kebab-case")]
pub(crate) enum LastCommand {
    Setup {
        until: Option<String>,
    },
    EnableAddon {
        names: Vec<String>,
        wait: bool,
    },
    DisableAddon {
        names: Vec<String>,
        wait: bool,
    },
    VerifyFix {
        target_version: String,
    },
    /// `sync`: `push` false under `--no-push`.
    Sync {
        push: bool,
    },
    /// `upgrade --to`: one hop per minor version from `from` (the version the
    /// cluster served when the upgrade began) to `to`.
    Upgrade {
        from: String,
        to: String,
        driver: Driver,
    },
    /// `reset --to`: the fork's files put back as that command left them.
    Reset {
        to: ResetPoint,
    },
    /// `teardown`: the cluster's side removed in order, then the cluster
    /// destroyed through `terraform` (the workshop's terraform directory).
    Teardown {
        terraform: Option<PathBuf>,
        #[serde(default)]
        delete_fork: bool,
    },
}

/// How `upgrade` moves the control plane.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "driver", rename_all = "kebab-case")]
pub(crate) enum Driver {
    /// The participant's workshop terraform: `plan` with the new
    /// `cluster_version`, read as JSON, applied only when it changes nothing
    /// else.
    Terraform { dir: std::path::PathBuf },
    /// `aws eks update-cluster-version`, then the managed add-ons and node groups.
    Eks { cluster: String, region: String },
    /// The participant runs it; eks-workshop says what and waits.
    Manual,
}

impl Driver {
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Driver::Terraform { .. } => "terraform",
            Driver::Eks { .. } => "eks",
            Driver::Manual => "manual",
        }
    }
}

impl LastCommand {
    /// Whether a missing kubeconfig or context is offered a fix (`aws eks
    /// update-kubeconfig`) in a terminal: on the command that first reaches
    /// the cluster. The others run after setup, which already had the offer.
    pub(crate) fn offers_kubeconfig_fix(&self) -> bool {
        match self {
            LastCommand::Setup { .. } => true,
            LastCommand::EnableAddon { .. }
            | LastCommand::DisableAddon { .. }
            | LastCommand::VerifyFix { .. }
            | LastCommand::Sync { .. }
            | LastCommand::Upgrade { .. }
            | LastCommand::Reset { .. }
            | LastCommand::Teardown { .. } => false,
        }
    }
}

impl State {
    pub(crate) fn new(settings: Settings) -> Self {
        State {
            version: VERSION,
            settings,
            outputs: Outputs::default(),
            steps: BTreeMap::new(),
            last_command: None,
        }
    }
}

pub(crate) fn path(work_dir: &Path) -> PathBuf {
    work_dir.join(FILE)
}

/// Read the state, if there is one. A corrupt or newer file is an error, never a panic.
pub(crate) fn load(work_dir: &Path) -> Result<Option<State>> {
    let path = path(work_dir);
    let corrupt = |reason: String| Error::StateCorrupt {
        path: path.clone(),
        reason,
    };
    // Bounded, and only a regular file: the state file is a few KiB.
    let text = match fsx::read_text(&path, fsx::INPUT_CAP) {
        Ok(text) => text,
        Err(fsx::Refused::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(fsx::Refused::Io(e)) => return Err(Error::io(&path, "read", e)),
        Err(refused) => return Err(corrupt(refused.reason())),
    };
    // Look at the version before the shape, so a newer format says so plainly.
    let value: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| corrupt(e.to_string()))?;
    let version = value.get("version").and_then(|v| v.as_u64());
    match version {
        Some(v) if v > VERSION as u64 => {
            return Err(Error::StateTooNew {
                path: path.clone(),
                found: u32::try_from(v).unwrap_or(u32::MAX),
                supported: VERSION,
            });
        }
        Some(_) => {}
        None => {
            return Err(corrupt("no `version` field".into()));
        }
    }
    serde_json::from_value(value)
        .map(Some)
        .map_err(|e| corrupt(e.to_string()))
}

/// Write the state atomically, readable only by its owner.
pub(crate) fn store(work_dir: &Path, state: &State) -> Result<()> {
    fsx::create_dir_all(work_dir)?;
    let mut json = serde_json::to_vec_pretty(state).expect("state serializes");
    json.push(b'\n');
    // A step's detail can quote a server; a server can echo the token.
    let json = crate::secrets::redact_bytes(&json);
    fsx::write_atomic(&path(work_dir), &json, Some(0o600))
}

/// Held for as long as a run changes things in its directory.
#[derive(Debug)]
pub(crate) struct Lock {
    _file: File,
}

/// Take the directory's lock, or fail at once with [`Error::Locked`].
pub(crate) fn lock(dir: &Path, work_dir: &Path) -> Result<Lock> {
    fsx::create_dir_all(work_dir)?;
    let lock_path = work_dir.join(LOCK);
    let mut options = OpenOptions::new();
    options.create(true).truncate(false).write(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let file = options
        .open(&lock_path)
        .map_err(|e| Error::io(&lock_path, "opened", e))?;
    match file.try_lock() {
        Ok(()) => Ok(Lock { _file: file }),
        Err(std::fs::TryLockError::WouldBlock) => Err(Error::Locked {
            dir: dir.to_path_buf(),
            lock: lock_path,
        }),
        Err(std::fs::TryLockError::Error(e)) => Err(Error::io(&lock_path, "locked", e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{DEFAULT_UPSTREAM, Settings};

    fn state() -> State {
        State::new(Settings::new(DEFAULT_UPSTREAM.parse().unwrap()))
    }

    #[test]
    fn round_trips_and_is_private() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = state();
        s.outputs.pushed_commit = Some("abc".into());
        store(dir.path(), &s).unwrap();
        let back = load(dir.path()).unwrap().unwrap();
        assert_eq!(back.outputs, s.outputs);
        assert_eq!(back.settings, s.settings);
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path(dir.path()))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    /// Found by cargo-mutants: only a missing file is "no state"; one that
    /// cannot be read is an error.
    #[test]
    fn an_unreadable_state_file_is_an_error_not_none() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(path(dir.path())).unwrap();
        assert!(load(dir.path()).is_err());
    }

    #[test]
    fn missing_is_none_and_garbage_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        assert!(load(dir.path()).unwrap().is_none());
        for garbage in ["", "{", "not json", "{\"steps\": 3}", "{\"version\": 1}"] {
            std::fs::write(path(dir.path()), garbage).unwrap();
            let err = load(dir.path()).unwrap_err();
            assert!(
                matches!(err, Error::StateCorrupt { .. }),
                "{garbage}: {err:?}"
            );
        }
    }

    #[test]
    fn binary_bytes_or_a_directory_are_corrupt_not_io_errors() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(path(dir.path()), b"{\"version\": \xff}").unwrap();
        let err = load(dir.path()).unwrap_err();
        assert!(
            matches!(&err, Error::StateCorrupt { reason, .. } if reason.contains("UTF-8")),
            "{err:?}"
        );
        std::fs::remove_file(path(dir.path())).unwrap();
        std::fs::create_dir(path(dir.path())).unwrap();
        let err = load(dir.path()).unwrap_err();
        assert!(
            matches!(&err, Error::StateCorrupt { reason, .. } if reason.contains("directory")),
            "{err:?}"
        );
    }

    #[test]
    fn newer_version_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(path(dir.path()), r#"{"version": 99, "whatever": true}"#).unwrap();
        let err = load(dir.path()).unwrap_err();
        assert!(
            matches!(err, Error::StateTooNew { found: 99, .. }),
            "{err:?}"
        );
    }

    #[test]
    fn second_lock_in_the_same_dir_fails_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let work = dir.path().join(".eks-workshop");
        let _held = lock(dir.path(), &work).unwrap();
        let err = lock(dir.path(), &work).unwrap_err();
        assert!(matches!(err, Error::Locked { .. }));
    }
}
