//! The Flux stand-in against the local API server, with git repositories served
//! from local paths (and one over smart HTTP through the forge, with credentials).

use eks_workshop_harness::apiserver::{ApiServer, Store};
use eks_workshop_harness::flux::{FluxStandIn, REQUESTED_AT};
use eks_workshop_harness::forge::Forge;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

const SRC: &str = "source.toolkit.fluxcd.io/v1";
const KS: &str = "kustomize.toolkit.fluxcd.io/v1";
const HR: &str = "helm.toolkit.fluxcd.io/v2";
const NS: &str = "flux-system";

/// A work-tree repository on branch `main`.
struct Repo {
    dir: tempfile::TempDir,
    repo: git2::Repository,
}

impl Repo {
    fn new() -> Repo {
        let dir = tempfile::tempdir().unwrap();
        let mut opts = git2::RepositoryInitOptions::new();
        opts.initial_head("main");
        let repo = git2::Repository::init_opts(dir.path(), &opts).unwrap();
        Repo { dir, repo }
    }

    fn url(&self) -> String {
        format!("file://{}", self.dir.path().display())
    }

    /// Writes `files`, deletes `remove`, commits everything; returns the sha.
    fn commit(&self, files: &[(&str, &str)], remove: &[&str]) -> String {
        for (path, text) in files {
            let p = self.dir.path().join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        for path in remove {
            std::fs::remove_file(self.dir.path().join(path)).unwrap();
        }
        let mut index = self.repo.index().unwrap();
        index
            .add_all(["*"], git2::IndexAddOption::DEFAULT, None)
            .unwrap();
        index.update_all(["*"], None).unwrap();
        index.write().unwrap();
        let tree = self.repo.find_tree(index.write_tree().unwrap()).unwrap();
        let sig = git2::Signature::now("test", "test@example.com").unwrap();
        let parent = self.repo.head().ok().and_then(|h| h.peel_to_commit().ok());
        let parents: Vec<&git2::Commit> = parent.iter().collect();
        self.repo
            .commit(Some("HEAD"), &sig, &sig, "change", &tree, &parents)
            .unwrap()
            .to_string()
    }
}

fn setup() -> (ApiServer, FluxStandIn) {
    let api = ApiServer::start_blocking();
    FluxStandIn::install_crds(&api);
    let flux = FluxStandIn::start(&api);
    (api, flux)
}

fn git_repository(store: &Store, name: &str, url: &str, branch: &str, secret: Option<&str>) {
    let mut spec = json!({"interval": "1m", "url": url, "ref": {"branch": branch}});
    if let Some(s) = secret {
        spec["secretRef"] = json!({"name": s});
    }
    store
        .apply(json!({"apiVersion": SRC, "kind": "GitRepository", "metadata": {"name": name, "namespace": NS}, "spec": spec}), "test", true)
        .unwrap();
}

fn kustomization(store: &Store, name: &str, path: &str, depends_on: &[&str]) {
    let deps: Vec<Value> = depends_on.iter().map(|d| json!({"name": d})).collect();
    store
        .apply(
            json!({"apiVersion": KS, "kind": "Kustomization", "metadata": {"name": name, "namespace": NS},
                   "spec": {"interval": "10m", "path": path, "prune": true, "dependsOn": deps,
                            "sourceRef": {"kind": "GitRepository", "name": "repo"}}}),
            "test",
            true,
        )
        .unwrap();
}

fn get(store: &Store, api: &str, kind: &str, name: &str) -> Value {
    store.get(api, kind, Some(NS), name).unwrap_or(Value::Null)
}

fn ready(obj: &Value) -> Option<Value> {
    obj.pointer("/status/conditions")?
        .as_array()?
        .iter()
        .find(|c| c["type"] == "Ready")
        .cloned()
}

fn has_condition(obj: &Value, ty: &str) -> bool {
    obj.pointer("/status/conditions")
        .and_then(Value::as_array)
        .is_some_and(|cs| cs.iter().any(|c| c["type"] == ty))
}

/// Waits until `f` returns `Some`, panicking with `what` after 20 s.
fn wait_for<T>(what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn wait_ready(store: &Store, api: &str, kind: &str, name: &str, want: &str) -> Value {
    wait_for(&format!("{kind} {name} Ready={want}"), || {
        let o = get(store, api, kind, name);
        let observed = o.pointer("/status/observedGeneration") == o.pointer("/metadata/generation");
        (observed && ready(&o).is_some_and(|c| c["status"] == want)).then_some(o)
    })
}

const INFRA_K: &str =
    "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- ns.yaml\n";
const NS_APPS: &str = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: apps\n";
fn cm(name: &str) -> String {
    format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n  namespace: apps\ndata:\n  k: v\n"
    )
}

#[test]
fn git_repository_resolves_the_branch_head() {
    let (api, _flux) = setup();
    let repo = Repo::new();
    let sha = repo.commit(&[("README.md", "hi\n")], &[]);
    git_repository(&api.store(), "repo", &repo.url(), "main", None);
    let o = wait_ready(&api.store(), SRC, "GitRepository", "repo", "True");
    assert_eq!(
        o["status"]["artifact"]["revision"],
        format!("main@sha1:{sha}")
    );
    assert_eq!(ready(&o).unwrap()["reason"], "Succeeded");
    assert!(has_condition(&o, "ArtifactInStorage"));

    // A missing branch is a terminal failure with Flux's wording.
    git_repository(&api.store(), "bad", &repo.url(), "nope", None);
    let bad = wait_ready(&api.store(), SRC, "GitRepository", "bad", "False");
    let msg = ready(&bad).unwrap()["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        msg.starts_with("failed to checkout and determine revision"),
        "{msg}"
    );
    assert!(!has_condition(&bad, "Reconciling"));
    assert!(bad.pointer("/status/artifact").is_none());
}

#[test]
fn git_repository_over_http_with_credentials() {
    let forge = Forge::start_blocking();
    forge.add_user("octo", "tok-123");
    let content = tempfile::tempdir().unwrap();
    std::fs::write(content.path().join("README.md"), "x\n").unwrap();
    let sha = forge.seed_repo("octo", "gitops", content.path(), "main");
    let (api, _flux) = setup();
    let store = api.store();
    let secret = |name: &str, pass: &str| {
        json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": name, "namespace": NS},
               "stringData": {"username": "octo", "password": pass}})
    };
    store.create(secret("good", "tok-123")).unwrap();
    store.create(secret("wrong", "nope")).unwrap();
    git_repository(
        &store,
        "repo",
        &forge.clone_url("octo", "gitops"),
        "main",
        Some("good"),
    );
    let o = wait_ready(&store, SRC, "GitRepository", "repo", "True");
    assert_eq!(
        o["status"]["artifact"]["revision"],
        format!("main@sha1:{sha}")
    );

    git_repository(
        &store,
        "denied",
        &forge.clone_url("octo", "gitops"),
        "main",
        Some("wrong"),
    );
    let d = wait_ready(&store, SRC, "GitRepository", "denied", "False");
    assert!(
        ready(&d).unwrap()["message"]
            .as_str()
            .unwrap()
            .contains("failed to checkout"),
        "{d}"
    );
    git_repository(
        &store,
        "nosecret",
        &forge.clone_url("octo", "gitops"),
        "main",
        Some("missing"),
    );
    let n = wait_ready(&store, SRC, "GitRepository", "nosecret", "False");
    assert!(
        ready(&n).unwrap()["message"]
            .as_str()
            .unwrap()
            .contains("secrets \"missing\" not found"),
        "{n}"
    );
}

#[test]
fn kustomizations_wait_for_dependencies_apply_and_prune() {
    let (api, flux) = setup();
    let store = api.store();
    let repo = Repo::new();
    let first = repo.commit(
        &[
            ("infra/kustomization.yaml", INFRA_K),
            ("infra/ns.yaml", NS_APPS),
            ("apps/cm.yaml", &cm("one")),
            ("apps/notes.md", "x"),
        ],
        &[],
    );
    flux.set_delay(Duration::from_millis(300));
    let mut rx = store.subscribe();
    git_repository(&store, "repo", &repo.url(), "main", None);
    kustomization(&store, "apps", "./apps", &["infra"]);
    kustomization(&store, "infra", "./infra", &[]);

    let apps = wait_ready(&store, KS, "Kustomization", "apps", "True");
    let rev = format!("main@sha1:{first}");
    assert_eq!(apps["status"]["lastAppliedRevision"], rev);
    assert_eq!(
        ready(&apps).unwrap()["message"],
        format!("Applied revision: {rev}")
    );
    assert_eq!(ready(&apps).unwrap()["reason"], "ReconciliationSucceeded");

    // A watcher saw apps wait for infra before it went Ready: Ready=False
    // DependencyNotReady with no Reconciling condition, as real
    // kustomize-controller 1.9.5 writes it.
    let mut reasons = Vec::new();
    while let Ok(e) = rx.try_recv() {
        if e.kind == "Kustomization"
            && e.name == "apps"
            && let Some(r) = ready(&e.object)
        {
            let reconciling = has_condition(&e.object, "Reconciling");
            reasons.push((r["reason"].as_str().unwrap_or("").to_string(), reconciling));
        }
    }
    let waited = reasons
        .iter()
        .position(|(r, rec)| r == "DependencyNotReady" && !*rec)
        .expect("DependencyNotReady seen");
    let done = reasons
        .iter()
        .position(|(r, _)| r == "ReconciliationSucceeded")
        .unwrap();
    assert!(waited < done, "{reasons:?}");

    let ns = store
        .get("v1", "Namespace", None, "apps")
        .expect("namespace applied");
    assert_eq!(
        ns["metadata"]["labels"]["kustomize.toolkit.fluxcd.io/name"],
        "infra"
    );
    let one = store
        .get("v1", "ConfigMap", Some("apps"), "one")
        .expect("configmap applied");
    assert_eq!(
        one["metadata"]["managedFields"][0]["manager"],
        "kustomize-controller"
    );

    // New commit + reconcile request: new revision, `one` pruned, `two` applied.
    flux.set_delay(Duration::ZERO);
    let second = repo.commit(&[("apps/cm2.yaml", &cm("two"))], &["apps/cm.yaml"]);
    store
        .merge_patch(
            SRC,
            "GitRepository",
            Some(NS),
            "repo",
            json!({"metadata": {"annotations": {REQUESTED_AT: "now-1"}}}),
        )
        .unwrap();
    let rev2 = format!("main@sha1:{second}");
    wait_for("apps applies the second commit", || {
        let a = get(&store, KS, "Kustomization", "apps");
        (a["status"]["lastAppliedRevision"] == rev2.as_str()).then_some(())
    });
    assert_eq!(
        get(&store, SRC, "GitRepository", "repo")["status"]["lastHandledReconcileAt"],
        "now-1"
    );
    assert!(store.get("v1", "ConfigMap", Some("apps"), "two").is_some());
    assert!(
        store.get("v1", "ConfigMap", Some("apps"), "one").is_none(),
        "pruned"
    );
}

#[test]
fn build_errors_and_injected_failures_are_terminal() {
    let (api, flux) = setup();
    let store = api.store();
    let repo = Repo::new();
    repo.commit(
        &[
            ("broken/kustomization.yaml", "resources:\n- missing.yaml\n"),
            ("bad/x.yaml", "a: [unclosed\n"),
            (
                "ok/cm.yaml",
                &cm("c").replace("namespace: apps", "namespace: default"),
            ),
        ],
        &[],
    );
    git_repository(&store, "repo", &repo.url(), "main", None);
    kustomization(&store, "broken", "./broken", &[]);
    kustomization(&store, "bad", "./bad", &[]);
    kustomization(&store, "gone", "./nowhere", &[]);
    for name in ["broken", "bad", "gone"] {
        let k = wait_ready(&store, KS, "Kustomization", name, "False");
        assert_eq!(ready(&k).unwrap()["reason"], "BuildFailed", "{k}");
        assert!(!has_condition(&k, "Reconciling"));
        assert!(k["status"]["lastAttemptedRevision"].is_string());
    }
    let gone = get(&store, KS, "Kustomization", "gone");
    assert!(
        ready(&gone).unwrap()["message"]
            .as_str()
            .unwrap()
            .contains("kustomization path not found")
    );

    flux.fail("Kustomization", NS, "ok", "simulated apply failure");
    kustomization(&store, "ok", "./ok", &[]);
    let ok = wait_ready(&store, KS, "Kustomization", "ok", "False");
    assert_eq!(ready(&ok).unwrap()["message"], "simulated apply failure");
    assert!(has_condition(&ok, "Stalled") && !has_condition(&ok, "Reconciling"));
    assert!(store.get("v1", "ConfigMap", Some("default"), "c").is_none());
    flux.clear_failure("Kustomization", NS, "ok");
    store
        .merge_patch(
            KS,
            "Kustomization",
            Some(NS),
            "ok",
            json!({"metadata": {"annotations": {REQUESTED_AT: "1"}}}),
        )
        .unwrap();
    wait_ready(&store, KS, "Kustomization", "ok", "True");
    assert!(store.get("v1", "ConfigMap", Some("default"), "c").is_some());
}

#[test]
fn suspended_kustomizations_stay_put() {
    let (api, flux) = setup();
    let store = api.store();
    let repo = Repo::new();
    let in_default = |name: &str| cm(name).replace("namespace: apps", "namespace: default");
    let first = repo.commit(
        &[
            ("app/cm.yaml", &in_default("s")),
            ("witness/cm.yaml", &in_default("w")),
        ],
        &[],
    );
    git_repository(&store, "repo", &repo.url(), "main", None);
    kustomization(&store, "app", "./app", &[]);
    // Not suspended, on the same source: what the stand-in did meanwhile.
    kustomization(&store, "witness", "./witness", &[]);
    wait_ready(&store, KS, "Kustomization", "app", "True");
    wait_ready(&store, KS, "Kustomization", "witness", "True");
    flux.suspend("Kustomization", NS, "app");
    let second = repo.commit(
        &[
            ("app/cm2.yaml", &in_default("s2")),
            ("witness/cm2.yaml", &in_default("w2")),
        ],
        &[],
    );
    let request = |name: &str, api: &str, kind: &str, at: &str| {
        store
            .merge_patch(
                api,
                kind,
                Some(NS),
                name,
                json!({"metadata": {"annotations": {REQUESTED_AT: at}}}),
            )
            .unwrap();
    };
    request("repo", SRC, "GitRepository", "x");
    let second_revision = format!("main@sha1:{second}");
    wait_for("the witness at the second commit", || {
        let w = get(&store, KS, "Kustomization", "witness");
        (w["status"]["lastAppliedRevision"] == second_revision.as_str()).then_some(())
    });
    // The pass that applied the witness went over every Kustomization; one
    // more pass, the one that handles this request, starts after it ended.
    request("witness", KS, "Kustomization", "after");
    wait_for("a pass after the witness applied", || {
        let w = get(&store, KS, "Kustomization", "witness");
        (w["status"]["lastHandledReconcileAt"] == "after").then_some(())
    });
    let app = get(&store, KS, "Kustomization", "app");
    assert_eq!(app["spec"]["suspend"], true);
    assert_eq!(
        app["status"]["lastAppliedRevision"],
        format!("main@sha1:{first}")
    );
    assert!(
        store
            .get("v1", "ConfigMap", Some("default"), "s2")
            .is_none()
    );
    assert!(
        store
            .get("v1", "ConfigMap", Some("default"), "w2")
            .is_some()
    );
    flux.resume("Kustomization", NS, "app");
    wait_for("resumed apply", || {
        store.get("v1", "ConfigMap", Some("default"), "s2")
    });
}

#[test]
fn helm_releases_need_their_source() {
    let (api, flux) = setup();
    let store = api.store();
    let hr = |name: &str, repo: &str| {
        json!({"apiVersion": HR, "kind": "HelmRelease", "metadata": {"name": name, "namespace": NS},
               "spec": {"interval": "5m", "chart": {"spec": {"chart": "podinfo", "version": "6.5.0",
                        "sourceRef": {"kind": "HelmRepository", "name": repo}}}}})
    };
    store.apply(hr("podinfo", "charts"), "test", true).unwrap();
    let waiting = wait_for("HelmRelease waits for its source", || {
        let o = get(&store, HR, "HelmRelease", "podinfo");
        ready(&o)
            .filter(|c| c["reason"] == "ArtifactFailed")
            .map(|_| o)
    });
    assert!(has_condition(&waiting, "Reconciling"));
    store
        .apply(json!({"apiVersion": SRC, "kind": "HelmRepository", "metadata": {"name": "charts", "namespace": NS},
                      "spec": {"url": "https://charts.example.com"}}), "test", true)
        .unwrap();
    let o = wait_ready(&store, HR, "HelmRelease", "podinfo", "True");
    let r = ready(&o).unwrap();
    assert_eq!(r["reason"], "InstallSucceeded");
    assert_eq!(
        r["message"],
        "Helm install succeeded for release flux-system/podinfo.v1 with chart podinfo@6.5.0"
    );
    wait_ready(&store, SRC, "HelmRepository", "charts", "True");

    flux.fail("HelmRelease", NS, "other", "install retries exhausted");
    store.apply(hr("other", "charts"), "test", true).unwrap();
    let failed = wait_ready(&store, HR, "HelmRelease", "other", "False");
    assert_eq!(
        ready(&failed).unwrap()["message"],
        "install retries exhausted"
    );
}

#[test]
fn components_manifest_is_applyable_yaml() {
    let text = FluxStandIn::components_manifest();
    let docs = eks_workshop_harness::flux::parse_documents(&text, "components").unwrap();
    assert_eq!(docs[0]["kind"], "CustomResourceDefinition");
    let kinds: Vec<&str> = docs.iter().map(|d| d["kind"].as_str().unwrap()).collect();
    assert!(kinds.contains(&"Deployment") && kinds.contains(&"Namespace"));
    let names: Vec<&str> = docs
        .iter()
        .map(|d| d["metadata"]["name"].as_str().unwrap())
        .collect();
    for crd in [
        "gitrepositories.source.toolkit.fluxcd.io",
        "kustomizations.kustomize.toolkit.fluxcd.io",
        "helmreleases.helm.toolkit.fluxcd.io",
        "ocirepositories.source.toolkit.fluxcd.io",
        "helmrepositories.source.toolkit.fluxcd.io",
    ] {
        assert!(names.contains(&crd), "{crd}");
    }

    let api = ApiServer::start_blocking();
    FluxStandIn::install_crds(&api);
    let store = api.store();
    for c in FluxStandIn::controller_names() {
        let d = store.get("apps/v1", "Deployment", Some(NS), c).unwrap();
        assert_eq!(d["status"]["availableReplicas"], 1, "{c}");
    }
    assert!(
        store
            .resource_for_kind("helm.toolkit.fluxcd.io/v2beta2", "HelmRelease")
            .is_some()
    );
    assert!(
        store
            .resource_for_kind("source.toolkit.fluxcd.io/v1beta2", "OCIRepository")
            .is_some()
    );
}
