//! reconcile: wait until Flux has applied the pushed commit: the
//! GitRepository has fetched it, every Kustomization has applied it, and the
//! HelmReleases of the add-ons just enabled are Ready. `run` asks Flux to
//! reconcile now, then watches (no polling) until that holds.

use super::{Checked, fork_url};
use crate::addon_catalog::{ADDONS, ADDONS_KUSTOMIZATION};
use crate::ctx::{Ctx, auth};
use crate::effect::Effect;
use crate::error::{Error, Result};
use crate::flux;
use crate::flux::depends::Release;
use crate::flux::follow::wait_synced;
use crate::flux::synced::{self, Fresh, Goal, Outcome};
use crate::git;
use crate::kustomize;
use crate::plan::Wait;

pub(super) async fn check(ctx: &Ctx, wait: &Wait) -> Result<Checked> {
    if !wait.wait {
        return Ok(Checked::skipped("not waiting (--no-wait)"));
    }
    let cluster = ctx.cluster().await?;
    let Some(types) = flux::types(&cluster).await? else {
        return Ok(Checked::to_do("Flux is not installed"));
    };
    let goal = goal(ctx, wait).await?;
    let addons = releases(ctx, wait);
    let observed = crate::flux::observe::observe(&cluster, &types, &addons).await?;
    for odd in observed.odd() {
        ctx.ui.warn(&format!("{odd}; judged without it"));
    }
    let judged = synced::judge(&observed, &goal, &addons, &Fresh::default());
    Ok(match synced::outcome(&judged, &goal) {
        Outcome::Synced(detail) => Checked::done(detail),
        Outcome::Pending { summary, .. } => Checked::to_do(summary),
        Outcome::Failed(err) => Checked::to_do(err.to_string()),
    })
}

/// Ask Flux to reconcile now, and follow it until `wait` holds.
pub(super) async fn wait(ctx: &Ctx, wait: &Wait) -> Result<String> {
    let cluster = ctx.cluster().await?;
    let Some(types) = flux::types(&cluster).await? else {
        return Err(Error::StepNotDone {
            step: "flux",
            detail: "Flux is not installed on the cluster".into(),
        });
    };
    let goal = goal(ctx, wait).await?;
    let addons = releases(ctx, wait);
    let limits = ctx.limits();
    ctx.ui.progress("asking Flux to reconcile now");
    let fresh = crate::flux::observe::request_reconcile(&cluster, &types).await?;
    wait_synced(&cluster, &types, &goal, &addons, &fresh, &limits, &ctx.ui).await
}

/// The HelmReleases to wait for (of the add-ons just enabled; for setup,
/// of every add-on enabled in the clone's HEAD), to see gone (of the add-ons
/// just disabled), and those of every enabled add-on whose chart brings
/// CRDs: a Kustomization that applies such a kind waits for them.
pub(crate) fn releases(ctx: &Ctx, wait: &Wait) -> Vec<Release<'static>> {
    let enabled = git::open(&ctx.config.clone_dir())
        .ok()
        .and_then(|repo| git::head_blob(&repo, ADDONS_KUSTOMIZATION).ok().flatten())
        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
        .unwrap_or_default();
    ADDONS
        .iter()
        .filter_map(|a| {
            let on = kustomize::is_enabled(&enabled, a.entry_in(&enabled));
            let required =
                wait.addons.iter().any(|w| w.name == a.name) || (wait.enabled_addons && on);
            let brings = !a.brings.is_empty() && on;
            let removed = wait.removed.iter().any(|w| w.name == a.name);
            (required || brings || removed).then_some(Release {
                namespace: a.helm_release.0,
                name: a.helm_release.1,
                brings: a.brings,
                required: required && !removed,
                removed,
            })
        })
        .collect()
}

/// The commit Flux should reach: the one pushed, else the branch's head
/// (`sync`: always the head).
pub(crate) async fn goal(ctx: &Ctx, wait: &Wait) -> Result<Goal> {
    let branch = ctx.config.settings.branch.clone();
    if !wait.tip
        && let Some(commit) = ctx.state.outputs.pushed_commit.clone()
    {
        return Ok(Goal { branch, commit });
    }
    let url = fork_url(ctx)?;
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

/// The wait, and what it waits for.
pub(super) async fn effects(ctx: &Ctx, wait: &Wait, new_commit: bool) -> Result<Vec<Effect>> {
    let branch = ctx.config.settings.branch.clone();
    let commit = if new_commit {
        format!("{branch} at the commit pushed above")
    } else {
        match goal(ctx, wait).await {
            Ok(goal) => goal.short(),
            Err(_) => format!("{branch} at the commit pushed above"),
        }
    };
    let mut until = vec![
        format!("GitRepository flux-system/flux-system has fetched {commit}"),
        format!("every Kustomization has applied {commit}"),
    ];
    for r in releases(ctx, wait) {
        if r.removed {
            until.push(format!(
                "HelmRelease {}/{} is uninstalled and gone",
                r.namespace, r.name
            ));
        } else if r.required {
            until.push(format!("HelmRelease {}/{} is Ready", r.namespace, r.name));
        }
    }
    Ok(vec![Effect::Wait {
        until,
        wait: wait.clone(),
    }])
}
