//! The cluster report against the local API server.

use super::*;
use harness::apiserver::ApiServer;
use harness::flux::FluxStandIn;

const KS_API: &str = "kustomize.toolkit.fluxcd.io/v1";
const GIT_API: &str = "source.toolkit.fluxcd.io/v1";

fn with_status(store: &harness::apiserver::Store, obj: Value, status: Value) {
    let (api, kind) = (
        obj["apiVersion"].as_str().unwrap().to_string(),
        obj["kind"].as_str().unwrap().to_string(),
    );
    let (ns, name) = (
        obj["metadata"]["namespace"].as_str().unwrap().to_string(),
        obj["metadata"]["name"].as_str().unwrap().to_string(),
    );
    store.apply(obj, "test", true).unwrap();
    store
        .patch_status(&api, &kind, Some(&ns), &name, status)
        .unwrap();
}

fn ready(message: &str) -> Value {
    json!([{"type": "Ready", "status": "True", "reason": "Succeeded", "message": message}])
}

async fn connected(api: &ApiServer, dir: &std::path::Path) -> Cluster {
    let path = dir.join("config");
    api.write_kubeconfig(&path, "verify-test", None);
    let mut settings =
        crate::config::Settings::new(crate::config::DEFAULT_UPSTREAM.parse().unwrap());
    settings.kubeconfig = Some(path);
    crate::kube::connect(&settings).await.unwrap()
}

#[tokio::test]
async fn the_report_lists_flux_objects_and_counts_problems() {
    let api = ApiServer::start().await;
    FluxStandIn::install_crds(&api);
    let store = api.store();
    let rev = "main@sha1:0123456789abcdef";
    with_status(
        &store,
        json!({"apiVersion": GIT_API, "kind": "GitRepository", "metadata": {"namespace": "flux-system", "name": "flux-system"},
               "spec": {"url": "https://example.com/x.git", "interval": "1m"}}),
        json!({"observedGeneration": 1, "artifact": {"revision": rev}, "conditions": ready("stored artifact")}),
    );
    with_status(
        &store,
        json!({"apiVersion": KS_API, "kind": "Kustomization", "metadata": {"namespace": "flux-system", "name": "flux-system"},
               "spec": {"path": "./gitops/clusters/cluster-demo", "sourceRef": {"kind": "GitRepository", "name": "flux-system"}}}),
        json!({"observedGeneration": 1, "lastAppliedRevision": rev, "conditions": ready("Applied revision")}),
    );
    with_status(
        &store,
        json!({"apiVersion": KS_API, "kind": "Kustomization", "metadata": {"namespace": "flux-system", "name": "apps"},
               "spec": {"path": "./gitops/applications", "sourceRef": {"kind": "GitRepository", "name": "flux-system"}}}),
        json!({"observedGeneration": 1, "lastAppliedRevision": rev,
               "conditions": [{"type": "Ready", "status": "False", "reason": "BuildFailed", "message": "boom"}]}),
    );
    let dir = tempfile::tempdir().unwrap();
    let cluster = connected(&api, dir.path()).await;
    let report = cluster_report(&cluster, "main", None).await.unwrap();
    assert!(report.flux_installed);
    assert_eq!(report.rows.len(), 3);
    assert_eq!(report.at_head(), None, "no fork given, nothing compared");
    assert_eq!(report.problems(), 1, "{report:?}");
    let apps = report.rows.iter().find(|r| r.name == "apps").unwrap();
    assert_eq!(
        (
            apps.kind,
            apps.revision.as_str(),
            apps.ready.as_str(),
            apps.message.as_str(),
            apps.ok
        ),
        ("Kustomization", rev, "False", "BuildFailed: boom", false)
    );
    let json = report.to_json();
    assert_eq!(json["problems"], 1);
    assert_eq!(json["rows"][0]["kind"], "GitRepository");
    let version = server_version(&cluster).await.unwrap();
    assert!(version.minor_version().starts_with("1."), "{version:?}");
}

#[tokio::test]
async fn without_flux_the_report_says_so() {
    let api = ApiServer::start().await;
    let dir = tempfile::tempdir().unwrap();
    let cluster = connected(&api, dir.path()).await;
    let report = cluster_report(&cluster, "main", None).await.unwrap();
    assert!(!report.flux_installed);
    assert_eq!(report.problems(), 1);
    assert!(report.rows.is_empty());
}

#[tokio::test]
async fn live_objects_lists_every_scanned_kind_it_may_list_and_names_the_rest() {
    let api = ApiServer::start().await;
    let store = api.store();
    let deployment = json!({"apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "default"},
        "spec": {"selector": {"matchLabels": {"app": "web"}},
                 "template": {"metadata": {"labels": {"app": "web"}},
                              "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}});
    let role = json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
        "metadata": {"name": "reader"}, "rules": []});
    let binding = json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
        "metadata": {"name": "hidden", "namespace": "default"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "reader"},
        "subjects": []});
    for obj in [deployment, role, binding] {
        store.apply(obj, "kubectl", true).unwrap();
    }
    // A kind we may not list is skipped and named, not an error.
    api.deny("list", "rolebindings");
    let dir = tempfile::tempdir().unwrap();
    let cluster = connected(&api, dir.path()).await;
    let (objects, skipped) = live_objects(&cluster).await.unwrap();
    let mut found: Vec<String> = objects
        .iter()
        .map(|o| {
            format!(
                "{} {} {}/{}",
                o["apiVersion"].as_str().unwrap(),
                o["kind"].as_str().unwrap(),
                o["metadata"]["namespace"].as_str().unwrap_or("-"),
                o["metadata"]["name"].as_str().unwrap()
            )
        })
        .filter(|s| s.contains(" default/web") || s.contains("/reader"))
        .collect();
    found.sort();
    assert_eq!(
        found,
        [
            "apps/v1 Deployment default/web",
            "rbac.authorization.k8s.io/v1 ClusterRole -/reader"
        ],
        "{objects:?}"
    );
    assert!(
        !objects.iter().any(|o| o["metadata"]["name"] == "hidden"),
        "{objects:?}"
    );
    assert!(
        skipped.contains(&"rolebindings.rbac.authorization.k8s.io".to_string()),
        "{skipped:?}"
    );
    // A kind the cluster does not serve (this stand-in serves few) is not
    // one we may not list.
    assert_eq!(skipped, ["rolebindings.rbac.authorization.k8s.io"]);
}

/// A cluster older than 1.30 serves ValidatingAdmissionPolicy at v1beta1
/// only: the policies are read there, with the annotation the scan reads.
#[tokio::test]
async fn live_objects_reads_a_kind_at_the_newest_version_the_cluster_serves() {
    let api = ApiServer::start().await;
    let store = api.store();
    let crd = json!({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": "validatingadmissionpolicies.admissionregistration.k8s.io"},
        "spec": {"group": "admissionregistration.k8s.io", "scope": "Cluster",
            "names": {"plural": "validatingadmissionpolicies", "singular": "validatingadmissionpolicy",
                      "kind": "ValidatingAdmissionPolicy"},
            "versions": [{"name": "v1beta1", "served": true, "storage": true,
                "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}}]}});
    store.apply(crd, "test", true).unwrap();
    let last = json!({"apiVersion": "admissionregistration.k8s.io/v1beta1",
        "kind": "ValidatingAdmissionPolicy", "metadata": {"name": "limit"}});
    let policy = json!({"apiVersion": "admissionregistration.k8s.io/v1beta1",
        "kind": "ValidatingAdmissionPolicy",
        "metadata": {"name": "limit", "annotations": {
            "kubectl.kubernetes.io/last-applied-configuration": last.to_string()}},
        "spec": {"failurePolicy": "Fail"}});
    store.apply(policy, "kubectl", true).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let cluster = connected(&api, dir.path()).await;
    let (objects, skipped) = live_objects(&cluster).await.unwrap();
    assert!(skipped.is_empty(), "{skipped:?}");
    let policy = objects
        .iter()
        .find(|o| o["kind"] == "ValidatingAdmissionPolicy")
        .unwrap_or_else(|| panic!("{objects:?}"));
    assert_eq!(policy["apiVersion"], "admissionregistration.k8s.io/v1beta1");
    let findings = crate::readiness::scan_live(
        &objects,
        crate::readiness::KubeVersion::parse("1.34").unwrap(),
    );
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert!(findings[0].removed_in_target);
}

#[test]
fn behind_names_objects_not_at_the_head() {
    let goal = Goal {
        branch: "main".into(),
        commit: "1111111111111111".into(),
    };
    let ks = |name: &str, rev: &str| {
        json!({"metadata": {"namespace": "flux-system", "name": name},
               "spec": {"sourceRef": {"kind": "GitRepository", "name": "flux-system"}},
               "status": {"lastAppliedRevision": rev}})
    };
    let observed = Observed {
        git_repository: Some(
            json!({"metadata": {"namespace": "flux-system", "name": "flux-system"},
                                    "status": {"artifact": {"revision": "main@sha1:1111111111111111"}}}),
        ),
        kustomizations: vec![
            ks("flux-system", "main@sha1:1111111111111111"),
            ks("apps", "main@sha1:0000000000000000"),
        ],
        helm_releases: vec![],
    };
    assert_eq!(
        behind(&observed, &goal),
        ["Kustomization flux-system/apps: at main@sha1:00000000"]
    );
    assert_eq!(
        behind(&Observed::default(), &goal),
        ["GitRepository flux-system/flux-system: does not exist"]
    );
}

/// `/version` as kube-apiserver answers it, `emulation` adding what
/// `--emulated-version` reports.
fn info(minor: &str, git_version: &str, emulation: Option<(&str, &str)>) -> Info {
    let mut v = json!({"major": "1", "minor": minor, "gitVersion": git_version,
        "gitCommit": "0123456789abcdef", "gitTreeState": "clean",
        "buildDate": "2026-05-01T00:00:00Z", "goVersion": "go1.25.3",
        "compiler": "gc", "platform": "linux/amd64"});
    if let Some((major, minor)) = emulation {
        v["emulationMajor"] = json!(major);
        v["emulationMinor"] = json!(minor);
        v["minCompatibilityMajor"] = json!("1");
        v["minCompatibilityMinor"] = json!("32");
    }
    serde_json::from_value(v).unwrap()
}

#[test]
fn the_server_version_is_the_one_it_serves() {
    // EKS: no emulation, a `+` after the minor.
    let eks = ServerVersion::from_info(info("33+", "v1.33.5-eks-3025e55", None)).unwrap();
    assert_eq!(
        (eks.minor_version().as_str(), eks.git_version.as_str()),
        ("1.33", "v1.33.5-eks-3025e55")
    );
    // kube-apiserver 1.36 with --emulated-version=1.33 serves 1.33's APIs.
    let emulated = ServerVersion::from_info(info("36", "v1.36.3", Some(("1", "33")))).unwrap();
    assert_eq!(
        (
            emulated.minor_version().as_str(),
            emulated.git_version.as_str()
        ),
        ("1.33", "v1.36.3")
    );
    // Without the flag, a recent kube-apiserver reports its own version there.
    let plain = ServerVersion::from_info(info("36", "v1.36.3", Some(("1", "36")))).unwrap();
    assert_eq!(plain.minor_version(), "1.36");
    // Empty emulation fields are no emulation.
    let empty = ServerVersion::from_info(info("34", "v1.34.0", Some(("", "")))).unwrap();
    assert_eq!(empty.minor_version(), "1.34");
    assert_eq!(
        ServerVersion::from_info(info("x", "v1.x", None)),
        Err("1.x".to_string())
    );
    assert_eq!(
        ServerVersion::from_info(info("36", "v1.36.3", Some(("1", "3x")))),
        Err("1.3x".to_string())
    );
}
