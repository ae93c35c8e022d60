//! `teardown`'s steps: suspend Flux, remove what makes cloud resources
//! outside terraform (Karpenter's pools, load-balancer Services), uninstall
//! Flux, destroy the cluster through the participant's terraform. Each
//! check reads the cluster; once the destroy step ran there is no cluster
//! to read, and the steps before it are done.

pub(super) mod cloud;
pub(super) mod destroy;
pub(super) mod flux;
pub(crate) mod fork;

use crate::ctx::Ctx;
use crate::error::Result;
use crate::kube::Cluster;
use crate::plan::StepId;
use crate::stand::Stand;
use crate::teardown::Removal;

/// The cluster, or `None` once `destroy` destroyed it: its record says it
/// ran, and no setup bootstrapped Flux on a cluster since.
async fn cluster(ctx: &Ctx) -> Result<Option<Cluster>> {
    let record = |id: StepId| ctx.state.steps.get(id.name());
    let destroyed = record(StepId::Destroy).is_some_and(|d| {
        d.status == Stand::Ran && record(StepId::Flux).is_none_or(|f| f.at <= d.at)
    });
    match destroyed {
        true => Ok(None),
        false => ctx.cluster().await.map(Some),
    }
}

const DESTROYED: &str = "the cluster was destroyed";

/// Perform one removal; what to add to the step's line.
pub(crate) async fn perform(ctx: &mut Ctx, removal: Removal) -> Result<String> {
    match removal {
        Removal::Suspend { found, .. } => flux::suspend(ctx, &found).await,
        Removal::Delete { found, .. } => cloud::delete(ctx, &found).await,
        Removal::WaitGone { kind, .. } => cloud::wait(ctx, kind).await,
        Removal::FluxObjects { .. } => flux::delete_objects(ctx).await,
        Removal::FluxInstall { .. } => flux::uninstall(ctx).await,
        Removal::Destroy { dir, .. } => destroy::destroy(ctx, &dir).await,
        Removal::DeleteFork { fork } => fork::delete(ctx, &fork).await,
    }
}
