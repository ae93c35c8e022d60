//! Rolling the nodes after a control-plane upgrade: which nodes run a
//! kubelet older than the control plane, and draining one — cordon it, evict
//! its pods through the Eviction API (which honours PodDisruptionBudgets),
//! wait until they are gone, delete the Node (Karpenter replaces its own).
//!
//! Everything here is safe to repeat: a resumed run finds the node cordoned,
//! some pods gone or terminating, or the node deleted, and carries on. Pods
//! are never force-deleted: a pod is gone when its kubelet says it stopped.

mod budgets;
mod names;

use names::{karpenter, namespace, pod_list, pod_name};
#[doc(hidden)]
pub mod for_tests;

use std::time::Duration;

use ::kube::api::{Api, DeleteParams, EvictParams, ListParams, Patch, PatchParams, Preconditions};
use k8s_openapi::api::core::v1::{Node, Pod};

use crate::backoff::polling;
use crate::error::{Error, Result};
use crate::kube::wait::Limits;
use crate::kube::{Cluster, FIELD_MANAGER, retry};
use crate::readiness::KubeVersion;
use crate::readiness::version::Release;
use budgets::{Patience, blocked, budgets_of, recovering};

/// Karpenter's node labels: `nodepool` since v1beta1, `provisioner-name` before.
const KARPENTER_LABELS: [&str; 2] = ["karpenter.sh/nodepool", "karpenter.sh/provisioner-name"];
const NODEGROUP_LABEL: &str = "eks.amazonaws.com/nodegroup";
/// A static pod's mirror: the kubelet owns it, the API cannot evict it.
const MIRROR_ANNOTATION: &str = "kubernetes.io/config.mirror";
/// How often the pods on a draining node are looked at, at first and at most.
const POLL_START: Duration = Duration::from_millis(200);
const POLL_MAX: Duration = Duration::from_secs(2);
/// A node whose kubelet is older than the control plane.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct OldNode {
    pub(crate) name: String,
    /// `status.nodeInfo.kubeletVersion` as the node reports it (`v1.33.5-eks-…`).
    pub(crate) kubelet: String,
    /// Karpenter's: once drained and deleted, Karpenter replaces it.
    pub(crate) karpenter: bool,
    /// The EKS managed node group (label `eks.amazonaws.com/nodegroup`).
    pub(crate) nodegroup: Option<String>,
}

/// Nodes whose kubelet's minor version is below `control_plane`, sorted by
/// name. A node that reports no readable kubelet version is left out.
pub(crate) async fn older_nodes(
    cluster: &Cluster,
    control_plane: KubeVersion,
) -> Result<Vec<OldNode>> {
    let (api, params): (Api<Node>, _) = (Api::all(cluster.client.clone()), ListParams::default());
    let list = retry::idempotent(|| api.list(&params))
        .await
        .map_err(|e| cluster.error("list nodes", e))?;
    let mut old: Vec<OldNode> = list
        .items
        .iter()
        .filter_map(|n| old_node(n, control_plane))
        .collect();
    old.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(old)
}

fn old_node(node: &Node, control_plane: KubeVersion) -> Option<OldNode> {
    let kubelet = &node.status.as_ref()?.node_info.as_ref()?.kubelet_version;
    if kubelet_release(kubelet)? >= control_plane {
        return None;
    }
    let label = |key: &str| node.metadata.labels.as_ref()?.get(key).cloned();
    Some(OldNode {
        name: node.metadata.name.clone().unwrap_or_default(),
        kubelet: kubelet.clone(),
        karpenter: KARPENTER_LABELS.iter().any(|k| label(k).is_some()),
        nodegroup: label(NODEGROUP_LABEL),
    })
}

/// The `major.minor` of a kubelet version: `v1.33.5-eks-113cf36` is 1.33.
fn kubelet_release(text: &str) -> Option<KubeVersion> {
    let mut parts = text.trim().splitn(3, '.');
    let (major, minor) = (parts.next()?, parts.next()?);
    Release::parse(&format!("{major}.{minor}")).map(KubeVersion)
}

/// Drain `node`: cordon it, evict each of its pods (not DaemonSets' nor
/// mirror pods) through the Eviction API and wait until they are gone, then
/// delete the Node. A PodDisruptionBudget that keeps refusing is
/// [`Error::Blocked`], soon (never the whole timeout); pods still there at
/// the deadline are [`Error::Timeout`].
pub(crate) async fn drain(
    cluster: &Cluster,
    node: &str,
    limits: &Limits,
    progress: &dyn Fn(&str),
) -> Result<()> {
    let nodes: Api<Node> = Api::all(cluster.client.clone());
    let found = retry::idempotent(|| nodes.get_opt(node))
        .await
        .map_err(|e| cluster.error(&format!("read node {node}"), e))?;
    let Some(found) = found else {
        progress(&format!("node {node} is already gone"));
        return Ok(());
    };
    let cordoned = found.spec.as_ref().and_then(|s| s.unschedulable);
    if cordoned != Some(true) && !cordon(cluster, &nodes, node, progress).await? {
        return Ok(());
    }
    crate::pause::point("nodes:cordoned");
    evict_all(cluster, node, limits, progress).await?;
    crate::pause::point("nodes:evicted");
    delete_node(cluster, &nodes, &found, progress).await
}

/// Mark `node` unschedulable; `false` when it is gone.
async fn cordon(
    cluster: &Cluster,
    nodes: &Api<Node>,
    node: &str,
    progress: &dyn Fn(&str),
) -> Result<bool> {
    let patch = Patch::Merge(serde_json::json!({"spec": {"unschedulable": true}}));
    let params = PatchParams {
        field_manager: Some(FIELD_MANAGER.into()),
        ..PatchParams::default()
    };
    match retry::idempotent(|| nodes.patch(node, &params, &patch)).await {
        Ok(_) => progress(&format!("cordoned node {node}")),
        Err(::kube::Error::Api(s)) if s.code == 404 => {
            progress(&format!("node {node} is already gone"));
            return Ok(false);
        }
        Err(e) => return Err(cluster.error(&format!("cordon node {node}"), e)),
    }
    Ok(true)
}

/// What the Eviction API answered for one pod.
enum Eviction {
    Done,
    /// Gone already, or replaced by a new pod of the same name.
    Gone,
    /// A PodDisruptionBudget refuses (429): the server's message.
    Refused(String),
    /// More than one budget selects the pod, which eviction cannot handle.
    Unsupported(String),
}

/// Evict every drainable pod on `node` and wait until none is left.
async fn evict_all(
    cluster: &Cluster,
    node: &str,
    limits: &Limits,
    progress: &dyn Fn(&str),
) -> Result<()> {
    let mut pace = polling(POLL_START).map(|d| d.min(POLL_MAX));
    let mut patience: Option<Patience> = None;
    let mut waiting_for = 0;
    loop {
        limits.check_interrupt()?;
        let pods = drainable_pods(cluster, node).await?;
        if pods.is_empty() {
            return Ok(());
        }
        if limits.remaining().is_zero() {
            return Err(timed_out(cluster, node, &pods, limits).await);
        }
        let (evicted, refused) = evict_pass(cluster, node, &pods, progress).await?;
        let terminating = pods.len() - refused.len();
        if terminating != waiting_for && terminating > 0 {
            progress(&format!(
                "waiting for {terminating} pod(s) to stop on node {node}"
            ));
        }
        waiting_for = terminating;
        let wait = if refused.is_empty() || evicted {
            patience = None;
            pace.next().unwrap_or(POLL_MAX)
        } else {
            let budgets = budgets_of(cluster, &refused).await?;
            let first = patience.is_none();
            let state = patience.get_or_insert_with(Patience::new);
            match state.next_try(budgets.iter().any(recovering)) {
                Some(wait) if wait < limits.remaining() => {
                    if first {
                        progress(&format!(
                            "a PodDisruptionBudget refuses to let {} go; trying again",
                            pod_list(refused.iter().map(|(p, _)| *p))
                        ));
                    }
                    wait
                }
                _ => return Err(blocked(node, &refused, &budgets)),
            }
        };
        limits.within(tokio::time::sleep(wait)).await?;
    }
}

/// Evict each pod not terminating yet: whether any was, and those a budget
/// refused with the server's words.
async fn evict_pass<'a>(
    cluster: &Cluster,
    node: &str,
    pods: &'a [Pod],
    progress: &dyn Fn(&str),
) -> Result<(bool, Vec<(&'a Pod, String)>)> {
    let (mut evicted, mut refused) = (false, Vec::new());
    let pending = pods
        .iter()
        .filter(|p| p.metadata.deletion_timestamp.is_none());
    for pod in pending {
        match evict(cluster, pod).await? {
            Eviction::Done => {
                evicted = true;
                progress(&format!("evicted pod {}", pod_name(pod)));
            }
            Eviction::Gone => {}
            Eviction::Refused(message) => refused.push((pod, message)),
            Eviction::Unsupported(message) => {
                let refused = [(pod, message)];
                let budgets = budgets_of(cluster, &refused).await?;
                return Err(blocked(node, &refused, &budgets));
            }
        }
    }
    Ok((evicted, refused))
}

/// The pods on `node` a drain evicts: all but DaemonSets' and mirror pods.
async fn drainable_pods(cluster: &Cluster, node: &str) -> Result<Vec<Pod>> {
    let api: Api<Pod> = Api::all(cluster.client.clone());
    let params = ListParams::default().fields(&format!("spec.nodeName={node}"));
    let list = retry::idempotent(|| api.list(&params))
        .await
        .map_err(|e| cluster.error(&format!("list the pods on node {node}"), e))?;
    Ok(list.items.into_iter().filter(drainable).collect())
}

fn drainable(pod: &Pod) -> bool {
    let meta = &pod.metadata;
    let mirror = meta
        .annotations
        .as_ref()
        .is_some_and(|a| a.contains_key(MIRROR_ANNOTATION));
    let daemon = meta
        .owner_references
        .iter()
        .flatten()
        .any(|o| o.controller == Some(true) && o.kind == "DaemonSet");
    !mirror && !daemon
}

/// Evict `pod` (that very pod: a new one of the same name is left alone).
async fn evict(cluster: &Cluster, pod: &Pod) -> Result<Eviction> {
    let (ns, name) = (
        namespace(pod),
        pod.metadata.name.as_deref().unwrap_or_default(),
    );
    // Without kube's retries, which would sit out a refusal's Retry-After up
    // to 15 times: a refusal is paced by the caller.
    let api: Api<Pod> = Api::namespaced(cluster.client_once.clone(), ns);
    let params = EvictParams {
        delete_options: Some(DeleteParams {
            preconditions: Some(Preconditions {
                uid: pod.metadata.uid.clone(),
                resource_version: None,
            }),
            ..DeleteParams::default()
        }),
        ..EvictParams::default()
    };
    let (api, params) = (&api, &params);
    // An eviction repeated is harmless: a 5xx or a lost answer is retried;
    // a refusal is the caller's to pace.
    let call = move || async move {
        match api.evict(name, params).await {
            Ok(_) => Ok(Eviction::Done),
            Err(::kube::Error::Api(s)) => match s.code {
                404 | 409 => Ok(Eviction::Gone),
                429 => Ok(Eviction::Refused(said(&s))),
                500 if s.message.contains("more than one PodDisruptionBudget") => {
                    Ok(Eviction::Unsupported(s.message))
                }
                _ => Err(::kube::Error::Api(s)),
            },
            Err(e) => Err(e),
        }
    };
    retry::idempotent(call)
        .await
        .map_err(|e| cluster.error(&format!("evict pod {ns}/{name}"), e))
}

/// A refusal in the server's words: its message, and its causes' (where
/// it names the budget).
fn said(status: &::kube::core::Status) -> String {
    let causes = status.details.iter().flat_map(|d| &d.causes);
    let causes: Vec<&str> = causes
        .map(|c| c.message.as_str())
        .filter(|m| !m.is_empty())
        .collect();
    match causes.as_slice() {
        [] => status.message.clone(),
        _ => format!("{} ({})", status.message, causes.join("; ")),
    }
}

/// [`Error::Timeout`] naming the pods still on the node, and whether the node
/// is NotReady (then no kubelet confirms that its pods stopped).
async fn timed_out(cluster: &Cluster, node: &str, pods: &[Pod], limits: &Limits) -> Error {
    let names: Vec<String> = pods
        .iter()
        .map(|p| match p.metadata.deletion_timestamp {
            Some(_) => format!("{} (terminating)", pod_name(p)),
            None => pod_name(p),
        })
        .collect();
    let mut detail = format!("still on it: {}", names.join(", "));
    let nodes: Api<Node> = Api::all(cluster.client.clone());
    if let Ok(Some(found)) = nodes.get_opt(node).await
        && !ready(&found)
    {
        detail.push_str(&format!(
            "; node {node} is NotReady, so no kubelet confirms that its pods stopped"
        ));
    }
    Error::Timeout {
        what: format!("node {node} to drain"),
        detail,
        after: limits.timeout,
    }
}

fn ready(node: &Node) -> bool {
    let conditions = node.status.as_ref().and_then(|s| s.conditions.as_ref());
    conditions
        .into_iter()
        .flatten()
        .any(|c| c.type_ == "Ready" && c.status == "True")
}

/// Delete the drained Node (that very Node: one registered anew under the
/// same name is left alone).
async fn delete_node(
    cluster: &Cluster,
    nodes: &Api<Node>,
    found: &Node,
    progress: &dyn Fn(&str),
) -> Result<()> {
    let name = found.metadata.name.as_deref().unwrap_or_default();
    let params = DeleteParams {
        preconditions: Some(Preconditions {
            uid: found.metadata.uid.clone(),
            resource_version: None,
        }),
        ..DeleteParams::default()
    };
    match retry::idempotent(|| nodes.delete(name, &params)).await {
        Ok(_) if karpenter(found) => {
            progress(&format!("deleted node {name}; Karpenter replaces it"))
        }
        Ok(_) => progress(&format!("deleted node {name}")),
        Err(::kube::Error::Api(s)) if s.code == 404 => {
            progress(&format!("node {name} is already gone"))
        }
        Err(::kube::Error::Api(s)) if s.code == 409 => progress(&format!(
            "node {name} registered anew while it drained; left as it is"
        )),
        Err(e) => return Err(cluster.error(&format!("delete node {name}"), e)),
    }
    Ok(())
}

#[cfg(test)]
#[path = "nodes_tests.rs"]
mod tests;
