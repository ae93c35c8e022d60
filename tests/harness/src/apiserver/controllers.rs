//! Stand-ins for kube-controller-manager: what makes a Deployment "Available".

use super::store::{EventType, Store};
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use tokio::runtime::Handle;
use tokio::sync::broadcast::error::RecvError;

/// Marks every Deployment Available (all replicas ready) once per generation, while
/// `enabled` is set. Tests turn it off to model controllers that never come up.
pub fn spawn_deployment_controller(handle: &Handle, store: Store, enabled: Arc<AtomicBool>) {
    let mut rx = store.subscribe();
    let store = store.with_manager("kube-controller-manager");
    handle.spawn(async move {
        loop {
            match rx.recv().await {
                Ok(e)
                    if e.group == "apps"
                        && e.resource == "deployments"
                        && e.event_type != EventType::Deleted =>
                {
                    if enabled.load(Ordering::SeqCst) {
                        mark_available(&store, &e.object);
                    }
                }
                Ok(_) | Err(RecvError::Lagged(_)) => {}
                Err(RecvError::Closed) => return,
            }
        }
    });
}

/// Sets the status a healthy rollout ends with, unless it is already there.
pub fn mark_available(store: &Store, d: &Value) {
    let generation = d
        .pointer("/metadata/generation")
        .and_then(Value::as_i64)
        .unwrap_or(1);
    if d.pointer("/status/observedGeneration")
        .and_then(Value::as_i64)
        == Some(generation)
    {
        return;
    }
    let name = d
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let ns = d.pointer("/metadata/namespace").and_then(Value::as_str);
    let replicas = d
        .pointer("/spec/replicas")
        .and_then(Value::as_i64)
        .unwrap_or(1);
    let now = super::util::now_rfc3339();
    let status = json!({
        "observedGeneration": generation, "replicas": replicas, "updatedReplicas": replicas,
        "readyReplicas": replicas, "availableReplicas": replicas,
        "conditions": [
            {"type": "Available", "status": "True", "reason": "MinimumReplicasAvailable",
             "message": "Deployment has minimum availability.", "lastUpdateTime": now, "lastTransitionTime": now},
            {"type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable",
             "message": format!("ReplicaSet \"{name}-7d4b9c8f6\" has successfully progressed."),
             "lastUpdateTime": now, "lastTransitionTime": now}
        ]
    });
    let _ = store.patch_status("apps/v1", "Deployment", ns, name, status);
}
