//! verify's disruption readiness on the rig: a fork whose applications hold
//! a one-replica Deployment without a readiness probe and a budget that
//! allows no disruption over it, applied by real Flux. kube-controller-manager
//! runs its disruption controller, which writes the budget's live status over
//! the one pod (made by the test: the rig has no Deployment controller).

use harness::cluster::Options;
use serde_json::Value;

use super::fixture::Real;

const FILE: &str = "gitops/applications/05-shop.yaml";
const SHOP: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: shop
  namespace: default
spec:
  replicas: 1
  selector:
    matchLabels: {app: shop}
  template:
    metadata:
      labels: {app: shop}
    spec:
      containers:
        - name: shop
          image: registry.k8s.io/pause:3.10
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: shop-pdb
  namespace: default
spec:
  minAvailable: 1
  selector:
    matchLabels: {app: shop}
";

fn items(report: &Value) -> Vec<Value> {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "disruption")
        .expect("the disruption check")["items"]
        .as_array()
        .unwrap()
        .clone()
}

#[test]
fn a_budget_allowing_no_disruption_and_a_lone_replica_without_probe_are_named_by_file_and_line() {
    let mut r = Real::start_with(Options {
        controller_manager: true,
        ..Options::default()
    });
    r.set_up();
    let clone = r.w.clone_dir();
    let apps = "gitops/applications/kustomization.yaml";
    let listed = std::fs::read_to_string(clone.join(apps)).unwrap().replace(
        "  - 01-pdb-sample-app.yaml\n",
        "  - 01-pdb-sample-app.yaml\n  - 05-shop.yaml\n",
    );
    r.participant_pushes("A shop", &[(FILE, SHOP), (apps, &listed)]);
    let out = r.w.cmd(&["sync", "--no-push", "--timeout", "180s"]).run();
    assert_eq!(out.code, 0, "{}", r.diagnose(&out));
    // The rig runs no Deployment controller: the one pod a kubelet would
    // run is made here, Ready, for the disruption controller to count.
    r.cluster.apply_yaml(
        "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: default, namespace: default}\n---\n\
         apiVersion: v1\nkind: Pod\nmetadata: {name: shop-1, namespace: default, labels: {app: shop}}\n\
         spec: {nodeName: node-1, automountServiceAccountToken: false, containers: [{name: shop, image: registry.k8s.io/pause:3.10}]}\n",
    );
    r.cluster.kubectl_ok(&[
        "patch",
        "pod",
        "-n",
        "default",
        "shop-1",
        "--subresource=status",
        "--type=merge",
        "-p",
        r#"{"status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]}}"#,
    ]);
    // The disruption controller has counted the budget over the pod.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let pdb = r.get(&["-n", "default", "pdb", "shop-pdb"]);
        if pdb["status"]["expectedPods"] == 1 {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "{pdb}");
        std::thread::sleep(std::time::Duration::from_millis(250));
    }

    let out = r.w.cmd(&["verify", "-o", "json"]).run();
    assert_eq!(out.code, 4, "blocking: {}", r.diagnose(&out));
    let found = items(&out.json());
    let said = |check: &str| -> Vec<String> {
        found
            .iter()
            .filter(|i| i["check"] == check)
            .map(|i| {
                format!(
                    "{} {}",
                    i["severity"].as_str().unwrap(),
                    i["subject"].as_str().unwrap()
                )
            })
            .collect()
    };
    let deployment = format!("Deployment default/shop ({FILE}:1)");
    let budget = format!("PodDisruptionBudget default/shop-pdb ({FILE}:18)");
    assert_eq!(
        said("single-replica"),
        [format!("to-do {deployment}")],
        "{found:#?}"
    );
    assert_eq!(
        said("no-readiness-probe").len(),
        2,
        "shop and the sample app: {found:#?}"
    );
    assert!(said("no-readiness-probe").contains(&format!("to-do {deployment}")));
    assert_eq!(
        said("pdb-allows-no-disruption"),
        [format!("blocking {budget}")]
    );
    assert_eq!(
        said("pdb-live"),
        [format!(
            "blocking PodDisruptionBudget default/shop-pdb (cluster, Kustomization apps, {FILE}:18)"
        )],
        "{found:#?}"
    );
}
