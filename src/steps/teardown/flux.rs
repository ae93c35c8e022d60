//! suspend-flux and uninstall-flux (`teardown`). Suspended first, Flux
//! re-creates nothing while the rest goes. Uninstalled last: its objects
//! deleted while its controllers still run, so each controller removes its
//! own finalizer (for a suspended object, without pruning or uninstalling
//! anything); a finalizer still there after a bounded wait is removed by
//! hand, and said. Only then its controllers, RBAC, CRDs and namespace,
//! waited for: nothing is left `Terminating` on a finalizer no one will
//! remove.

use std::time::Duration;

use super::{DESTROYED, cluster};
use crate::ctx::Ctx;
use crate::effect::Effect;
use crate::error::{Error, Result};
use crate::kube::Cluster;
use crate::steps::Checked;
use crate::teardown::{self, Found, Removal, flux};

/// How long the controllers get to release their objects before their
/// finalizers are removed by hand.
const RELEASE: Duration = Duration::from_secs(60);

pub(in crate::steps) async fn check_suspended(ctx: &Ctx) -> Result<Checked> {
    let Some(cluster) = cluster(ctx).await? else {
        return Ok(Checked::done(DESTROYED));
    };
    let objects = flux::objects(&cluster).await?;
    let to_suspend = flux::unsuspended(&objects);
    if !to_suspend.is_empty() {
        return Ok(Checked::to_do(format!(
            "to suspend: {}",
            teardown::labels(&to_suspend).join(", ")
        )));
    }
    Ok(Checked::done(match objects.is_empty() {
        true => "no Flux object on the cluster".to_string(),
        false => "every Kustomization and HelmRelease is suspended".to_string(),
    }))
}

pub(in crate::steps) async fn suspend_effects(ctx: &Ctx) -> Result<Vec<Effect>> {
    let Some(cluster) = cluster(ctx).await? else {
        return Ok(Vec::new());
    };
    let objects = flux::objects(&cluster).await?;
    Ok(flux::unsuspended(&objects)
        .into_iter()
        .map(|found| {
            Effect::Teardown(Removal::Suspend {
                object: found.label(),
                found,
            })
        })
        .collect())
}

pub(super) async fn suspend(ctx: &Ctx, found: &Found) -> Result<String> {
    let cluster = ctx.cluster().await?;
    flux::suspend(&cluster, found).await?;
    Ok(format!("suspended {}", found.label()))
}

/// Flux's objects, then what is left of its install.
async fn left(cluster: &Cluster) -> Result<(Vec<Found>, Vec<Found>)> {
    Ok((flux::objects(cluster).await?, flux::install(cluster).await?))
}

pub(in crate::steps) async fn check_uninstalled(ctx: &Ctx) -> Result<Checked> {
    let Some(cluster) = cluster(ctx).await? else {
        return Ok(Checked::done(DESTROYED));
    };
    let (objects, install) = left(&cluster).await?;
    if objects.is_empty() && install.is_empty() {
        return Ok(Checked::done("no Flux object, CRD or namespace left"));
    }
    let mut parts = Vec::new();
    if !objects.is_empty() {
        parts.push(format!("{} Flux object(s)", objects.len()));
    }
    if !install.is_empty() {
        parts.push(format!(
            "Flux's install: {}",
            install
                .iter()
                .map(flux::describe)
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    Ok(Checked::to_do(parts.join("; ")))
}

pub(in crate::steps) async fn uninstall_effects(ctx: &Ctx) -> Result<Vec<Effect>> {
    let Some(cluster) = cluster(ctx).await? else {
        return Ok(Vec::new());
    };
    let (objects, install) = left(&cluster).await?;
    let mut out = Vec::new();
    if !objects.is_empty() {
        out.push(Effect::Teardown(Removal::FluxObjects {
            objects: teardown::labels(&objects),
        }));
    }
    if !install.is_empty() {
        out.push(Effect::Teardown(Removal::FluxInstall {
            objects: teardown::labels(&install),
        }));
    }
    Ok(out)
}

/// Delete Flux's objects (as the world has them now), wait for the
/// controllers to release them, and remove the finalizers they left.
pub(super) async fn delete_objects(ctx: &Ctx) -> Result<String> {
    let cluster = ctx.cluster().await?;
    let objects = flux::objects(&cluster).await?;
    for found in objects.iter().filter(|o| !o.deleting) {
        teardown::delete(&cluster, found).await?;
    }
    crate::pause::point("uninstall-flux:objects-deleted");
    let limits = ctx.limits();
    let progress = |m: &str| ctx.ui.progress(m);
    let named = || async {
        Ok(flux::objects(&cluster)
            .await?
            .iter()
            .map(flux::describe)
            .collect())
    };
    let what = "Flux's controllers to release their objects";
    let bound = RELEASE.min(ctx.config.timeout);
    let mut said = format!("deleted {} Flux object(s)", objects.len());
    match teardown::until_gone(what, bound, &limits, &progress, named).await {
        Ok(()) => return Ok(said),
        Err(Error::Timeout { .. }) => {}
        Err(e) => return Err(e),
    }
    let held = flux::objects(&cluster).await?;
    ctx.ui.warn(&format!(
        "Flux's controllers did not release {} within {}s; removing their finalizers by hand",
        held.iter()
            .map(flux::describe)
            .collect::<Vec<_>>()
            .join(", "),
        bound.as_secs()
    ));
    for found in &held {
        flux::drop_finalizers(&cluster, found).await?;
    }
    teardown::until_gone(
        "Flux's objects to be gone once their finalizers were removed",
        ctx.config.timeout,
        &limits,
        &progress,
        named,
    )
    .await?;
    said.push_str(&format!(
        " (finalizers removed by hand from {})",
        teardown::labels(&held).join(", ")
    ));
    Ok(said)
}

/// Delete what is left of Flux's install, and wait until it is gone.
pub(super) async fn uninstall(ctx: &Ctx) -> Result<String> {
    let cluster = ctx.cluster().await?;
    let install = flux::install(&cluster).await?;
    flux::uninstall(&cluster, &install).await?;
    crate::pause::point("uninstall-flux:install-deleted");
    let limits = ctx.limits();
    let progress = |m: &str| ctx.ui.progress(m);
    let named = || async {
        let mut out = Vec::new();
        for found in flux::install(&cluster).await? {
            out.push(flux::describe_install(&cluster, &found).await);
        }
        Ok(out)
    };
    let what = "Flux's controllers, CRDs and namespace to be gone";
    teardown::until_gone(what, ctx.config.timeout, &limits, &progress, named).await?;
    Ok(format!(
        "uninstalled Flux ({})",
        teardown::labels(&install).join(", ")
    ))
}
