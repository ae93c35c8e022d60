//! git2, behind a few plain functions: what happens inside the clone here,
//! talking to the remote in [`remote`]. Credentials are handed over only
//! through libgit2's credentials callback: the token is never in a URL, in
//! `.git/config`, or in any process's arguments.

pub(crate) mod credential;
pub(crate) mod lock;
mod remote;

use std::path::Path;

use git2::{Oid, Repository, Signature};

use crate::error::{Error, Result};

pub(crate) use remote::{Auth, PushOutcome, clone, fetch, push, remote_head, remote_heads};

/// Create a bare repository at `path` whose `branch` holds one commit of
/// `files`. Built beside `path` and renamed into place, so a crash never
/// leaves half a repository. The commit is reproducible: same files, same id.
pub(crate) fn seed_bare<'a>(
    path: &Path,
    branch: &str,
    files: impl Iterator<Item = (&'a str, &'a [u8])>,
) -> Result<Oid> {
    let partial = path.with_extension("partial");
    let _ = std::fs::remove_dir_all(&partial);
    let repo =
        Repository::init_bare(&partial).map_err(|e| Error::git("init the local remote", &e))?;
    let mut index = git2::Index::new().map_err(|e| Error::git("make an index", &e))?;
    for (name, bytes) in files {
        let oid = repo
            .blob(bytes)
            .map_err(|e| Error::git("write a blob", &e))?;
        index
            .add(&index_entry(name, oid, bytes.len()))
            .map_err(|e| Error::git(format!("stage {name}"), &e))?;
    }
    let tree_id = index
        .write_tree_to(&repo)
        .map_err(|e| Error::git("write the tree", &e))?;
    let tree = repo
        .find_tree(tree_id)
        .map_err(|e| Error::git("read the tree", &e))?;
    // A fixed author and time make the seed commit the same on every machine.
    let sig = Signature::new(
        "eks-workshop",
        "eks-workshop@localhost",
        &git2::Time::new(1_685_577_600, 0),
    )
    .map_err(|e| Error::git("make a signature", &e))?;
    let refname = format!("refs/heads/{branch}");
    let oid = repo
        .commit(
            Some(&refname),
            &sig,
            &sig,
            "Workshop GitOps repository",
            &tree,
            &[],
        )
        .map_err(|e| Error::git("commit", &e))?;
    repo.set_head(&refname)
        .map_err(|e| Error::git("set HEAD", &e))?;
    drop(tree);
    drop(repo);
    std::fs::rename(&partial, path).map_err(|e| Error::io(path, "created", e))?;
    Ok(oid)
}

pub(crate) fn open(path: &Path) -> Result<Repository> {
    Repository::open(path).map_err(|e| Error::git(format!("open {}", path.display()), &e))
}

pub(crate) fn origin_url(repo: &Repository) -> Option<String> {
    repo.find_remote("origin")
        .ok()?
        .url()
        .ok()
        .map(str::to_string)
}

/// The branch HEAD is on, if HEAD is a branch.
pub(crate) fn current_branch(repo: &Repository) -> Option<String> {
    let head = repo.head().ok()?;
    if !head.is_branch() {
        return None;
    }
    head.shorthand().ok().map(str::to_string)
}

pub(crate) fn head_commit(repo: &Repository) -> Result<Oid> {
    repo.head()
        .and_then(|h| h.peel_to_commit())
        .map(|c| c.id())
        .map_err(|e| Error::git("read HEAD", &e))
}

/// Where `origin/<branch>` stood when the clone last heard from the fork.
pub(crate) fn tracking_head(repo: &Repository, branch: &str) -> Option<Oid> {
    repo.refname_to_id(&format!("refs/remotes/origin/{branch}"))
        .ok()
}

/// Is `ancestor` reachable from `descendant` (or equal)?
pub(crate) fn is_ancestor(repo: &Repository, ancestor: Oid, descendant: Oid) -> bool {
    ancestor == descendant
        || repo
            .graph_descendant_of(descendant, ancestor)
            .unwrap_or(false)
}

/// Move `branch` (checked out) to `target` and update the working tree, but
/// only where that loses nothing: libgit2's safe checkout refuses to touch a
/// file the user has modified.
pub(crate) fn move_branch(repo: &Repository, branch: &str, target: Oid, why: &str) -> Result<()> {
    let commit = repo
        .find_commit(target)
        .map_err(|e| Error::git("find commit", &e))?;
    lock::clear_stale(repo)?;
    let mut co = git2::build::CheckoutBuilder::new();
    co.safe();
    repo.checkout_tree(commit.as_object(), Some(&mut co))
        .map_err(|e| Error::git("update the working tree", &e))?;
    repo.reference(&format!("refs/heads/{branch}"), target, true, why)
        .map_err(|e| Error::git("move the branch", &e))?;
    Ok(())
}

/// Write HEAD's tree into `dir` (which must exist): what is committed,
/// without the working tree's uncommitted edits.
pub(crate) fn export_head(repo: &Repository, dir: &Path) -> Result<()> {
    let tree = repo
        .head()
        .and_then(|h| h.peel_to_tree())
        .map_err(|e| Error::git("read HEAD", &e))?;
    let mut opts = git2::build::CheckoutBuilder::new();
    opts.target_dir(dir).force().update_index(false);
    repo.checkout_tree(tree.as_object(), Some(&mut opts))
        .map_err(|e| Error::git("export HEAD", &e))
}

/// The bytes of `path` in HEAD's tree, or None when it is not there. A
/// committed symlink is refused: its blob is where it points, not a file
/// eks-workshop may edit and commit.
pub(crate) fn head_blob(repo: &Repository, path: &str) -> Result<Option<Vec<u8>>> {
    let tree = repo
        .head()
        .and_then(|h| h.peel_to_tree())
        .map_err(|e| Error::git("read HEAD", &e))?;
    match tree.get_path(Path::new(path)) {
        Ok(entry) => {
            let blob = entry
                .to_object(repo)
                .and_then(|o| o.peel_to_blob())
                .map_err(|e| Error::git(format!("read {path}"), &e))?;
            if entry.filemode() == i32::from(git2::FileMode::Link) {
                let target = crate::fsx::printable(&String::from_utf8_lossy(blob.content()));
                return Err(Error::Symlink {
                    link: repo.workdir().unwrap_or(Path::new("")).join(path),
                    target: target.into(),
                });
            }
            Ok(Some(blob.content().to_vec()))
        }
        Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(None),
        Err(e) => Err(Error::git(format!("read {path}"), &e)),
    }
}

/// The bytes of `path` in `commit`'s tree, if both are there.
pub(crate) fn blob_at(repo: &Repository, commit: &str, path: &str) -> Option<Vec<u8>> {
    let commit = repo.find_commit(Oid::from_str(commit).ok()?).ok()?;
    let entry = commit.tree().ok()?.get_path(Path::new(path)).ok()?;
    let blob = entry.to_object(repo).ok()?.peel_to_blob().ok()?;
    Some(blob.content().to_vec())
}

/// Author and committer: git config's `user.name`/`user.email`, else the
/// login and GitHub's noreply address.
pub(crate) fn signature(repo: &Repository, login: &str) -> Result<Signature<'static>> {
    let config = repo.config().ok();
    let get = |key: &str| config.as_ref().and_then(|c| c.get_string(key).ok());
    let name = get("user.name").unwrap_or_else(|| login.to_string());
    let email = get("user.email").unwrap_or_else(|| format!("{login}@users.noreply.github.com"));
    Signature::now(&name, &email).map_err(|e| Error::git("make a signature", &e))
}

/// Commit exactly `changes` (path → new bytes) on top of HEAD, whatever else
/// the working tree or index holds: the participant's own edits stay
/// uncommitted and untouched. The index entries for those paths are updated
/// so `git status` agrees. Returns None when the changes are already in HEAD.
pub(crate) fn commit_files(
    repo: &Repository,
    changes: &[(String, Vec<u8>)],
    message: &str,
    sig: &Signature,
) -> Result<Option<Oid>> {
    lock::clear_stale(repo)?;
    let head = repo
        .head()
        .and_then(|h| h.peel_to_commit())
        .map_err(|e| Error::git("read HEAD", &e))?;
    let mut index = git2::Index::new().map_err(|e| Error::git("make an index", &e))?;
    index
        .read_tree(&head.tree().map_err(|e| Error::git("read HEAD", &e))?)
        .map_err(|e| Error::git("read HEAD", &e))?;
    let mut blobs = Vec::new();
    for (path, bytes) in changes {
        let oid = repo
            .blob(bytes)
            .map_err(|e| Error::git("write a blob", &e))?;
        let mut entry = index_entry(path, oid, bytes.len());
        if let Some(existing) = index.get_path(Path::new(path), 0) {
            entry.mode = existing.mode;
        }
        index
            .add(&entry)
            .map_err(|e| Error::git(format!("stage {path}"), &e))?;
        blobs.push(entry);
    }
    let tree_id = index
        .write_tree_to(repo)
        .map_err(|e| Error::git("write the tree", &e))?;
    if tree_id == head.tree_id() {
        return Ok(None);
    }
    let tree = repo
        .find_tree(tree_id)
        .map_err(|e| Error::git("read the tree", &e))?;
    let oid = repo
        .commit(Some("HEAD"), sig, sig, message, &tree, &[&head])
        .map_err(|e| Error::git("commit", &e))?;
    // Keep the real index in step for our paths only.
    let mut real = repo.index().map_err(|e| Error::git("read the index", &e))?;
    for entry in blobs {
        real.add(&entry)
            .map_err(|e| Error::git("update the index", &e))?;
    }
    real.write()
        .map_err(|e| Error::git("write the index", &e))?;
    Ok(Some(oid))
}

fn index_entry(path: &str, id: Oid, len: usize) -> git2::IndexEntry {
    git2::IndexEntry {
        ctime: git2::IndexTime::new(0, 0),
        mtime: git2::IndexTime::new(0, 0),
        dev: 0,
        ino: 0,
        mode: 0o100644,
        uid: 0,
        gid: 0,
        file_size: len as u32,
        id,
        flags: (path.len().min(0xfff)) as u16,
        flags_extended: 0,
        path: path.as_bytes().to_vec(),
    }
}

/// Replay the commits on HEAD that `onto` lacks on top of `onto`, in memory.
/// Returns the new tip, or an error when one of them does not apply cleanly.
pub(crate) fn rebase_onto(repo: &Repository, onto: Oid) -> Result<Oid> {
    let head = head_commit(repo)?;
    let base = repo
        .merge_base(head, onto)
        .map_err(|e| Error::git("find the merge base", &e))?;
    let mut walk = repo.revwalk().map_err(|e| Error::git("walk history", &e))?;
    walk.push(head)
        .and_then(|_| walk.hide(base))
        .map_err(|e| Error::git("walk history", &e))?;
    walk.set_sorting(git2::Sort::TOPOLOGICAL | git2::Sort::REVERSE)
        .map_err(|e| Error::git("walk history", &e))?;
    let mut tip = repo
        .find_commit(onto)
        .map_err(|e| Error::git("find commit", &e))?;
    for oid in walk {
        let oid = oid.map_err(|e| Error::git("walk history", &e))?;
        let commit = repo
            .find_commit(oid)
            .map_err(|e| Error::git("find commit", &e))?;
        let mut index = repo
            .cherrypick_commit(&commit, &tip, 0, None)
            .map_err(|e| Error::git("rebase", &e))?;
        if index.has_conflicts() {
            return Err(Error::PushRejected {
                branch: current_branch(repo).unwrap_or_default(),
                message: format!(
                    "the remote branch moved, and commit {} (\"{}\") does not apply on top of it",
                    short(&oid.to_string()),
                    commit.summary().ok().flatten().unwrap_or_default()
                ),
                help: "pull the remote changes into the clone by hand (`git pull --rebase`), resolve the conflict, then run `eks-workshop resume`".into(),
            });
        }
        let tree_id = index
            .write_tree_to(repo)
            .map_err(|e| Error::git("rebase", &e))?;
        let tree = repo
            .find_tree(tree_id)
            .map_err(|e| Error::git("rebase", &e))?;
        let new = repo
            .commit(
                None,
                &commit.author(),
                &commit.committer(),
                commit.message().unwrap_or(""),
                &tree,
                &[&tip],
            )
            .map_err(|e| Error::git("rebase", &e))?;
        tip = repo
            .find_commit(new)
            .map_err(|e| Error::git("rebase", &e))?;
    }
    Ok(tip.id())
}

/// A commit's id as people read it: its first 8 hex digits.
pub(crate) fn short(sha: &str) -> &str {
    sha.get(..8).unwrap_or(sha)
}

/// `git status --porcelain`, as lines: `XY path` for each changed or
/// untracked file (ignored ones left out).
pub(crate) fn status_lines(repo: &Repository) -> Vec<String> {
    let mut options = git2::StatusOptions::new();
    options.include_untracked(true).include_ignored(false);
    let Ok(statuses) = repo.statuses(Some(&mut options)) else {
        return vec!["(status could not be read)".into()];
    };
    statuses
        .iter()
        .map(|e| {
            let s = e.status();
            let path = e.path().unwrap_or("?");
            if s.is_wt_new() {
                return format!("?? {path}");
            }
            let mark = |new: bool, modified: bool, deleted: bool| match (new, modified, deleted) {
                (true, _, _) => 'A',
                (_, true, _) => 'M',
                (_, _, true) => 'D',
                _ => ' ',
            };
            let index = mark(
                s.is_index_new(),
                s.is_index_modified(),
                s.is_index_deleted(),
            );
            let tree = mark(false, s.is_wt_modified(), s.is_wt_deleted());
            format!("{index}{tree} {path}")
        })
        .collect()
}

/// The subjects of the commits after `from` up to `to`, oldest first.
pub(crate) fn subjects(repo: &Repository, from: Oid, to: Oid) -> Vec<String> {
    between(repo, from, to)
        .iter()
        .map(|c| c.summary().ok().flatten().unwrap_or_default().to_string())
        .collect()
}

/// The commits after `from` up to `to` as `abc1234 subject`, oldest first.
pub(crate) fn one_lines(repo: &Repository, from: Oid, to: Oid) -> Vec<String> {
    between(repo, from, to)
        .iter()
        .map(|c| {
            let summary = c.summary().ok().flatten().unwrap_or_default();
            format!("{} {summary}", short(&c.id().to_string()))
        })
        .collect()
}

fn between(repo: &Repository, from: Oid, to: Oid) -> Vec<git2::Commit<'_>> {
    let Ok(mut walk) = repo.revwalk() else {
        return Vec::new();
    };
    if walk.push(to).is_err()
        || walk.hide(from).is_err()
        || walk
            .set_sorting(git2::Sort::TOPOLOGICAL | git2::Sort::REVERSE)
            .is_err()
    {
        return Vec::new();
    }
    walk.filter_map(|oid| repo.find_commit(oid.ok()?).ok())
        .collect()
}

/// The last `n` commits from HEAD: `sha date author: subject`.
pub(crate) fn log_lines(repo: &Repository, n: usize) -> Vec<String> {
    let Ok(mut walk) = repo.revwalk() else {
        return Vec::new();
    };
    if walk.push_head().is_err() {
        return vec!["(no commits)".into()];
    }
    walk.filter_map(|oid| repo.find_commit(oid.ok()?).ok())
        .take(n)
        .map(|c| {
            let when = humantime::format_rfc3339_seconds(
                std::time::UNIX_EPOCH
                    + std::time::Duration::from_secs(c.time().seconds().max(0) as u64),
            );
            format!(
                "{} {when} {}: {}",
                short(&c.id().to_string()),
                c.author().name().unwrap_or("?"),
                c.summary().ok().flatten().unwrap_or_default()
            )
        })
        .collect()
}

#[cfg(test)]
mod tests;
