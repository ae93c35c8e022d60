//! Flux's side of a teardown: its objects (every custom resource of a
//! `*.toolkit.fluxcd.io` group), suspended so nothing is re-created while the
//! rest goes, then deleted while its controllers still run — each
//! controller removes its own finalizer from an object being deleted (for a
//! suspended one without pruning what it applied or uninstalling its Helm
//! release); and then its install: controllers, RBAC, CRDs and namespace.
//! Deleting a namespace or a CRD whose objects still carry a finalizer no
//! controller will remove leaves it `Terminating` for good, so the objects
//! go first, and their finalizers are removed by hand only when the
//! controllers did not, which is said.

use ::kube::api::ApiResource;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::Namespace;
use k8s_openapi::api::rbac::v1::{ClusterRole, ClusterRoleBinding};
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use serde_json::json;

use super::{Found, delete, list, merge};
use crate::error::Result;
use crate::kube::Cluster;

const GROUP_SUFFIX: &str = ".toolkit.fluxcd.io";
/// What `flux install` labels every object of Flux's own with.
pub(crate) const PART_OF: &str = "app.kubernetes.io/part-of=flux";
/// The kinds whose suspension stops Flux re-creating what it applied.
const SUSPENDED_KINDS: [&str; 2] = ["Kustomization", "HelmRelease"];

/// Flux's CRDs, and the resource each serves (its storage version).
pub(crate) async fn crds(cluster: &Cluster) -> Result<Vec<(Found, ApiResource)>> {
    let crd = ApiResource::erase::<CustomResourceDefinition>(&());
    let api: ::kube::Api<CustomResourceDefinition> = ::kube::Api::all(cluster.client.clone());
    let params = ::kube::api::ListParams::default();
    let all = crate::kube::retry::idempotent(|| api.list(&params))
        .await
        .map_err(|e| cluster.error("list CustomResourceDefinitions", e))?;
    let mut out = Vec::new();
    for c in all.items {
        let spec = &c.spec;
        if !spec.group.ends_with(GROUP_SUFFIX) {
            continue;
        }
        let Some(version) = spec
            .versions
            .iter()
            .find(|v| v.storage)
            .or(spec.versions.first())
        else {
            continue;
        };
        let resource = ApiResource {
            group: spec.group.clone(),
            version: version.name.clone(),
            api_version: format!("{}/{}", spec.group, version.name),
            kind: spec.names.kind.clone(),
            plural: spec.names.plural.clone(),
        };
        let found = Found {
            resource: crd.clone(),
            namespace: None,
            name: c.metadata.name.clone().unwrap_or_default(),
            finalizers: c.metadata.finalizers.clone().unwrap_or_default(),
            deleting: c.metadata.deletion_timestamp.is_some(),
            suspended: false,
        };
        out.push((found, resource));
    }
    out.sort_by(|a, b| a.0.name.cmp(&b.0.name));
    Ok(out)
}

/// Every object of Flux's kinds, in every namespace.
pub(crate) async fn objects(cluster: &Cluster) -> Result<Vec<Found>> {
    let mut out = Vec::new();
    for (_, resource) in crds(cluster).await? {
        out.extend(list(cluster, &resource, None).await?);
    }
    Ok(out)
}

/// Kustomizations and HelmReleases not suspended yet (nor being deleted).
pub(crate) fn unsuspended(objects: &[Found]) -> Vec<Found> {
    objects
        .iter()
        .filter(|o| SUSPENDED_KINDS.contains(&o.resource.kind.as_str()))
        .filter(|o| !o.suspended && !o.deleting)
        .cloned()
        .collect()
}

/// `spec.suspend: true`, as `flux suspend` sets it.
pub(crate) async fn suspend(cluster: &Cluster, object: &Found) -> Result<()> {
    merge(cluster, object, &json!({"spec": {"suspend": true}})).await
}

/// An object as a wait names it: who holds it, when being deleted.
pub(crate) fn describe(found: &Found) -> String {
    match (found.deleting, found.finalizers.is_empty()) {
        (true, false) => format!(
            "{} (held by {})",
            found.label(),
            found.finalizers.join(", ")
        ),
        _ => found.label(),
    }
}

/// Remove every finalizer of `object`: only once its controller had its
/// chance and did not.
pub(crate) async fn drop_finalizers(cluster: &Cluster, object: &Found) -> Result<()> {
    merge(cluster, object, &json!({"metadata": {"finalizers": null}})).await
}

/// What is left of Flux's install, in the order it is removed: the
/// controllers' Deployments, Flux's ClusterRoleBindings and ClusterRoles,
/// its CRDs, and its namespace.
pub(crate) async fn install(cluster: &Cluster) -> Result<Vec<Found>> {
    let mut out = Vec::new();
    let ns = crate::flux::NAMESPACE;
    let deployments = ApiResource::erase::<Deployment>(&());
    out.extend(
        list(cluster, &deployments, Some(PART_OF))
            .await?
            .into_iter()
            .filter(|d| d.namespace.as_deref() == Some(ns)),
    );
    out.extend(
        list(
            cluster,
            &ApiResource::erase::<ClusterRoleBinding>(&()),
            Some(PART_OF),
        )
        .await?,
    );
    out.extend(
        list(
            cluster,
            &ApiResource::erase::<ClusterRole>(&()),
            Some(PART_OF),
        )
        .await?,
    );
    out.extend(crds(cluster).await?.into_iter().map(|(crd, _)| crd));
    let namespaces = ApiResource::erase::<Namespace>(&());
    out.extend(
        list(cluster, &namespaces, None)
            .await?
            .into_iter()
            .filter(|n| n.name == ns),
    );
    Ok(out)
}

/// Delete each object of the install not already being deleted.
pub(crate) async fn uninstall(cluster: &Cluster, install: &[Found]) -> Result<()> {
    for found in install.iter().filter(|f| !f.deleting) {
        delete(cluster, found).await?;
    }
    Ok(())
}

/// A leftover of the install as a wait names it (a namespace with why it
/// is still terminating, from its conditions).
pub(crate) async fn describe_install(cluster: &Cluster, found: &Found) -> String {
    if found.resource.kind != "Namespace" || !found.deleting {
        return describe(found);
    }
    let api: ::kube::Api<Namespace> = ::kube::Api::all(cluster.client.clone());
    let why = match api.get_opt(&found.name).await {
        Ok(Some(ns)) => ns
            .status
            .and_then(|s| s.conditions)
            .unwrap_or_default()
            .into_iter()
            .filter(|c| c.status == "True")
            .filter_map(|c| c.message)
            .collect::<Vec<_>>()
            .join("; "),
        _ => String::new(),
    };
    match why.is_empty() {
        true => format!("{} (Terminating)", found.label()),
        false => format!(
            "{} (Terminating: {})",
            found.label(),
            crate::outside::one_line(&why)
        ),
    }
}
