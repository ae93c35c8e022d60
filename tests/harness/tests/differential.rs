//! Differential tests: the same request or manifest goes to the stand-ins and
//! to the real kube-apiserver 1.36 / Flux 2.9.5 of the rig, and what comes back
//! (status code, reason, the telling part of the message, conditions) must
//! agree. Each one starts its own real cluster (`tests/rig/build.sh` first).

#[path = "differential/sides.rs"]
mod sides;
#[path = "differential/sync.rs"]
mod sync;

use eks_workshop_harness::cluster::helmrepo::{Chart, HelmRepo};
use serde_json::{Value, json};
use sides::{Side, condition};
use std::time::Duration;
use sync::{FS, KS_API, brief, fleet, git_source, kustomization, request_reconcile, wait_ready_is};

const JSON: &str = "application/json";
const MERGE: &str = "application/merge-patch+json";
const APPLY: &str = "application/apply-patch+yaml";

/// Aborts a test that outlives `limit`; the rig's children die with it.
fn watchdog(limit: Duration) {
    std::thread::spawn(move || {
        std::thread::sleep(limit);
        eprintln!("differential test: still running after {limit:?}; aborting");
        std::process::abort();
    });
}

// ---- 1. label and annotation values must be strings ----

/// What a refusal looks like, with the one part that embeds the whole
/// patched object (merge patch) cut out.
fn shape((code, status): &(u16, Value)) -> (u16, String, String) {
    let message = status["message"].as_str().unwrap_or_default();
    let message = match (
        message.find("Invalid value: \""),
        message.rfind("\": json:"),
    ) {
        (Some(a), Some(b)) if a < b => format!("{}<object>{}", &message[..a + 15], &message[b..]),
        _ => message.to_string(),
    };
    let reason = status["reason"].as_str().unwrap_or("<none>").to_string();
    (*code, reason, message)
}

/// (what, content type, path, body) for create, apply and merge patch of a
/// `kind` at `base` whose metadata carries `odd` (`"labels":{"a":true}`).
fn odd_metadata_requests(
    base: &str,
    head: &str,
    spec: &str,
    odd: &str,
) -> Vec<(String, &'static str, &'static str, String, String)> {
    let doc = |name: &str| format!("{{{head},\"metadata\":{{\"name\":\"{name}\",{odd}}}{spec}}}");
    vec![
        ("create".into(), "POST", JSON, base.to_string(), doc("c1")),
        (
            "apply".into(),
            "PATCH",
            APPLY,
            format!("{base}/c2?fieldManager=t"),
            doc("c2"),
        ),
        (
            "merge patch".into(),
            "PATCH",
            MERGE,
            format!("{base}/c3"),
            format!("{{\"metadata\":{{{odd}}}}}"),
        ),
    ]
}

#[test]
fn non_string_label_and_annotation_values_are_refused_alike() {
    watchdog(Duration::from_secs(120));
    let real = Side::real(false);
    let stand = Side::stand(false);
    let cases = [
        (
            "/api/v1/namespaces/default/configmaps",
            "\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\"",
            "",
        ),
        (
            "/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/default/kustomizations",
            "\"apiVersion\":\"kustomize.toolkit.fluxcd.io/v1\",\"kind\":\"Kustomization\"",
            ",\"spec\":{\"interval\":\"1m\",\"prune\":true,\"sourceRef\":{\"kind\":\"GitRepository\",\"name\":\"x\"}}",
        ),
    ];
    for (base, head, spec) in cases {
        // The object the merge patches go to.
        let plain = format!("{{{head},\"metadata\":{{\"name\":\"c3\"}}{spec}}}");
        for side in [&real, &stand] {
            let (code, body) = side.raw("POST", base, JSON, &plain);
            assert_eq!(code, 201, "{}: {body}", side.name());
        }
        for odd in ["\"labels\":{\"a\":true}", "\"annotations\":{\"b\":1}"] {
            for (what, method, ct, path, body) in odd_metadata_requests(base, head, spec, odd) {
                let r = shape(&real.raw(method, &path, ct, &body));
                let s = shape(&stand.raw(method, &path, ct, &body));
                eprintln!("{what} {path} {odd}:\n  real     {r:?}\n  stand-in {s:?}");
                assert_eq!(s, r, "{what} {path} with {odd}");
            }
        }
    }
}

// ---- 2. which Flux API versions are served ----

/// `/apis/<group>`'s versions, and each version's kinds, sorted.
fn served(side: &Side, group: &str) -> Vec<(String, Vec<String>)> {
    let (code, doc) = side.raw("GET", &format!("/apis/{group}"), JSON, "");
    assert_eq!(code, 200, "{}: {doc}", side.name());
    let mut out = Vec::new();
    for v in doc["versions"].as_array().expect("versions") {
        let gv = v["groupVersion"].as_str().expect("groupVersion");
        let (_, list) = side.raw("GET", &format!("/apis/{gv}"), JSON, "");
        let mut kinds: Vec<String> = list["resources"]
            .as_array()
            .expect("resources")
            .iter()
            .map(|r| {
                format!(
                    "{} {}",
                    r["name"].as_str().unwrap_or(""),
                    r["kind"].as_str().unwrap_or("")
                )
            })
            .collect();
        kinds.sort();
        out.push((gv.to_string(), kinds));
    }
    out.sort();
    out
}

#[test]
fn current_flux_apis_serve_what_the_real_flux_crds_serve() {
    watchdog(Duration::from_secs(90));
    let real = Side::real(false);
    let stand = Side::stand(false);
    for group in [
        "source.toolkit.fluxcd.io",
        "kustomize.toolkit.fluxcd.io",
        "helm.toolkit.fluxcd.io",
    ] {
        let r = served(&real, group);
        eprintln!("{group}: {r:?}");
        assert_eq!(served(&stand, group), r, "{group}");
    }
    // An older manifest's version is not served by either.
    let path = "/apis/helm.toolkit.fluxcd.io/v2beta2";
    assert_eq!(real.raw("GET", path, JSON, "").0, 404);
    assert_eq!(stand.raw("GET", path, JSON, "").0, 404);
}

// ---- 3. a build with a kind the API server does not serve ----

const SHOP_NS: &str = "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n";
const SHOP_CM: &str =
    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: greeting, namespace: shop}\ndata: {k: v}\n";
const PROVISIONER: &str = "apiVersion: karpenter.sh/v1alpha5\nkind: Provisioner\n\
                           metadata: {name: default}\nspec: {limits: {resources: {cpu: 20}}}\n";

/// The Kustomization's conditions and which of the build's other objects exist.
fn unserved_kind_outcome(side: &Side) -> Value {
    let (forge, _content) = fleet(&[
        ("deploy/ns.yaml", SHOP_NS),
        ("deploy/cm.yaml", SHOP_CM),
        ("deploy/provisioner.yaml", PROVISIONER),
    ]);
    git_source(side, &forge);
    kustomization(side, "fleet", "./deploy", "");
    let k = wait_ready_is(side, "fleet", "False", Duration::from_secs(40));
    json!({
        "ready": brief(condition(&k, "Ready")),
        "reconciling": condition(&k, "Reconciling").map(|c| json!([c["status"], c["reason"]])),
        "stalled": condition(&k, "Stalled").is_some(),
        "namespace applied": side.get("v1", "Namespace", None, "shop").is_some(),
        "configmap applied": side.get("v1", "ConfigMap", Some("shop"), "greeting").is_some(),
        "inventory": k["status"]["inventory"],
    })
}

#[test]
fn an_unserved_kind_in_a_kustomization_fails_as_real_flux_reports_it() {
    watchdog(Duration::from_secs(120));
    let real = unserved_kind_outcome(&Side::real(true));
    eprintln!("real: {real:#}");
    let stand = unserved_kind_outcome(&Side::stand(true));
    assert_eq!(stand, real);
}

// ---- 4. a chart that brings CRDs, then the Kustomization's next reconcile ----

const WIDGET_CRD: &str = "apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  names: {kind: Widget, listKind: WidgetList, plural: widgets, singular: widget}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
";
const WIDGET: &str = "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w1, namespace: default}\nspec: {size: 3}\n";

fn widgets_chart() -> Chart {
    Chart::configmap("widgets", "0.1.0", "widgets-info", &[("k", "v")])
        .crd("widgets.yaml", WIDGET_CRD)
}

/// `Applied revision: main@sha1:<sha>` with the sha (each side has its own forge) cut.
fn without_sha(v: Value) -> Value {
    let text = v.to_string();
    let cut = match text.find("sha1:") {
        Some(i) => format!("{}<sha>{}", &text[..i + 5], &text[i + 45..]),
        None => text,
    };
    serde_json::from_str(&cut).expect("json")
}

/// Two Kustomizations of a Widget fail (its kind is not served); the chart
/// brings the CRD; one is retried at its retryInterval, the other at once on
/// a reconcile request.
fn chart_brings_crds_outcome(side: &Side, repo_url: &str) -> Value {
    if let Some(flux) = side.flux() {
        flux.add_chart(&widgets_chart());
    }
    let (forge, _content) = fleet(&[("deploy/widget.yaml", WIDGET)]);
    git_source(side, &forge);
    kustomization(side, "by-retry", "./deploy", ", retryInterval: 15s");
    kustomization(side, "by-request", "./deploy", ", retryInterval: 10m");
    let failed = wait_ready_is(side, "by-retry", "False", Duration::from_secs(30));
    wait_ready_is(side, "by-request", "False", Duration::from_secs(30));
    side.apply_yaml(&format!(
        "apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\n\
         metadata: {{name: local, namespace: {FS}}}\nspec: {{url: '{repo_url}', interval: 10m}}\n---\n\
         apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {{name: widgets, namespace: {FS}}}\n\
         spec: {{interval: 10m, chart: {{spec: {{chart: widgets, version: 0.1.0, \
         sourceRef: {{kind: HelmRepository, name: local}}}}}}}}\n"
    ));
    let hr = side.wait("HelmRelease widgets Ready", Duration::from_secs(30), || {
        let hr = side.get(
            "helm.toolkit.fluxcd.io/v2",
            "HelmRelease",
            Some(FS),
            "widgets",
        )?;
        (condition(&hr, "Ready")?["status"] == "True").then_some(hr)
    });
    request_reconcile(side, "by-request", "2026-01-01T00:00:00Z");
    let asked = side.wait(
        "by-request handled and Ready",
        Duration::from_secs(20),
        || {
            let k = side.get(KS_API, "Kustomization", Some(FS), "by-request")?;
            let handled = k["status"]["lastHandledReconcileAt"] == "2026-01-01T00:00:00Z";
            (handled && condition(&k, "Ready")?["status"] == "True").then_some(k)
        },
    );
    let retried = wait_ready_is(side, "by-retry", "True", Duration::from_secs(30));
    json!({
        "failed first": brief(condition(&failed, "Ready")),
        "release": brief(condition(&hr, "Ready")),
        "crd": side.get("apiextensions.k8s.io/v1", "CustomResourceDefinition", None, "widgets.example.com").is_some(),
        "widget": side.get("example.com/v1", "Widget", Some("default"), "w1").map(|w| w["spec"].clone()),
        "by request": without_sha(brief(condition(&asked, "Ready"))),
        "by retry": without_sha(brief(condition(&retried, "Ready"))),
        "by retry handled": retried["status"]["lastHandledReconcileAt"],
    })
}

#[test]
fn a_chart_that_brings_crds_lets_the_failed_kustomization_apply_on_its_next_reconcile() {
    watchdog(Duration::from_secs(150));
    let repo = HelmRepo::start();
    repo.add(&widgets_chart());
    let real = chart_brings_crds_outcome(&Side::real(true), &repo.url());
    eprintln!("real: {real:#}");
    let stand = chart_brings_crds_outcome(&Side::stand(true), "http://charts.invalid/");
    assert_eq!(stand, real);
}
