//! The first scenarios: a full setup waits for the pushed commit and re-runs
//! write-free; a narrow or wrong token; the upstream-shaped fork's preflight.

use harness::cluster::{Options, RealCluster};
use harness::forge::Forge;

use super::fixture::Real;
use super::{flux_manifests, ready, watchdog};
use crate::support::{Workshop, example_values, repo_root};
use crate::world::{LOGIN, NAME, TOKEN, UP_OWNER};

/// Full setup on real Flux: with no flux CLI, the tool fetches Flux's
/// install manifest from a (loopback) URL, checks its sha256 and applies it
/// (CRDs first); the real source-controller clones the fork over smart HTTP with
/// the Secret the tool wrote, every Kustomization applies the pushed commit,
/// the real helm-controller installs metrics-server from the loopback chart;
/// setup returns only then, and a re-run writes nothing to the cluster.
#[test]
fn setup_on_real_flux_waits_for_the_pushed_commit_and_reruns_without_writes() {
    use sha2::Digest;
    let mut r = Real::start();
    let manifests = flux_manifests(&r.cluster, r.w.dir());
    let bytes = std::fs::read(&manifests).unwrap();
    r.helm.add_file("install.yaml", &bytes);
    let url = format!("{}install.yaml", r.helm.url());
    let sha: String = sha2::Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let out = r.setup(&[
        "--until",
        "flux",
        "--flux-manifest-url",
        &url,
        "--flux-manifest-sha256",
        &sha,
    ]);
    assert_eq!(out.code, 0, "{}", r.diagnose(&out));
    assert!(
        out.stdout.contains(&format!("installed Flux from {url}")),
        "{}",
        out.stdout
    );
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
    let _watchdog = watchdog();
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
