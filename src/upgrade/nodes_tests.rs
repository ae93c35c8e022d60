//! The pure parts of rolling nodes: versions, which nodes and pods.

use super::*;
use serde_json::{Value, json};

fn node(name: &str, kubelet: &str, labels: Value) -> Node {
    serde_json::from_value(json!({
        "metadata": {"name": name, "labels": labels},
        "status": {"nodeInfo": {"kubeletVersion": kubelet, "machineID": "", "systemUUID": "",
            "bootID": "", "kernelVersion": "", "osImage": "", "containerRuntimeVersion": "",
            "kubeProxyVersion": "", "operatingSystem": "linux", "architecture": "amd64"}},
    }))
    .unwrap()
}

fn v(text: &str) -> KubeVersion {
    KubeVersion::parse(text).unwrap()
}

#[test]
fn kubelet_versions_are_read_as_eks_writes_them() {
    for (text, want) in [
        ("v1.33.5-eks-113cf36", Some("1.33")),
        ("v1.34.0", Some("1.34")),
        ("1.9.11", Some("1.9")),
        ("v1.33", Some("1.33")),
        ("v1.33.0+k3s1", Some("1.33")),
        ("", None),
        ("vx.33.1", None),
        ("v1", None),
    ] {
        assert_eq!(
            kubelet_release(text).map(|r| r.to_string()).as_deref(),
            want,
            "{text}"
        );
    }
}

#[test]
fn only_a_lower_minor_is_old_and_the_labels_say_whose() {
    let cp = v("1.34");
    let karpenter = node(
        "a",
        "v1.33.5-eks-1",
        json!({"karpenter.sh/nodepool": "default"}),
    );
    let old = old_node(&karpenter, cp).unwrap();
    assert_eq!(
        old,
        OldNode {
            name: "a".into(),
            kubelet: "v1.33.5-eks-1".into(),
            karpenter: true,
            nodegroup: None
        }
    );
    let older = node(
        "b",
        "v1.32.1",
        json!({"karpenter.sh/provisioner-name": "default"}),
    );
    assert!(old_node(&older, cp).unwrap().karpenter);
    let managed = node(
        "c",
        "v1.33.0",
        json!({"eks.amazonaws.com/nodegroup": "mng-1"}),
    );
    let old = old_node(&managed, cp).unwrap();
    assert_eq!(
        (old.karpenter, old.nodegroup.as_deref()),
        (false, Some("mng-1"))
    );
    assert_eq!(old_node(&node("d", "v1.34.2", json!({})), cp), None);
    assert_eq!(old_node(&node("e", "v1.35.0", json!({})), cp), None);
    assert_eq!(old_node(&node("f", "garbage", json!({})), cp), None);
    let unregistered: Node = serde_json::from_value(json!({"metadata": {"name": "g"}})).unwrap();
    assert_eq!(old_node(&unregistered, cp), None);
}

fn pod(meta: Value) -> Pod {
    serde_json::from_value(json!({"metadata": meta})).unwrap()
}

#[test]
fn daemonset_and_mirror_pods_stay_the_rest_go() {
    let plain = pod(json!({"name": "web", "namespace": "default"}));
    let replica = pod(
        json!({"name": "web-1", "namespace": "default", "ownerReferences": [
        {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web", "uid": "1", "controller": true}]}),
    );
    let daemon = pod(
        json!({"name": "proxy", "namespace": "kube-system", "ownerReferences": [
        {"apiVersion": "apps/v1", "kind": "DaemonSet", "name": "proxy", "uid": "2", "controller": true}]}),
    );
    let mirror = pod(json!({"name": "etcd-n1", "namespace": "kube-system",
        "annotations": {"kubernetes.io/config.mirror": "abc"}}));
    assert!(drainable(&plain));
    assert!(drainable(&replica));
    assert!(!drainable(&daemon));
    assert!(!drainable(&mirror));
    assert_eq!(pod_list([&plain].into_iter()), "pod default/web");
    assert_eq!(
        pod_list([&plain, &daemon].into_iter()),
        "pods default/web, kube-system/proxy"
    );
}
