//! The rig's control-plane upgrade: kube-apiserver 1.36 restarted on the
//! same etcd at a higher `--emulated-version`, as `upgrade --to 1.N`'s
//! control-plane drivers will meet it. Stored objects stay, the served APIs
//! change, and the Flux controllers (processes of their own) find the new
//! server by themselves.
//!
//! `rig_upgrade_command.rs` drives the same restart through the command line
//! terraform runs; `rig_upgrade_tofu.rs` through OpenTofu;
//! `rig_upgrade_pdb.rs` checks evictions against kube-controller-manager.

use std::time::{Duration, Instant};

use harness::cluster::{FLUX_NAMESPACE, Options, RealCluster};
use harness::forge::Forge;
use serde_json::Value;

use crate::real_cluster::watchdog;

/// What 1.33 serves only when asked (`--runtime-config`), and 1.34 not at all.
pub(crate) const VAP_V1BETA1: &str = "admissionregistration.k8s.io/v1beta1=true";

/// A cluster serving Kubernetes 1.33 with ValidatingAdmissionPolicy v1beta1 on.
pub(crate) fn at_1_33() -> RealCluster {
    RealCluster::start(Options {
        emulated_version: Some("1.33".into()),
        runtime_config: vec![VAP_V1BETA1.into()],
        ..Options::default()
    })
}

/// `emulationMajor.emulationMinor` of `/version`, beside `gitVersion`.
pub(crate) fn serving(cluster: &RealCluster) -> (String, String) {
    let v = cluster.version();
    let s = |k: &str| v[k].as_str().unwrap_or_default().to_string();
    (
        format!("{}.{}", s("emulationMajor"), s("emulationMinor")),
        s("gitVersion"),
    )
}

/// The resources `admissionregistration.k8s.io/v1beta1` serves (none when
/// the group version is not served at all).
fn v1beta1_resources(cluster: &RealCluster) -> Vec<String> {
    let out = cluster.kubectl(&["get", "--raw", "/apis/admissionregistration.k8s.io/v1beta1"]);
    if !out.status.success() {
        return Vec::new();
    }
    let list: Value = serde_json::from_slice(&out.stdout).expect("APIResourceList");
    list["resources"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r["name"].as_str().map(str::to_string))
        .collect()
}

const POLICY: &str = "apiVersion: admissionregistration.k8s.io/v1beta1
kind: ValidatingAdmissionPolicy
metadata: {name: stored-at-1-33}
spec:
  failurePolicy: Fail
  matchConstraints:
    resourceRules:
      - {apiGroups: [''], apiVersions: [v1], operations: [CREATE], resources: [configmaps]}
  validations:
    - expression: \"!has(object.data) || !('forbidden' in object.data)\"
---
apiVersion: admissionregistration.k8s.io/v1beta1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: stored-at-1-33}
spec: {policyName: stored-at-1-33, validationActions: [Deny]}
";

/// Waits until a server-side dry run of a ConfigMap the policy forbids is
/// denied by it (the API server loads policies a moment after it is ready).
fn wait_policy_enforced(cluster: &RealCluster) {
    let args = [
        "create",
        "configmap",
        "no",
        "--from-literal=forbidden=1",
        "--dry-run=server",
    ];
    cluster.wait_for("the policy to deny", Duration::from_secs(60), || {
        let out = cluster.kubectl(&args);
        let err = String::from_utf8_lossy(&out.stderr);
        (!out.status.success() && err.contains("ValidatingAdmissionPolicy")).then_some(())
    });
}

fn flux_sync(cluster: &RealCluster, name: &str, url: &str) {
    cluster.apply_yaml(&format!(
        "apiVersion: v1
kind: Secret
metadata: {{name: {name}-auth, namespace: {FLUX_NAMESPACE}}}
stringData: {{username: flux-reader, password: tok-flux-reader}}
---
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {{name: {name}, namespace: {FLUX_NAMESPACE}}}
spec: {{url: {url}, ref: {{branch: main}}, interval: 10m, secretRef: {{name: {name}-auth}}}}
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {{name: {name}, namespace: {FLUX_NAMESPACE}}}
spec:
  interval: 10m
  path: ./deploy
  prune: true
  targetNamespace: {name}
  sourceRef: {{kind: GitRepository, name: {name}}}
"
    ));
}

/// Objects stored at 1.33 survive the restart at 1.34; `/version` and
/// discovery say 1.34 (VAP v1beta1 gone, though `--runtime-config` still
/// asks for the group version); Flux reconciles existing and new objects,
/// and kube-controller-manager keeps running too.
#[test]
fn restarting_at_1_34_keeps_objects_changes_served_apis_and_flux_reconnects() {
    let _w = watchdog();
    let mut cluster = RealCluster::start(Options {
        flux: true,
        controller_manager: true,
        emulated_version: Some("1.33".into()),
        runtime_config: vec![VAP_V1BETA1.into()],
        ..Options::default()
    });
    assert_eq!(serving(&cluster), ("1.33".into(), "v1.36.3".into()));
    assert_eq!(cluster.emulated_version(), "1.33");
    let before = v1beta1_resources(&cluster);
    assert!(
        before.contains(&"validatingadmissionpolicies".to_string()),
        "1.33 with runtime-config serves VAP v1beta1: {before:?}"
    );
    cluster.apply_yaml(POLICY);
    wait_policy_enforced(&cluster);
    cluster.apply_yaml("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: kept, namespace: default}\ndata: {stored: at-1-33}\n");

    let forge = Forge::start_blocking();
    forge.add_user("flux-reader", "tok-flux-reader");
    let content = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(content.path().join("deploy")).unwrap();
    let cm =
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: from-git}\ndata: {greeting: hello}\n";
    std::fs::write(content.path().join("deploy/cm.yaml"), cm).unwrap();
    forge.seed_repo("acme", "fleet", content.path(), "main");
    let url = forge.clone_url("acme", "fleet");
    for ns in ["before", "after"] {
        cluster.apply_yaml(&format!(
            "apiVersion: v1\nkind: Namespace\nmetadata: {{name: {ns}}}\n"
        ));
    }
    flux_sync(&cluster, "before", &url);
    cluster.wait_ready_condition("kustomization", FLUX_NAMESPACE, "before");
    let pids = cluster.pids();

    let restart = Instant::now();
    cluster.restart_apiserver("1.34");
    eprintln!(
        "restart at 1.34 took {:.1}s",
        restart.elapsed().as_secs_f64()
    );
    assert_eq!(serving(&cluster), ("1.34".into(), "v1.36.3".into()));
    assert_eq!(cluster.emulated_version(), "1.34");
    // One log for both processes, the old one's lines first.
    let log = std::fs::read_to_string(cluster.log("kube-apiserver")).unwrap();
    let mark = log
        .find("===== rig: restarting at emulated version 1.34 (was 1.33) =====")
        .expect("the restart is marked in the log");
    assert!(
        log[..mark].contains("Caches are synced"),
        "the first process's lines stay"
    );
    let after = v1beta1_resources(&cluster);
    assert!(
        !after.contains(&"validatingadmissionpolicies".to_string()),
        "1.34 removed VAP v1beta1: {after:?}"
    );
    let kept = cluster
        .get_json(&["configmap", "-n", "default", "kept"])
        .expect("kept");
    assert_eq!(kept["data"]["stored"], "at-1-33");
    let policy = cluster
        .get_json(&[
            "validatingadmissionpolicies.v1.admissionregistration.k8s.io",
            "stored-at-1-33",
        ])
        .expect("the policy stored through v1beta1, read through v1");
    assert_eq!(policy["apiVersion"], "admissionregistration.k8s.io/v1");
    // Still enforced by the restarted server.
    wait_policy_enforced(&cluster);

    // Every other process kept running; only the API server is new.
    cluster.assert_running();
    let now = cluster.pids();
    assert_eq!(now.len(), pids.len());
    assert_eq!(
        now.iter().filter(|p| !pids.contains(p)).count(),
        1,
        "{pids:?} → {now:?}"
    );

    // Flux: an existing object asked to reconcile, and a new one.
    let back = Instant::now();
    let at = "after-the-restart";
    cluster.kubectl_ok(&[
        "annotate",
        "--overwrite",
        "-n",
        FLUX_NAMESPACE,
        "kustomization",
        "before",
        &format!("reconcile.fluxcd.io/requestedAt={at}"),
    ]);
    cluster.wait_for(
        "kustomize-controller to answer the request",
        Duration::from_secs(120),
        || {
            let ks = cluster.get_json(&["kustomization", "-n", FLUX_NAMESPACE, "before"])?;
            (ks["status"]["lastHandledReconcileAt"] == at).then_some(())
        },
    );
    let handled = back.elapsed();
    flux_sync(&cluster, "after", &url);
    cluster.wait_ready_condition("kustomization", FLUX_NAMESPACE, "after");
    assert!(
        cluster
            .get_json(&["configmap", "-n", "after", "from-git"])
            .is_some()
    );
    eprintln!(
        "after the restart: an existing Kustomization's reconcile request was handled in \
         {:.1}s, a new GitRepository + Kustomization Ready in {:.1}s more",
        handled.as_secs_f64(),
        (back.elapsed() - handled).as_secs_f64()
    );
}
