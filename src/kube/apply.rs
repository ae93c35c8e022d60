//! Server-side apply of single objects and of a multi-document manifest
//! (the Flux components), and waiting for CRDs to be Established.

use std::collections::BTreeSet;

use ::kube::api::{Api, ApiResource, DynamicObject, Patch, PatchParams};
use ::kube::discovery::{Discovery, Scope};
use ::kube::runtime::{WatchStreamExt, watcher};
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use serde_json::Value;

use super::wait::{Limits, Next, watch_failure};
use super::{Cluster, FIELD_MANAGER};
use crate::backoff::WatchPace;
use crate::error::{Error, Result};

/// "Kind ns/name" for messages.
pub(crate) fn label(kind: &str, namespace: Option<&str>, name: &str) -> String {
    match namespace {
        Some(ns) => format!("{kind} {ns}/{name}"),
        None => format!("{kind} {name}"),
    }
}

/// The object as JSON, or `None` when it does not exist.
pub(crate) async fn get(
    cluster: &Cluster,
    ar: &ApiResource,
    namespace: Option<&str>,
    name: &str,
) -> Result<Option<Value>> {
    let api: Api<super::loose::Loose> = cluster.api(ar, namespace);
    match super::retry::idempotent(|| api.get_opt(name)).await {
        Ok(found) => Ok(found.map(|o| o.value)),
        Err(e) => Err(cluster.error(&format!("read {}", label(&ar.kind, namespace, name)), e)),
    }
}

/// Server-side apply `obj` as field manager `eks-workshop`, taking over
/// conflicting fields (the workshop owns these objects).
pub(crate) async fn apply(cluster: &Cluster, ar: &ApiResource, obj: &Value) -> Result<Value> {
    let namespace = obj.pointer("/metadata/namespace").and_then(Value::as_str);
    let name = obj
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let params = PatchParams::apply(FIELD_MANAGER).force();
    let api: Api<DynamicObject> = cluster.api(ar, namespace);
    let patch = Patch::Apply(obj);
    // Server-side apply is idempotent: a retry after a lost answer is safe.
    match super::retry::idempotent(|| api.patch(name, &params, &patch)).await {
        Ok(o) => Ok(serde_json::to_value(o).unwrap_or_default()),
        Err(e) => Err(cluster.error(&format!("apply {}", label(&ar.kind, namespace, name)), e)),
    }
}

fn parse_manifest(text: &str) -> std::result::Result<Vec<Value>, String> {
    use serde::Deserialize;
    let mut docs = Vec::new();
    for doc in serde_yaml::Deserializer::from_str(text) {
        let v = Value::deserialize(doc).map_err(|e| e.to_string())?;
        if v.is_null() {
            continue;
        }
        if v.get("kind").and_then(Value::as_str) == Some("List") {
            docs.extend(
                v.get("items")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default(),
            );
        } else {
            docs.push(v);
        }
    }
    Ok(docs)
}

/// Apply a multi-document manifest: CRDs first (then wait until they are
/// Established), Namespaces next, then the rest, each at the version the
/// manifest names, resolved through discovery. Returns how many objects.
pub(crate) async fn apply_manifest(
    cluster: &Cluster,
    source: &str,
    text: &str,
    limits: &Limits,
) -> Result<usize> {
    let docs = parse_manifest(text).map_err(|e| {
        Error::usage(
            format!("{source} is not a Kubernetes manifest: {e}"),
            "give --flux-manifests the output of `flux install --export`",
        )
    })?;
    let is = |d: &Value, kind: &str| d.get("kind").and_then(Value::as_str) == Some(kind);
    let (crds, rest): (Vec<_>, Vec<_>) = docs
        .into_iter()
        .partition(|d| is(d, "CustomResourceDefinition"));
    let crd_api: Api<CustomResourceDefinition> = Api::all(cluster.client.clone());
    let params = PatchParams::apply(FIELD_MANAGER).force();
    let mut names = Vec::new();
    for crd in &crds {
        let name = crd
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or_default();
        limits.check_interrupt()?;
        let patch = Patch::Apply(crd);
        super::retry::idempotent(|| crd_api.patch(name, &params, &patch))
            .await
            .map_err(|e| cluster.error(&format!("apply CustomResourceDefinition {name}"), e))?;
        names.push(name.to_string());
    }
    wait_crds_established(cluster, &names, limits).await?;
    cluster.forget_resources();
    let (namespaces, others): (Vec<_>, Vec<_>) = rest.into_iter().partition(|d| is(d, "Namespace"));
    let discovery = cluster.discovery().await?;
    let count = crds.len() + namespaces.len() + others.len();
    for doc in namespaces.iter().chain(&others) {
        limits.check_interrupt()?;
        apply_doc(cluster, &discovery, doc).await?;
    }
    Ok(count)
}

async fn apply_doc(cluster: &Cluster, discovery: &Discovery, doc: &Value) -> Result<()> {
    let text = |p: &str| doc.pointer(p).and_then(Value::as_str).unwrap_or_default();
    let (api_version, kind, name) = (text("/apiVersion"), text("/kind"), text("/metadata/name"));
    let (group, version) = api_version.rsplit_once('/').unwrap_or(("", api_version));
    let gvk = ::kube::api::GroupVersionKind::gvk(group, version, kind);
    let Some((ar, caps)) = discovery.resolve_gvk(&gvk) else {
        return Err(Error::Kube {
            context: cluster.context.clone(),
            message: format!("the cluster does not serve {api_version} {kind} (for {name})"),
            help: "the manifest may be for another Kubernetes version; use a Flux release that supports this cluster".into(),
        });
    };
    let mut doc = doc.clone();
    if caps.scope == Scope::Namespaced && doc.pointer("/metadata/namespace").is_none() {
        doc["metadata"]["namespace"] = Value::from("default");
    }
    apply(cluster, &ar, &doc).await.map(drop)
}

/// Watch CRDs until every one in `names` is Established.
pub(crate) async fn wait_crds_established(
    cluster: &Cluster,
    names: &[String],
    limits: &Limits,
) -> Result<()> {
    if names.is_empty() {
        return Ok(());
    }
    let api: Api<CustomResourceDefinition> = Api::all(cluster.client.clone());
    let mut stream = Box::pin(watcher(api, watcher::Config::default()).backoff(WatchPace::new()));
    let mut done: BTreeSet<String> = BTreeSet::new();
    let wanted: BTreeSet<String> = names.iter().cloned().collect();
    let mut note = String::from("no answer from the API server yet");
    loop {
        let crd = match limits.next(&mut stream).await? {
            Next::Item(Ok(watcher::Event::Apply(c) | watcher::Event::InitApply(c))) => c,
            Next::Item(Ok(_)) => continue,
            Next::Item(Err(e)) => {
                note = watch_failure(cluster, "watch CustomResourceDefinitions", e)?;
                continue;
            }
            Next::End => continue,
            Next::TimedOut => {
                let missing: Vec<_> = wanted.difference(&done).cloned().collect();
                return Err(Error::Timeout {
                    what: "the Flux CRDs to be Established".into(),
                    detail: format!("not Established: {} ({note})", missing.join(", ")),
                    after: limits.timeout,
                });
            }
        };
        let name = crd.metadata.name.clone().unwrap_or_default();
        if established(&crd) {
            done.insert(name);
        } else if wanted.contains(&name) {
            note = format!("{name} is not Established yet");
        }
        if wanted.is_subset(&done) {
            return Ok(());
        }
    }
}

/// Whether a CRD's `Established` condition is true: its kind is served.
pub(crate) fn established(crd: &CustomResourceDefinition) -> bool {
    crd.status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .is_some_and(|cs| {
            cs.iter()
                .any(|c| c.type_ == "Established" && c.status == "True")
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifests_split_into_documents_and_lists() {
        let text = "---\napiVersion: v1\nkind: Namespace\nmetadata: {name: flux-system}\n---\n\
                    # only a comment\n---\napiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: ServiceAccount, metadata: {name: a}}\n";
        let docs = parse_manifest(text).unwrap();
        let kinds: Vec<_> = docs.iter().map(|d| d["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["Namespace", "ServiceAccount"]);
        assert!(parse_manifest("a: [").is_err());
    }
}
