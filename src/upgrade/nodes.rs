//! Placeholder until the node roll lands (replaced by its own module).

use crate::error::{Error, Result};
use crate::kube::Cluster;
use crate::kube::wait::Limits;
use crate::readiness::KubeVersion;

pub(crate) struct OldNode {
    pub(crate) name: String,
    pub(crate) kubelet: String,
    pub(crate) karpenter: bool,
}

pub(crate) async fn older_nodes(_cluster: &Cluster, _to: KubeVersion) -> Result<Vec<OldNode>> {
    Ok(Vec::new())
}

pub(crate) async fn drain(
    _cluster: &Cluster,
    node: &str,
    _limits: &Limits,
    _progress: &dyn Fn(&str),
) -> Result<()> {
    Err(Error::usage(format!("cannot drain {node} yet"), "wait"))
}
