//! Flux's objects as the cluster reports them, for `doctor --bundle`: each
//! one's generation, revision and status conditions (never its spec, which
//! for the Secret-backed sources names a credential's Secret, and never a
//! Secret itself).

use ::kube::api::ListParams;
use serde_json::{Value, json};

use super::Cluster;
use super::flux::Types;
use super::loose::Loose;
use crate::error::Result;

/// Every GitRepository, Kustomization and HelmRelease, in every namespace
/// (or flux-system when listing cluster-wide is not allowed).
pub(crate) async fn flux_status(cluster: &Cluster, types: &Types) -> Result<Vec<Value>> {
    let scope = super::observe::kustomization_scope(cluster, types).await?;
    let mut out = Vec::new();
    for ar in [
        &types.git_repository,
        &types.kustomization,
        &types.helm_release,
    ] {
        let api: ::kube::Api<Loose> = cluster.api(ar, scope);
        let params = ListParams::default();
        let list = super::retry::idempotent(|| api.list(&params))
            .await
            .map_err(|e| cluster.error(&format!("list {}", ar.plural), e))?;
        for item in list.items {
            let v = item.value;
            let status = &v["status"];
            out.push(json!({
                "kind": ar.kind,
                "apiVersion": ar.api_version,
                "namespace": v.pointer("/metadata/namespace"),
                "name": v.pointer("/metadata/name"),
                "generation": v.pointer("/metadata/generation"),
                "suspended": v.pointer("/spec/suspend"),
                "observedGeneration": status.get("observedGeneration"),
                "revision": status
                    .pointer("/artifact/revision")
                    .or_else(|| status.get("lastAppliedRevision"))
                    .or_else(|| status.get("lastAttemptedRevision")),
                "conditions": status.get("conditions"),
            }));
        }
    }
    Ok(out)
}
