//! The cluster side of `upgrade`: the control plane's drivers (terraform,
//! EKS) and the node roll. Clients like `kube` and `aws_cli`: they know
//! nothing of the engine.

pub(crate) mod eks;
pub(crate) mod hop;
pub(crate) mod nodes;
pub(crate) mod terraform;
