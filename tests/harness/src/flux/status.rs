//! Reading Flux objects and writing their status the way the controllers do:
//! kstatus-style conditions (Ready, Reconciling, Stalled, ...) with stable
//! `lastTransitionTime`s, `observedGeneration` and `lastHandledReconcileAt`.

use crate::apiserver::Store;
use serde_json::{Map, Value, json};

pub const SOURCE_API: &str = "source.toolkit.fluxcd.io/v1";
pub const KUSTOMIZE_API: &str = "kustomize.toolkit.fluxcd.io/v1";
pub const HELM_API: &str = "helm.toolkit.fluxcd.io/v2";
pub const REQUESTED_AT: &str = "reconcile.fluxcd.io/requestedAt";

/// A Flux object as read at the start of a reconcile.
#[derive(Clone, Debug)]
pub struct FluxObject {
    pub api_version: &'static str,
    pub kind: &'static str,
    pub namespace: String,
    pub name: String,
    pub generation: i64,
    pub value: Value,
}

impl FluxObject {
    pub fn new(api_version: &'static str, kind: &'static str, value: Value) -> FluxObject {
        let s = |p: &str| {
            value
                .pointer(p)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        FluxObject {
            api_version,
            kind,
            namespace: s("/metadata/namespace"),
            name: s("/metadata/name"),
            generation: value
                .pointer("/metadata/generation")
                .and_then(Value::as_i64)
                .unwrap_or(1),
            value,
        }
    }

    pub fn spec(&self, pointer: &str) -> Option<&Value> {
        self.value.pointer(&format!("/spec{pointer}"))
    }

    pub fn spec_str(&self, pointer: &str) -> Option<&str> {
        self.spec(pointer).and_then(Value::as_str)
    }

    pub fn status(&self, pointer: &str) -> Option<&Value> {
        self.value.pointer(&format!("/status{pointer}"))
    }

    pub fn suspended(&self) -> bool {
        self.spec("/suspend").and_then(Value::as_bool) == Some(true)
    }

    /// The pending `reconcile.fluxcd.io/requestedAt`, if not handled yet.
    pub fn requested_at(&self) -> Option<String> {
        let want = self
            .value
            .pointer("/metadata/annotations")?
            .get(REQUESTED_AT)?
            .as_str()?;
        let handled = self
            .status("/lastHandledReconcileAt")
            .and_then(Value::as_str);
        (handled != Some(want)).then(|| want.to_string())
    }

    /// Whether the status already reflects the current generation.
    pub fn observed(&self) -> bool {
        self.status("/observedGeneration").and_then(Value::as_i64) == Some(self.generation)
    }

    pub fn condition(&self, ty: &str) -> Option<&Value> {
        self.status("/conditions")?
            .as_array()?
            .iter()
            .find(|c| c["type"] == ty)
    }

    /// Ready=True for the current generation.
    pub fn is_ready(&self) -> bool {
        self.observed()
            && self
                .condition("Ready")
                .is_some_and(|c| c["status"] == "True")
    }

    pub fn key(&self) -> String {
        format!("{}/{}/{}", self.kind, self.namespace, self.name)
    }
}

/// A condition; `lastTransitionTime` is kept when the status did not flip.
pub fn condition(o: &FluxObject, ty: &str, status: &str, reason: &str, message: &str) -> Value {
    let since = o
        .condition(ty)
        .filter(|c| c["status"] == status)
        .and_then(|c| c.get("lastTransitionTime").cloned())
        .unwrap_or_else(|| json!(crate::apiserver::now_rfc3339()));
    json!({"type": ty, "status": status, "observedGeneration": o.generation,
           "lastTransitionTime": since, "reason": reason, "message": message})
}

/// The outcome of a reconcile, turned into a status patch.
pub enum Outcome {
    /// Ready=True with this reason and message.
    Ready(&'static str, String),
    /// Still working: Ready=False (or Unknown) with Reconciling=True.
    Progressing {
        ready: &'static str,
        reason: &'static str,
        message: String,
    },
    /// Terminal failure: Ready=False, Stalled=True, no Reconciling.
    Failed(&'static str, String),
    /// A failure the controller retries (at `spec.retryInterval`): Ready=False
    /// with this reason and message, Reconciling=True `ProgressingWithRetry`
    /// with the progress message; `observedGeneration` stays as it was.
    Retrying {
        reason: &'static str,
        message: String,
        progress: String,
    },
    /// Waiting for something else (kustomize-controller 1.9.5's
    /// `DependencyNotReady`): Ready=False and no Reconciling condition;
    /// `observedGeneration` stays as it was; the request is marked handled.
    Waiting {
        reason: &'static str,
        message: String,
    },
}

/// Writes `outcome` plus `extra` status fields (merge-patch semantics) and `more`
/// conditions `(type, status, reason)` (sharing the outcome's message), as `manager`.
pub fn write(
    store: &Store,
    manager: &str,
    o: &FluxObject,
    outcome: Outcome,
    extra: Map<String, Value>,
    more: &[(&str, &str, &str)],
) {
    let mut conditions = match &outcome {
        Outcome::Ready(reason, msg) => vec![condition(o, "Ready", "True", reason, msg)],
        Outcome::Progressing {
            ready,
            reason,
            message,
        } => vec![
            condition(o, "Reconciling", "True", "Progressing", message),
            condition(o, "Ready", ready, reason, message),
        ],
        Outcome::Failed(reason, msg) => vec![
            condition(o, "Stalled", "True", reason, msg),
            condition(o, "Ready", "False", reason, msg),
        ],
        Outcome::Retrying {
            reason,
            message,
            progress,
        } => vec![
            condition(o, "Reconciling", "True", "ProgressingWithRetry", progress),
            condition(o, "Ready", "False", reason, message),
        ],
        Outcome::Waiting { reason, message } => {
            vec![condition(o, "Ready", "False", reason, message)]
        }
    };
    let message = conditions
        .last()
        .and_then(|c| c["message"].as_str())
        .unwrap_or("")
        .to_string();
    for (ty, st, reason) in more {
        conditions.push(condition(o, ty, st, reason, &message));
    }
    let mut status = extra;
    status.insert("conditions".into(), Value::Array(conditions));
    if matches!(outcome, Outcome::Ready(..) | Outcome::Failed(..)) {
        status.insert("observedGeneration".into(), json!(o.generation));
    }
    if !matches!(outcome, Outcome::Progressing { .. })
        && let Some(at) = o.requested_at()
    {
        status.insert("lastHandledReconcileAt".into(), json!(at));
    }
    if std::env::var_os("HARNESS_LOG").is_some() {
        let ready = status["conditions"]
            .as_array()
            .and_then(|c| c.iter().find(|c| c["type"] == "Ready"))
            .cloned();
        eprintln!("flux: {} -> {}", o.key(), ready.unwrap_or_default());
    }
    // NotFound (deleted meanwhile) and unknown kinds are fine to ignore here.
    let _ = store.with_manager(manager).patch_status(
        o.api_version,
        o.kind,
        Some(&o.namespace),
        &o.name,
        Value::Object(status),
    );
}
