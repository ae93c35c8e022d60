//! clone: `DIR/<repo>` is a clone of the fork, on the branch, holding the
//! remote branch's latest commit.

use std::path::Path;

use super::Checked;
use crate::ctx::{Ctx, auth};
use crate::effect::Effect;
use crate::error::{Error, Result};
use crate::git;
use crate::git::credential::{self, Configured, Found};
use crate::state::Learned;

pub(super) async fn check(ctx: &Ctx) -> Result<Checked> {
    let path = ctx.config.clone_dir();
    let Some(repo) = existing_clone(ctx, &path)? else {
        return Ok(Checked::to_do(format!(
            "{} does not exist yet",
            path.display()
        )));
    };
    let url = ctx.fork_url()?;
    let branch = &ctx.config.settings.branch;
    let remote = ctx.fork_head().await?;
    // Done when we hold the remote's latest commit; the push step rebases if
    // our own commits sit on top of an older one.
    match remote {
        Some(oid) if repo.find_commit(oid).is_ok() => {
            let found = match helper_missing(ctx, &repo, &url)? {
                Some(why) => Checked::to_do(why),
                None => Checked::done(format!("{} on {branch}", path.display())),
            };
            Ok(found.learning(Learned::ClonePath(path.clone())))
        }
        Some(_) => Ok(Checked::to_do(format!(
            "{branch} has new commits on the remote"
        ))),
        None => Err(Error::NotFound {
            what: "branch on the remote",
            name: branch.clone(),
            help: "--branch must name a branch of your fork".into(),
        }),
    }
}

/// Clone the fork fresh, or bring the clone up to the fork's branch; either
/// way, make sure `git push` there can use the token.
pub(super) async fn clone_or_update(ctx: &mut Ctx) -> Result<String> {
    let path = ctx.config.clone_dir();
    let url = ctx.fork_url()?;
    let pair = ctx.git_auth().await?;
    let branch = ctx.config.settings.branch.clone();
    ctx.state.outputs.learn(Learned::ClonePath(path.clone()));
    let Some(repo) = existing_clone(ctx, &path)? else {
        clone_fresh(ctx, &url, &path, &branch, auth(&pair))?;
        let repo = git::open(&path)?;
        let helper = credential_helper(ctx, &repo, &url).await?;
        return Ok(format!("cloned into {}{helper}", path.display()));
    };
    let helper = credential_helper(ctx, &repo, &url).await?;
    let fetched = git::fetch(&repo, &branch, auth(&pair))?;
    ctx.fork_moved(Some(fetched));
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
        return Ok(format!(
            "fast-forwarded to {}{helper}",
            git::short(&fetched.to_string())
        ));
    }
    Ok(format!(
        "fetched {}{helper}",
        git::short(&fetched.to_string())
    ))
}

/// Why the clone still needs our credential helper, if it does (online
/// only; a helper of the participant's counts as done).
fn helper_missing(ctx: &Ctx, repo: &git2::Repository, url: &str) -> Result<Option<String>> {
    let Some(exe) = helper_exe(ctx) else {
        return Ok(None);
    };
    let login = ctx.known_login();
    Ok(match credential::inspect(repo, url, login, &exe)? {
        Found::Missing => Some("the clone has no credential helper for `git push` yet".into()),
        Found::Current | Found::TheirOwn(..) => None,
    })
}

/// Make `git push`/`pull`/`fetch` in the clone use the token from the
/// environment: eks-workshop as the credential helper (local config only;
/// the token is written nowhere). Returns what to add to the step's line.
async fn credential_helper(ctx: &Ctx, repo: &git2::Repository, url: &str) -> Result<String> {
    let Some(exe) = helper_exe(ctx) else {
        return Ok(String::new());
    };
    let login = ctx.login().await?;
    Ok(match credential::configure(repo, url, &login, &exe)? {
        Configured::Set => {
            "; `git push` there uses GITHUB_TOKEN (eks-workshop is its credential helper)".into()
        }
        Configured::Already => String::new(),
        Configured::TheirOwn(key, value) => {
            ctx.ui.note(&format!(
                "the clone has your own credential helper ({key} = {value}); left alone"
            ));
            String::new()
        }
    })
}

/// This binary, when the clone's remote is a forge (not offline).
fn helper_exe(ctx: &Ctx) -> Option<std::path::PathBuf> {
    if ctx.offline() {
        return None;
    }
    std::env::current_exe().ok()
}

/// The clone at `path` if there is one that we may use; an error if the path
/// holds something else (never overwritten).
fn existing_clone(ctx: &Ctx, path: &Path) -> Result<Option<git2::Repository>> {
    if !path.exists() || is_empty_dir(path) {
        return Ok(None);
    }
    let expected = ctx.fork_url()?;
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

/// A fresh clone, or what brings the clone up to date.
pub(super) async fn effects(ctx: &Ctx, why: &str) -> Result<Vec<Effect>> {
    let path = ctx.config.clone_dir();
    if existing_clone(ctx, &path)?.is_none() {
        return Ok(vec![Effect::Clone {
            url: ctx.remote_url().unwrap_or_else(|| "the fork".into()),
            into: path.display().to_string(),
        }]);
    }
    Ok(vec![Effect::Update {
        what: format!("update the clone: {why}"),
    }])
}
