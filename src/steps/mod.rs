//! The steps, one file each. A step has a stable id (its key in the state
//! file), a `check` that only reads the world, and a `run` that is safe to
//! repeat. They are matched here, in one place.

mod addons;
mod clone;
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
    Migrate,
    Push,
    Flux,
    Reconcile,
}

/// What a step's check found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Check {
    Done(String),
    Pending(String),
    Skipped(String),
}

impl Step {
    pub(crate) const ALL: [Step; 9] = [
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
            Step::Migrate => "migrating manifests to the Flux APIs the cluster serves",
            Step::Push => "committing and pushing",
            Step::Flux => "bootstrapping Flux",
            Step::Reconcile => "waiting for Flux to apply the pushed commit",
        }
    }

    /// For clap: a step id, or an error listing them.
    pub(crate) fn parse(s: &str) -> std::result::Result<Step, String> {
        Step::ALL
            .into_iter()
            .find(|st| st.id() == s)
            .ok_or_else(|| {
                let ids: Vec<_> = Step::ALL.iter().map(|s| s.id()).collect();
                format!("unknown step `{s}`; steps: {}", ids.join(", "))
            })
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
        Step::Migrate => migrate::check(ctx).await,
        Step::Push => push::check(ctx).await,
        Step::Flux => flux::check(ctx).await,
        Step::Reconcile => reconcile::check(ctx).await,
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
        Step::Migrate => migrate::run(ctx).await,
        Step::Push => push::run(ctx).await,
        Step::Flux => flux::run(ctx).await,
        Step::Reconcile => reconcile::run(ctx).await,
    }
}

pub(crate) use fork::{fork_url, remote_url};
pub(crate) use prereqs::TOOLS;
pub(crate) use reconcile::releases;
