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
) -> Result<Vec<crate::preview::Change>> {
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

pub(crate) use fork::{fork_url, remote_url};
pub(crate) use prereqs::TOOLS;
pub(crate) use reconcile::{goal, releases};
