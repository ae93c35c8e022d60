//! clone: `DIR/<repo>` is a clone of the fork, on the branch, holding the
//! remote branch's latest commit.

use std::path::Path;

use super::{Check, remote_url};
use crate::engine::{Ctx, auth};
use crate::error::{Error, Result};
use crate::git;

pub(super) async fn check(ctx: &mut Ctx) -> Result<Check> {
    let path = ctx.config.clone_dir();
    let Some(repo) = existing_clone(ctx, &path)? else {
        return Ok(Check::Pending(format!(
            "{} does not exist yet",
            path.display()
        )));
    };
    let url = origin(ctx)?;
    let pair = ctx.git_auth().await?;
    let branch = &ctx.config.settings.branch;
    let remote = git::remote_head(&url, branch, auth(&pair))?;
    // Done when we hold the remote's latest commit; the push step rebases if
    // our own commits sit on top of an older one.
    match remote {
        Some(oid) if repo.find_commit(oid).is_ok() => {
            ctx.state.outputs.clone_path = Some(path.clone());
            Ok(Check::Done(format!("{} on {branch}", path.display())))
        }
        Some(_) => Ok(Check::Pending(format!(
            "{branch} has new commits on the remote"
        ))),
        None => Err(Error::NotFound {
            what: "branch on the remote",
            name: branch.clone(),
            help: "--branch must name a branch of your fork".into(),
        }),
    }
}

pub(super) async fn run(ctx: &mut Ctx) -> Result<String> {
    let path = ctx.config.clone_dir();
    let url = origin(ctx)?;
    let pair = ctx.git_auth().await?;
    let branch = ctx.config.settings.branch.clone();
    ctx.state.outputs.clone_path = Some(path.clone());
    let Some(repo) = existing_clone(ctx, &path)? else {
        clone_fresh(ctx, &url, &path, &branch, auth(&pair))?;
        return Ok(format!("cloned into {}", path.display()));
    };
    let fetched = git::fetch(&repo, &branch, auth(&pair))?;
    let head = git::head_commit(&repo)?;
    if git::is_ancestor(&repo, head, fetched) && head != fetched {
        git::move_branch(&repo, &branch, fetched, "eks-workshop: fast-forward").map_err(
            |e| match e {
                Error::Git { message, .. } => Error::UncommittedEdits {
                    clone: path.clone(),
                    files: vec![format!("(files changed on the remote: {message})")],
                },
                e => e,
            },
        )?;
        return Ok(format!("fast-forwarded to {}", &fetched.to_string()[..8]));
    }
    Ok(format!("fetched {}", &fetched.to_string()[..8]))
}

fn origin(ctx: &Ctx) -> Result<String> {
    remote_url(ctx).ok_or_else(|| Error::StepNotDone {
        step: "fork",
        detail: "the fork's URL is not known yet".into(),
    })
}

/// The clone at `path` if there is one that we may use; an error if the path
/// holds something else (never overwritten).
fn existing_clone(ctx: &Ctx, path: &Path) -> Result<Option<git2::Repository>> {
    if !path.exists() || is_empty_dir(path) {
        return Ok(None);
    }
    let expected = origin(ctx)?;
    let occupied = |reason: String| Error::CloneOccupied {
        path: path.to_path_buf(),
        expected: expected.clone(),
        reason,
    };
    let repo =
        git2::Repository::open(path).map_err(|_| occupied("it is not a git repository".into()))?;
    let actual = git::origin_url(&repo).unwrap_or_default();
    if actual.trim_end_matches('/') != expected.trim_end_matches('/') {
        return Err(occupied(format!("its origin is `{actual}`")));
    }
    let branch = &ctx.config.settings.branch;
    match git::current_branch(&repo) {
        Some(b) if &b == branch => Ok(Some(repo)),
        other => Err(Error::usage(
            format!(
                "the clone {} is on {}, not on {branch}",
                path.display(),
                other.map_or("a detached HEAD".into(), |b| format!("branch {b}"))
            ),
            format!(
                "switch back with `git -C {} checkout {branch}`, or pass --branch",
                path.display()
            ),
        )),
    }
}

fn is_empty_dir(path: &Path) -> bool {
    std::fs::read_dir(path).is_ok_and(|mut d| d.next().is_none())
}

/// Clone beside the target and rename into place, so an interrupted clone
/// never leaves a half-made repository where the next run would find it.
fn clone_fresh(
    ctx: &Ctx,
    url: &str,
    path: &Path,
    branch: &str,
    auth: Option<git::Auth>,
) -> Result<()> {
    let partial = ctx.config.work_dir().join("partial-clone");
    if partial.exists() {
        std::fs::remove_dir_all(&partial).map_err(|e| Error::io(&partial, "removed", e))?;
    }
    crate::fsx::create_dir_all(&ctx.config.work_dir())?;
    git::clone(url, &partial, branch, auth)?;
    crate::pause::point("clone:before-rename");
    if path.exists() {
        // An empty directory the participant made: replace it.
        std::fs::remove_dir(path).map_err(|e| Error::io(path, "replaced", e))?;
    }
    std::fs::rename(&partial, path).map_err(|e| Error::io(path, "created", e))
}
