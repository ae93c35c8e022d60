//! What the server itself decides about an object on write: status vs. main
//! resource, Secret `stringData`, and system metadata (uid, creationTimestamp,
//! generation, resourceVersion).

use super::ops::Target;
use super::types::ResourceType;
use super::util::{ensure_object, metadata_mut, new_uid, now_rfc3339};
use base64::Engine;
use serde_json::{Value, json};

/// Main-resource writes keep the old status; `/status` writes keep everything else.
pub fn guard_status(t: &Target, old: Option<&Value>, candidate: &mut Value) {
    if t.status {
        let status = candidate.get("status").cloned();
        let mut base = old.cloned().unwrap_or_else(|| json!({}));
        let map = ensure_object(&mut base);
        match status {
            Some(s) => map.insert("status".into(), s),
            None => map.remove("status"),
        };
        *candidate = base;
    } else if t.rt.status_subresource {
        let map = ensure_object(candidate);
        match old.and_then(|o| o.get("status")) {
            Some(s) => map.insert("status".into(), s.clone()),
            None => map.remove("status"),
        };
    }
}

/// Secrets store `stringData` as base64 `data`, as the real server does.
pub fn normalize_secret(rt: &ResourceType, obj: &mut Value) {
    if !(rt.group.is_empty() && rt.plural == "secrets") {
        return;
    }
    let Some(Value::Object(sd)) = ensure_object(obj).remove("stringData") else {
        return;
    };
    let data = ensure_object(obj)
        .entry("data")
        .or_insert_with(|| json!({}));
    let data = ensure_object(data);
    for (k, v) in sd {
        let s = v.as_str().unwrap_or_default();
        data.insert(
            k,
            json!(base64::engine::general_purpose::STANDARD.encode(s)),
        );
    }
}

/// apiVersion/kind/name/namespace, uid, creationTimestamp, generation, resourceVersion.
pub fn finalize(t: &Target, old: Option<&Value>, new: &mut Value, name: &str) {
    let root = ensure_object(new);
    root.insert("apiVersion".into(), json!(t.rt.storage_api_version()));
    root.insert("kind".into(), json!(t.rt.kind));
    let generation = match old {
        Some(old) => {
            let g = old
                .pointer("/metadata/generation")
                .and_then(Value::as_i64)
                .unwrap_or(1);
            if spec_of(old) != spec_of(new) {
                g + 1
            } else {
                g
            }
        }
        None => 1,
    };
    let from_old = |k: &str| {
        old.and_then(|o| o.get("metadata"))
            .and_then(|m| m.get(k))
            .cloned()
    };
    let uid = from_old("uid").unwrap_or_else(|| json!(new_uid()));
    let created = from_old("creationTimestamp").unwrap_or_else(|| json!(now_rfc3339()));
    let rv = from_old("resourceVersion");
    if t.rt.group.is_empty() && t.rt.plural == "namespaces" {
        ensure_object(new).insert("status".into(), json!({"phase": "Active"}));
    }
    let meta = metadata_mut(new);
    meta.insert("name".into(), json!(name));
    match &t.namespace {
        Some(ns) if t.rt.namespaced => meta.insert("namespace".into(), json!(ns)),
        _ => meta.remove("namespace"),
    };
    meta.insert("uid".into(), uid);
    meta.insert("creationTimestamp".into(), created);
    meta.insert("generation".into(), json!(generation));
    for k in ["deletionTimestamp", "selfLink", "generateName"] {
        meta.remove(k);
    }
    match rv {
        Some(rv) => meta.insert("resourceVersion".into(), rv),
        None => meta.remove("resourceVersion"),
    };
}

/// Everything but metadata and status: what `generation` tracks.
fn spec_of(obj: &Value) -> Value {
    let mut o = obj.clone();
    if let Some(m) = o.as_object_mut() {
        m.remove("metadata");
        m.remove("status");
    }
    o
}
