//! `.git/index.lock`: git and libgit2 create it while they write the index
//! and rename it over the index when done. A run killed in between leaves
//! it behind, and then every git command in the clone (ours and the
//! participant's) refuses with "Another git process seems to be running".
//! A lock that no process holds open is such a leftover and is removed; one
//! that a process holds is that process's, and is left alone.

use std::path::{Path, PathBuf};

use git2::Repository;

use crate::error::{Error, Result};

/// What [`clear_stale`] found.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Found {
    None,
    /// A leftover of a killed run, now removed.
    Removed(PathBuf),
}

/// Remove the clone's `index.lock` when no process holds it open; an error
/// naming the process when one does.
pub(crate) fn clear_stale(repo: &Repository) -> Result<Found> {
    let lock = repo.path().join("index.lock");
    if std::fs::symlink_metadata(&lock).is_err() {
        return Ok(Found::None);
    }
    if let Some(holder) = holder_of(&lock) {
        return Err(Error::GitLocked { lock, holder });
    }
    match std::fs::remove_file(&lock) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Found::None),
        Err(e) => return Err(Error::io(&lock, "removed", e)),
    }
    crate::log::line("git", format!("removed a stale {}", lock.display()));
    Ok(Found::Removed(lock))
}

/// The process that has `lock` open (its pid and command line), if any.
fn holder_of(lock: &Path) -> Option<String> {
    let lock = std::fs::canonicalize(lock).unwrap_or_else(|_| lock.to_path_buf());
    let procs = std::fs::read_dir("/proc").ok()?;
    for proc in procs.flatten() {
        let name = proc.file_name();
        let Some(pid) = name
            .to_str()
            .filter(|n| n.bytes().all(|b| b.is_ascii_digit()))
        else {
            continue;
        };
        let Ok(fds) = std::fs::read_dir(proc.path().join("fd")) else {
            continue;
        };
        let holds = fds
            .flatten()
            .any(|fd| std::fs::read_link(fd.path()).is_ok_and(|target| target == lock));
        if holds {
            let cmdline = std::fs::read(proc.path().join("cmdline")).unwrap_or_default();
            let cmdline: Vec<String> = cmdline
                .split(|b| *b == 0)
                .filter(|a| !a.is_empty())
                .map(|a| String::from_utf8_lossy(a).into_owned())
                .collect();
            return Some(format!(
                "pid {pid}: {}",
                crate::outside::one_line(&cmdline.join(" "))
            ));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_leftover_lock_is_removed_and_a_held_one_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        assert_eq!(clear_stale(&repo).unwrap(), Found::None);
        let lock = repo.path().join("index.lock");
        std::fs::write(&lock, b"").unwrap();
        assert_eq!(clear_stale(&repo).unwrap(), Found::Removed(lock.clone()));
        assert!(!lock.exists());

        std::fs::write(&lock, b"").unwrap();
        let _held = std::fs::File::open(&lock).unwrap();
        let err = clear_stale(&repo).unwrap_err();
        assert!(
            matches!(&err, Error::GitLocked { holder, .. } if holder.contains(&format!("pid {}", std::process::id()))),
            "{err:?}"
        );
        assert!(lock.exists(), "a held lock is left alone");
        assert_eq!(err.exit_code(), crate::error::exit::LOCKED);
    }
}
