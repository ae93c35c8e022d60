//! The Kubernetes client: connect like kubectl does, turn API failures into
//! our errors (naming the context and server), discovery, server-side apply,
//! bounded retries, reading objects loosely, and waiting (deadlines, Ctrl-C,
//! readiness as kstatus judges it). Nothing here knows Flux: that is
//! [`crate::flux`].

mod apply;
mod connect;
pub(crate) mod endpoint;
mod logged;
pub(crate) mod loose;
pub(crate) mod retry;
mod served;
pub(crate) mod wait;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use ::kube::api::ApiResource;
use ::kube::discovery::Discovery;

use crate::error::{Error, Result};

pub(crate) use apply::{apply, apply_manifest, established, get, label, wait_crds_established};
pub(crate) use connect::{connect, update_kubeconfig_args};
pub(crate) use served::served;

/// Whether the kubeconfig's context (`--context`, else the current one) is
/// the cluster the values name ([`endpoint`]): read from the files
/// [`connect`] reads, with no request; [`Error::WrongCluster`] when not.
pub(crate) fn same_cluster(settings: &crate::config::Settings) -> Result<endpoint::Compared> {
    endpoint::check(settings, connect::load(settings).ok().flatten())
}

/// The field manager of everything eks-workshop applies.
pub(crate) const FIELD_MANAGER: &str = "eks-workshop";

/// A connected cluster: the kube client plus the context's name and server,
/// for messages. Cheap to clone.
#[derive(Clone)]
pub(crate) struct Cluster {
    pub(crate) client: ::kube::Client,
    /// The same connection without kube's own retries of 429, 503 and 504
    /// (up to 15, each Retry-After sat out: ten seconds apiece for an
    /// eviction a PodDisruptionBudget refuses), for a call whose refusal is
    /// the answer and which paces its own tries.
    pub(crate) client_once: ::kube::Client,
    /// The kubeconfig context ("in-cluster" inside a pod).
    pub(crate) context: String,
    pub(crate) server: String,
    /// `--kubeconfig`, passed on to child tools (`flux`, `aws`).
    pub(crate) kubeconfig: Option<PathBuf>,
    /// The cluster's discovery, run once (aggregated: `/apis` and `/api`)
    /// and shared by every lookup until [`Cluster::forget_resources`]; a
    /// lookup that misses runs it again, so a type that appears later (a
    /// CRD just installed) is found then.
    discovery: Arc<Mutex<Option<Arc<Discovery>>>>,
}

impl std::fmt::Debug for Cluster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cluster")
            .field("context", &self.context)
            .field("server", &self.server)
            .finish()
    }
}

impl Cluster {
    pub(crate) fn new(
        client: ::kube::Client,
        client_once: ::kube::Client,
        context: String,
        server: String,
        kubeconfig: Option<PathBuf>,
    ) -> Cluster {
        Cluster {
            client,
            client_once,
            context,
            server,
            kubeconfig,
            discovery: Arc::default(),
        }
    }

    /// The cluster's discovery: every group, version and resource it
    /// serves. Aggregated discovery (two requests) where the server has it
    /// (Kubernetes 1.26 and later), else the per-group form; remembered
    /// until [`Cluster::forget_resources`].
    pub(crate) async fn discovery(&self) -> Result<Arc<Discovery>> {
        if let Some(found) = self.discovery.lock().expect("cache lock").clone() {
            return Ok(found);
        }
        self.discover_again().await
    }

    async fn discover_again(&self) -> Result<Arc<Discovery>> {
        let aggregated =
            retry::idempotent(|| Discovery::new(self.client.clone()).run_aggregated()).await;
        let found = match aggregated {
            Ok(found) => found,
            Err(e) if is_auth_error(&e) => return Err(self.error("discover the served APIs", e)),
            // A server without aggregated discovery answers in the old form,
            // which kube cannot read as the new one.
            Err(_) => retry::idempotent(|| Discovery::new(self.client.clone()).run())
                .await
                .map_err(|e| self.error("discover the served APIs", e))?,
        };
        let found = Arc::new(found);
        *self.discovery.lock().expect("cache lock") = Some(found.clone());
        Ok(found)
    }

    /// The resources of `(group, kind, versions)`, at the first of `versions`
    /// the cluster serves (else the group's preferred one), `None` where not
    /// served, from [`Cluster::discovery`] (run again once when one is not
    /// there: it may have appeared since).
    pub(crate) async fn resources(
        &self,
        wanted: &[(&str, &str, &[&str])],
    ) -> Result<Vec<Option<ApiResource>>> {
        let find = |discovery: &Discovery| -> Vec<Option<ApiResource>> {
            wanted
                .iter()
                .map(|(group, kind, versions)| find_resource(discovery, group, kind, versions))
                .collect()
        };
        let found = find(&*self.discovery().await?);
        if found.iter().all(Option::is_some) {
            return Ok(found);
        }
        Ok(find(&*self.discover_again().await?))
    }

    /// The API of `ar` in namespace `ns`, or across all namespaces (and for
    /// cluster-scoped kinds) when `None`.
    pub(crate) fn api<K>(&self, ar: &ApiResource, ns: Option<&str>) -> ::kube::Api<K>
    where
        K: ::kube::Resource<DynamicType = ApiResource, Scope = ::kube::core::DynamicResourceScope>,
    {
        match ns {
            Some(ns) => ::kube::Api::namespaced_with(self.client.clone(), ns, ar),
            None => ::kube::Api::all_with(self.client.clone(), ar),
        }
    }

    /// Forget discovered resources (after installing CRDs).
    pub(crate) fn forget_resources(&self) {
        *self.discovery.lock().expect("cache lock") = None;
    }

    /// Our error for a failed request; `action` says what we tried, e.g.
    /// "apply GitRepository flux-system/flux-system".
    pub(crate) fn error(&self, action: &str, err: ::kube::Error) -> Error {
        let service = format!(
            "the Kubernetes API server {} (context `{}`)",
            self.server, self.context
        );
        match &err {
            ::kube::Error::Api(s) if s.code == 401 => Error::Unauthorized {
                service,
                message: format!("{action}: {}", or_reason(&s.message, "Unauthorized")),
                help: format!(
                    "the credentials of context `{}` are expired or invalid; refresh them (on EKS: `aws eks update-kubeconfig --name <cluster> --region <region>`, and check `aws sts get-caller-identity`)",
                    self.context
                ),
            },
            ::kube::Error::Api(s) if s.code == 403 => Error::Forbidden {
                service,
                message: format!("{action}: {}", or_reason(&s.message, "Forbidden")),
                help: format!(
                    "the identity of context `{}` lacks this permission; use a cluster-admin identity (on EKS, an access entry with AmazonEKSClusterAdminPolicy)",
                    self.context
                ),
            },
            ::kube::Error::Api(s) => Error::Kube {
                context: self.context.clone(),
                message: format!(
                    "{action}: {} ({})",
                    or_reason(&s.message, &s.reason),
                    s.code
                ),
                help: String::new(),
            },
            ::kube::Error::HyperError(_)
            | ::kube::Error::Service(_)
            | ::kube::Error::ReadEvents(_) => Error::Network {
                service,
                message: format!("{action}: {}", chain(&err)),
                help: format!(
                    "is the cluster running and reachable from here? `kubectl --context {} cluster-info` shows the same",
                    self.context
                ),
            },
            _ => Error::Kube {
                context: self.context.clone(),
                message: format!("{action}: {}", chain(&err)),
                help: String::new(),
            },
        }
    }
}

fn or_reason<'a>(message: &'a str, reason: &'a str) -> &'a str {
    if message.is_empty() { reason } else { message }
}

/// An error with its causes on one line (hyper hides the useful part there).
pub(crate) fn chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    // kube's variant names say nothing to a user.
    for noise in ["ServiceError: ", "HyperError: "] {
        if let Some(rest) = text.strip_prefix(noise) {
            text = rest.to_string();
        }
    }
    let mut source = err.source();
    while let Some(cause) = source {
        let s = cause.to_string();
        if !text.contains(&s) {
            text.push_str(": ");
            text.push_str(&s);
        }
        source = cause.source();
    }
    // The server's own words are in it: shown, never acted on.
    crate::outside::one_line(&text)
}

/// Whether a kube error is a 401 or 403, which no retry will fix.
pub(crate) fn is_auth_error(err: &::kube::Error) -> bool {
    matches!(err, ::kube::Error::Api(s) if s.code == 401 || s.code == 403)
}

/// `kind` of `group` at the first of `versions` served, else the group's
/// preferred version; `None` when not served.
fn find_resource(
    discovery: &Discovery,
    group: &str,
    kind: &str,
    versions: &[&str],
) -> Option<ApiResource> {
    let g = discovery.groups().find(|g| g.name() == group)?;
    let version = versions
        .iter()
        .find(|v| g.versions().any(|served| served == **v))
        .map(|v| v.to_string())
        .unwrap_or_else(|| g.preferred_version_or_latest().to_string());
    g.versioned_resources(&version)
        .into_iter()
        .find(|(ar, _)| ar.kind == kind)
        .map(|(ar, _)| ar)
}
