//! nodes (`upgrade`): no node's kubelet is older than the hop's version.
//! Karpenter's nodes are drained one at a time through the Eviction API,
//! which honours PodDisruptionBudgets, then deleted: Karpenter replaces
//! each with a node of the new version. A budget that blocks is named with
//! its numbers at once, never waited out.

use super::Checked;
use crate::ctx::Ctx;
use crate::effect::Effect;
use crate::error::{Error, Result};
use crate::plan::Driver;
use crate::readiness::KubeVersion;
use crate::upgrade::nodes::{self, OldNode};

pub(super) async fn check(ctx: &Ctx, to: KubeVersion, driver: &Driver) -> Result<Checked> {
    let groups = older_groups(ctx, to, driver)?;
    if !groups.is_empty() {
        return Ok(Checked::to_do(format!(
            "managed node group(s) older than Kubernetes {to}: {}",
            groups
                .iter()
                .map(|(name, v)| format!("{name} ({v})"))
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    let old = older(ctx, to).await?;
    if old.is_empty() {
        return Ok(Checked::done(format!(
            "no node's kubelet is older than Kubernetes {to}"
        )));
    }
    Ok(Checked::to_do(format!(
        "{} node(s) older than Kubernetes {to}: {}",
        old.len(),
        old.iter()
            .map(|n| format!("{} ({})", n.name, n.kubelet))
            .collect::<Vec<_>>()
            .join(", ")
    )))
}

async fn older(ctx: &Ctx, to: KubeVersion) -> Result<Vec<OldNode>> {
    let cluster = ctx.cluster().await?;
    nodes::older_nodes(&cluster, to).await
}

/// Managed node groups older than `to` (the eks driver's; EKS replaces
/// their nodes within the budgets itself).
fn older_groups(ctx: &Ctx, to: KubeVersion, driver: &Driver) -> Result<Vec<(String, String)>> {
    match driver {
        Driver::Eks { .. } => {
            super::control_plane::eks(ctx, driver)?.nodegroups_older(&to.to_string())
        }
        Driver::Terraform { .. } | Driver::Manual => Ok(Vec::new()),
    }
}

/// Each older managed node group updated by EKS; then one drain per old
/// node, in order. A node neither Karpenter's nor in a node group is the
/// participant's to replace: the step stops.
pub(super) async fn effects(ctx: &Ctx, to: KubeVersion, driver: &Driver) -> Result<Vec<Effect>> {
    let mut out = Vec::new();
    let groups = older_groups(ctx, to, driver)?;
    for (name, from) in &groups {
        out.push(Effect::UpdateNodeGroup {
            name: name.clone(),
            from: from.clone(),
            to: to.to_string(),
            driver: driver.clone(),
        });
    }
    if !groups.is_empty() {
        // The groups' own nodes are EKS's to replace: planned again once they moved.
        return Ok(out);
    }
    for node in older(ctx, to).await? {
        if !node.karpenter {
            return Err(Error::Blocked {
                what: format!("node {} (kubelet {})", node.name, node.kubelet),
                detail: "it is neither Karpenter's nor in a managed node group, so nothing would replace it once drained".into(),
                help: format!(
                    "replace it yourself with a node of Kubernetes {to} (or let Karpenter manage it), then `eks-workshop resume`"
                ),
            });
        }
        out.push(Effect::Drain {
            node: node.name.clone(),
            kubelet: node.kubelet.clone(),
        });
    }
    Ok(out)
}

/// Drain one node and delete it (Karpenter replaces it).
pub(crate) async fn drain(ctx: &Ctx, node: &str) -> Result<String> {
    let cluster = ctx.cluster().await?;
    let limits = ctx.limits();
    let progress = |m: &str| ctx.ui.progress(m);
    nodes::drain(&cluster, node, &limits, &progress).await?;
    Ok(format!("drained and deleted {node}"))
}

/// `update-nodegroup-version` (or the update already in progress), waited for.
pub(crate) async fn update_group(
    ctx: &Ctx,
    name: &str,
    to: &str,
    driver: &Driver,
) -> Result<String> {
    let eks = super::control_plane::eks(ctx, driver)?;
    let id = match eks.nodegroup_update_in_progress(name)? {
        Some(id) => id,
        None => eks.update_nodegroup(name, to)?,
    };
    let limits = ctx.limits();
    let progress = |m: &str| ctx.ui.progress(m);
    let what = format!("node group {name}'s update to Kubernetes {to}");
    eks.wait_update(&id, &what, Some(name), None, &limits, &progress)
        .await?;
    Ok(format!(
        "node group {name} updated to {to} (EKS update {id})"
    ))
}
