//! The real-cluster rig: etcd + kube-apiserver + the real Flux controllers,
//! syncing a git repository served by the forge and a chart from the loopback
//! Helm repository. Needs `tests/setup.sh` to have run (it panics saying so).

use eks_workshop_harness::cluster::helmrepo::{Chart, HelmRepo};
use eks_workshop_harness::cluster::{FLUX_CONTROLLERS, FLUX_NAMESPACE, Options, RealCluster, Rig};
use eks_workshop_harness::forge::Forge;
use serde_json::Value;
use std::io::Read;
use std::time::Duration;

/// The whole test gets this long; past it the process aborts, and the kernel
/// kills the children (they ask for `PR_SET_PDEATHSIG`), so CI never hangs.
const WHOLE_TEST: Duration = Duration::from_secs(300);

fn watchdog(limit: Duration) {
    std::thread::spawn(move || {
        std::thread::sleep(limit);
        eprintln!("cluster test: still running after {limit:?}; aborting");
        std::process::abort();
    });
}

fn alive(pid: u32) -> bool {
    // A zombie still has a /proc entry; its state letter is Z.
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|s| {
            !s.rsplit(')')
                .next()
                .unwrap_or("")
                .trim_start()
                .starts_with('Z')
        })
        .unwrap_or(false)
}

/// `pgrep -f <rig>/bin/`: the pids of every rig process on the machine.
fn pgrep_rig(rig: &Rig) -> Vec<u32> {
    let pattern = format!("{}/bin/", rig.root().display());
    let out = std::process::Command::new("pgrep")
        .args(["-f", &pattern])
        .output()
        .expect("run pgrep");
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .filter_map(|p| p.parse().ok())
        .collect()
}

fn seed_fleet(forge: &Forge) -> (String, tempfile::TempDir) {
    let content = tempfile::tempdir().expect("tmp");
    let deploy = content.path().join("deploy");
    std::fs::create_dir_all(&deploy).expect("mkdir");
    let cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-git\n  namespace: default\n  \
              labels:\n    app.kubernetes.io/name: from-git\ndata:\n  greeting: hello from git\n";
    std::fs::write(deploy.join("configmap.yaml"), cm).expect("write");
    let sha = forge.seed_repo("acme", "fleet", content.path(), "main");
    (sha, content)
}

fn git_sync(cluster: &RealCluster, url: &str) {
    cluster.apply_yaml(&format!(
        "apiVersion: v1
kind: Secret
metadata: {{name: fleet-auth, namespace: {FLUX_NAMESPACE}}}
stringData: {{username: flux-reader, password: tok-flux-reader}}
---
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {{name: fleet, namespace: {FLUX_NAMESPACE}}}
spec:
  url: {url}
  ref: {{branch: main}}
  interval: 1m
  secretRef: {{name: fleet-auth}}
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {{name: fleet, namespace: {FLUX_NAMESPACE}}}
spec:
  interval: 1m
  path: ./deploy
  prune: true
  sourceRef: {{kind: GitRepository, name: fleet}}
"
    ));
}

fn helm_sync(cluster: &RealCluster, repo_url: &str) {
    cluster.apply_yaml(&format!(
        "apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmRepository
metadata: {{name: local, namespace: {FLUX_NAMESPACE}}}
spec: {{url: '{repo_url}', interval: 1m}}
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {{name: hello, namespace: {FLUX_NAMESPACE}}}
spec:
  interval: 1m
  targetNamespace: default
  chart:
    spec:
      chart: hello
      version: 0.1.0
      sourceRef: {{kind: HelmRepository, name: local}}
"
    ));
}

fn kubectl_as(kubeconfig: &std::path::Path, args: &[&str]) -> std::process::Output {
    let cache = kubeconfig.with_file_name("kube-cache");
    std::process::Command::new(Rig::locate().kubectl())
        .arg("--kubeconfig")
        .arg(kubeconfig)
        .arg("--cache-dir")
        .arg(cache)
        .args(args)
        .output()
        .expect("run kubectl")
}

#[test]
fn real_flux_syncs_git_and_helm_and_rbac_holds() {
    watchdog(WHOLE_TEST);
    let mut cluster = RealCluster::start(Options {
        flux: true,
        ..Options::default()
    });
    cluster.fake_flux_install();
    let pids = cluster.pids();
    let rig = cluster.rig().clone();

    // What a tool checking "is Flux installed" sees.
    for name in FLUX_CONTROLLERS {
        let d = cluster
            .get_json(&["deployment", "-n", FLUX_NAMESPACE, name])
            .expect("faked Deployment");
        assert_eq!(d["status"]["availableReplicas"], 1, "{name}: {d}");
    }

    // git over smart-HTTP with Basic auth, through the forge.
    let forge = Forge::start_blocking();
    forge.add_user("flux-reader", "tok-flux-reader");
    let (sha, _content) = seed_fleet(&forge);
    git_sync(&cluster, &forge.clone_url("acme", "fleet"));
    let ks = cluster.wait_ready_condition("kustomization", FLUX_NAMESPACE, "fleet");
    let git = cluster.get_json(&["gitrepository", "-n", FLUX_NAMESPACE, "fleet"]);
    eprintln!(
        "GitRepository status: {}",
        git.expect("GitRepository")["status"]
    );
    eprintln!("Kustomization status: {}", ks["status"]);
    assert_eq!(
        ks["status"]["lastAppliedRevision"],
        format!("main@sha1:{sha}"),
        "{}",
        ks["status"]
    );
    let cm = cluster
        .get_json(&["configmap", "-n", "default", "from-git"])
        .expect("ConfigMap from git");
    assert_eq!(cm["data"]["greeting"], "hello from git");
    assert!(
        forge
            .requests()
            .iter()
            .any(|r| r.login.as_deref() == Some("flux-reader")),
        "source-controller fetched with the Secret's credentials"
    );

    // A chart from the loopback Helm repository, installed by the real helm-controller.
    let repo = HelmRepo::start();
    repo.add(&Chart::configmap(
        "hello",
        "0.1.0",
        "hello-from-helm",
        &[("greeting", "hi")],
    ));
    helm_sync(&cluster, &repo.url());
    let hr = cluster.wait_ready_condition("helmrelease", FLUX_NAMESPACE, "hello");
    eprintln!("HelmRelease status: {}", hr["status"]);
    assert_eq!(
        hr["status"]["lastAttemptedRevision"], "0.1.0",
        "{}",
        hr["status"]
    );
    let cm = cluster
        .get_json(&["configmap", "-n", "default", "hello-from-helm"])
        .expect("ConfigMap from the chart");
    assert_eq!(cm["data"]["greeting"], "hi");
    assert_eq!(
        cm["metadata"]["labels"]["app.kubernetes.io/managed-by"],
        "Helm"
    );

    // RBAC: the narrow user reads in its namespace, gets 403 on a write; a wrong token 401.
    let narrow = cluster.narrow_kubeconfig();
    let read = kubectl_as(&narrow, &["get", "configmap", "from-git", "-n", "default"]);
    assert!(
        read.status.success(),
        "{}",
        String::from_utf8_lossy(&read.stderr)
    );
    let write = kubectl_as(&narrow, &["create", "configmap", "nope", "-n", "default"]);
    let err = String::from_utf8_lossy(&write.stderr);
    assert!(
        !write.status.success() && err.contains("is forbidden"),
        "{err}"
    );
    let cm = r#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"nope"}}"#;
    let file = cluster.dir().join("nope.json");
    std::fs::write(&file, cm).expect("write");
    let path = "/api/v1/namespaces/default/configmaps";
    let raw = kubectl_as(
        &narrow,
        &["create", "--raw", path, "-f", file.to_str().expect("utf-8")],
    );
    let err = String::from_utf8_lossy(&raw.stderr);
    assert!(err.contains("(Forbidden)"), "a 403: {err}");
    let raw = kubectl_as(
        &narrow,
        &["get", "--raw", "/api/v1/namespaces/flux-system/secrets"],
    );
    assert!(String::from_utf8_lossy(&raw.stderr).contains("Forbidden"));
    let wrong = kubectl_as(&cluster.wrong_kubeconfig(), &["get", "ns"]);
    let err = String::from_utf8_lossy(&wrong.stderr);
    assert!(
        !wrong.status.success() && err.contains("Unauthorized"),
        "{err}"
    );

    cluster.assert_running();
    let stopping = std::time::Instant::now();
    drop(cluster);
    eprintln!(
        "cluster test: stopped in {:.1}s",
        stopping.elapsed().as_secs_f64()
    );
    let left: Vec<u32> = pids.iter().copied().filter(|p| alive(*p)).collect();
    assert!(left.is_empty(), "still running after drop: {left:?}");
    let listed: Vec<u32> = pgrep_rig(&rig)
        .into_iter()
        .filter(|p| pids.contains(p))
        .collect();
    assert!(listed.is_empty(), "pgrep still lists {listed:?}");
}

#[test]
fn a_panicking_test_leaves_nothing_running() {
    watchdog(WHOLE_TEST);
    let cluster = RealCluster::start(Options::default());
    let pids = cluster.pids();
    assert_eq!(pids.len(), 2, "etcd and kube-apiserver");
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || {
        let _cluster = cluster;
        panic!("a test failing while its cluster runs");
    }));
    assert!(outcome.is_err());
    let left: Vec<u32> = pids.iter().copied().filter(|p| alive(*p)).collect();
    assert!(left.is_empty(), "still running after the panic: {left:?}");
}

#[test]
#[should_panic(expected = "run tests/setup.sh")]
fn a_missing_binary_says_how_to_build_it() {
    Rig::at("/nonexistent/eks-workshop-rig").bin("kube-apiserver");
}

#[test]
#[should_panic(expected = "eks-workshop-rig/bin/kubectl is missing: run tests/setup.sh")]
fn a_missing_kubectl_names_the_set_up_script() {
    Rig::at("/nonexistent/eks-workshop-rig").kubectl();
}

#[test]
fn helm_repo_serves_an_index_and_packaged_charts() {
    let repo = HelmRepo::start();
    repo.add(&Chart::configmap("hello", "0.1.0", "cm", &[("k", "v")]));
    repo.add(&Chart::new("crds", "1.0.0").crd("widgets.yaml", "kind: CustomResourceDefinition\n"));
    let get = |path: &str| {
        let base = repo.url();
        eks_workshop_harness::apiserver::client::request(
            base.trim_end_matches('/'),
            "GET",
            path,
            &[],
            b"",
        )
        .expect("request")
    };
    let index: Value = serde_yaml::from_slice(&get("/index.yaml").body).expect("index yaml");
    let entry = &index["entries"]["hello"][0];
    assert_eq!(entry["version"], "0.1.0");
    let url = entry["urls"][0].as_str().expect("url");
    assert_eq!(url, format!("{}hello-0.1.0.tgz", repo.url()));

    let tgz = get("/hello-0.1.0.tgz");
    assert_eq!(tgz.status, 200);
    let mut names = Vec::new();
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(&tgz.body[..]));
    for file in archive.entries().expect("tar entries") {
        let mut file = file.expect("entry");
        let name = file.path().expect("path").display().to_string();
        let mut text = String::new();
        file.read_to_string(&mut text).expect("utf-8");
        if name == "hello/Chart.yaml" {
            assert!(
                text.contains("name: hello") && text.contains("version: 0.1.0"),
                "{text}"
            );
        }
        names.push(name);
    }
    names.sort();
    assert_eq!(
        names,
        [
            "hello/Chart.yaml",
            "hello/templates/configmap.yaml",
            "hello/values.yaml"
        ]
    );
    assert_eq!(get("/crds-1.0.0.tgz").status, 200);
    assert_eq!(get("/missing-1.0.0.tgz").status, 404);
}
