//! The cluster half against the local API server and the Flux stand-in:
//! bootstrapping Flux, waiting for the pushed commit, and every way that can
//! go wrong (Flux missing, CRDs slow, failures, suspension, timeouts, a
//! conflicting bootstrap, a restarted API server, bad credentials).

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use harness::flux::FluxStandIn;
use serde_json::json;

use crate::support::example_values;
use crate::world::{
    CONTEXT, Env, FS, GIT_API, HELM_API, KS_API, LOGIN, NAME, TOKEN, env, ready, stub_flux,
};

#[test]
fn setup_bootstraps_flux_waits_for_the_pushed_commit_and_reruns_as_a_no_op() {
    let e = env(true);
    let out = e.setup(&[]).success();
    assert!(out.stdout.contains("reconcile"), "{}", out.stdout);
    let git = e.get(GIT_API, "GitRepository", FS);
    assert_eq!(git["spec"]["url"], e.forge.clone_url(LOGIN, NAME));
    assert_eq!(git["spec"]["ref"]["branch"], "main");
    assert_eq!(git["spec"]["secretRef"]["name"], FS);
    assert_eq!(git["status"]["artifact"]["revision"], e.revision());
    let ks = e.get(KS_API, "Kustomization", FS);
    assert_eq!(ks["spec"]["path"], "./gitops/clusters/cluster-demo");
    assert_eq!(ks["spec"]["prune"], true);
    let all = e.api.store().list(KS_API, "Kustomization", None);
    assert!(
        all.len() >= 4,
        "the cluster's Kustomizations were applied: {all:?}"
    );
    for k in &all {
        assert_eq!(
            k["status"]["lastAppliedRevision"],
            e.revision(),
            "{}",
            k["metadata"]["name"]
        );
        assert!(ready(k));
    }
    let secret = e.get("v1", "Secret", "flux-system");
    assert_eq!(secret["data"]["username"], "YWxpY2U="); // alice
    // A re-run changes nothing: no step runs, no object gets a new resourceVersion.
    let before = e.owned_versions();
    let again = e.setup(&[]).success();
    assert!(again.stdout.contains("nothing to do"), "{}", again.stdout);
    assert_eq!(e.owned_versions(), before);
    // The token is in the cluster Secret only: not in output or the state file.
    for text in [&out.stdout, &out.stderr, &again.stdout, &again.stderr] {
        assert!(!text.contains(TOKEN));
    }
    let state = std::fs::read_to_string(e.w.dir().join(".eks-workshop/state.json"))
        .expect("setup leaves a state file");
    assert!(state.contains("\"flux\""), "{state}");
    assert!(!state.contains(TOKEN));
}

#[test]
fn a_new_token_or_branch_updates_the_objects() {
    let e = env(true);
    e.setup(&[]).success();
    // A new token: the Secret gets it; the GitRepository stays as it was.
    let git_before = e.get(GIT_API, "GitRepository", FS)["metadata"]["resourceVersion"].clone();
    e.forge.add_user(LOGIN, "ghp_second_token_77");
    let out =
        e.w.cmd(&["setup", "--yes", "--timeout", "60s"])
            .env("GITHUB_TOKEN", "ghp_second_token_77")
            .run();
    let out = out.success();
    assert!(
        out.stdout.contains("Secret flux-system/flux-system"),
        "{}",
        out.stdout
    );
    let secret = e.get("v1", "Secret", FS);
    assert_eq!(secret["data"]["password"], "Z2hwX3NlY29uZF90b2tlbl83Nw==");
    assert_eq!(
        e.get(GIT_API, "GitRepository", FS)["metadata"]["resourceVersion"],
        git_before
    );
    // A new branch (on the fork and checked out in the clone): the
    // GitRepository follows it, and the wait is for that branch's revision.
    let head = e.head();
    crate::support::git(
        &e.forge.repo_dir(LOGIN, NAME),
        &["branch", "workshop", &head],
    );
    e.w.git(&["checkout", "-q", "-b", "workshop"]);
    let out =
        e.w.cmd(&["setup", "--yes", "--timeout", "60s", "--branch", "workshop"])
            .env("GITHUB_TOKEN", "ghp_second_token_77")
            .run()
            .success();
    assert!(
        out.stdout.contains("GitRepository flux-system/flux-system"),
        "{}",
        out.stdout
    );
    let git = e.get(GIT_API, "GitRepository", FS);
    assert_eq!(git["spec"]["ref"]["branch"], "workshop", "{git}");
    let at = format!("workshop@sha1:{head}");
    assert_eq!(git["status"]["artifact"]["revision"], at.as_str(), "{git}");
    let ks = e.get(KS_API, "Kustomization", FS);
    assert_eq!(ks["status"]["lastAppliedRevision"], at.as_str(), "{ks}");
}

#[test]
fn enable_addon_returns_once_the_helm_release_is_ready() {
    let e = env(true);
    e.setup(&[]).success();
    e.flux.set_delay(Duration::from_millis(150));
    e.w.cmd(&["enable-addon", "karpenter", "--yes", "--timeout", "60s"])
        .run()
        .success();
    let hr = e.get(HELM_API, "HelmRelease", "karpenter");
    assert!(
        ready(&hr),
        "karpenter is Ready when enable-addon returns: {hr}"
    );
    assert_eq!(
        e.get(GIT_API, "GitRepository", FS)["status"]["artifact"]["revision"],
        e.revision()
    );
}

#[test]
fn no_wait_skips_the_reconcile_step() {
    let e = env(true);
    e.setup(&[]).success();
    let before = e.head();
    e.api.clear_requests();
    let out =
        e.w.cmd(&["enable-addon", "karpenter", "--yes", "--no-wait"])
            .run()
            .success();
    assert!(
        out.stdout.contains("not waiting (--no-wait)"),
        "{}",
        out.stdout
    );
    // The commit was pushed, and nothing watched or asked Flux to reconcile.
    assert_ne!(e.head(), before, "enable-addon pushed");
    let requests = e.api.requests();
    let watches: Vec<_> = requests
        .iter()
        .filter(|(_, path, _)| path.contains("watch="))
        .collect();
    assert!(watches.is_empty(), "--no-wait watched: {watches:?}");
    let patches: Vec<_> = requests
        .iter()
        .filter(|(method, path, _)| method == "PATCH" && path.contains("toolkit.fluxcd.io"))
        .collect();
    assert!(
        patches.is_empty(),
        "--no-wait asked Flux to reconcile: {patches:?}"
    );
}

#[test]
fn missing_flux_is_installed_with_the_flux_cli() {
    let e = env(false);
    crate::world::admit_kubectl(&e.api);
    let bin = stub_flux(e.w.dir(), true);
    let values = example_values();
    let out =
        e.w.cmd(&e.args(values.to_str().unwrap(), &[]))
            .env("PATH", &e.path_with(&bin))
            .run()
            .success();
    assert!(
        out.stdout
            .contains("installed Flux with `flux install --context=workshop`"),
        "{}",
        out.stdout
    );
    let args = std::fs::read_to_string(e.w.dir().join("flux-args")).unwrap();
    assert_eq!(args.trim(), "install --context=workshop");
    let envs = std::fs::read_to_string(e.w.dir().join("flux-env")).unwrap();
    assert_eq!(envs.trim(), "0", "the flux child gets no GITHUB_TOKEN");
    assert!(ready(&e.get(KS_API, "Kustomization", FS)));
}

#[test]
fn missing_flux_without_the_cli_or_manifests_is_a_clear_error() {
    // A PATH with git and the rig's kubectl but no flux, whatever this machine has.
    let e = env(false);
    let bin = e.w.dir().join("no-flux-bin");
    std::fs::create_dir_all(&bin).unwrap();
    let git = which::which("git").expect("git is needed on PATH (tests/setup.sh installs it)");
    std::os::unix::fs::symlink(git, bin.join("git")).unwrap();
    let kubectl = crate::support::rig_bin().join("kubectl");
    std::os::unix::fs::symlink(kubectl, bin.join("kubectl")).unwrap();
    e.w.cmd(&e.args(example_values().to_str().unwrap(), &[]))
        .env("PATH", bin.to_str().unwrap())
        .run()
        .bad(2, "`flux` was not found")
        .stderr_has("--flux-manifests");
}

/// Flux without the CLI: the install manifest fetched from a URL (a
/// loopback mirror here) and checked against its sha256 before anything is
/// applied.
#[test]
fn without_the_cli_the_install_manifest_is_fetched_and_checked_first() {
    use sha2::Digest;
    let e = env(false);
    let mirror = harness::cluster::helmrepo::HelmRepo::start();
    let manifest = FluxStandIn::components_manifest();
    mirror.add_file("install.yaml", manifest.as_bytes());
    let url = format!("{}install.yaml", mirror.url());
    let sha: String = sha2::Sha256::digest(manifest.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    // A URL alone is refused: it needs the sha256 it must have.
    e.setup(&["--flux-manifest-url", &url])
        .bad(2, "needs the manifest's sha256");
    // Another file's sha256: nothing is applied.
    let wrong = "0".repeat(64);
    e.setup(&[
        "--flux-manifest-url",
        &url,
        "--flux-manifest-sha256",
        &wrong,
    ])
    .bad(1, "is not the file pinned")
    .stderr_has("nothing was applied");
    let crds = e
        .api
        .store()
        .list("apiextensions.k8s.io/v1", "CustomResourceDefinition", None);
    assert!(crds.is_empty(), "no CRD applied: {crds:?}");
    // The right one: Flux installed from it, CRDs first, and synced.
    let out = e
        .setup(&["--flux-manifest-url", &url, "--flux-manifest-sha256", &sha])
        .success();
    assert!(
        out.stdout
            .contains(&format!("installed Flux from {url} (sha256 {}", &sha[..12])),
        "{}",
        out.stdout
    );
    let git = e.get(GIT_API, "GitRepository", FS);
    assert_eq!(git["status"]["artifact"]["revision"], e.revision().as_str());
    assert!(mirror.requests().contains(&"GET /install.yaml".to_string()));
}

#[test]
fn flux_manifests_are_applied_and_slow_crds_are_waited_for() {
    let e = env(false);
    e.api.set_crd_establish_delay(Duration::from_millis(700));
    let file = e.w.dir().join("flux-components.yaml");
    std::fs::write(&file, FluxStandIn::components_manifest()).unwrap();
    let out = e
        .setup(&["--flux-manifests", file.to_str().unwrap()])
        .success();
    assert!(out.stdout.contains("installed Flux from"), "{}", out.stdout);
    assert_eq!(
        e.get(GIT_API, "GitRepository", FS)["status"]["artifact"]["revision"],
        e.revision()
    );
}

#[test]
fn a_failing_kustomization_fails_fast_with_its_message() {
    let e = env(true);
    e.flux.fail(
        "Kustomization",
        FS,
        "apps",
        "Deployment/default/sample-app dry-run failed: boom",
    );
    // Failing fast, not at the timeout: with an hour to wait, a run that
    // waited it out would hang, and the watchdog would say so.
    let values = example_values();
    let args = [
        "setup",
        "--yes",
        "--values",
        values.to_str().unwrap(),
        "--timeout",
        "1h",
    ];
    e.w.cmd(&args)
        .run_within(Duration::from_secs(120))
        .0
        .bad(1, "Kustomization flux-system/apps failed")
        .stderr_has("boom");
}

#[test]
fn a_suspended_kustomization_is_reported_with_the_resume_command() {
    let e = env(true);
    e.setup(&[]).success();
    e.flux.suspend("Kustomization", FS, "infrastructure");
    e.w.cmd(&["enable-addon", "karpenter", "--yes", "--timeout", "60s"])
        .run()
        .bad(1, "suspended")
        .stderr_has("flux resume kustomization infrastructure -n flux-system");
}

#[test]
fn a_timeout_names_what_is_not_ready() {
    let e = env(true);
    e.flux.set_delay(Duration::from_secs(20));
    let values = example_values();
    let mut args = e.args(values.to_str().unwrap(), &[]);
    args.retain(|a| *a != "60s" && *a != "--timeout");
    args.extend(["--timeout", "2s"]);
    e.w.cmd(&args)
        .run()
        .bad(6, "timed out after 2s waiting for Flux to apply main@sha1:")
        .stderr_has("flux-system/flux-system is not ready (")
        .stderr_has("eks-workshop resume");
}

#[test]
fn an_existing_kustomization_for_another_path_is_refused_unless_forced() {
    let e = env(true);
    let store = e.api.store();
    store
        .apply(
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": FS}}),
            "flux",
            true,
        )
        .unwrap();
    let other = json!({
        "apiVersion": KS_API, "kind": "Kustomization",
        "metadata": {"name": FS, "namespace": FS},
        "spec": {"interval": "10m", "path": "./clusters/production", "prune": true,
                 "sourceRef": {"kind": "GitRepository", "name": FS}},
    });
    store.apply(other, "flux", true).unwrap();
    e.setup(&[])
        .bad(2, "syncs path `./clusters/production`")
        .stderr_has("--force");
    assert_eq!(
        e.get(KS_API, "Kustomization", FS)["spec"]["path"],
        "./clusters/production"
    );
    e.setup(&["--force"]).success();
    assert_eq!(
        e.get(KS_API, "Kustomization", FS)["spec"]["path"],
        "./gitops/clusters/cluster-demo"
    );
}

/// Spawn the binary and return once it is watching Kustomizations.
fn spawn_until_watching(e: &Env, args: &[&str]) -> std::process::Child {
    let mut command = e.w.cmd(args).command;
    command.stdout(Stdio::piped()).stderr(Stdio::piped());
    let child = command.spawn().expect("spawn eks-workshop");
    let deadline = Instant::now() + Duration::from_secs(60);
    while !e
        .api
        .requests()
        .iter()
        .any(|(_, path, _)| path.contains("kustomizations") && path.contains("watch="))
    {
        assert!(
            Instant::now() < deadline,
            "eks-workshop never started watching"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child
}

#[test]
fn an_api_server_restart_mid_watch_does_not_break_the_wait() {
    let e = env(true);
    e.flux.set_delay(Duration::from_millis(400));
    let values = example_values();
    let child = spawn_until_watching(&e, &e.args(values.to_str().unwrap(), &[]));
    e.api.restart_blocking();
    std::thread::sleep(Duration::from_millis(200));
    e.api.restart_blocking();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "stdout:\n{}\nstderr:\n{stderr}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(
        e.get(GIT_API, "GitRepository", FS)["status"]["artifact"]["revision"],
        e.revision()
    );
}

#[test]
fn ctrl_c_inside_the_wait_stops_with_130() {
    let e = env(true);
    e.flux.set_delay(Duration::from_secs(20));
    let values = example_values();
    let child = spawn_until_watching(&e, &e.args(values.to_str().unwrap(), &[]));
    Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(130),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn expired_credentials_are_exit_3_naming_the_context_and_server() {
    // The world's server requires KUBE_TOKEN, and every other online test
    // passes with it in the kubeconfig: here it is the wrong one.
    let e = env(true);
    e.api
        .write_kubeconfig(&e.kubeconfig, CONTEXT, Some("expired-token"));
    e.setup(&[])
        .bad(3, "rejected the credentials")
        .stderr_has(&format!("context `{CONTEXT}`"))
        .stderr_has(&e.api.url());
}

#[test]
fn missing_permissions_are_exit_3() {
    let e = env(true);
    e.api.deny("*", "gitrepositories");
    e.setup(&[])
        .bad(3, "denied the request")
        .stderr_has("gitrepositories");
}

#[test]
fn a_missing_kubeconfig_or_context_is_exit_2_with_help() {
    let e = env(true);
    e.setup(&["--context", "nope"]).bad(2, "`nope`");
    std::fs::remove_file(&e.kubeconfig).unwrap();
    e.setup(&[]).bad(2, "kubeconfig");
}

#[test]
fn an_unreachable_cluster_names_the_server() {
    let e = env(true);
    let kubeconfig = e.w.dir().join("unreachable");
    std::fs::write(
        &kubeconfig,
        "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: {server: 'http://127.0.0.1:9'}\n\
         users:\n- name: u\n  user: {}\ncontexts:\n- name: gone\n  context: {cluster: c, user: u}\ncurrent-context: gone\n",
    )
    .unwrap();
    e.setup(&["--kubeconfig", kubeconfig.to_str().unwrap()])
        .bad(1, "could not reach")
        .stderr_has("127.0.0.1:9")
        .stderr_has("context `gone`");
}

#[test]
fn verify_shows_the_cluster_table_and_whether_it_is_at_the_head() {
    let e = env(true);
    e.setup(&[]).success();
    let out = e.w.cmd(&["verify", "--target-version", "1.25"]).run();
    // Exit 0: at 1.25 nothing Flux applies uses a removed API (the HPA at
    // autoscaling/v2beta2, removed in 1.26, only lies in the repo) and every
    // Flux object is Ready at the head: deprecations are warnings.
    let out = out.success();
    let out = out
        .stdout_has("KIND")
        .stdout_has("NAMESPACE")
        .stdout_has("REVISION");
    let text = &out.stdout;
    let short = &e.head()[..8];
    assert!(
        text.lines().any(|l| l.starts_with("GitRepository")
            && l.contains(&format!("main@sha1:{short}"))
            && l.contains("True")),
        "{text}"
    );
    assert!(
        text.contains(&format!("the cluster is at main@sha1:{short}")),
        "{text}"
    );
    let json =
        e.w.cmd(&["verify", "--target-version", "1.25", "--output", "json"])
            .run()
            .json();
    assert_eq!(json["cluster"]["at_head"], true, "{json}");
    assert_eq!(json["cluster"]["problems"], 0, "{json}");
    // A suspended Kustomization is a problem, and the table says so.
    e.flux.suspend("Kustomization", FS, "apps");
    let json =
        e.w.cmd(&["verify", "--target-version", "1.25", "--output", "json"])
            .run()
            .code(4)
            .json();
    assert_eq!(json["cluster"]["problems"], 1, "{json}");
    let out = e.w.cmd(&["verify", "--target-version", "1.25"]).run();
    assert!(
        out.stdout.lines().any(|l| l.starts_with("Kustomization")
            && l.contains("apps")
            && l.contains("Suspended")),
        "{}",
        out.stdout
    );
}

#[test]
fn verify_finds_a_removed_api_in_a_live_object_by_its_last_applied_version() {
    let e = env(true);
    e.setup(&[]).success();
    // Applied long ago with `kubectl apply` as extensions/v1beta1 (removed in
    // 1.16); the server now serves it as apps/v1, as a real cluster would.
    let last_applied = json!({"apiVersion": "extensions/v1beta1", "kind": "Deployment",
        "metadata": {"name": "legacy", "namespace": "default"}});
    // Kubernetes 1.36 refuses a boolean label on every write path (see the
    // harness's differential tests), so this is the stand-in's back door for
    // what an older server stored: a custom resource written before metadata
    // was decoded strictly, still in etcd.
    e.api
        .store()
        .insert_as_stored(json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "legacy", "namespace": "default", "annotations": {
                "kubectl.kubernetes.io/last-applied-configuration": last_applied.to_string()}},
            "spec": {"selector": {"matchLabels": {"app": "legacy"}},
                     "template": {"metadata": {"labels": {"app": "legacy"}},
                                  "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}
        }))
        .expect("create the live Deployment");
    let out =
        e.w.cmd(&["verify", "--target-version", "1.25", "-o", "json"])
            .run()
            .code(4);
    let json = out.json();
    let found = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "legacy")
        .cloned();
    let found = found.unwrap_or_else(|| panic!("no finding for the live Deployment: {json}"));
    assert_eq!(found["source"], "cluster");
    assert_eq!(found["api_version"], "extensions/v1beta1");
    assert_eq!(found["namespace"], "default");
    assert_eq!(found["removed_in_target"], true);
}

/// One HelmRelease with a boolean label (the stand-in stores it; a real API
/// server refuses it, but an odd field can come from elsewhere): verify and
/// enable-addon name it and go on judging the rest.
#[test]
fn an_object_with_an_odd_field_type_is_named_and_the_rest_judged() {
    let e = env(true);
    e.setup(&[]).success();
    // A Flux that supports the target: this test is about the odd object.
    e.flux_labelled("v2.9.5");
    // Kubernetes 1.36 refuses a boolean label on every write path (see the
    // harness's differential tests), so this is the stand-in's back door for
    // what an older server stored: a custom resource written before metadata
    // was decoded strictly, still in etcd.
    e.api
        .store()
        .insert_as_stored(json!({
            "apiVersion": HELM_API,
            "kind": "HelmRelease",
            "metadata": {"name": "odd", "namespace": FS, "labels": {"self-managed-add-on": true}},
            "spec": {"interval": "1m", "chart": {"spec": {"chart": "x", "sourceRef": {"kind": "HelmRepository", "name": "x"}}}},
        }))
        .unwrap();
    let out = e.w.cmd(&["verify", "--target-version", "1.34"]).run();
    // Exit 4 for exactly one problem, the odd HelmRelease: it has no Ready
    // condition. The HPA removed in 1.26 only lies in the repo (not applied
    // by Flux), so it is a finding, not a problem.
    let out = out.bad(4, "verify found 1 problem(s)");
    let json =
        e.w.cmd(&["verify", "--target-version", "1.34", "-o", "json"])
            .run()
            .code(4)
            .json();
    assert_eq!(json["cluster"]["problems"], 1, "{json}");
    let said = format!("{}{}", out.stdout, out.stderr);
    assert!(
        said.contains("HelmRelease flux-system/odd: metadata.labels.self-managed-add-on is a boolean, expected a string"),
        "{said}"
    );
    assert!(!said.contains("Error deserializing"), "{said}");
    assert!(
        said.contains("metrics-server"),
        "the other objects are judged: {said}"
    );
    let out =
        e.w.cmd(&["enable-addon", "karpenter", "--timeout", "60s"])
            .run();
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    assert!(
        !out.stderr.contains("Error deserializing"),
        "{}",
        out.stderr
    );
}
