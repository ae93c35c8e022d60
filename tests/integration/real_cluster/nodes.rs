//! Rolling the nodes on a real API server: which nodes are older than the
//! control plane, and draining one. The rig has no kubelet, so an evicted pod
//! would stay Terminating for ever: [`Kubelet`] plays its part, force-deleting
//! every pod that has a deletionTimestamp (the tool itself never does). The
//! rig has no disruption controller either, so a PodDisruptionBudget is never
//! counted and refuses every eviction: the blocked case, as it comes.

use std::collections::BTreeSet;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use eks_workshop::upgrade_nodes;
use harness::cluster::{Options, RealCluster, Rig};
use serde_json::Value;

use super::watchdog;

pub(super) const NS: &str = "shop";
const OLD: &str = "ip-10-0-1-1.ec2.internal";
const NEW: &str = "ip-10-0-2-2.ec2.internal";
/// An old node whose kubelet is gone: its pods never stop.
const LOST: &str = "ip-10-0-1-3.ec2.internal";
pub(super) const OLD_KUBELET: &str = "v1.33.5-eks-113cf36";
pub(super) const REPLICA: &str = "{apiVersion: apps/v1, kind: ReplicaSet, name: web-5d9c, uid: 11111111-1111-1111-1111-111111111111, controller: true}";
const DAEMON: &str = "{apiVersion: apps/v1, kind: DaemonSet, name: proxy, uid: 22222222-2222-2222-2222-222222222222, controller: true}";
/// The drain's bound; a blocked drain must end long before it.
const TIMEOUT: Duration = Duration::from_secs(120);

/// Stands in for the kubelets: force-deletes (grace 0) every pod the API
/// server marked for deletion, and remembers which.
pub(super) struct Kubelet {
    stop: Arc<AtomicBool>,
    stopped: Arc<Mutex<BTreeSet<String>>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Kubelet {
    pub(super) fn start(kubeconfig: &Path) -> Kubelet {
        let stop = Arc::new(AtomicBool::new(false));
        let stopped: Arc<Mutex<BTreeSet<String>>> = Arc::default();
        let kubectl = Rig::locate().kubectl();
        let kubeconfig = kubeconfig.to_path_buf();
        let (flag, seen) = (stop.clone(), Arc::clone(&stopped));
        let thread = std::thread::spawn(move || {
            while !flag.load(Ordering::SeqCst) {
                for (ns, name) in terminating(&kubectl, &kubeconfig) {
                    let out = kubectl_run(
                        &kubectl,
                        &kubeconfig,
                        &[
                            "delete",
                            "pod",
                            "-n",
                            &ns,
                            &name,
                            "--grace-period=0",
                            "--force",
                            "--wait=false",
                        ],
                    );
                    if out.status.success() {
                        seen.lock().unwrap().insert(format!("{ns}/{name}"));
                    }
                }
                std::thread::sleep(Duration::from_millis(250));
            }
        });
        Kubelet {
            stop,
            stopped,
            thread: Some(thread),
        }
    }

    /// The pods it saw terminating and stopped, as `ns/name`.
    pub(super) fn stopped(&self) -> BTreeSet<String> {
        self.stopped.lock().unwrap().clone()
    }
}

impl Drop for Kubelet {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn kubectl_run(kubectl: &Path, kubeconfig: &Path, args: &[&str]) -> std::process::Output {
    Command::new(kubectl)
        .arg("--kubeconfig")
        .arg(kubeconfig)
        .args(args)
        .output()
        .unwrap()
}

/// `(namespace, name)` of each pod with a deletionTimestamp.
fn terminating(kubectl: &Path, kubeconfig: &Path) -> Vec<(String, String)> {
    let out = kubectl_run(kubectl, kubeconfig, &["get", "pods", "-A", "-o", "json"]);
    let list: Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    list["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| p["metadata"]["deletionTimestamp"].is_string())
        .map(|p| {
            let meta = &p["metadata"];
            (
                meta["namespace"].as_str().unwrap_or_default().to_string(),
                meta["name"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

pub(super) fn add_node(
    cluster: &RealCluster,
    name: &str,
    kubelet: &str,
    labels: &str,
    ready: bool,
) {
    cluster.apply_yaml(&format!(
        "apiVersion: v1\nkind: Node\nmetadata: {{name: {name}, labels: {labels}}}\n"
    ));
    let (status, reason) = match ready {
        true => ("True", "KubeletReady"),
        false => ("Unknown", "NodeStatusUnknown"),
    };
    let status = format!(
        r#"{{"status": {{"nodeInfo": {{"kubeletVersion": "{kubelet}"}},
            "conditions": [{{"type": "Ready", "status": "{status}", "reason": "{reason}"}}]}}}}"#
    );
    cluster.kubectl_ok(&[
        "patch",
        "node",
        name,
        "--subresource=status",
        "--type=merge",
        "-p",
        &status,
    ]);
}

/// A running, ready pod bound to `node`; `owner` is an ownerReferences entry.
pub(super) fn add_pod(cluster: &RealCluster, name: &str, node: &str, app: &str, owner: &str) {
    cluster.apply_yaml(&format!(
        "apiVersion: v1\nkind: Pod\nmetadata: {{name: {name}, namespace: {NS}, labels: {{app: {app}}}, ownerReferences: [{owner}]}}\n\
         spec: {{nodeName: {node}, automountServiceAccountToken: false, containers: [{{name: c, image: nginx}}]}}\n"
    ));
    let status =
        r#"{"status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]}}"#;
    cluster.kubectl_ok(&[
        "patch",
        "pod",
        "-n",
        NS,
        name,
        "--subresource=status",
        "--type=merge",
        "-p",
        status,
    ]);
}

/// The tool's requests in the audit log: `verb resource[/subresource] name code`.
fn tool_requests(log: &Path) -> Vec<String> {
    let mut text = String::new();
    std::fs::File::open(log)
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    text.lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|e| e["stage"] == "ResponseComplete")
        .filter(|e| {
            e["userAgent"]
                .as_str()
                .is_some_and(|a| a.starts_with("eks-workshop/"))
        })
        .map(|e| {
            let o = &e["objectRef"];
            let sub = o["subresource"]
                .as_str()
                .map(|s| format!("/{s}"))
                .unwrap_or_default();
            format!(
                "{} {}{sub} {} {}",
                e["verb"].as_str().unwrap_or_default(),
                o["resource"].as_str().unwrap_or_default(),
                o["name"].as_str().unwrap_or_default(),
                e["responseStatus"]["code"]
            )
        })
        .collect()
}

fn pod(cluster: &RealCluster, name: &str) -> Option<Value> {
    cluster.get_json(&["pod", "-n", NS, name])
}

/// Node objects at two kubelet versions and pods bound to the old one: only
/// the old node is listed. A node whose kubelet is gone times out naming
/// the pod still Terminating. A PodDisruptionBudget over the old node's
/// pods blocks its drain at once (exit 7, naming the budget and its numbers)
/// with the node cordoned and the pods left running; with the budget
/// relaxed, the drain evicts them (never deletes), waits until the kubelet
/// stopped them, leaves the DaemonSet's pod and deletes the node; drained
/// again, it is a no-op.
#[test]
fn nodes_older_than_the_control_plane_are_listed_and_drained_through_evictions() {
    let _w = watchdog();
    let cluster = RealCluster::start(Options {
        audit: true,
        ..Options::default()
    });
    let kubeconfig: PathBuf = cluster.kubeconfig().to_path_buf();
    seed(&cluster);
    let old = upgrade_nodes::older_nodes(&kubeconfig, "1.34").unwrap();
    let karpenter = (OLD.to_string(), OLD_KUBELET.to_string(), true, None);
    assert_eq!(old, std::slice::from_ref(&karpenter));
    let none = upgrade_nodes::older_nodes(&kubeconfig, "1.33").unwrap();
    assert!(none.is_empty(), "{none:?}");

    stuck_pods_time_out(&cluster);
    let old = upgrade_nodes::older_nodes(&kubeconfig, "v1.34.2").unwrap();
    let managed = (
        LOST.to_string(),
        OLD_KUBELET.to_string(),
        false,
        Some("mng-1".to_string()),
    );
    assert_eq!(old, [karpenter, managed], "sorted by name");

    let kubelet = Kubelet::start(&kubeconfig);
    a_budget_blocks(&cluster);
    // The budget relaxed (in Git, then applied): the drain resumes and ends.
    cluster.kubectl_ok(&["delete", "pdb", "-n", NS, "web-pdb"]);
    drained(&cluster);
    assert_eq!(
        kubelet.stopped(),
        BTreeSet::from([
            format!("{NS}/stuck"),
            format!("{NS}/web-1"),
            format!("{NS}/web-2")
        ]),
        "the evicted pods were Terminating until the kubelet stopped them"
    );
    evictions_only(&cluster);

    // A resumed run after the node went: nothing to do.
    let (lines, out) = upgrade_nodes::drain(&kubeconfig, OLD, TIMEOUT);
    out.unwrap();
    assert_eq!(lines, [format!("node {OLD} is already gone")]);
}

/// The old (Karpenter's) node with two replicas and a DaemonSet's pod; the
/// new node with one replica.
fn seed(cluster: &RealCluster) {
    cluster.apply_yaml(&format!(
        "apiVersion: v1\nkind: Namespace\nmetadata: {{name: {NS}}}\n---\n\
         apiVersion: v1\nkind: ServiceAccount\nmetadata: {{name: default, namespace: {NS}}}\n"
    ));
    add_node(
        cluster,
        OLD,
        OLD_KUBELET,
        "{karpenter.sh/nodepool: default}",
        true,
    );
    add_node(cluster, NEW, "v1.34.1-eks-0a1b2c3", "{}", true);
    add_pod(cluster, "web-1", OLD, "web", REPLICA);
    add_pod(cluster, "web-2", OLD, "web", REPLICA);
    add_pod(cluster, "proxy-old", OLD, "proxy", DAEMON);
    add_pod(cluster, "web-3", NEW, "web", REPLICA);
}

/// A node whose kubelet is gone: its pod, evicted, stays Terminating, and
/// the drain ends at its deadline naming it.
fn stuck_pods_time_out(cluster: &RealCluster) {
    add_node(
        cluster,
        LOST,
        OLD_KUBELET,
        "{eks.amazonaws.com/nodegroup: mng-1}",
        false,
    );
    add_pod(cluster, "stuck", LOST, "batch", REPLICA);
    let (lines, out) = upgrade_nodes::drain(cluster.kubeconfig(), LOST, Duration::from_secs(3));
    let failure = out.expect_err("no kubelet stops the pod");
    assert_eq!(failure.exit_code, 6, "{failure:?}");
    assert_eq!(
        failure.message,
        format!(
            "timed out after 3s waiting for node {LOST} to drain: still on it: {NS}/stuck (terminating); node {LOST} is NotReady, so no kubelet confirms that its pods stopped"
        ),
        "{lines:?}"
    );
    assert!(
        lines.contains(&format!("evicted pod {NS}/stuck")),
        "{lines:?}"
    );
    assert!(cluster.get_json(&["node", LOST]).is_some(), "not deleted");
}

/// The budget (never counted on the rig) refuses, and the drain says so soon.
fn a_budget_blocks(cluster: &RealCluster) {
    cluster.apply_yaml(&format!(
        "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {{name: web-pdb, namespace: {NS}}}\n\
         spec: {{minAvailable: 1, selector: {{matchLabels: {{app: web}}}}}}\n"
    ));
    let started = Instant::now();
    let (lines, out) = upgrade_nodes::drain(cluster.kubeconfig(), OLD, TIMEOUT);
    let took = started.elapsed();
    let failure = out.expect_err("the budget blocks the drain");
    eprintln!("blocked drain after {took:?}: {failure:#?}\nprogress: {lines:#?}");
    assert_eq!(failure.exit_code, 7, "{failure:?}");
    assert!(took < TIMEOUT / 4, "blocked only after {took:?}");
    let m = &failure.message;
    assert!(
        m.starts_with(&format!(
            "node {OLD} cannot be drained: evicting pods {NS}/web-1, {NS}/web-2 would violate PodDisruptionBudget {NS}/web-pdb (minAvailable 1; currentHealthy 0, desiredHealthy 0, expectedPods 0, disruptionsAllowed 0;"
        )),
        "{m}"
    );
    assert!(m.contains("the API server said: "), "{m}");
    assert!(m.contains("disruption budget"), "{m}");
    assert!(failure.help.contains("eks-workshop resume"), "{failure:?}");
    assert!(lines.contains(&format!("cordoned node {OLD}")), "{lines:?}");
    let node = cluster.get_json(&["node", OLD]).expect("the node stays");
    assert_eq!(node["spec"]["unschedulable"], true, "{node}");
    for name in ["web-1", "web-2"] {
        let p = pod(cluster, name).expect("the pod stays");
        assert!(p["metadata"]["deletionTimestamp"].is_null(), "{p}");
    }
}

/// The drain evicts the old node's pods, waits for them and deletes it;
/// the DaemonSet's pod and the new node's are left.
fn drained(cluster: &RealCluster) {
    let (lines, out) = upgrade_nodes::drain(cluster.kubeconfig(), OLD, TIMEOUT);
    eprintln!("drain: {lines:#?}");
    out.unwrap();
    assert!(
        !lines.iter().any(|l| l.starts_with("cordoned")),
        "already cordoned: {lines:?}"
    );
    for name in ["web-1", "web-2"] {
        assert!(
            lines.contains(&format!("evicted pod {NS}/{name}")),
            "{lines:?}"
        );
        assert!(pod(cluster, name).is_none(), "{name} is gone");
    }
    assert!(
        lines.contains(&format!("deleted node {OLD}; Karpenter replaces it")),
        "{lines:?}"
    );
    assert!(cluster.get_json(&["node", OLD]).is_none(), "node deleted");
    let left = pod(cluster, "proxy-old").expect("the DaemonSet's pod is left");
    assert!(left["metadata"]["deletionTimestamp"].is_null(), "{left}");
    let other = pod(cluster, "web-3").expect("the new node's pod is left");
    assert!(other["metadata"]["deletionTimestamp"].is_null(), "{other}");
}

/// From the audit log: evictions, never pod deletions; the blocked ones
/// answered 429, then 201; the old node cordoned once and deleted.
fn evictions_only(cluster: &RealCluster) {
    let requests = tool_requests(&cluster.audit_log().unwrap());
    let has = |r: String| requests.contains(&r);
    assert!(
        !requests.iter().any(|r| r.starts_with("delete pods ")),
        "{requests:#?}"
    );
    for name in ["web-1", "web-2"] {
        assert!(
            has(format!("create pods/eviction {name} 429")),
            "{requests:#?}"
        );
        assert!(
            has(format!("create pods/eviction {name} 201")),
            "{requests:#?}"
        );
    }
    assert!(
        !requests
            .iter()
            .any(|r| r.starts_with("create pods/eviction proxy-old")),
        "{requests:#?}"
    );
    let cordons = requests
        .iter()
        .filter(|r| r.starts_with(&format!("patch nodes {OLD} ")))
        .count();
    assert_eq!(cordons, 1, "cordoned once: {requests:#?}");
    assert!(has(format!("delete nodes {OLD} 200")), "{requests:#?}");
}
