//! The kubeconfig's context must be the cluster the values name
//! (`cluster_endpoint`): on another one `setup`, `verify` and `sync` stop
//! before any request to it (and `setup` before the fork), naming both and
//! the `--context` that fits (`doctor` and `status` say it); `--context`
//! fixes it.

use serde_json::Value;

use crate::noop::writes;
use crate::support::example_values;
use crate::world::{CONTEXT, Env, KUBE_TOKEN, env};

/// Nothing routes to it (TEST-NET-3): the other cluster.
const ELSEWHERE: &str = "https://203.0.113.7:6443";

/// A kubeconfig with `ours` pointing at the stand-in, `theirs` at another
/// cluster, and `current` the current context.
fn kubeconfig(e: &Env, ours: &str, theirs: &str, current: &str) {
    let doc = serde_json::json!({
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [
            {"name": ours, "cluster": {"server": e.api.url()}},
            {"name": theirs, "cluster": {"server": ELSEWHERE}},
        ],
        "users": [{"name": "u", "user": {"token": KUBE_TOKEN}}],
        "contexts": [
            {"name": ours, "context": {"cluster": ours, "user": "u"}},
            {"name": theirs, "context": {"cluster": theirs, "user": "u"}},
        ],
        "current-context": current,
    });
    std::fs::write(&e.kubeconfig, serde_yaml::to_string(&doc).unwrap()).unwrap();
}

/// The example values naming the stand-in's address as the cluster (https:
/// the values' only scheme; the address is what names the server).
fn values(e: &Env) -> String {
    let example = std::fs::read_to_string(example_values()).unwrap();
    let ours = format!("https://{}", e.api.addr());
    let text = example
        .lines()
        .map(|l| match l.starts_with("cluster_endpoint:") {
            true => format!("cluster_endpoint: {ours}"),
            false => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n");
    let path = e.w.dir().join("values.yaml");
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

/// The prerequisites step's detail in `setup -o json`'s summary.
fn prerequisites(stdout: &str) -> String {
    let json: Value = serde_json::from_str(stdout).expect("one JSON object");
    json["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["step"] == "prerequisites")
        .and_then(|s| s["detail"].as_str())
        .unwrap_or_default()
        .to_string()
}

fn nothing_asked(e: &Env) {
    let (forge, _) = writes(e);
    assert!(forge.is_empty(), "the forge saw writes: {forge:?}");
    let api = e.api.requests();
    assert!(api.is_empty(), "the API server saw requests: {api:?}");
}

#[test]
fn another_cluster_stops_setup_and_verify_before_any_request_and_context_fixes_it() {
    let e = env(true);
    let values = values(&e);
    let ours = format!("https://{}", e.api.addr());
    kubeconfig(&e, CONTEXT, "other", "other");
    e.forge.reset_requests();
    e.api.clear_requests();
    for dry_run in [&["--dry-run"][..], &[]] {
        e.w.cmd(&e.args(&values, dry_run))
            .run()
            .bad(
                2,
                "kubeconfig context `other` points at https://203.0.113.7:6443",
            )
            .stderr_has(&format!("at {ours}: another cluster"))
            .stderr_has("help: pass --context workshop (the kubeconfig's context for");
        nothing_asked(&e);
        assert!(
            !e.forge
                .requests()
                .iter()
                .any(|r| r.path.ends_with("/forks")),
            "asked about forks"
        );
    }

    let out =
        e.w.cmd(&e.args(&values, &["--context", CONTEXT, "-o", "json"]))
            .run()
            .success();
    assert!(
        prerequisites(&out.stdout).contains(&format!(
            "kubeconfig context `{CONTEXT}` is the values' cluster ({ours})"
        )),
        "{}",
        out.stdout
    );

    // The remembered context now names another cluster: verify stops too.
    kubeconfig(&e, "eks", CONTEXT, CONTEXT);
    e.forge.reset_requests();
    e.api.clear_requests();
    e.w.cmd(&["verify", "--target-version", "1.25"])
        .run()
        .bad(
            2,
            "kubeconfig context `workshop` points at https://203.0.113.7:6443",
        )
        .stderr_has("help: pass --context eks ");
    nothing_asked(&e);
    // Every other command that reads or writes the cluster stops, or says so.
    e.w.cmd(&["sync"])
        .run()
        .bad(2, "kubeconfig context `workshop` points at")
        .stderr_has("help: pass --context eks ");
    e.w.cmd(&["doctor"])
        .run()
        .success()
        .stdout_has("another cluster; nothing was read from or written to it")
        .stdout_has("help: pass --context eks ");
    e.w.cmd(&["status"])
        .run()
        .success()
        .stdout_has("another cluster; nothing was read from or written to it");
    nothing_asked(&e);
    let out =
        e.w.cmd(&[
            "verify",
            "--target-version",
            "1.25",
            "--context",
            "eks",
            "-o",
            "json",
        ])
        .run()
        .success();
    let json: Value = serde_json::from_str(&out.stdout).unwrap();
    let section = json["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "kubeconfig context")
        .expect("the context check is in the report");
    assert_eq!(section["skipped"], Value::Null, "{section}");
    assert_eq!(section["items"][0]["severity"], "fine", "{section}");
    assert_eq!(section["items"][0]["context"], "eks", "{section}");
}

#[test]
fn the_example_endpoint_is_not_compared_and_verify_says_so() {
    let e = env(true);
    let out = e.setup(&["-o", "json"]).success();
    assert!(
        prerequisites(&out.stdout)
            .contains("cluster not compared: cluster_endpoint is the made-up one"),
        "{}",
        out.stdout
    );
    let out =
        e.w.cmd(&["verify", "--target-version", "1.25"])
            .run()
            .success();
    out.stdout_has("Kubeconfig context skipped: cluster_endpoint is the made-up one of templates/values.example.yaml");
}

#[test]
fn a_setup_that_stops_short_of_the_cluster_is_told_and_goes_on() {
    let e = env(true);
    let values = values(&e);
    kubeconfig(&e, CONTEXT, "other", "other");
    e.api.clear_requests();
    let out =
        e.w.cmd(&e.args(&values, &["--until", "push", "-o", "json"]))
            .run()
            .success();
    assert!(
        prerequisites(&out.stdout).contains(
            "kubeconfig context `other` points at another cluster than the values' (https://127.0.0.1:"
        ),
        "{}",
        out.stdout
    );
    assert!(e.api.requests().is_empty(), "{:?}", e.api.requests());
}
