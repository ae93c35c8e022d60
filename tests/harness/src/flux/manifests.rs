//! The Flux "components" as `flux install --export` would print them (trimmed):
//! namespace, CRDs, service accounts and the controller Deployments.

use serde_json::{Value, json};

/// (plural, kind, group, versions (storage first), short names)
type CrdSpec = (
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
    &'static [&'static str],
);

const CRDS: &[CrdSpec] = &[
    (
        "gitrepositories",
        "GitRepository",
        "source.toolkit.fluxcd.io",
        &["v1", "v1beta2"],
        &["gitrepo"],
    ),
    (
        "helmrepositories",
        "HelmRepository",
        "source.toolkit.fluxcd.io",
        &["v1", "v1beta2"],
        &["helmrepo"],
    ),
    (
        "ocirepositories",
        "OCIRepository",
        "source.toolkit.fluxcd.io",
        &["v1", "v1beta2"],
        &["ocirepo"],
    ),
    (
        "helmcharts",
        "HelmChart",
        "source.toolkit.fluxcd.io",
        &["v1", "v1beta2"],
        &["hc"],
    ),
    (
        "buckets",
        "Bucket",
        "source.toolkit.fluxcd.io",
        &["v1", "v1beta2"],
        &[],
    ),
    (
        "kustomizations",
        "Kustomization",
        "kustomize.toolkit.fluxcd.io",
        &["v1", "v1beta2"],
        &["ks"],
    ),
    (
        "helmreleases",
        "HelmRelease",
        "helm.toolkit.fluxcd.io",
        &["v2", "v2beta2"],
        &["hr"],
    ),
];

const CONTROLLERS: &[&str] = &[
    "source-controller",
    "kustomize-controller",
    "helm-controller",
    "notification-controller",
];

fn labels(component: Option<&str>) -> Value {
    let mut l = json!({"app.kubernetes.io/instance": "flux-system", "app.kubernetes.io/part-of": "flux",
                       "app.kubernetes.io/version": "v2.6.0"});
    if let Some(c) = component {
        l["app.kubernetes.io/component"] = json!(c);
    }
    l
}

fn crd(plural: &str, kind: &str, group: &str, versions: &[&str], short: &[&str]) -> Value {
    let columns = json!([
        {"jsonPath": ".metadata.creationTimestamp", "name": "Age", "type": "date"},
        {"jsonPath": ".status.conditions[?(@.type==\"Ready\")].status", "name": "Ready", "type": "string"},
        {"jsonPath": ".status.conditions[?(@.type==\"Ready\")].message", "name": "Status", "type": "string"}
    ]);
    let versions: Vec<Value> = versions
        .iter()
        .enumerate()
        .map(|(i, v)| {
            json!({"name": v, "served": true, "storage": i == 0,
                   "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}},
                   "subresources": {"status": {}}, "additionalPrinterColumns": columns})
        })
        .collect();
    json!({
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": format!("{plural}.{group}"), "labels": labels(None)},
        "spec": {"group": group, "scope": "Namespaced",
                 "names": {"plural": plural, "singular": kind.to_lowercase(), "kind": kind,
                           "listKind": format!("{kind}List"), "shortNames": short, "categories": ["flux"]},
                 "versions": versions}
    })
}

fn deployment(name: &str) -> Value {
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name, "namespace": "flux-system", "labels": labels(Some(name))},
        "spec": {"replicas": 1, "selector": {"matchLabels": {"app": name}},
                 "template": {"metadata": {"labels": {"app": name}},
                              "spec": {"serviceAccountName": name,
                                       "containers": [{"name": "manager",
                                                       "image": format!("ghcr.io/fluxcd/{name}:v2.6.0"),
                                                       "args": ["--watch-all-namespaces=true", "--log-level=info"]}]}}}
    })
}

/// Every object of the components manifest, in apply order (CRDs first).
pub fn objects() -> Vec<Value> {
    let mut out: Vec<Value> = CRDS
        .iter()
        .map(|(p, k, g, v, s)| crd(p, k, g, v, s))
        .collect();
    out.push(json!({"apiVersion": "v1", "kind": "Namespace",
                    "metadata": {"name": "flux-system", "labels": labels(None)}}));
    for c in CONTROLLERS {
        out.push(json!({"apiVersion": "v1", "kind": "ServiceAccount",
                        "metadata": {"name": c, "namespace": "flux-system", "labels": labels(Some(c))}}));
    }
    out.extend(CONTROLLERS.iter().map(|c| deployment(c)));
    out
}

/// The same objects as multi-document YAML.
pub fn manifest() -> String {
    let mut s = String::from("# Flux components (eks-workshop test stand-in)\n");
    for o in objects() {
        s.push_str("---\n");
        s.push_str(&serde_yaml::to_string(&o).expect("serializable"));
    }
    s
}

/// The controller Deployment names.
pub fn controllers() -> &'static [&'static str] {
    CONTROLLERS
}
