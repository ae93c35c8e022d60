//! Upgrading the cluster, after the readiness gate: rolling the nodes.

pub(crate) mod nodes;
