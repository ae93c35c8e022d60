//! nodes (`upgrade`): no node's kubelet is older than the hop's version.
//! Karpenter's nodes are drained one at a time through the Eviction API,
//! which honours PodDisruptionBudgets, then deleted: Karpenter replaces
//! each with a node of the new version. A budget that blocks is named with
//! its numbers at once, never waited out.

use super::Checked;
use crate::ctx::Ctx;
use crate::effect::Effect;
use crate::error::{Error, Result};
use crate::readiness::KubeVersion;
use crate::upgrade::nodes::{self, OldNode};

pub(super) async fn check(ctx: &Ctx, to: KubeVersion) -> Result<Checked> {
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

/// One drain per old node, in order; a node neither Karpenter's nor in a
/// managed node group is the participant's to replace: the step stops.
pub(super) async fn effects(ctx: &Ctx, to: KubeVersion) -> Result<Vec<Effect>> {
    let mut out = Vec::new();
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
