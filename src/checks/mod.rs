//! The readiness checks that read the world beyond the fork's files: the
//! kubeconfig context against the values' cluster, the add-ons' chart
//! versions, Flux's own support of the target, disruption readiness, the
//! removed APIs inside the cluster's Helm releases, the AWS side (with EKS's
//! upgrade insights), and whether the token can push. `verify` renders
//! them; `upgrade`'s readiness step stops a hop on what they call blocking.

pub(crate) mod addon_versions;
pub(crate) mod aws;
pub(crate) mod context;
pub(crate) mod disruption;
pub(crate) mod flux_support;
pub(crate) mod helm_releases;
pub(crate) mod token;

use crate::ctx::Ctx;
use crate::error::Result;
use crate::manifests::Tree;
use crate::readiness::KubeVersion;
use crate::verdict::Section;

/// Every section, in the order `verify` shows them.
pub(crate) async fn sections(
    ctx: &Ctx,
    tree: &Tree,
    target: KubeVersion,
    helm: helm_releases::Fixing,
) -> Result<Vec<Section>> {
    Ok(vec![
        context::section(ctx)?,
        addon_versions::section(ctx, tree, target).await?,
        flux_support::section(ctx, target).await?,
        disruption::section(ctx, tree).await?,
        helm_releases::section(ctx, target, helm).await?,
        aws::section(ctx, target).await?,
        token::section(ctx).await?,
    ])
}
