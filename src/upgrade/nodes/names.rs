//! How the node roll names nodes and pods, and tells Karpenter's nodes.

use k8s_openapi::api::core::v1::{Node, Pod};

use super::KARPENTER_LABELS;

pub(super) fn karpenter(node: &Node) -> bool {
    let labels = node.metadata.labels.as_ref();
    KARPENTER_LABELS
        .iter()
        .any(|k| labels.is_some_and(|l| l.contains_key(*k)))
}

pub(super) fn namespace(pod: &Pod) -> &str {
    pod.metadata.namespace.as_deref().unwrap_or_default()
}

/// `ns/name`.
pub(super) fn pod_name(pod: &Pod) -> String {
    format!(
        "{}/{}",
        namespace(pod),
        pod.metadata.name.as_deref().unwrap_or_default()
    )
}

/// `pod ns/a` or `pods ns/a, ns/b`.
pub(super) fn pod_list<'a>(pods: impl Iterator<Item = &'a Pod>) -> String {
    let names: Vec<String> = pods.map(pod_name).collect();
    match names.as_slice() {
        [one] => format!("pod {one}"),
        _ => format!("pods {}", names.join(", ")),
    }
}
