//! Flux's domain: what Flux is on a cluster and what it is doing there. This
//! file: the Flux release eks-workshop pins, Flux's kinds, whether Flux is
//! installed, and the four objects that make it sync the fork (Namespace,
//! Secret, GitRepository, Kustomization). The modules: reading Flux's objects
//! ([`observe`], [`reported`]), judging them against the pushed commit
//! ([`synced`], [`depends`]) and watching until they get there ([`follow`]),
//! asking each object to reconcile as its dependencies get there ([`chain`]),
//! Flux's install manifest ([`release`]), Helm's release storage
//! ([`helm_secrets`]), and `verify`'s report on the cluster
//! ([`cluster_report`]). Everything goes through the client in
//! [`crate::kube`].

pub(crate) mod chain;
pub(crate) mod cluster_report;
pub(crate) mod depends;
pub(crate) mod follow;
pub(crate) mod helm_secrets;
pub(crate) mod observe;
pub(crate) mod release;
pub(crate) mod reported;
pub(crate) mod synced;
pub(crate) mod trace;

use std::collections::BTreeMap;

use ::kube::api::{Api, ApiResource};
use k8s_openapi::ByteString;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::Secret as SecretObject;
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use serde_json::{Value, json};

use crate::config::Secret;
use crate::error::Result;
use crate::kube::{self, Cluster};
use crate::templates::FluxSync;

/// The Flux release whose APIs eks-workshop migrates to when the cluster has
/// no Flux yet (its controllers serve one version per CRD).
pub(crate) const FLUX_VERSION: &str = "v2.9.5";

/// Namespace and name of Flux's own objects, as `flux bootstrap` makes them.
pub(crate) const NAMESPACE: &str = "flux-system";
pub(crate) const NAME: &str = "flux-system";
pub(crate) const CRDS: [&str; 3] = [
    "gitrepositories.source.toolkit.fluxcd.io",
    "kustomizations.kustomize.toolkit.fluxcd.io",
    "helmreleases.helm.toolkit.fluxcd.io",
];
pub(crate) const CONTROLLERS: [&str; 3] = [
    "source-controller",
    "kustomize-controller",
    "helm-controller",
];
const SYNC_INTERVAL: &str = "1m0s";
const APPLY_INTERVAL: &str = "10m0s";

/// A Flux kind: where discovery finds it, and how the flux CLI names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Kind {
    pub(crate) group: &'static str,
    pub(crate) kind: &'static str,
    /// Versions we speak, best first; else the cluster's preferred one.
    pub(crate) versions: &'static [&'static str],
    /// `flux resume <this> NAME -n NS`.
    pub(crate) cli: &'static str,
}

pub(crate) const GIT_REPOSITORY: Kind = Kind {
    group: "source.toolkit.fluxcd.io",
    kind: "GitRepository",
    versions: &["v1", "v1beta2"],
    cli: "source git",
};
pub(crate) const KUSTOMIZATION: Kind = Kind {
    group: "kustomize.toolkit.fluxcd.io",
    kind: "Kustomization",
    versions: &["v1", "v1beta2"],
    cli: "kustomization",
};
pub(crate) const HELM_RELEASE: Kind = Kind {
    group: "helm.toolkit.fluxcd.io",
    kind: "HelmRelease",
    versions: &["v2", "v2beta2", "v2beta1"],
    cli: "helmrelease",
};

/// The Flux resources at the versions this cluster serves.
#[derive(Clone, Debug)]
pub(crate) struct Types {
    pub(crate) git_repository: ApiResource,
    pub(crate) kustomization: ApiResource,
    pub(crate) helm_release: ApiResource,
}

/// The Flux types, or `None` while any is not served.
pub(crate) async fn types(cluster: &Cluster) -> Result<Option<Types>> {
    let kinds = [GIT_REPOSITORY, KUSTOMIZATION, HELM_RELEASE];
    let wanted: Vec<_> = kinds
        .iter()
        .map(|k| (k.group, k.kind, k.versions))
        .collect();
    let found = cluster.resources(&wanted).await?;
    let [
        Some(git_repository),
        Some(kustomization),
        Some(helm_release),
    ] = <[_; 3]>::try_from(found)
        .unwrap_or_else(|_| unreachable!("three kinds asked, three answers"))
    else {
        return Ok(None);
    };
    Ok(Some(Types {
        git_repository,
        kustomization,
        helm_release,
    }))
}

/// What Flux lacks on this cluster: CRDs (missing or not Established) and
/// controller Deployments. Empty when Flux is installed. A served kind is
/// an Established CRD (discovery, shared with every other lookup); only a
/// kind not served is looked up as a CRD, to say which.
pub(crate) async fn missing(cluster: &Cluster) -> Result<Vec<String>> {
    let kinds = [GIT_REPOSITORY, KUSTOMIZATION, HELM_RELEASE];
    let wanted: Vec<_> = kinds
        .iter()
        .map(|k| (k.group, k.kind, k.versions))
        .collect();
    let served = cluster.resources(&wanted).await?;
    let crds: Api<CustomResourceDefinition> = Api::all(cluster.client.clone());
    let mut missing = Vec::new();
    for (name, served) in CRDS.iter().zip(&served) {
        if served.is_some() {
            continue;
        }
        let found = kube::retry::idempotent(|| crds.get_opt(name))
            .await
            .map_err(|e| cluster.error(&format!("read CRD {name}"), e))?;
        match found {
            None => missing.push(format!("CRD {name}")),
            Some(crd) if !kube::established(&crd) => {
                missing.push(format!("CRD {name} (not Established)"))
            }
            // Established since discovery ran.
            Some(_) => {}
        }
    }
    let running = controllers(cluster).await?;
    for name in CONTROLLERS {
        if !running
            .iter()
            .any(|d| d.metadata.name.as_deref() == Some(name))
        {
            missing.push(format!("Deployment {NAMESPACE}/{name}"));
        }
    }
    Ok(missing)
}

/// Flux's controller Deployments in its namespace: one list.
async fn controllers(cluster: &Cluster) -> Result<Vec<Deployment>> {
    let deployments: Api<Deployment> = Api::namespaced(cluster.client.clone(), NAMESPACE);
    let params = ::kube::api::ListParams::default();
    let list = kube::retry::idempotent(|| deployments.list(&params))
        .await
        .map_err(|e| cluster.error(&format!("list Deployments in {NAMESPACE}"), e))?;
    Ok(list
        .items
        .into_iter()
        .filter(|d| CONTROLLERS.contains(&d.metadata.name.as_deref().unwrap_or_default()))
        .collect())
}

/// The Flux release running, by the `app.kubernetes.io/version` label that
/// `flux install` puts on its controllers (the oldest when they differ, as a
/// half-finished upgrade leaves them); `None` when none is labelled.
pub(crate) async fn installed_version(cluster: &Cluster) -> Result<Option<String>> {
    let mut found: Vec<(crate::readiness::charts::ChartVersion, String)> = Vec::new();
    for d in controllers(cluster).await? {
        let label = d
            .metadata
            .labels
            .and_then(|l| l.get("app.kubernetes.io/version").cloned());
        if let Some(label) = label
            && let Some(v) = crate::readiness::charts::ChartVersion::parse(&label)
        {
            found.push((v, label));
        }
    }
    Ok(found.into_iter().min().map(|(_, label)| label))
}

/// What Flux should sync: the fork's URL and branch, with HTTPS credentials.
pub(crate) struct Sync<'a> {
    pub(crate) url: &'a str,
    pub(crate) branch: &'a str,
    pub(crate) login: &'a str,
    pub(crate) token: &'a Secret,
    /// `./gitops/clusters/cluster-demo`
    pub(crate) path: String,
}

impl Sync<'_> {
    pub(crate) fn namespace(&self) -> Value {
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NAMESPACE}})
    }

    /// The Secret with `username`/`password` for HTTPS (the token: the only
    /// place it is ever written).
    pub(crate) fn secret(&self) -> Value {
        let data = BTreeMap::from([
            (
                "username".to_string(),
                ByteString(self.login.as_bytes().to_vec()),
            ),
            (
                "password".to_string(),
                ByteString(self.token.expose().as_bytes().to_vec()),
            ),
        ]);
        let secret = SecretObject {
            data: Some(data),
            ..Default::default()
        };
        let mut v = serde_json::to_value(secret).unwrap_or_default();
        v["apiVersion"] = json!("v1");
        v["kind"] = json!("Secret");
        v["metadata"] = json!({"name": NAME, "namespace": NAMESPACE});
        v
    }

    pub(crate) fn git_repository(&self, ar: &ApiResource) -> Value {
        self.objects(ar, ar).0
    }

    pub(crate) fn kustomization(&self, ar: &ApiResource) -> Value {
        self.objects(ar, ar).1
    }

    /// The GitRepository (API of `git`) and the Kustomization (API of `ks`),
    /// from the embedded template.
    fn objects(&self, git: &ApiResource, ks: &ApiResource) -> (Value, Value) {
        crate::templates::flux_sync(&FluxSync {
            name: NAME,
            namespace: NAMESPACE,
            git_repository_api_version: &git.api_version,
            git_repository_kind: GIT_REPOSITORY.kind,
            kustomization_api_version: &ks.api_version,
            kustomization_kind: KUSTOMIZATION.kind,
            url: self.url,
            branch: self.branch,
            path: &self.path,
            sync_interval: SYNC_INTERVAL,
            apply_interval: APPLY_INTERVAL,
        })
    }
}

/// `main@sha1:<sha>` with the sha shortened.
pub(crate) fn short_revision(rev: &str) -> String {
    match rev.split_once("@sha1:") {
        Some((branch, sha)) => format!("{branch}@sha1:{}", crate::git::short(sha)),
        None => rev.to_string(),
    }
}

/// `./a/b/`, `a/b` and `./a/b` are the same Kustomization path.
pub(crate) fn same_path(a: &str, b: &str) -> bool {
    let norm = |p: &str| p.trim_start_matches("./").trim_matches('/').to_string();
    norm(a) == norm(b)
}

fn same_interval(a: &str, b: &str) -> bool {
    match (humantime::parse_duration(a), humantime::parse_duration(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}

/// The fields of `desired` (spec and data only: what we own) whose live value
/// differs, as dotted paths. Never the values: the Secret's are the token.
pub(crate) fn differences(live: Option<&Value>, desired: &Value) -> Vec<String> {
    let Some(live) = live else {
        return vec!["(missing)".into()];
    };
    let mut out = Vec::new();
    for top in ["spec", "data"] {
        if let Some(want) = desired.get(top) {
            diff(top, live.get(top), want, &mut out);
        }
    }
    out
}

/// The field managers other than ours that own `field` (a dotted path from
/// [`differences`]) of `live`: those a forced apply takes it from. Status
/// writers (a subresource) never own what we apply.
pub(crate) fn owners_of(live: &Value, field: &str) -> Vec<String> {
    let entries = live
        .pointer("/metadata/managedFields")
        .and_then(Value::as_array);
    let mut out: Vec<String> = Vec::new();
    for entry in entries.into_iter().flatten() {
        let manager = entry["manager"].as_str().unwrap_or_default();
        if manager == kube::FIELD_MANAGER || entry.get("subresource").is_some() {
            continue;
        }
        let mut at = &entry["fieldsV1"];
        let owned = field.split('.').all(|key| {
            at = &at[format!("f:{key}")];
            at.is_object()
        });
        if owned && !out.iter().any(|m| m == manager) {
            out.push(manager.to_string());
        }
    }
    out
}

/// The Helm release (`namespace/name`) whose labels and annotations `live`
/// carries: terraform's `flux2-sync` chart makes the sync objects so.
pub(crate) fn helm_release(live: &Value) -> Option<String> {
    let text = |p: &str| live.pointer(p).and_then(Value::as_str);
    if text("/metadata/labels/app.kubernetes.io~1managed-by") != Some("Helm") {
        return None;
    }
    let name = text("/metadata/annotations/meta.helm.sh~1release-name")?;
    let namespace =
        text("/metadata/annotations/meta.helm.sh~1release-namespace").unwrap_or(NAMESPACE);
    Some(format!("{namespace}/{name}"))
}

fn diff(path: &str, live: Option<&Value>, want: &Value, out: &mut Vec<String>) {
    match (want, live) {
        (Value::Object(w), Some(Value::Object(l))) => {
            for (k, v) in w {
                diff(&format!("{path}.{k}"), l.get(k), v, out);
            }
        }
        (Value::String(w), Some(Value::String(l)))
            if path.ends_with(".interval") && same_interval(w, l) => {}
        (Value::String(w), Some(Value::String(l))) if path == "spec.path" && same_path(w, l) => {}
        (w, Some(l)) if w == l => {}
        _ => out.push(path.to_string()),
    }
}

#[cfg(test)]
mod tests;
