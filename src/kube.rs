//! The Kubernetes side: connection, server-side apply, watch-until-ready.
//! CONTRACT (implemented by the Flux work).

/// A connected cluster (kube client plus the context's name and server, for messages).
pub(crate) struct Cluster;
