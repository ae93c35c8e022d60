//! The real upstream's shape on real Flux, all the way: a fork of the 2023
//! workshop repo (Flux v1beta1/v2beta1 APIs, Karpenter's v1alpha5
//! Provisioner), `setup --addons karpenter,argo-workflows` against a
//! current Flux. The tool migrates once, the preflight lets the Provisioner
//! through because the karpenter chart brings its CRD, and the wait goes
//! through the karpenter-provisioner Kustomization failing "no matches for
//! kind" until the real helm-controller has installed that chart.

use std::path::Path;

use harness::cluster::helmrepo::{Chart, HelmRepo};
use harness::cluster::{Options, RealCluster};
use harness::forge::Forge;

use crate::real_cluster::{copy_dir, flux_manifests, ready, watchdog};
use crate::support::{Workshop, example_values, git, repo_root};
use crate::world::{LOGIN, NAME, TOKEN, UP_OWNER};

/// A cluster-scoped CRD serving one version, any fields.
fn crd(group: &str, version: &str, kind: &str, plural: &str) -> String {
    format!(
        "apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: {plural}.{group}
spec:
  group: {group}
  scope: Cluster
  names:
    kind: {kind}
    listKind: {kind}List
    plural: {plural}
    singular: {singular}
  versions:
    - name: {version}
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          x-kubernetes-preserve-unknown-fields: true
",
        singular = kind.to_lowercase()
    )
}

/// The charts the upstream's HelmReleases ask for, at their versions; the
/// karpenter chart brings the CRDs of its v0.27 APIs, as the real one does.
fn charts(helm: &HelmRepo) {
    helm.add(&Chart::configmap(
        "metrics-server",
        "3.8.4",
        "metrics-server-installed",
        &[("by", "helm-controller")],
    ));
    helm.add(&Chart::configmap(
        "argo-workflows",
        "0.28.2",
        "argo-installed",
        &[("by", "helm-controller")],
    ));
    let karpenter = Chart::configmap(
        "karpenter",
        "v0.27.3",
        "karpenter-installed",
        &[("by", "helm-controller")],
    )
    .crd(
        "provisioners.yaml",
        &crd("karpenter.sh", "v1alpha5", "Provisioner", "provisioners"),
    )
    .crd(
        "awsnodetemplates.yaml",
        &crd(
            "karpenter.k8s.aws",
            "v1alpha1",
            "AWSNodeTemplate",
            "awsnodetemplates",
        ),
    );
    helm.add(&karpenter);
}

/// The upstream-shaped fixture with its HelmRepositories pointed at the
/// loopback Helm repository (no internet here; the OCI one made plain HTTP).
fn upstream(helm: &HelmRepo, into: &Path) {
    copy_dir(&repo_root().join("tests/fixtures/upstream"), into);
    let sources = into.join("gitops/sources");
    for entry in std::fs::read_dir(&sources).unwrap().flatten() {
        let path = entry.path();
        let text = std::fs::read_to_string(&path).unwrap();
        if !text.contains("kind: HelmRepository") {
            continue;
        }
        let mut out = String::new();
        for line in text.lines() {
            let trimmed = line.trim_start();
            if trimmed.starts_with("type:") {
                continue;
            }
            match line.split_once("url: ") {
                Some((indent, _)) => out.push_str(&format!("{indent}url: {}", helm.url())),
                None => out.push_str(line),
            }
            out.push('\n');
        }
        std::fs::write(&path, out).unwrap();
    }
}

fn kubectl_json(cluster: &RealCluster, args: &[&str]) -> serde_json::Value {
    cluster
        .get_json(args)
        .unwrap_or_else(|| panic!("kubectl get {args:?}"))
}

#[test]
fn setup_on_the_upstream_shaped_fork_migrates_once_and_waits_through_karpenter_installing() {
    let _watchdog = watchdog();
    let helm = HelmRepo::start();
    charts(&helm);
    let seed = tempfile::tempdir().unwrap();
    upstream(&helm, seed.path());
    let forge = Forge::start_blocking();
    forge.add_user(LOGIN, TOKEN);
    forge.seed_repo(UP_OWNER, NAME, seed.path(), "main");
    let mut cluster = RealCluster::start(Options::default());
    let w = Workshop::new()
        .env("GITHUB_API_URL", &forge.api_url())
        .env("GITHUB_TOKEN", TOKEN)
        .env("EKS_WORKSHOP_RETRY_BASE_MS", "20")
        .env("KUBECONFIG", cluster.kubeconfig().to_str().unwrap());
    let values = example_values();
    let manifests = flux_manifests(&cluster, w.dir());
    let args = |extra: &[&str]| {
        let values = values.to_str().unwrap();
        let base = ["setup", "--yes", "--values", values];
        let addons = ["--addons", "karpenter,argo-workflows", "--timeout", "240s"];
        let all: Vec<&str> = base.iter().chain(&addons).chain(extra).copied().collect();
        w.cmd(&all)
    };
    let setup = |extra: &[&str]| args(extra).run();
    let diagnose = |out: &crate::support::Outcome, cluster: &RealCluster| {
        format!(
            "{}\n{}\n--- rig logs ---\n{}",
            out.stdout,
            out.stderr,
            cluster.log_tails(30)
        )
    };
    // Until Flux is installed: no kubelet runs its Deployments, so the
    // controllers start as processes once their CRDs exist.
    let out = setup(&[
        "--until",
        "flux",
        "--flux-manifests",
        manifests.to_str().unwrap(),
    ]);
    assert_eq!(out.code, 0, "{}", diagnose(&out, &cluster));
    // The migrate step's own result line: it ran and committed the
    // migration (every step list names "migrate", so that alone says nothing).
    let migrated = out
        .stdout
        .lines()
        .find(|l| l.starts_with("✔ migrate — "))
        .unwrap_or_else(|| panic!("no migrate result line:\n{}", diagnose(&out, &cluster)));
    assert!(
        migrated.starts_with("✔ migrate — committed ")
            && migrated.contains("\"Migrate manifests to the APIs the cluster serves\""),
        "setup migrated and committed: {migrated}"
    );
    // helm-controller starts late, so the karpenter chart is not installed
    // when karpenter-provisioner first applies its Provisioner.
    cluster.start_flux_controller("source-controller");
    cluster.start_flux_controller("kustomize-controller");
    let waiting = {
        let cmd = args(&[]);
        std::thread::spawn(move || cmd.run())
    };
    let failed = cluster.wait_for(
        "karpenter-provisioner to fail on the unserved Provisioner",
        std::time::Duration::from_secs(150),
        || {
            let ks = cluster.get_json(&[
                "-n",
                "flux-system",
                "kustomization",
                "karpenter-provisioner",
            ])?;
            let message = ks["status"]["conditions"]
                .as_array()?
                .iter()
                .find_map(|c| {
                    (c["type"] == "Ready" && c["status"] == "False")
                        .then(|| c["message"].as_str().unwrap_or_default().to_string())
                })?;
            message.contains("no matches for kind").then_some(message)
        },
    );
    // Real Flux names the first object of the stage it could not apply
    // (either of the two, in no fixed order).
    assert!(
        failed.contains("\"Provisioner\" in version \"karpenter.sh/v1alpha5\"")
            || failed.contains("\"AWSNodeTemplate\" in version \"karpenter.k8s.aws/v1alpha1\""),
        "{failed}"
    );
    if waiting.is_finished() {
        let out = waiting.join().unwrap();
        panic!("setup waits through it: {}", diagnose(&out, &cluster));
    }
    cluster.start_flux_controller("helm-controller");
    let out = waiting.join().unwrap();
    assert_eq!(out.code, 0, "{}", diagnose(&out, &cluster));
    let all = format!("{}\n{}", out.stdout, out.stderr);
    assert!(
        all.contains("waits for HelmRelease flux-system/karpenter to install "),
        "the wait names what it waits through: {all}"
    );
    assert!(
        all.contains(
            "Kustomization flux-system/karpenter-provisioner: what it waited for is there"
        ),
        "and asks Flux to apply it again at once: {all}"
    );
    assert!(
        all.contains("HelmRelease metrics-server, karpenter, argo-workflows Ready"),
        "{all}"
    );
    cluster.assert_running();

    // Every Kustomization at the pushed commit, both HelmReleases Ready, the
    // Provisioner applied through the CRD the chart brought.
    let head = forge.branch_head(LOGIN, NAME, "main").unwrap();
    let revision = format!("main@sha1:{head}");
    let list = kubectl_json(&cluster, &["kustomizations", "-A"]);
    let items = list["items"].as_array().unwrap();
    assert_eq!(
        items.len(),
        5,
        "flux-system and the four of cluster-demo: {list}"
    );
    for ks in items {
        assert_eq!(
            ks["status"]["lastAppliedRevision"],
            revision.as_str(),
            "{ks}"
        );
        assert!(ready(ks), "{ks}");
    }
    for name in ["karpenter", "argo-workflows"] {
        let hr = kubectl_json(&cluster, &["-n", "flux-system", "helmrelease", name]);
        assert!(ready(&hr), "{hr}");
    }
    let provisioner = kubectl_json(&cluster, &["provisioners.karpenter.sh", "default"]);
    assert_eq!(provisioner["apiVersion"], "karpenter.sh/v1alpha5");

    // One migrate commit in the fork, and the fork's history is upstream's
    // plus ours.
    let log = git(&w.clone_dir(), &["log", "--format=%s"]);
    assert_eq!(log.matches("Migrate manifests").count(), 1, "{log}");

    // A re-run changes nothing: no commit, no push.
    let again = setup(&[]);
    assert_eq!(again.code, 0, "{}", diagnose(&again, &cluster));
    assert!(again.stdout.contains("nothing to do"), "{}", again.stdout);
    assert_eq!(forge.branch_head(LOGIN, NAME, "main").unwrap(), head);
}
