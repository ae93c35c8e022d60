//! What the cluster serves: every `(apiVersion, kind)` of its discovery, for
//! the preflight before a push, and the Flux API versions to migrate to.

use std::collections::BTreeSet;

use super::Cluster;
use crate::error::Result;

/// Every `(apiVersion, kind)` pair the cluster serves, every version of every
/// group, from the cluster's one discovery ([`Cluster::discovery`]).
pub(crate) async fn served(cluster: &Cluster) -> Result<BTreeSet<(String, String)>> {
    let discovery = cluster.discovery().await?;
    let mut served = BTreeSet::new();
    for group in discovery.groups() {
        for version in group.versions() {
            for (ar, _) in group.versioned_resources(version) {
                served.insert((ar.api_version.clone(), ar.kind.clone()));
            }
        }
    }
    Ok(served)
}
