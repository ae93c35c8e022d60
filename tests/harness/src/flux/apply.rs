//! How kustomize-controller applies a build: in stages (cluster definitions,
//! then `*Class` kinds, then the rest), each stage dry-run first so that one
//! object the server refuses (or whose kind it does not serve) leaves its whole
//! stage unapplied; the error then carries the change set of what earlier
//! stages did, as Flux's message does ("...\nNamespace/shop created\n").

use super::status::FluxObject;
use crate::apiserver::{ApiError, ResourceType, Store};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::time::{Duration, Instant};

pub const MANAGER: &str = "kustomize-controller";

/// Flux's stages: CRDs, Namespaces and ClusterRoles; `*Class` kinds; everything else.
fn stage(o: &Value) -> u8 {
    let kind = o["kind"].as_str().unwrap_or_default();
    let av = o["apiVersion"].as_str().unwrap_or_default();
    match kind {
        "CustomResourceDefinition" if av.starts_with("apiextensions.k8s.io/") => 0,
        "Namespace" if av == "v1" => 0,
        "ClusterRole" if av.starts_with("rbac.authorization.k8s.io/") => 0,
        k if k.ends_with("Class") => 1,
        _ => 2,
    }
}

/// `Kind/namespace/name`, or `Kind/name` without a namespace (Flux's subject).
fn subject(obj: &Value) -> String {
    let kind = obj["kind"].as_str().unwrap_or_default();
    let name = obj["metadata"]["name"].as_str().unwrap_or_default();
    match obj["metadata"]["namespace"].as_str() {
        Some(ns) if !ns.is_empty() => format!("{kind}/{ns}/{name}"),
        _ => format!("{kind}/{name}"),
    }
}

/// The wording of fluxcd/pkg/ssa's dry-run error for an API error.
fn dry_run_error(obj: &Value, e: &ApiError) -> String {
    let s = subject(obj);
    if e.code == 404 {
        return match obj["metadata"]["namespace"].as_str() {
            Some(ns) if !ns.is_empty() => format!("{s} not found: {}", e.message),
            _ => format!("{s} namespace not specified: {}", e.message),
        };
    }
    match e.reason {
        "" => format!("{s} dry-run failed: {}", e.message),
        r => format!("{s} dry-run failed ({r}): {}", e.message),
    }
}

/// Applies `objects` (already labelled and namespaced by the caller's `prepare`)
/// stage by stage. Returns the inventory `(id, version)` sorted by id, or the
/// message Flux reports: the first error, a newline, and one `<subject> <action>`
/// line per object that earlier stages created or configured.
pub fn apply_all(
    store: &Store,
    objects: Vec<Value>,
    prepare: impl Fn(&mut Value, &ResourceType),
) -> Result<Vec<(String, String)>, String> {
    let mut inventory = BTreeSet::new();
    let mut log = String::new();
    for st in 0..=2u8 {
        let mut batch: Vec<(Value, ResourceType)> = Vec::new();
        for mut obj in objects.iter().filter(|o| stage(o) == st).cloned() {
            let av = obj["apiVersion"].as_str().unwrap_or_default().to_string();
            let kind = obj["kind"].as_str().unwrap_or_default().to_string();
            let Some(rt) = wait_for_type(store, &av, &kind, st == 2) else {
                let e = format!(
                    "{} dry-run failed: no matches for kind \"{kind}\" in version \"{av}\"",
                    subject(&obj)
                );
                return Err(format!("{e}\n{log}"));
            };
            prepare(&mut obj, &rt);
            if let Err(e) = store.dry_run_apply(obj.clone(), MANAGER) {
                return Err(format!("{}\n{log}", dry_run_error(&obj, &e)));
            }
            batch.push((obj, rt));
        }
        for (obj, rt) in batch {
            let av = obj["apiVersion"].as_str().unwrap_or_default().to_string();
            let kind = obj["kind"].as_str().unwrap_or_default().to_string();
            let (ns, name) = (
                obj["metadata"]["namespace"].as_str().map(String::from),
                obj["metadata"]["name"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            );
            let before = store.get(&av, &kind, ns.as_deref(), &name);
            let who = subject(&obj);
            let after = store
                .apply(obj, MANAGER, true)
                .map_err(|e| format!("{who} apply failed: {}\n{log}", e.message))?;
            let rv = |v: &Value| v["metadata"]["resourceVersion"].clone();
            match before {
                None => log.push_str(&format!("{who} created\n")),
                Some(b) if rv(&b) != rv(&after) => log.push_str(&format!("{who} configured\n")),
                Some(_) => {}
            }
            let (_, version) = av.split_once('/').unwrap_or(("", &av));
            let ns = ns.unwrap_or_default();
            inventory.insert((
                format!("{ns}_{name}_{}_{kind}", rt.group),
                version.to_string(),
            ));
        }
    }
    Ok(inventory.into_iter().collect())
}

/// The type for apiVersion/kind; custom resources wait (up to 10 s) for a CRD
/// that exists but is not Established yet.
fn wait_for_type(store: &Store, av: &str, kind: &str, may_wait: bool) -> Option<ResourceType> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(rt) = store.resource_for_kind(av, kind) {
            return Some(rt);
        }
        let (group, _) = av.split_once('/').unwrap_or(("", av));
        let pending_crd = store
            .list("apiextensions.k8s.io/v1", "CustomResourceDefinition", None)
            .iter()
            .any(|c| {
                c.pointer("/spec/group").and_then(Value::as_str) == Some(group)
                    && c.pointer("/spec/names/kind").and_then(Value::as_str) == Some(kind)
            });
        if !may_wait || !pending_crd || Instant::now() > deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Deletes what the previous inventory had and the new one lacks.
pub fn prune(store: &Store, o: &FluxObject, inventory: &[(String, String)]) {
    let old = o
        .status("/inventory/entries")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for e in old {
        let (Some(id), Some(v)) = (e["id"].as_str(), e["v"].as_str()) else {
            continue;
        };
        if inventory.iter().any(|(i, _)| i == id) {
            continue;
        }
        let parts: Vec<&str> = id.splitn(4, '_').collect();
        let [ns, name, group, kind] = parts[..] else {
            continue;
        };
        let av = if group.is_empty() {
            v.to_string()
        } else {
            format!("{group}/{v}")
        };
        let ns = (!ns.is_empty()).then_some(ns);
        let _ = store.delete(&av, kind, ns, name);
    }
}

/// Flux's labels on every applied object, and the namespace for namespaced kinds.
pub fn label_and_place(obj: &mut Value, rt: &ResourceType, o: &FluxObject) {
    let target_ns = o.spec_str("/targetNamespace").map(str::to_string);
    let meta = obj
        .as_object_mut()
        .expect("object")
        .entry("metadata")
        .or_insert_with(|| json!({}));
    if rt.namespaced {
        let ns = target_ns.or_else(|| meta["namespace"].as_str().map(String::from));
        meta["namespace"] = json!(ns.unwrap_or_else(|| "default".into()));
    }
    let labels = meta
        .as_object_mut()
        .expect("map")
        .entry("labels")
        .or_insert_with(|| json!({}));
    labels["kustomize.toolkit.fluxcd.io/name"] = json!(o.name);
    labels["kustomize.toolkit.fluxcd.io/namespace"] = json!(o.namespace);
}
