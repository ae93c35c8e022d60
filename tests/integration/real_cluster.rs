//! Against a real cluster: kube-apiserver, etcd and Flux's source-, kustomize-
//! and helm-controller built by `tests/rig/build.sh` (the fixture panics,
//! naming the script, when they are missing), with the local forge for git
//! and a loopback Helm repository for the add-on charts.

use std::path::{Path, PathBuf};
use std::time::Duration;

use harness::cluster::helmrepo::{Chart, HelmRepo};
use harness::cluster::{Options, RealCluster};
use harness::forge::Forge;
use serde_json::Value;

use crate::support::{Workshop, example_values, repo_root};
use crate::world::{LOGIN, NAME, TOKEN, UP_OWNER};

/// Each scenario's bound; past it the test process aborts (the rig's
/// children die with it), so CI never hangs.
const WHOLE_TEST: Duration = Duration::from_secs(420);

pub(crate) fn watchdog() {
    std::thread::spawn(|| {
        std::thread::sleep(WHOLE_TEST);
        eprintln!("real-cluster test still running after {WHOLE_TEST:?}; aborting");
        std::process::abort();
    });
}

/// The workshop repo with its HelmRepositories pointed at the loopback Helm
/// repository (no internet here), as the upstream of the forge.
pub(crate) fn upstream_for(helm: &HelmRepo, into: &Path) {
    copy_dir(&repo_root().join("workshop"), into);
    let sources = into.join("gitops/sources");
    for entry in std::fs::read_dir(&sources).unwrap().flatten() {
        let path = entry.path();
        let text = std::fs::read_to_string(&path).unwrap();
        let rewritten: String = text
            .lines()
            .filter(|l| !l.trim_start().starts_with("type: oci"))
            .map(|l| match l.split_once("url: ") {
                Some((indent, _)) => format!("{indent}url: {}\n", helm.url()),
                None => format!("{l}\n"),
            })
            .collect();
        std::fs::write(&path, rewritten).unwrap();
    }
}

pub(crate) fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// The install manifest eks-workshop applies with `--flux-manifests`: the
/// real CRDs of the rig's controllers, and the controllers' Deployments
/// (which cannot run without a kubelet; the controllers run as processes).
pub(crate) fn flux_manifests(cluster: &RealCluster, dir: &Path) -> PathBuf {
    let mut out = String::from("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: flux-system\n");
    let crds = cluster.rig().root().join("crds");
    let mut files: Vec<PathBuf> = walk_yaml(&crds);
    files.sort();
    for file in files {
        out.push_str("---\n");
        out.push_str(&std::fs::read_to_string(file).unwrap());
    }
    for name in [
        "source-controller",
        "kustomize-controller",
        "helm-controller",
    ] {
        out.push_str(&format!(
            "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\n  namespace: flux-system\n  labels:\n    app.kubernetes.io/part-of: flux\nspec:\n  selector:\n    matchLabels:\n      app: {name}\n  template:\n    metadata:\n      labels:\n        app: {name}\n    spec:\n      containers:\n        - name: manager\n          image: ghcr.io/fluxcd/{name}\n"
        ));
    }
    let path = dir.join("flux-install.yaml");
    std::fs::write(&path, out).unwrap();
    path
}

pub(crate) fn walk_yaml(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let p = entry.path();
        if p.is_dir() {
            out.extend(walk_yaml(&p));
        } else if p.extension().is_some_and(|e| e == "yaml") {
            out.push(p);
        }
    }
    out
}

struct Real {
    forge: Forge,
    _helm: HelmRepo,
    cluster: RealCluster,
    w: Workshop,
    _upstream: tempfile::TempDir,
}

impl Real {
    fn start() -> Real {
        watchdog();
        let helm = HelmRepo::start();
        helm.add(&Chart::configmap(
            "metrics-server",
            "3.12.1",
            "metrics-server-installed",
            &[("by", "helm-controller")],
        ));
        helm.add(&Chart::configmap(
            "argo-workflows",
            "0.28.2",
            "argo-installed",
            &[("by", "helm-controller")],
        ));
        helm.add(&Chart::configmap(
            "karpenter",
            "v0.27.3",
            "karpenter-installed",
            &[("by", "helm-controller")],
        ));
        let upstream = tempfile::tempdir().unwrap();
        upstream_for(&helm, upstream.path());
        let forge = Forge::start_blocking();
        forge.add_user(LOGIN, TOKEN);
        forge.seed_repo(UP_OWNER, NAME, upstream.path(), "main");
        let cluster = RealCluster::start(Options::default());
        let w = Workshop::new()
            .env("GITHUB_API_URL", &forge.api_url())
            .env("GITHUB_TOKEN", TOKEN)
            .env("EKS_WORKSHOP_RETRY_BASE_MS", "20")
            .env("KUBECONFIG", cluster.kubeconfig().to_str().unwrap());
        Real {
            forge,
            _helm: helm,
            cluster,
            w,
            _upstream: upstream,
        }
    }

    fn setup(&self, extra: &[&str]) -> crate::support::Outcome {
        let values = example_values();
        let mut args = vec![
            "setup",
            "--yes",
            "--values",
            values.to_str().unwrap(),
            "--timeout",
            "180s",
        ];
        args.extend_from_slice(extra);
        self.w.cmd(&args).run()
    }

    fn get(&self, args: &[&str]) -> Value {
        self.cluster
            .get_json(args)
            .unwrap_or_else(|| panic!("kubectl get {args:?}"))
    }

    fn revision(&self) -> String {
        format!(
            "main@sha1:{}",
            self.forge.branch_head(LOGIN, NAME, "main").unwrap()
        )
    }

    /// resourceVersions of the objects eks-workshop owns.
    fn owned_versions(&self) -> Vec<String> {
        [
            vec!["namespace", "flux-system"],
            vec!["-n", "flux-system", "secret", "flux-system"],
            vec!["-n", "flux-system", "gitrepository", "flux-system"],
            vec!["-n", "flux-system", "kustomization", "flux-system"],
        ]
        .iter()
        .map(|a| {
            self.get(a)["metadata"]["resourceVersion"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
    }

    fn diagnose(&self, out: &crate::support::Outcome) -> String {
        format!(
            "{}\n{}\n--- rig logs ---\n{}",
            out.stdout,
            out.stderr,
            self.cluster.log_tails(30)
        )
    }
}

pub(crate) fn ready(obj: &Value) -> bool {
    obj["status"]["conditions"].as_array().is_some_and(|cs| {
        cs.iter()
            .any(|c| c["type"] == "Ready" && c["status"] == "True")
    })
}

/// Full setup on real Flux: the tool installs Flux from the manifest (CRDs
/// first), the real source-controller clones the fork over smart HTTP with
/// the Secret the tool wrote, every Kustomization applies the pushed commit,
/// the real helm-controller installs metrics-server from the loopback chart;
/// setup returns only then, and a re-run writes nothing to the cluster.
#[test]
fn setup_on_real_flux_waits_for_the_pushed_commit_and_reruns_without_writes() {
    let mut r = Real::start();
    let manifests = flux_manifests(&r.cluster, r.w.dir());
    let out = r.setup(&[
        "--until",
        "flux",
        "--flux-manifests",
        manifests.to_str().unwrap(),
    ]);
    assert_eq!(out.code, 0, "{}", r.diagnose(&out));
    // No kubelet: the controllers run as processes once their CRDs exist.
    r.cluster.start_flux_controllers();
    let out = r.setup(&[]);
    assert_eq!(out.code, 0, "{}", r.diagnose(&out));
    let revision = r.revision();
    let git = r.get(&["-n", "flux-system", "gitrepository", "flux-system"]);
    assert_eq!(
        git["status"]["artifact"]["revision"],
        revision.as_str(),
        "{git}"
    );
    assert!(ready(&git));
    let list = r.get(&["kustomizations", "-A"]);
    let items = list["items"].as_array().unwrap();
    assert!(items.len() >= 4, "{list}");
    for ks in items {
        assert_eq!(
            ks["status"]["lastAppliedRevision"],
            revision.as_str(),
            "{}",
            ks["metadata"]["name"]
        );
        assert!(ready(ks), "{ks}");
    }
    let hr = r.get(&["-n", "flux-system", "helmrelease", "metrics-server"]);
    assert!(ready(&hr), "{hr}");
    let installed = r.get(&["-n", "kube-system", "configmap", "metrics-server-installed"]);
    assert_eq!(installed["data"]["by"], "helm-controller");
    // A re-run: nothing to do, and no object eks-workshop owns is written.
    let before = r.owned_versions();
    let again = r.setup(&[]);
    assert_eq!(again.code, 0, "{}", r.diagnose(&again));
    assert!(again.stdout.contains("nothing to do"), "{}", again.stdout);
    assert_eq!(r.owned_versions(), before);
}

/// A token bound to a read-only role: exit 3 naming what was denied; an
/// unknown token: exit 3 too, naming the server.
#[test]
fn a_narrow_or_wrong_token_is_exit_3_on_the_real_api_server() {
    let r = Real::start();
    let manifests = flux_manifests(&r.cluster, r.w.dir());
    let narrow = r.cluster.narrow_kubeconfig();
    let values = example_values();
    let out =
        r.w.cmd(&[
            "setup",
            "--yes",
            "--values",
            values.to_str().unwrap(),
            "--flux-manifests",
            manifests.to_str().unwrap(),
        ])
        .env("KUBECONFIG", narrow.to_str().unwrap())
        .run();
    assert_eq!(out.code, 3, "{}", r.diagnose(&out));
    assert!(
        out.stderr.contains("denied") && out.stderr.contains("forbidden"),
        "{}",
        out.stderr
    );
    let wrong = r.cluster.wrong_kubeconfig();
    let out =
        r.w.cmd(&["setup", "--yes", "--values", values.to_str().unwrap()])
            .env("KUBECONFIG", wrong.to_str().unwrap())
            .run();
    assert_eq!(out.code, 3, "{}", r.diagnose(&out));
    assert!(
        out.stderr.contains("rejected the credentials"),
        "{}",
        out.stderr
    );
}

/// The real upstream's shape against real discovery: setup migrates the 2023
/// Flux APIs in a commit of its own, then the preflight stops before the push
/// because Karpenter's Provisioner (applied by the upstream's
/// `dependencies.yaml`) is served by nothing while Karpenter is not enabled.
/// Nothing reaches the fork.
#[test]
fn on_the_upstream_shaped_fork_the_preflight_stops_what_the_real_cluster_would_refuse() {
    watchdog();
    let forge = Forge::start_blocking();
    forge.add_user(LOGIN, TOKEN);
    let upstream_head = forge.seed_repo(
        UP_OWNER,
        NAME,
        &repo_root().join("tests/fixtures/upstream"),
        "main",
    );
    let cluster = RealCluster::start(Options::default());
    let w = Workshop::new()
        .env("GITHUB_API_URL", &forge.api_url())
        .env("GITHUB_TOKEN", TOKEN)
        .env("EKS_WORKSHOP_RETRY_BASE_MS", "20")
        .env("KUBECONFIG", cluster.kubeconfig().to_str().unwrap());
    let values = example_values();
    let out = w
        .cmd(&["setup", "--yes", "--values", values.to_str().unwrap()])
        .run();
    assert_eq!(out.code, 4, "{}\n{}", out.stdout, out.stderr);
    assert!(
        out.stderr
            .contains("gitops/karpenter-provisioner/01-default-karpenter-provisioner.yaml")
            && out
                .stderr
                .contains("Provisioner default is karpenter.sh/v1alpha5"),
        "{}",
        out.stderr
    );
    // The fork is as forked: nothing was pushed.
    assert_eq!(
        forge.branch_head(LOGIN, NAME, "main").unwrap(),
        upstream_head
    );
    // The clone holds the migration, one commit, to what today's Flux serves.
    let log = crate::support::git(&w.clone_dir(), &["log", "--format=%s", "-3"]);
    assert!(
        log.contains("Migrate manifests to the APIs the cluster serves"),
        "{log}"
    );
    let infra = crate::support::git(
        &w.clone_dir(),
        &["show", "HEAD:gitops/clusters/cluster-demo/infra.yaml"],
    );
    assert!(
        infra.contains("kustomize.toolkit.fluxcd.io/v1\n") && !infra.contains("validation"),
        "{infra}"
    );
    let karpenter = crate::support::git(
        &w.clone_dir(),
        &["show", "HEAD:gitops/add-ons/02-karpenter.yaml"],
    );
    assert!(
        karpenter.contains("helm.toolkit.fluxcd.io/v2\n"),
        "{karpenter}"
    );
    assert!(
        karpenter.contains("self-managed-add-on: \"true\""),
        "{karpenter}"
    );
    // The migrated manifests are what the real API server accepts: a dry run
    // of every Flux object under the cluster path (CRDs installed for it).
    cluster.install_flux_crds();
    cluster.apply_yaml("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: flux-system\n");
    for rel in [
        "gitops/clusters/cluster-demo/apps.yaml",
        "gitops/clusters/cluster-demo/dependencies.yaml",
        "gitops/clusters/cluster-demo/infra.yaml",
        "gitops/clusters/cluster-demo/sources.yaml",
        "gitops/sources/metric-server-helm.yaml",
        "gitops/sources/karpenter-helm.yaml",
        "gitops/sources/argo-workflows-helm.yaml",
        "gitops/add-ons/01-metric-server.yaml",
    ] {
        let file = w.clone_dir().join(rel);
        let dry = cluster.kubectl(&["apply", "--dry-run=server", "-f", file.to_str().unwrap()]);
        assert!(
            dry.status.success(),
            "{rel}: {}",
            String::from_utf8_lossy(&dry.stderr)
        );
    }
    // A second run changes nothing more: still one migrate commit.
    w.cmd(&["setup", "--yes", "--values", values.to_str().unwrap()])
        .run()
        .code(4);
    let log = crate::support::git(&w.clone_dir(), &["log", "--format=%s"]);
    assert_eq!(log.matches("Migrate manifests").count(), 1, "{log}");
}
