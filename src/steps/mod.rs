//! The steps, one file each. A step has a stable id (its key in the state
//! file), a `check` that only reads the world, and a `run` that is safe to
//! repeat. They are matched here, in one place.

pub(crate) mod addons;
mod clone;
mod convert;
mod flux;
mod fork;
mod migrate;
pub(crate) mod preflight;
mod prereqs;
mod publish;
mod push;
mod reconcile;
mod render;

use crate::ctx::Ctx;
use crate::error::Result;
pub(crate) use crate::plan::Step;

/// What a step's check found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Check {
    Done(String),
    Pending(String),
    Skipped(String),
}

pub(crate) async fn check(step: Step, ctx: &mut Ctx) -> Result<Check> {
    match step {
        Step::Prerequisites => prereqs::check(ctx),
        Step::Fork => fork::check(ctx).await,
        Step::Clone => clone::check(ctx).await,
        Step::Render => render::check(ctx),
        Step::Addons => addons::check(ctx),
        Step::Convert => convert::check(ctx),
        Step::Migrate => migrate::check(ctx).await,
        Step::Push => push::check(ctx).await,
        Step::Publish => publish::check(ctx).await,
        Step::Flux => flux::check(ctx).await,
        Step::Reconcile => reconcile::check(ctx).await,
    }
}

/// What `run` would change, for the dry run (reads only). `why` is what the
/// check found still to do; `after` says an earlier step gives it work.
pub(crate) async fn preview(
    step: Step,
    ctx: &mut Ctx,
    why: &str,
    after: bool,
) -> Result<Vec<crate::change::Change>> {
    match step {
        Step::Prerequisites => Ok(Vec::new()),
        Step::Fork => fork::preview(ctx).await,
        Step::Clone => clone::preview(ctx, why).await,
        Step::Render => render::preview(ctx),
        Step::Addons => addons::preview(ctx),
        Step::Convert => convert::preview(ctx),
        Step::Migrate => migrate::preview(ctx).await,
        Step::Push => push::preview(ctx).await,
        Step::Publish => publish::preview(ctx).await,
        Step::Flux => flux::preview(ctx).await,
        Step::Reconcile => reconcile::preview(ctx, after).await,
    }
}

/// Do the step's work; returns a one-line detail for the user.
pub(crate) async fn run(step: Step, ctx: &mut Ctx) -> Result<String> {
    match step {
        Step::Prerequisites => prereqs::run(ctx),
        Step::Fork => fork::run(ctx).await,
        Step::Clone => clone::run(ctx).await,
        Step::Render => render::run(ctx),
        Step::Addons => addons::run(ctx),
        Step::Convert => convert::run(ctx),
        Step::Migrate => migrate::run(ctx).await,
        Step::Push => push::run(ctx).await,
        Step::Publish => publish::run(ctx).await,
        Step::Flux => flux::run(ctx).await,
        Step::Reconcile => reconcile::run(ctx).await,
    }
}

/// Refuse to write or commit a YAML (JSON) file that does not parse, named
/// by line: a tab-indented file would otherwise go to the fork and break
/// Flux's build far from its cause. Also when it never parsed: a file we
/// edit must be one we can vouch for.
fn must_parse(clone: &std::path::Path, rel: &str, bytes: &[u8]) -> Result<()> {
    let error = match std::str::from_utf8(bytes) {
        Ok(text) => crate::manifests::first_syntax_error(text, rel.ends_with(".json")),
        Err(e) => Some((1, format!("is not UTF-8 text: {e}"))),
    };
    match error {
        None => Ok(()),
        Some((line, reason)) => Err(crate::error::Error::InvalidYaml {
            path: clone.join(rel),
            line,
            reason,
        }),
    }
}

/// Commit `files` (path, new bytes) on HEAD, each first held to
/// [`must_parse`]: every step's commit goes through here.
fn commit(
    repo: &git2::Repository,
    files: &[(String, Vec<u8>)],
    message: &str,
    sig: &git2::Signature,
) -> Result<Option<git2::Oid>> {
    let clone = repo.workdir().unwrap_or(std::path::Path::new("."));
    for (path, bytes) in files {
        must_parse(clone, path, bytes)?;
    }
    crate::git::commit_files(repo, files, message, sig)
}

pub(crate) use fork::{fork_url, remote_url};
pub(crate) use prereqs::TOOLS;
pub(crate) use reconcile::{goal, releases};
