//! The Flux "components" as `flux install --export` would print them (trimmed):
//! namespace, CRDs, service accounts and the controller Deployments.

use serde_json::{Value, json};

/// Which Flux API versions the installed CRDs serve.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum FluxApis {
    /// What the stand-in always served: every kind also at its previous
    /// version (`v1beta2`, HelmRelease `v2beta2`), labelled Flux v2.6.0.
    /// Older Flux releases served these; the existing tests rely on them.
    #[default]
    Legacy,
    /// Exactly what Flux 2.9.5's CRDs serve (`crds/` of the rig): source
    /// `v1` (with ExternalArtifact), kustomize `v1`, helm `v2`, labelled v2.9.5.
    Current,
}

impl FluxApis {
    fn crds(self) -> &'static [CrdSpec] {
        match self {
            FluxApis::Legacy => LEGACY_CRDS,
            FluxApis::Current => CURRENT_CRDS,
        }
    }

    fn version(self) -> &'static str {
        match self {
            FluxApis::Legacy => "v2.6.0",
            FluxApis::Current => "v2.9.5",
        }
    }

    /// The controller image tag, as `flux install` of that version pins it.
    fn image(self, controller: &str) -> String {
        let tag = match (self, controller) {
            (FluxApis::Legacy, _) => "v2.6.0",
            (FluxApis::Current, "helm-controller") => "v1.6.4",
            (FluxApis::Current, "notification-controller") => "v1.9.4",
            (FluxApis::Current, _) => "v1.9.5",
        };
        format!("ghcr.io/fluxcd/{controller}:{tag}")
    }
}

/// (plural, kind, group, versions (storage first), short names)
type CrdSpec = (
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
    &'static [&'static str],
);

const LEGACY_CRDS: &[CrdSpec] = &[
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

const CURRENT_CRDS: &[CrdSpec] = &[
    (
        "gitrepositories",
        "GitRepository",
        SOURCE,
        &["v1"],
        &["gitrepo"],
    ),
    (
        "helmrepositories",
        "HelmRepository",
        SOURCE,
        &["v1"],
        &["helmrepo"],
    ),
    (
        "ocirepositories",
        "OCIRepository",
        SOURCE,
        &["v1"],
        &["ocirepo"],
    ),
    ("helmcharts", "HelmChart", SOURCE, &["v1"], &["hc"]),
    ("buckets", "Bucket", SOURCE, &["v1"], &[]),
    (
        "externalartifacts",
        "ExternalArtifact",
        SOURCE,
        &["v1"],
        &["ea"],
    ),
    (
        "kustomizations",
        "Kustomization",
        "kustomize.toolkit.fluxcd.io",
        &["v1"],
        &["ks"],
    ),
    (
        "helmreleases",
        "HelmRelease",
        "helm.toolkit.fluxcd.io",
        &["v2"],
        &["hr"],
    ),
];

const SOURCE: &str = "source.toolkit.fluxcd.io";

const CONTROLLERS: &[&str] = &[
    "source-controller",
    "kustomize-controller",
    "helm-controller",
    "notification-controller",
];

fn labels(apis: FluxApis, component: Option<&str>) -> Value {
    let mut l = json!({"app.kubernetes.io/instance": "flux-system", "app.kubernetes.io/part-of": "flux",
                       "app.kubernetes.io/version": apis.version()});
    if let Some(c) = component {
        l["app.kubernetes.io/component"] = json!(c);
    }
    l
}

fn crd(apis: FluxApis, (plural, kind, group, versions, short): &CrdSpec) -> Value {
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
        "metadata": {"name": format!("{plural}.{group}"), "labels": labels(apis, None)},
        "spec": {"group": group, "scope": "Namespaced",
                 "names": {"plural": plural, "singular": kind.to_lowercase(), "kind": kind,
                           "listKind": format!("{kind}List"), "shortNames": short, "categories": ["flux"]},
                 "versions": versions}
    })
}

fn deployment(apis: FluxApis, name: &str) -> Value {
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name, "namespace": "flux-system", "labels": labels(apis, Some(name))},
        "spec": {"replicas": 1, "selector": {"matchLabels": {"app": name}},
                 "template": {"metadata": {"labels": {"app": name}},
                              "spec": {"serviceAccountName": name,
                                       "containers": [{"name": "manager",
                                                       "image": apis.image(name),
                                                       "args": ["--watch-all-namespaces=true", "--log-level=info"]}]}}}
    })
}

/// Every object of the components manifest, in apply order (CRDs first).
pub fn objects(apis: FluxApis) -> Vec<Value> {
    let mut out: Vec<Value> = apis.crds().iter().map(|c| crd(apis, c)).collect();
    out.push(json!({"apiVersion": "v1", "kind": "Namespace",
                    "metadata": {"name": "flux-system", "labels": labels(apis, None)}}));
    for c in CONTROLLERS {
        out.push(json!({"apiVersion": "v1", "kind": "ServiceAccount",
                        "metadata": {"name": c, "namespace": "flux-system", "labels": labels(apis, Some(c))}}));
    }
    out.extend(CONTROLLERS.iter().map(|c| deployment(apis, c)));
    out
}

/// The same objects as multi-document YAML.
pub fn manifest(apis: FluxApis) -> String {
    let mut s = String::from("# Flux components (eks-workshop test stand-in)\n");
    for o in objects(apis) {
        s.push_str("---\n");
        s.push_str(&serde_yaml::to_string(&o).expect("serializable"));
    }
    s
}

/// The controller Deployment names.
pub fn controllers() -> &'static [&'static str] {
    CONTROLLERS
}
