//! Local servers for eks-workshop's tests: nothing here reaches the internet.
//!
//! - [`forge`]: the GitHub REST subset eks-workshop calls, plus real git smart-HTTP
//!   through `git http-backend`, behind HTTP Basic auth that checks the token.
//! - [`apiserver`]: a stateful Kubernetes API server (discovery, CRDs, server-side
//!   apply, status subresource, list/watch) that both `kube` and `kubectl` can talk to.
//! - [`flux`]: a Flux stand-in controller running against [`apiserver`].
//! - [`fixtures`]: the worlds' building blocks the tests and the benches share.
//! - [`port`]: loopback ports held from the moment they are chosen.

pub mod apiserver;
pub mod cluster;
pub mod fixtures;
pub mod flux;
pub mod forge;
pub mod port;
pub mod share;
pub mod tls;
