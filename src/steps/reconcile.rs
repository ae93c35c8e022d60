//! reconcile: wait until Flux has applied the pushed commit: the
//! GitRepository has fetched it, every Kustomization has applied it, and the
//! HelmReleases of the add-ons just enabled are Ready. `run` asks Flux to
//! reconcile now, then watches (no polling) until that holds.

use super::{Check, remote_url};
use crate::engine::{Ctx, auth};
use crate::error::{Error, Result};
use crate::kube::follow::wait_synced;
use crate::kube::sync::{self, Fresh, Goal, Outcome};
use crate::kube::wait::Limits;
use crate::kube::{self, flux};

pub(super) async fn check(ctx: &mut Ctx) -> Result<Check> {
    if !ctx.wait {
        return Ok(Check::Skipped("not waiting (--no-wait)".into()));
    }
    let cluster = kube::cluster(ctx).await?;
    let Some(types) = flux::types(&cluster).await? else {
        return Ok(Check::Pending("Flux is not installed".into()));
    };
    let goal = goal(ctx).await?;
    let addons = addons(ctx);
    let observed = crate::kube::observe::observe(&cluster, &types, &addons).await?;
    for odd in observed.odd() {
        ctx.ui.warn(&format!("{odd}; judged without it"));
    }
    let judged = sync::judge(&observed, &goal, &addons, &Fresh::default());
    Ok(match sync::outcome(&judged, &goal) {
        Outcome::Synced(detail) => Check::Done(detail),
        Outcome::Pending { summary, .. } => Check::Pending(summary),
        Outcome::Failed(err) => Check::Pending(err.to_string()),
    })
}

pub(super) async fn run(ctx: &mut Ctx) -> Result<String> {
    let cluster = kube::cluster(ctx).await?;
    let Some(types) = flux::types(&cluster).await? else {
        return Err(Error::StepNotDone {
            step: "flux",
            detail: "Flux is not installed on the cluster".into(),
        });
    };
    let goal = goal(ctx).await?;
    let addons = addons(ctx);
    let limits = Limits::from_ctx(ctx);
    ctx.ui.progress("asking Flux to reconcile now");
    let fresh = crate::kube::observe::request_reconcile(&cluster, &types).await?;
    wait_synced(&cluster, &types, &goal, &addons, &fresh, &limits, &ctx.ui).await
}

/// (namespace, name) of the HelmReleases to wait for.
fn addons(ctx: &Ctx) -> Vec<(&'static str, &'static str)> {
    ctx.wait_addons.iter().map(|a| a.helm_release).collect()
}

/// The commit Flux should reach: the one pushed, else the branch's head.
async fn goal(ctx: &mut Ctx) -> Result<Goal> {
    let branch = ctx.config.settings.branch.clone();
    if let Some(commit) = ctx.state.outputs.pushed_commit.clone() {
        return Ok(Goal { branch, commit });
    }
    let url = remote_url(ctx).ok_or_else(|| Error::StepNotDone {
        step: "fork",
        detail: "the fork's URL is not known yet".into(),
    })?;
    let pair = ctx.git_auth().await?;
    match crate::git::remote_head(&url, &branch, auth(&pair))? {
        Some(oid) => Ok(Goal {
            branch,
            commit: oid.to_string(),
        }),
        None => Err(Error::StepNotDone {
            step: "push",
            detail: format!("the fork has no branch {branch} yet"),
        }),
    }
}
