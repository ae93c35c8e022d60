//! karpenter and load-balancers (`teardown`): Karpenter's pools deleted and
//! the nodes they launched gone; Services of type LoadBalancer deleted and
//! their load balancers released. Each wait is bounded by `--timeout` and
//! names what is still there when it gives up.

use super::{DESTROYED, cluster};
use crate::ctx::Ctx;
use crate::effect::Effect;
use crate::error::Result;
use crate::kube::Cluster;
use crate::steps::Checked;
use crate::teardown::{self, Found, Removal, Wait, cloud};

/// What is still there of `kind`, named.
async fn left(cluster: &Cluster, kind: Wait) -> Result<Vec<String>> {
    Ok(match kind {
        Wait::Karpenter => {
            let mut out: Vec<String> = cloud::pools(cluster)
                .await?
                .iter()
                .map(crate::teardown::flux::describe)
                .collect();
            out.extend(cloud::karpenter_nodes(cluster).await?);
            out
        }
        Wait::LoadBalancers => cloud::load_balancers(cluster)
            .await?
            .iter()
            .map(cloud::describe_service)
            .collect(),
    })
}

fn nothing(kind: Wait) -> &'static str {
    match kind {
        Wait::Karpenter => "no Karpenter pool, and no node it launched",
        Wait::LoadBalancers => "no Service of type LoadBalancer",
    }
}

pub(in crate::steps) async fn check(ctx: &Ctx, kind: Wait) -> Result<Checked> {
    let Some(cluster) = cluster(ctx).await? else {
        return Ok(Checked::done(DESTROYED));
    };
    let left = left(&cluster, kind).await?;
    Ok(match left.is_empty() {
        true => Checked::done(nothing(kind)),
        false => Checked::to_do(format!("still there: {}", left.join(", "))),
    })
}

/// Each pool or Service deleted, then the wait until they and what they
/// made are gone.
pub(in crate::steps) async fn effects(ctx: &Ctx, kind: Wait) -> Result<Vec<Effect>> {
    let Some(cluster) = cluster(ctx).await? else {
        return Ok(Vec::new());
    };
    let found: Vec<Found> = match kind {
        Wait::Karpenter => cloud::pools(&cluster).await?,
        Wait::LoadBalancers => cloud::load_balancers(&cluster).await?,
    };
    let mut out: Vec<Effect> = found
        .iter()
        .filter(|f| !f.deleting)
        .map(|f| {
            Effect::Teardown(Removal::Delete {
                object: f.label(),
                found: f.clone(),
            })
        })
        .collect();
    let what = match kind {
        Wait::Karpenter => {
            let mut what = teardown::labels(&found);
            what.extend(cloud::karpenter_nodes(&cluster).await?);
            format!(
                "{} (Karpenter deletes the nodes of a pool that goes, and their instances)",
                what.join(", ")
            )
        }
        Wait::LoadBalancers => format!(
            "{} (their load balancers released by the controller that made them)",
            teardown::labels(&found).join(", ")
        ),
    };
    out.push(Effect::Teardown(Removal::WaitGone { what, kind }));
    Ok(out)
}

pub(super) async fn delete(ctx: &Ctx, found: &Found) -> Result<String> {
    let cluster = ctx.cluster().await?;
    teardown::delete(&cluster, found).await?;
    Ok(format!("deleted {}", found.label()))
}

pub(super) async fn wait(ctx: &Ctx, kind: Wait) -> Result<String> {
    let point = match kind {
        Wait::Karpenter => "karpenter:deleted",
        Wait::LoadBalancers => "load-balancers:deleted",
    };
    crate::pause::point(point);
    let cluster = ctx.cluster().await?;
    let what = match kind {
        Wait::Karpenter => "Karpenter's pools and the nodes they launched to be gone",
        Wait::LoadBalancers => {
            "the Services of type LoadBalancer (and their load balancers) to be gone"
        }
    };
    let limits = ctx.limits();
    let progress = |m: &str| ctx.ui.progress(m);
    teardown::until_gone(what, ctx.config.timeout, &limits, &progress, || {
        left(&cluster, kind)
    })
    .await?;
    Ok("waited until gone".into())
}
