//! Reading Flux's objects from the cluster once (for `check` and `verify`)
//! and asking Flux to reconcile now.

use std::time::SystemTime;

use ::kube::api::{Api, DynamicObject, ListParams};

use crate::kube::loose::Loose;
use serde_json::Value;

use super::depends::Release;
use super::synced::{Fresh, Goal, Observed, REQUESTED_AT, from_our_source, text, unix};
use crate::error::Result;
use crate::flux::{self, Types};
use crate::kube::Cluster;

/// Where Kustomizations are listed: every namespace, or only flux-system
/// when the identity may not list cluster-wide.
pub(crate) async fn kustomization_scope(
    cluster: &Cluster,
    types: &Types,
) -> Result<Option<&'static str>> {
    let api: Api<DynamicObject> = Api::all_with(cluster.client.clone(), &types.kustomization);
    let params = ListParams::default().limit(1);
    match crate::kube::retry::idempotent(|| api.list_metadata(&params)).await {
        Ok(_) => Ok(None),
        Err(::kube::Error::Api(s)) if s.code == 403 => Ok(Some(flux::NAMESPACE)),
        Err(e) => Err(cluster.error("list Kustomizations", e)),
    }
}

async fn list(
    cluster: &Cluster,
    ar: &::kube::api::ApiResource,
    ns: Option<&str>,
) -> Result<Vec<Value>> {
    let what = format!("list {}", ar.plural);
    let api: Api<Loose> = cluster.api(ar, ns);
    let params = ListParams::default();
    let items = crate::kube::retry::idempotent(|| api.list(&params))
        .await
        .map_err(|e| cluster.error(&what, e))?;
    Ok(items.items.into_iter().map(|o| o.value).collect())
}

/// Every object of `ar` in flux-system (when listing cluster-wide is not allowed).
pub(crate) async fn observe_namespace(
    cluster: &Cluster,
    ar: &::kube::api::ApiResource,
) -> Result<Vec<Value>> {
    let mut items = list(cluster, ar, Some(flux::NAMESPACE)).await?;
    for item in &mut items {
        item["apiVersion"] = Value::from(ar.api_version.clone());
        item["kind"] = Value::from(ar.kind.clone());
    }
    Ok(items)
}

/// Read the objects once.
pub(crate) async fn observe(
    cluster: &Cluster,
    types: &Types,
    releases: &[Release<'_>],
) -> Result<Observed> {
    let git_repository = crate::kube::get(
        cluster,
        &types.git_repository,
        Some(flux::NAMESPACE),
        flux::NAME,
    )
    .await?;
    // Every namespace, or only flux-system when the identity may not list
    // cluster-wide (the list's refusal says so: no request to ask first).
    let kustomizations = match list(cluster, &types.kustomization, None).await {
        Err(crate::error::Error::Forbidden { .. }) => {
            list(cluster, &types.kustomization, Some(flux::NAMESPACE)).await?
        }
        other => other?,
    };
    let mut helm_releases = Vec::new();
    let mut namespaces: Vec<&str> = releases.iter().map(|r| r.namespace).collect();
    namespaces.sort_unstable();
    namespaces.dedup();
    for ns in namespaces {
        helm_releases.extend(list(cluster, &types.helm_release, Some(ns)).await?);
    }
    Ok(Observed {
        git_repository,
        kustomizations,
        helm_releases,
    })
}

/// Ask Flux to fetch now: annotate our GitRepository; the Kustomizations
/// that sync from it are asked as the chain of dependencies gets there (see
/// [`super::chain`]). Notes which of them are behind `goal`, and returns the
/// annotation's value.
pub(crate) async fn request_reconcile(
    cluster: &Cluster,
    types: &Types,
    goal: &Goal,
) -> Result<Fresh> {
    let scope = kustomization_scope(cluster, types).await?;
    let behind = list(cluster, &types.kustomization, scope)
        .await?
        .iter()
        .filter(|k| from_our_source(k) && !goal.matches(text(k, "/status/lastAppliedRevision")))
        .map(|k| {
            let at = |p: &str| text(k, p).to_string();
            (at("/metadata/namespace"), at("/metadata/name"))
        })
        .collect();
    let now = SystemTime::now();
    let token = humantime::format_rfc3339_nanos(now).to_string();
    let (ns, name) = (flux::NAMESPACE, flux::NAME);
    match annotate(cluster, &types.git_repository, ns, name, &token).await {
        Ok(()) => {}
        // Not there yet: the wait says so.
        Err(::kube::Error::Api(s)) if s.code == 404 => {}
        Err(e) => {
            return Err(cluster.error(
                &format!("request a reconcile of GitRepository {ns}/{name}"),
                e,
            ));
        }
    }
    Ok(Fresh {
        token: Some(token),
        since: Some(unix(now)),
        behind,
        ..Fresh::default()
    })
}

/// Ask one object (a Kustomization or a HelmRelease) to reconcile now.
/// Returns the annotation's value; `None` when the object is gone (pruned
/// since it was seen: nothing to ask).
pub(crate) async fn nudge(
    cluster: &Cluster,
    ar: &::kube::api::ApiResource,
    ns: &str,
    name: &str,
) -> Result<Option<String>> {
    let token = humantime::format_rfc3339_nanos(SystemTime::now()).to_string();
    match annotate(cluster, ar, ns, name, &token).await {
        Ok(()) => Ok(Some(token)),
        Err(::kube::Error::Api(s)) if s.code == 404 => Ok(None),
        Err(e) => Err(cluster.error(
            &format!("request a reconcile of {} {ns}/{name}", ar.kind),
            e,
        )),
    }
}

/// Set `reconcile.fluxcd.io/requestedAt: token` on one object (a merge
/// patch, as field manager eks-workshop). The same value every try:
/// repeating it is harmless, so it is retried like a read.
async fn annotate(
    cluster: &Cluster,
    ar: &::kube::api::ApiResource,
    ns: &str,
    name: &str,
    token: &str,
) -> std::result::Result<(), ::kube::Error> {
    let patch = serde_json::json!({"metadata": {"annotations": {REQUESTED_AT: token}}});
    let params = ::kube::api::PatchParams {
        field_manager: Some(crate::kube::FIELD_MANAGER.into()),
        ..Default::default()
    };
    let api: Api<DynamicObject> = cluster.api(ar, Some(ns));
    let merge = ::kube::api::Patch::Merge(&patch);
    crate::kube::retry::idempotent(|| api.patch(name, &params, &merge))
        .await
        .map(|_| ())
}

/// Events about Flux's objects in flux-system since `since` (Unix seconds),
/// oldest first; none when the identity may not list events.
pub(crate) async fn events_since(cluster: &Cluster, since: u64) -> Result<Vec<Value>> {
    use k8s_openapi::api::core::v1::Event;
    let api: Api<Event> = Api::namespaced(cluster.client.clone(), flux::NAMESPACE);
    let params = ListParams::default();
    let list = match crate::kube::retry::idempotent(|| api.list(&params)).await {
        Ok(list) => list,
        // Not allowed, or not served (our stand-in API server): no events.
        Err(::kube::Error::Api(s)) if s.code == 403 || s.code == 404 => return Ok(Vec::new()),
        Err(e) => return Err(cluster.error("list events", e)),
    };
    let at = |e: &Event| {
        e.last_timestamp
            .as_ref()
            .map(|t| t.0.as_second())
            .or_else(|| e.event_time.as_ref().map(|t| t.0.as_second()))
            .unwrap_or(0)
    };
    let mut events: Vec<&Event> = list
        .items
        .iter()
        .filter(|e| at(e) >= since as i64)
        .collect();
    events.sort_by_key(|e| at(e));
    Ok(events
        .into_iter()
        .filter_map(|e| serde_json::to_value(e).ok())
        .collect())
}
