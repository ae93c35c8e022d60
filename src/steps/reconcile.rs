//! reconcile: wait until Flux has applied the pushed commit: the
//! GitRepository has fetched it, every Kustomization has applied it, and the
//! HelmReleases of the add-ons just enabled are Ready. `run` asks Flux's
//! source to fetch now, then watches (no polling) until that holds, asking
//! each Kustomization to reconcile as its dependencies get there
//! ([`crate::flux::chain`]).

use super::Checked;
use crate::ctx::Ctx;
use crate::effect::Effect;
use crate::error::{Error, Result};
use crate::flux;
use crate::flux::follow::wait_synced;
use crate::flux::synced::{self, Fresh, Outcome};
use crate::plan::Wait;

pub(super) async fn check(ctx: &Ctx, wait: &Wait) -> Result<Checked> {
    if !wait.wait {
        return Ok(Checked::skipped("not waiting (--no-wait)"));
    }
    let cluster = ctx.cluster().await?;
    let Some(types) = flux::types(&cluster).await? else {
        return Ok(Checked::to_do("Flux is not installed"));
    };
    if wait.always && !ctx.was_flux_asked() {
        // What Flux says of a revision it applied before can change with the
        // cluster (an API removed by an upgrade): it is asked again, and its
        // answer judged.
        return Ok(Checked::to_do(
            "ask Flux to reconcile now, and judge its answer",
        ));
    }
    let goal = ctx.goal(wait).await?;
    let addons = ctx.releases(wait);
    let observed = crate::flux::observe::observe(&cluster, &types, &addons).await?;
    if wait.since_control_plane
        && let Some(moved) = &ctx.state.outputs.control_plane_moved
        && let Some(stale) = not_answered_since(&observed.kustomizations, moved)
    {
        return Ok(Checked::to_do(format!(
            "Kustomization {stale} has not reconciled since the control plane moved"
        )));
    }
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

/// The first Kustomization whose last handled request to reconcile (our
/// tokens are RFC 3339 times) is older than `moved`.
fn not_answered_since(kustomizations: &[serde_json::Value], moved: &str) -> Option<String> {
    let time = |t: &str| humantime::parse_rfc3339_weak(t).ok();
    let moved = time(moved)?;
    kustomizations.iter().find_map(|ks| {
        let handled = ks
            .pointer("/status/lastHandledReconcileAt")
            .and_then(serde_json::Value::as_str)
            .and_then(time);
        (handled.is_none_or(|h| h < moved)).then(|| {
            let name = |p: &str| {
                ks.pointer(p)
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_string()
            };
            format!("{}/{}", name("/metadata/namespace"), name("/metadata/name"))
        })
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
    let goal = ctx.goal(wait).await?;
    let addons = ctx.releases(wait);
    let limits = ctx.limits();
    ctx.ui.progress("asking Flux to reconcile now");
    let mut fresh = crate::flux::observe::request_reconcile(&cluster, &types, &goal).await?;
    fresh.answered = wait.always || wait.since_control_plane;
    if wait.since_control_plane {
        // Every Kustomization answers a request made after the control plane
        // moved (what `check` looks for), even one the new commit moves.
        fresh.behind.clear();
    }
    ctx.flux_asked();
    wait_synced(&cluster, &types, &goal, &addons, &fresh, &limits, &ctx.ui).await
}

/// The wait, and what it waits for.
pub(super) async fn effects(ctx: &Ctx, wait: &Wait, new_commit: bool) -> Result<Vec<Effect>> {
    let branch = ctx.config.settings.branch.clone();
    let commit = if new_commit {
        format!("{branch} at the commit pushed above")
    } else {
        match ctx.goal(wait).await {
            Ok(goal) => goal.short(),
            Err(_) => format!("{branch} at the commit pushed above"),
        }
    };
    let mut until = vec![
        format!("GitRepository flux-system/flux-system has fetched {commit}"),
        format!("every Kustomization has applied {commit}"),
    ];
    for r in ctx.releases(wait) {
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
