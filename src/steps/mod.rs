//! The steps, one file each. A step has a stable id (its key in the state
//! file), a `check` that only reads the world, and a `run` that is safe to
//! repeat. They are matched here, in one place.

mod addons;
mod clone;
mod convert;
mod flux;
mod fork;
mod migrate;
pub(crate) mod preflight;
mod prereqs;
mod push;
mod reconcile;
mod render;

use crate::engine::Ctx;
use crate::error::Result;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Step {
    Prerequisites,
    Fork,
    Clone,
    Render,
    Addons,
    Convert,
    Migrate,
    Push,
    Flux,
    Reconcile,
}

impl serde::Serialize for Step {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.id())
    }
}

/// What a step's check found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Check {
    Done(String),
    Pending(String),
    Skipped(String),
}

impl Step {
    /// What `setup` runs, in order (`--until` names one of them).
    pub(crate) const SETUP: [Step; 9] = [
        Step::Prerequisites,
        Step::Fork,
        Step::Clone,
        Step::Render,
        Step::Addons,
        Step::Migrate,
        Step::Push,
        Step::Flux,
        Step::Reconcile,
    ];

    pub(crate) fn id(self) -> &'static str {
        match self {
            Step::Prerequisites => "prerequisites",
            Step::Fork => "fork",
            Step::Clone => "clone",
            Step::Render => "render",
            Step::Addons => "addons",
            Step::Convert => "convert",
            Step::Migrate => "migrate",
            Step::Push => "push",
            Step::Flux => "flux",
            Step::Reconcile => "reconcile",
        }
    }

    pub(crate) fn title(self) -> &'static str {
        match self {
            Step::Prerequisites => "checking tools and settings",
            Step::Fork => "making sure your fork exists",
            Step::Clone => "cloning your fork",
            Step::Render => "rendering manifests with your values",
            Step::Addons => "enabling and disabling add-ons",
            Step::Convert => "converting deprecated Kubernetes APIs",
            Step::Migrate => "migrating manifests to the Flux APIs the cluster serves",
            Step::Push => "committing and pushing",
            Step::Flux => "bootstrapping Flux",
            Step::Reconcile => "waiting for Flux to apply the pushed commit",
        }
    }

    /// For clap: a step id, or an error listing them.
    pub(crate) fn parse(s: &str) -> std::result::Result<Step, String> {
        Step::SETUP
            .into_iter()
            .find(|st| st.id() == s)
            .ok_or_else(|| {
                let ids: Vec<_> = Step::SETUP.iter().map(|s| s.id()).collect();
                format!("unknown step `{s}`; steps: {}", ids.join(", "))
            })
    }

    /// Earlier steps whose work this step's check reads: while one of them
    /// is still to run, a dry run cannot check this one.
    pub(crate) fn needs_done(self) -> &'static [Step] {
        match self {
            // Flux's check reads the cluster; it needs the fork's URL only
            // for what the objects should say (see `flux::check`).
            Step::Prerequisites | Step::Fork | Step::Flux => &[],
            Step::Clone | Step::Reconcile => &[Step::Fork],
            _ => &[Step::Fork, Step::Clone],
        }
    }

    /// Earlier steps that give this one work even when its check finds it
    /// done now: the push pushes their commits, the wait waits for them.
    pub(crate) fn runs_after(self) -> &'static [Step] {
        match self {
            Step::Push => &[Step::Convert, Step::Migrate],
            Step::Reconcile => &[Step::Convert, Step::Migrate, Step::Push, Step::Flux],
            _ => &[],
        }
    }

    /// Steps that need a cluster are skipped offline.
    pub(crate) fn needs_cluster(self) -> bool {
        matches!(self, Step::Flux | Step::Reconcile)
    }
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
        Step::Flux => flux::run(ctx).await,
        Step::Reconcile => reconcile::run(ctx).await,
    }
}

pub(crate) use fork::{fork_url, remote_url};
pub(crate) use prereqs::TOOLS;
pub(crate) use reconcile::releases;
