//! reset: HEAD holds the files a command left the fork with (a whole
//! `setup`'s end, or the last add-on command's), every one of them: changed
//! back, brought back, or deleted when added later. Made as a new commit on
//! top of HEAD, so history is kept, the push is a plain fast-forward, and
//! the commits it undoes stay in `git log`, named in its message.
//!
//! Done is read from the world: HEAD's tree is the recorded commit's tree.
//! So a second reset changes nothing, and a run killed after its commit
//! goes on with the push.

use std::path::Path;

use git2::{Commit, Oid, Repository};

use super::Checked;
use crate::ctx::Ctx;
use crate::effect::Effect;
use crate::error::{Error, Result};
use crate::git::{self, short};
use crate::state::{End, ResetPoint, State};

/// Where `to` left the fork, as the state file recorded it; an error that
/// says what to do when it recorded nothing.
pub(crate) fn recorded(state: &State, to: ResetPoint) -> Result<&End> {
    state.outputs.ends.get(&to).ok_or_else(|| {
        let help = match to {
            ResetPoint::Setup => {
                "this workshop's state file was written before eks-workshop recorded where setup left the fork; put the files back by hand in the clone (`git restore --source=COMMIT --staged --worktree .`, then `git commit`) and run `eks-workshop sync`; setup, enable-addon and disable-addon are recorded from now on"
            }
            ResetPoint::Addons => {
                "no enable-addon or disable-addon has finished here since eks-workshop began recording them; `eks-workshop reset --to setup` goes back to where setup left the fork"
            }
        };
        Error::usage(
            format!(
                "there is nothing to reset to: no record of where {} left the fork",
                to.commands()
            ),
            help,
        )
    })
}

pub(super) fn check(ctx: &Ctx, to: ResetPoint) -> Result<Checked> {
    let repo = git::open(&ctx.config.clone_dir())?;
    let (head, target) = commits(ctx, &repo, to)?;
    let at = short(&target.id().to_string()).to_string();
    if head.tree_id() == target.tree_id() {
        return Ok(Checked::done(format!(
            "HEAD holds the files {} left ({at})",
            to.commands()
        )));
    }
    refuse_edits(&repo, &head, &target)?;
    Ok(Checked::to_do(match undone(&repo, &head, &target).len() {
        0 => format!("HEAD's files differ from {at}'s"),
        n => format!("{n} commit(s) since {at} to undo"),
    }))
}

/// The new commit: its message, the commits it undoes, and its diff.
pub(super) fn effects(ctx: &Ctx, to: ResetPoint) -> Result<Vec<Effect>> {
    let repo = git::open(&ctx.config.clone_dir())?;
    let (head, target) = commits(ctx, &repo, to)?;
    let undone = undone(&repo, &head, &target);
    Ok(vec![Effect::Restore {
        message: message(to, &target, &undone),
        undone,
        diff: diff(&repo, &head, &target)?,
        commit: target.id().to_string(),
    }])
}

/// Write the recorded commit's files into the working tree, then commit
/// them on HEAD. The working tree first: a run killed in between leaves
/// files the next check knows as the target's, not as edits.
pub(super) fn restore(ctx: &Ctx, commit: &str, message: &str) -> Result<String> {
    let repo = git::open(&ctx.config.clone_dir())?;
    let sig = ctx.signature(&repo)?;
    restore_in(&repo, commit, message, &sig)
}

fn restore_in(
    repo: &Repository,
    commit: &str,
    message: &str,
    sig: &git2::Signature,
) -> Result<String> {
    let mut said = String::new();
    if let git::lock::Found::Removed(lock) = git::lock::clear_stale(repo)? {
        said = format!(
            "removed {} (a killed run's leftover; no process held it); ",
            lock.display()
        );
    }
    let target = find(repo, commit)?;
    let head = head(repo)?;
    if head.tree_id() == target.tree_id() {
        return Ok(format!("{said}already committed"));
    }
    // Looked at again: the participant may have edited since the plan.
    refuse_edits(repo, &head, &target)?;
    let mut co = git2::build::CheckoutBuilder::new();
    co.force();
    repo.checkout_tree(target.as_object(), Some(&mut co))
        .map_err(|e| Error::git("write the restored files", &e))?;
    crate::pause::point("reset:after-checkout");
    let tree = tree(&target)?;
    let oid = repo
        .commit(Some("HEAD"), sig, sig, message, &tree, &[&head])
        .map_err(|e| Error::git("commit", &e))?;
    let subject = message.lines().next().unwrap_or_default();
    Ok(format!(
        "{said}committed {} \"{subject}\"",
        short(&oid.to_string())
    ))
}

/// HEAD and the recorded commit, which the clone must hold.
fn commits<'r>(
    ctx: &Ctx,
    repo: &'r Repository,
    to: ResetPoint,
) -> Result<(Commit<'r>, Commit<'r>)> {
    let end = recorded(&ctx.state, to)?;
    Ok((head(repo)?, find(repo, &end.commit)?))
}

fn head(repo: &Repository) -> Result<Commit<'_>> {
    repo.head()
        .and_then(|h| h.peel_to_commit())
        .map_err(|e| Error::git("read HEAD", &e))
}

fn find<'r>(repo: &'r Repository, commit: &str) -> Result<Commit<'r>> {
    let clone = repo
        .workdir()
        .unwrap_or(Path::new("."))
        .display()
        .to_string();
    Oid::from_str(commit)
        .and_then(|oid| repo.find_commit(oid))
        .map_err(|_| {
            Error::usage(
                format!(
                    "the recorded commit {} is not in the clone {clone}",
                    short(commit)
                ),
                format!(
                    "fetch it from your fork (`git -C {clone} fetch origin`), then run this again; if the fork's history was rewritten, the commit is gone and there is nothing to reset to"
                ),
            )
        })
}

/// The commits HEAD has that the recorded one does not, oldest first, as
/// `abc12345 subject` (a subject is the participant's text: made printable).
fn undone(repo: &Repository, head: &Commit, target: &Commit) -> Vec<String> {
    git::one_lines(repo, target.id(), head.id())
        .iter()
        .map(|line| crate::fsx::printable(line))
        .collect()
}

fn message(to: ResetPoint, target: &Commit, undone: &[String]) -> String {
    let at = short(&target.id().to_string()).to_string();
    let mut message = format!(
        "Reset to where {} left the fork ({at})\n\nRestores every file as commit {at} has it. History is kept: the commits this undoes stay in the log.\n",
        to.name()
    );
    if !undone.is_empty() {
        message.push_str("\nUndoes:\n");
        for line in undone {
            message.push_str(&format!("- {line}\n"));
        }
    }
    message
}

/// The tree diff HEAD → the recorded commit, file by file, for the plan.
fn diff(repo: &Repository, head: &Commit, target: &Commit) -> Result<String> {
    let (from, to) = (tree(head)?, tree(target)?);
    let changed = repo
        .diff_tree_to_tree(Some(&from), Some(&to), None)
        .map_err(|e| Error::git("compare the trees", &e))?;
    let mut out = String::new();
    for delta in changed.deltas() {
        let Some(path) = delta.new_file().path().or(delta.old_file().path()) else {
            continue;
        };
        let rel = path.to_string_lossy();
        let before = blob(repo, &from, path)?.unwrap_or_default();
        let after = blob(repo, &to, path)?.unwrap_or_default();
        out.push_str(&crate::effect::diff(&rel, &before, &after));
    }
    Ok(out)
}

fn tree<'r>(commit: &Commit<'r>) -> Result<git2::Tree<'r>> {
    commit.tree().map_err(|e| Error::git("read a tree", &e))
}

fn blob(repo: &Repository, tree: &git2::Tree, path: &Path) -> Result<Option<Vec<u8>>> {
    match tree.get_path(path) {
        Ok(entry) => entry
            .to_object(repo)
            .and_then(|o| o.peel_to_blob())
            .map(|b| Some(b.content().to_vec()))
            .map_err(|e| Error::git(format!("read {}", path.display()), &e)),
        Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(None),
        Err(e) => Err(Error::git(format!("read {}", path.display()), &e)),
    }
}

/// Stop when the working tree holds the participant's uncommitted edits:
/// a file (or a staged change) that is neither HEAD's nor the recorded
/// commit's (what an earlier, killed run already wrote), or an untracked
/// file where the recorded commit has one. Untracked files elsewhere are
/// theirs and stay.
fn refuse_edits(repo: &Repository, head: &Commit, target: &Commit) -> Result<()> {
    let clone = repo.workdir().unwrap_or(Path::new(".")).to_path_buf();
    let edited = edits(repo, head, target)?;
    if edited.is_empty() {
        return Ok(());
    }
    Err(Error::UncommittedEdits {
        clone,
        files: edited,
    })
}

fn edits(repo: &Repository, head: &Commit, target: &Commit) -> Result<Vec<String>> {
    let clone = repo.workdir().unwrap_or(Path::new("."));
    let (head_tree, wanted_tree) = (tree(head)?, tree(target)?);
    let mut opts = git2::DiffOptions::new();
    opts.include_untracked(true)
        .recurse_untracked_dirs(true)
        .include_typechange(true);
    let changed = repo
        .diff_tree_to_workdir_with_index(Some(&head_tree), Some(&mut opts))
        .map_err(|e| Error::git("read the working tree's changes", &e))?;
    let mut edited = Vec::new();
    for delta in changed.deltas() {
        let Some(path) = delta.new_file().path().or(delta.old_file().path()) else {
            continue;
        };
        let rel = path.to_string_lossy().into_owned();
        let wanted = blob(repo, &wanted_tree, path)?;
        if delta.status() == git2::Delta::Untracked && wanted.is_none() {
            continue;
        }
        // A link or a file that cannot be read is not ours to overwrite.
        let working = crate::fsx::read_in(clone, &rel).ok();
        if working != Some(wanted) {
            edited.push(crate::fsx::printable(&rel));
        }
    }
    Ok(edited)
}

#[cfg(test)]
mod tests;
