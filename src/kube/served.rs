//! What the cluster serves: every `(apiVersion, kind)` of its discovery, for
//! the preflight before a push, and the Flux API versions to migrate to.

use std::collections::BTreeSet;

use super::Cluster;
use crate::error::Result;

/// Every `(apiVersion, kind)` pair the cluster serves, every version of every
/// group. Discovered once per connection (a request per API group), until
/// [`Cluster::forget_resources`] after CRDs are installed.
pub(crate) async fn served(cluster: &Cluster) -> Result<BTreeSet<(String, String)>> {
    if let Some(served) = cluster.served.lock().expect("cache lock").clone() {
        return Ok(served);
    }
    let discovery = ::kube::discovery::Discovery::new(cluster.client.clone())
        .run()
        .await
        .map_err(|e| cluster.error("discover the served APIs", e))?;
    let mut served = BTreeSet::new();
    for group in discovery.groups() {
        for version in group.versions() {
            for (ar, _) in group.versioned_resources(version) {
                served.insert((ar.api_version.clone(), ar.kind.clone()));
            }
        }
    }
    *cluster.served.lock().expect("cache lock") = Some(served.clone());
    Ok(served)
}
