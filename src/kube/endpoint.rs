//! Is the kubeconfig's context the cluster the values name? A participant
//! with two contexts (the workshop's and another) would otherwise have the
//! other one checked, or Flux installed on it. The values' `cluster_endpoint`
//! is compared with the context's server before any request: by
//! [`super::connect`] (every client is made there), by the engine before a
//! plan that reaches the cluster runs its first step, and in `verify`'s
//! report. Reading the kubeconfig is all it does: no request, no credential
//! plugin run.

use ::kube::config::Kubeconfig;

use crate::config::Settings;
use crate::error::{ClusterHint, Error, Result};

/// The endpoint of `templates/values.example.yaml`. Its values are made up
/// ("fine for the offline demo, not for a real cluster"): this endpoint names
/// no cluster, so there is nothing to compare the context with. The offline
/// demo and the tests run it against local API servers; a participant who
/// keeps it gets the skip said (setup's prerequisites, verify's report),
/// never a pass.
pub(crate) const EXAMPLE_ENDPOINT: &str =
    "https://4E6C1F0A9B2D7E3C5A8F1B0D2C4E6A8F.gr7.us-west-2.eks.amazonaws.com";

/// What the comparison found, when it did not find another cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Compared {
    /// The context's server is the values' endpoint.
    Same {
        context: String,
        server: String,
        endpoint: String,
    },
    /// Not compared, and why.
    NotCompared(String),
}

/// A server as it names a cluster: lower-case host, port (the scheme's
/// default when none is written) and path without its trailing slash. The
/// scheme itself is left out: one host and port serve one protocol, and a
/// values file may only say https (`values::shape`) where a kubeconfig may
/// reach the same address over plain http (a local API server).
#[derive(Debug, PartialEq, Eq)]
struct Address {
    host: String,
    port: u16,
    path: String,
}

fn address(url: &str) -> Option<Address> {
    let url = url.trim();
    // `host:port` alone is how kubectl reads a server without a scheme: https.
    let with_scheme = if url.contains("://") {
        url.to_string()
    } else {
        format!("https://{url}")
    };
    let uri: http::Uri = with_scheme.parse().ok()?;
    let default_port = match uri.scheme_str()?.to_ascii_lowercase().as_str() {
        "https" => 443,
        "http" => 80,
        _ => return None,
    };
    let host = uri.host()?.to_ascii_lowercase();
    if host.is_empty() {
        return None;
    }
    Some(Address {
        host,
        port: uri.port_u16().unwrap_or(default_port),
        path: uri.path().trim_end_matches('/').to_string(),
    })
}

/// Whether two server URLs name the same API server.
pub(crate) fn same_server(a: &str, b: &str) -> bool {
    matches!((address(a), address(b)), (Some(a), Some(b)) if a == b)
}

/// The cluster entry of context `name` in `kc`.
fn cluster_of<'a>(kc: &'a Kubeconfig, name: &str) -> Option<&'a ::kube::config::Cluster> {
    let cluster = kc
        .contexts
        .iter()
        .find(|c| c.name == name)?
        .context
        .as_ref()?
        .cluster
        .as_str();
    kc.clusters
        .iter()
        .find(|c| c.name == cluster)?
        .cluster
        .as_ref()
}

/// Whether `cluster` reaches `endpoint`: its server is the endpoint, or it
/// is a tunnel to it (a private endpoint through a bastion): its
/// `tls-server-name`, the name the server's certificate must carry, is the
/// endpoint's host.
fn reaches(cluster: &::kube::config::Cluster, endpoint: &str) -> bool {
    let server = cluster.server.as_deref().unwrap_or_default();
    let tunnel = cluster.tls_server_name.as_deref().is_some_and(|name| {
        address(endpoint).is_some_and(|e| e.host == name.trim().to_ascii_lowercase())
    });
    same_server(server, endpoint) || tunnel
}

/// The contexts of `kc` that reach `endpoint`.
fn contexts_at(kc: &Kubeconfig, endpoint: &str) -> Vec<String> {
    kc.contexts
        .iter()
        .filter(|c| cluster_of(kc, &c.name).is_some_and(|cl| reaches(cl, endpoint)))
        .map(|c| c.name.clone())
        .collect()
}

/// The values' endpoint, or why there is none to compare with.
fn endpoint(settings: &Settings) -> std::result::Result<&str, String> {
    match settings.values.get("cluster_endpoint") {
        None => Err("the values give no cluster_endpoint, so which cluster is meant is not known".into()),
        Some(e) if same_server(e, EXAMPLE_ENDPOINT) => Err(
            "cluster_endpoint is the made-up one of templates/values.example.yaml, which names no cluster"
                .into(),
        ),
        Some(e) if address(e).is_none() => Err(format!(
            "cluster_endpoint `{}` is not a URL",
            crate::outside::one_line(e)
        )),
        Some(e) => Ok(e),
    }
}

/// Context `context` of `kc` against the values' endpoint: the error
/// [`Error::WrongCluster`] when it points at another server.
pub(crate) fn compare(settings: &Settings, kc: &Kubeconfig, context: &str) -> Result<Compared> {
    let endpoint = match endpoint(settings) {
        Ok(e) => e,
        Err(why) => return Ok(Compared::NotCompared(why)),
    };
    let Some((cluster, server)) =
        cluster_of(kc, context).and_then(|c| Some((c, c.server.as_deref()?)))
    else {
        return Ok(Compared::NotCompared(format!(
            "kubeconfig context `{}` names no cluster server",
            crate::outside::one_line(context)
        )));
    };
    // Names from the kubeconfig are shown, never acted on: one line each.
    let shown = crate::outside::one_line;
    if reaches(cluster, endpoint) {
        return Ok(Compared::Same {
            context: shown(context),
            server: shown(server),
            endpoint: endpoint.to_string(),
        });
    }
    Err(Error::WrongCluster {
        context: shown(context),
        server: shown(server),
        endpoint: endpoint.to_string(),
        hint: Box::new(ClusterHint {
            cluster_name: settings.values.get("cluster_name").map(String::from),
            region: settings
                .region
                .as_deref()
                .or_else(|| settings.values.get("aws_region"))
                .map(String::from),
            matching: contexts_at(kc, endpoint).iter().map(|c| shown(c)).collect(),
        }),
    })
}

/// The kubeconfig's context (`--context`, else the current one) against the
/// values' endpoint, in `loaded` (the kubeconfig [`super::connect`] reads,
/// and where from; `None`: there is none). Where no context can be found
/// yet it says so and leaves the error (and the offer to run `aws eks
/// update-kubeconfig`) to connecting.
pub(crate) fn check(settings: &Settings, loaded: Option<(Kubeconfig, String)>) -> Result<Compared> {
    let Some((kc, whence)) = loaded else {
        return Ok(Compared::NotCompared(
            "no kubeconfig to read (in-cluster, or none yet)".into(),
        ));
    };
    let name = settings
        .context
        .clone()
        .or_else(|| kc.current_context.clone().filter(|c| !c.is_empty()));
    match name {
        Some(name) if kc.contexts.iter().any(|c| c.name == name) => compare(settings, &kc, &name),
        Some(name) => Ok(Compared::NotCompared(format!(
            "{} has no context `{}`",
            crate::outside::one_line(&whence),
            crate::outside::one_line(&name)
        ))),
        None => Ok(Compared::NotCompared(format!(
            "{whence} has no current context"
        ))),
    }
}

#[cfg(test)]
mod tests;
