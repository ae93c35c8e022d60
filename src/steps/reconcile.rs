//! reconcile: wait until Flux has applied the pushed commit: the
//! GitRepository has fetched it, every Kustomization has applied it, and the
//! HelmReleases of the add-ons just enabled are Ready. `run` asks Flux to
//! reconcile now, then watches (no polling) until that holds.

use super::{Check, fork_url};
use crate::addon_catalog::{ADDONS, ADDONS_KUSTOMIZATION};
use crate::change::Change;
use crate::ctx::{Ctx, auth};
use crate::error::{Error, Result};
use crate::flux;
use crate::flux::depends::Release;
use crate::flux::follow::wait_synced;
use crate::flux::synced::{self, Fresh, Goal, Outcome};
use crate::git;
use crate::kustomize;

pub(super) async fn check(ctx: &mut Ctx) -> Result<Check> {
    if !ctx.targets.wait {
        return Ok(Check::Skipped("not waiting (--no-wait)".into()));
    }
    let cluster = ctx.cluster().await?;
    let Some(types) = flux::types(&cluster).await? else {
        return Ok(Check::Pending("Flux is not installed".into()));
    };
    let goal = goal(ctx).await?;
    let addons = releases(ctx);
    let observed = crate::flux::observe::observe(&cluster, &types, &addons).await?;
    for odd in observed.odd() {
        ctx.ui.warn(&format!("{odd}; judged without it"));
    }
    let judged = synced::judge(&observed, &goal, &addons, &Fresh::default());
    Ok(match synced::outcome(&judged, &goal) {
        Outcome::Synced(detail) => Check::Done(detail),
        Outcome::Pending { summary, .. } => Check::Pending(summary),
        Outcome::Failed(err) => Check::Pending(err.to_string()),
    })
}

pub(super) async fn run(ctx: &mut Ctx) -> Result<String> {
    let cluster = ctx.cluster().await?;
    let Some(types) = flux::types(&cluster).await? else {
        return Err(Error::StepNotDone {
            step: "flux",
            detail: "Flux is not installed on the cluster".into(),
        });
    };
    let goal = goal(ctx).await?;
    let addons = releases(ctx);
    let limits = ctx.limits();
    ctx.ui.progress("asking Flux to reconcile now");
    let fresh = crate::flux::observe::request_reconcile(&cluster, &types).await?;
    wait_synced(&cluster, &types, &goal, &addons, &fresh, &limits, &ctx.ui).await
}

/// The HelmReleases to wait for (of the add-ons just enabled; for setup,
/// of every add-on enabled in the clone's HEAD), to see gone (of the add-ons
/// just disabled), and those of every enabled add-on whose chart brings
/// CRDs: a Kustomization that applies such a kind waits for them.
pub(crate) fn releases(ctx: &Ctx) -> Vec<Release<'static>> {
    let enabled = git::open(&ctx.config.clone_dir())
        .ok()
        .and_then(|repo| git::head_blob(&repo, ADDONS_KUSTOMIZATION).ok().flatten())
        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
        .unwrap_or_default();
    ADDONS
        .iter()
        .filter_map(|a| {
            let on = kustomize::is_enabled(&enabled, a.entry_in(&enabled));
            let t = &ctx.targets;
            let required = t.addons.iter().any(|w| w.name == a.name) || (t.enabled_addons && on);
            let brings = !a.brings.is_empty() && on;
            let removed = ctx.targets.removed.iter().any(|w| w.name == a.name);
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
pub(crate) async fn goal(ctx: &mut Ctx) -> Result<Goal> {
    let branch = ctx.config.settings.branch.clone();
    if !ctx.targets.tip
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

/// The dry run: what the wait waits for.
pub(super) async fn preview(ctx: &mut Ctx, new_commit: bool) -> Result<Vec<Change>> {
    let branch = ctx.config.settings.branch.clone();
    let commit = if new_commit {
        format!("{branch} at the commit pushed above")
    } else {
        match goal(ctx).await {
            Ok(goal) => goal.short(),
            Err(_) => format!("{branch} at the commit pushed above"),
        }
    };
    let mut until = vec![
        format!("GitRepository flux-system/flux-system has fetched {commit}"),
        format!("every Kustomization has applied {commit}"),
    ];
    for r in releases(ctx) {
        if r.removed {
            until.push(format!(
                "HelmRelease {}/{} is uninstalled and gone",
                r.namespace, r.name
            ));
        } else if r.required {
            until.push(format!("HelmRelease {}/{} is Ready", r.namespace, r.name));
        }
    }
    Ok(vec![Change::Wait { until }])
}
