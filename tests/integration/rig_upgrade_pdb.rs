//! Evictions against PodDisruptionBudgets on the rig, as a node drain during
//! an upgrade meets them: kube-controller-manager's disruption controller
//! (`Options::controller_manager`) computes the budget's status, and the
//! API server's eviction subresource allows or refuses (429) by it.
//!
//! No kubelet or scheduler runs: the pods are bound by `spec.nodeName` to a
//! Node object the test creates, and their Ready condition is written
//! through the status subresource, as a kubelet would.

use harness::cluster::{Options, RealCluster};
use serde_json::Value;

use crate::real_cluster::watchdog;

const NS: &str = "drain";

/// A namespace with its `default` ServiceAccount (no controller makes it
/// here, and admission refuses a pod without it), a Node, two pods bound to
/// it and Ready, and a budget of `minAvailable: 1` over them.
fn two_ready_pods_and_a_budget(cluster: &RealCluster) {
    let mut yaml = format!(
        "apiVersion: v1\nkind: Namespace\nmetadata: {{name: {NS}}}\n---\n\
         apiVersion: v1\nkind: ServiceAccount\nmetadata: {{name: default, namespace: {NS}}}\n---\n\
         apiVersion: v1\nkind: Node\nmetadata: {{name: node-1}}\n"
    );
    for pod in ["web-1", "web-2"] {
        yaml += &format!(
            "---\napiVersion: v1\nkind: Pod\nmetadata: {{name: {pod}, namespace: {NS}, labels: {{app: web}}}}\n\
             spec:\n  nodeName: node-1\n  automountServiceAccountToken: false\n  \
             containers: [{{name: web, image: registry.k8s.io/pause:3.10}}]\n"
        );
    }
    yaml += &format!(
        "---\napiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {{name: web, namespace: {NS}}}\n\
         spec: {{minAvailable: 1, selector: {{matchLabels: {{app: web}}}}}}\n"
    );
    cluster.apply_yaml(&yaml);
    let status = r#"{"status":{"phase":"Running","conditions":[
        {"type":"PodScheduled","status":"True"},{"type":"Initialized","status":"True"},
        {"type":"ContainersReady","status":"True"},{"type":"Ready","status":"True"}]}}"#;
    for pod in ["web-1", "web-2"] {
        cluster.kubectl_ok(&[
            "patch",
            "pod",
            pod,
            "-n",
            NS,
            "--subresource=status",
            "--type=merge",
            "-p",
            status,
        ]);
    }
}

/// `POST pods/<pod>/eviction`: Ok, or Err with kubectl's stderr.
fn evict(cluster: &RealCluster, pod: &str) -> Result<(), String> {
    let body = format!(
        r#"{{"apiVersion":"policy/v1","kind":"Eviction","metadata":{{"name":"{pod}","namespace":"{NS}"}}}}"#
    );
    let file = cluster.dir().join(format!("evict-{pod}.json"));
    std::fs::write(&file, body).unwrap();
    let path = format!("/api/v1/namespaces/{NS}/pods/{pod}/eviction");
    let out = cluster.kubectl(&["create", "--raw", &path, "-f", file.to_str().unwrap()]);
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

fn budget(cluster: &RealCluster) -> Value {
    cluster
        .get_json(&["pdb", "-n", NS, "web"])
        .expect("the budget")
}

/// The disruption controller computes `disruptionsAllowed: 1` over two
/// Ready pods; the first eviction is allowed (the pod is deleted, and stays
/// Terminating: no kubelet), the second refused with 429; the controller
/// then counts one healthy pod (`InsufficientPods`).
#[test]
fn the_controller_manager_computes_the_budget_and_the_second_eviction_is_refused() {
    let _w = watchdog();
    let cluster = RealCluster::start(Options {
        controller_manager: true,
        ..Options::default()
    });
    two_ready_pods_and_a_budget(&cluster);
    let status = cluster.wait_for(
        "the budget's status",
        std::time::Duration::from_secs(60),
        || {
            let pdb = budget(&cluster);
            let s = &pdb["status"];
            let seen = s["observedGeneration"] == pdb["metadata"]["generation"];
            (seen && s["currentHealthy"] == 2).then(|| s.clone())
        },
    );
    eprintln!("PodDisruptionBudget status: {status}");
    assert_eq!(status["disruptionsAllowed"], 1, "{status}");
    assert_eq!(status["desiredHealthy"], 1, "{status}");
    assert_eq!(status["expectedPods"], 2, "{status}");

    evict(&cluster, "web-1").expect("the first eviction is allowed");
    let pod = cluster
        .get_json(&["pod", "-n", NS, "web-1"])
        .expect("still there: no kubelet confirms the deletion");
    assert!(pod["metadata"]["deletionTimestamp"].is_string(), "{pod}");
    let err = evict(&cluster, "web-2").expect_err("the second eviction is refused");
    assert!(err.contains("(TooManyRequests)"), "a 429: {err}");
    assert!(
        err.contains("Cannot evict pod as it would violate the pod's disruption budget"),
        "{err}"
    );
    // The controller counts the evicted pod out (it is being deleted).
    let status = cluster.wait_for(
        "the budget to count one healthy pod",
        std::time::Duration::from_secs(60),
        || {
            let s = budget(&cluster)["status"].clone();
            (s["currentHealthy"] == 1).then_some(s)
        },
    );
    assert_eq!(status["disruptionsAllowed"], 0, "{status}");
    assert_eq!(
        status["conditions"][0]["reason"], "InsufficientPods",
        "{status}"
    );
    cluster
        .get_json(&["pod", "-n", NS, "web-2"])
        .expect("web-2 stays");
}

/// Without it no budget ever gets a status, and the API server refuses
/// every eviction it covers: "still being processed by the server".
#[test]
fn without_the_controller_manager_every_covered_eviction_is_refused() {
    let _w = watchdog();
    let cluster = RealCluster::start(Options::default());
    two_ready_pods_and_a_budget(&cluster);
    let err = evict(&cluster, "web-1").expect_err("refused");
    assert!(err.contains("(TooManyRequests)"), "a 429: {err}");
    assert!(budget(&cluster)["status"]["observedGeneration"].is_null());
}
