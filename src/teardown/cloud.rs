//! What makes cloud resources terraform never knew about: Karpenter's
//! NodePools (v1alpha5 Provisioners before them), whose nodes are EC2
//! instances it launched, and Services of type LoadBalancer, each with a load
//! balancer the cloud made for it. Both block the VPC's deletion while they
//! last, so they go first, and each is waited for until its cloud side is
//! released: Karpenter deletes the nodes of a pool that goes, and the
//! controller that made a load balancer holds its Service (finalizer
//! `service.kubernetes.io/load-balancer-cleanup`) until it is gone.

use ::kube::api::ApiResource;
use k8s_openapi::api::core::v1::{Node, Service};

use super::{Found, list};
use crate::error::Result;
use crate::kube::Cluster;

/// Karpenter's pools: NodePool since v1beta1, Provisioner before.
const POOLS: [(&str, &str, &[&str]); 2] = [
    ("karpenter.sh", "NodePool", &["v1", "v1beta1"]),
    ("karpenter.sh", "Provisioner", &["v1alpha5"]),
];
/// The label Karpenter puts on the nodes it launched, by kind of pool.
const NODE_LABELS: [&str; 2] = ["karpenter.sh/nodepool", "karpenter.sh/provisioner-name"];

/// Karpenter's pools on the cluster, NodePools first.
pub(crate) async fn pools(cluster: &Cluster) -> Result<Vec<Found>> {
    // Types appear and go (a CRD installed, deleted): found afresh each time.
    cluster.forget_resources();
    let mut out = Vec::new();
    for resource in cluster.resources(&POOLS).await?.into_iter().flatten() {
        out.extend(list(cluster, &resource, None).await?);
    }
    Ok(out)
}

/// The nodes Karpenter launched (either label), by name.
pub(crate) async fn karpenter_nodes(cluster: &Cluster) -> Result<Vec<String>> {
    let resource = ApiResource::erase::<Node>(&());
    let mut out = Vec::new();
    for key in NODE_LABELS {
        for node in list(cluster, &resource, Some(key)).await? {
            out.push(format!("node {}", node.name));
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// Services of type LoadBalancer, in every namespace.
pub(crate) async fn load_balancers(cluster: &Cluster) -> Result<Vec<Found>> {
    let resource = ApiResource::erase::<Service>(&());
    let api: ::kube::Api<Service> = ::kube::Api::all(cluster.client.clone());
    let params = ::kube::api::ListParams::default();
    let services = crate::kube::retry::idempotent(|| api.list(&params))
        .await
        .map_err(|e| cluster.error("list services", e))?;
    Ok(services
        .items
        .into_iter()
        .filter(|s| s.spec.as_ref().and_then(|spec| spec.type_.as_deref()) == Some("LoadBalancer"))
        .map(|s| Found {
            resource: resource.clone(),
            namespace: s.metadata.namespace.clone(),
            name: s.metadata.name.clone().unwrap_or_default(),
            finalizers: s.metadata.finalizers.clone().unwrap_or_default(),
            deleting: s.metadata.deletion_timestamp.is_some(),
            suspended: false,
        })
        .collect())
}

/// A load-balancer Service as a wait names it: what holds it, when deleting.
pub(crate) fn describe_service(found: &Found) -> String {
    match (found.deleting, found.finalizers.is_empty()) {
        (true, false) => format!(
            "{} (deleting; held by {})",
            found.label(),
            found.finalizers.join(", ")
        ),
        _ => found.label(),
    }
}
