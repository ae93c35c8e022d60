//! Flux's objects as the cluster reports them, for `doctor --bundle`: each
//! one's generation, revision and status conditions (never its spec, which
//! for the Secret-backed sources names a credential's Secret, and never a
//! Secret itself).

use ::kube::api::ListParams;
use serde_json::{Value, json};

use crate::error::Result;
use crate::flux::Types;
use crate::kube::Cluster;
use crate::kube::loose::Loose;

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
        let list = crate::kube::retry::idempotent(|| api.list(&params))
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

/// A HelmRelease as the cluster has it: the chart and version asked for, and
/// the chart version helm-controller last installed or upgraded to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LiveRelease {
    pub(crate) namespace: String,
    pub(crate) name: String,
    pub(crate) chart: String,
    pub(crate) version: String,
    /// `status.history[0].chartVersion` (helm.toolkit.fluxcd.io/v2), else
    /// `status.lastAppliedRevision` (v2beta1 kept the chart version there).
    pub(crate) running: Option<String>,
    /// The Ready condition's status and message.
    pub(crate) ready: Option<(String, String)>,
}

/// Every HelmRelease Flux has (in every namespace, or flux-system when
/// listing cluster-wide is not allowed).
pub(crate) async fn helm_releases(cluster: &Cluster, types: &Types) -> Result<Vec<LiveRelease>> {
    let scope = super::observe::kustomization_scope(cluster, types).await?;
    let ar = &types.helm_release;
    let api: ::kube::Api<Loose> = cluster.api(ar, scope);
    let params = ListParams::default();
    let list = crate::kube::retry::idempotent(|| api.list(&params))
        .await
        .map_err(|e| cluster.error(&format!("list {}", ar.plural), e))?;
    Ok(list.items.iter().map(|i| live_release(&i.value)).collect())
}

fn live_release(v: &Value) -> LiveRelease {
    let text = |p: &str| v.pointer(p).and_then(Value::as_str).map(str::to_string);
    let ready = v
        .pointer("/status/conditions")
        .and_then(Value::as_array)
        .and_then(|c| c.iter().find(|c| c["type"] == "Ready"))
        .map(|c| {
            let s = |k: &str| c[k].as_str().unwrap_or_default().to_string();
            (s("status"), s("message"))
        });
    LiveRelease {
        namespace: text("/metadata/namespace").unwrap_or_default(),
        name: text("/metadata/name").unwrap_or_default(),
        chart: text("/spec/chart/spec/chart").unwrap_or_default(),
        version: text("/spec/chart/spec/version").unwrap_or_default(),
        running: text("/status/history/0/chartVersion")
            .or_else(|| text("/status/lastAppliedRevision")),
        ready,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_running_version_is_the_latest_history_entry_else_the_v2beta1_field() {
        let v2 = json!({
            "metadata": {"namespace": "flux-system", "name": "karpenter"},
            "spec": {"chart": {"spec": {"chart": "karpenter", "version": "1.5.0"}}},
            "status": {
                "history": [{"chartVersion": "1.5.0"}, {"chartVersion": "0.27.3"}],
                "conditions": [{"type": "Ready", "status": "True", "message": "Helm upgrade succeeded"}]
            }
        });
        let r = live_release(&v2);
        assert_eq!(r.running.as_deref(), Some("1.5.0"));
        assert_eq!(
            r.ready,
            Some(("True".into(), "Helm upgrade succeeded".into()))
        );
        let old = json!({"spec": {"chart": {"spec": {"chart": "x"}}}, "status": {"lastAppliedRevision": "0.1.0"}});
        assert_eq!(live_release(&old).running.as_deref(), Some("0.1.0"));
        let never = json!({"spec": {"chart": {"spec": {"chart": "x"}}}});
        assert_eq!(live_release(&never).running, None);
        assert_eq!(live_release(&never).ready, None);
    }
}
