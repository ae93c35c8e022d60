//! The stand-in kustomize-controller: waits for the source artifact and the
//! `dependsOn` Kustomizations, builds `spec.path` at the artifact's commit,
//! server-side applies the objects (as `kustomize-controller`), prunes what left
//! the inventory, and reports like Flux does.

use super::Ctx;
use super::source::{credentials, get_source};
use super::status::{FluxObject, KUSTOMIZE_API, Outcome, write};
use super::{git, kustomize};
use crate::apiserver::Store;
use serde_json::{Map, Value, json};
use std::collections::BTreeSet;
use std::time::{Duration, Instant};

const MANAGER: &str = "kustomize-controller";

/// Kustomizations as they were when this pass started: dependencies are judged on
/// this snapshot, so a dependent shows `DependencyNotReady` before it goes Ready.
pub type Snapshot = Vec<FluxObject>;

/// `None` when all `dependsOn` entries are Ready, else the first one that is not.
pub fn unready_dependency(
    o: &FluxObject,
    snapshot: &Snapshot,
    revision: Option<&str>,
) -> Option<String> {
    let deps = o
        .spec("/dependsOn")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for d in deps {
        let name = d["name"].as_str().unwrap_or_default();
        let ns = d["namespace"].as_str().unwrap_or(&o.namespace);
        let found = snapshot
            .iter()
            .find(|x| x.name == name && x.namespace == ns);
        let ready = found.is_some_and(|x| {
            // Same source: the dependency must have applied the same revision first.
            let same_source = x.spec("/sourceRef") == o.spec("/sourceRef");
            let applied = x.status("/lastAppliedRevision").and_then(Value::as_str);
            x.is_ready() && !(same_source && revision.is_some() && applied != revision)
        });
        if !ready {
            return Some(format!("dependency '{ns}/{name}' is not ready"));
        }
    }
    None
}

pub async fn reconcile(ctx: &mut Ctx, o: FluxObject, snapshot: &Snapshot) {
    if ctx.held(&o, MANAGER, "ReconciliationFailed") {
        return;
    }
    let src_kind = o
        .spec_str("/sourceRef/kind")
        .unwrap_or("GitRepository")
        .to_string();
    let src_ns = o
        .spec_str("/sourceRef/namespace")
        .unwrap_or(&o.namespace)
        .to_string();
    let src_name = o
        .spec_str("/sourceRef/name")
        .unwrap_or_default()
        .to_string();
    let source = get_source(ctx, &src_kind, &src_ns, &src_name);
    let revision = source
        .as_ref()
        .and_then(|s| s.status("/artifact/revision"))
        .and_then(Value::as_str)
        .map(str::to_string);
    let Some(revision) = revision else {
        let message = "Source artifact not found, retrying in 30s".to_string();
        let p = Outcome::Progressing {
            ready: "False",
            reason: "ArtifactFailed",
            message,
        };
        write(&ctx.store, MANAGER, &o, p, Map::new(), &[]);
        return;
    };
    if let Some(message) = unready_dependency(&o, snapshot, Some(&revision)) {
        let p = Outcome::Progressing {
            ready: "False",
            reason: "DependencyNotReady",
            message,
        };
        write(&ctx.store, MANAGER, &o, p, Map::new(), &[]);
        return;
    }
    if done(&o, &revision) {
        return;
    }
    ctx.progress(
        MANAGER,
        &o,
        &format!("Building manifests for revision '{revision}'"),
    )
    .await;
    let mut extra = Map::new();
    extra.insert("lastAttemptedRevision".into(), json!(revision));
    let objects = match build(ctx, &o, source.as_ref().expect("has artifact"), &revision).await {
        Ok(objs) => objs,
        Err(msg) => {
            write(
                &ctx.store,
                MANAGER,
                &o,
                Outcome::Failed("BuildFailed", msg),
                extra,
                &[],
            );
            return;
        }
    };
    let store = ctx.store.clone();
    let (obj, objs) = (o.clone(), objects);
    let applied = tokio::task::spawn_blocking(move || apply_all(&store, &obj, objs))
        .await
        .unwrap_or_else(|e| Err(format!("apply task failed: {e}")));
    match applied {
        Ok(inventory) => {
            if o.spec("/prune").and_then(Value::as_bool) == Some(true) {
                prune(&ctx.store, &o, &inventory);
            }
            let entries: Vec<Value> = inventory
                .iter()
                .map(|(id, v)| json!({"id": id, "v": v}))
                .collect();
            extra.insert("inventory".into(), json!({ "entries": entries }));
            extra.insert("lastAppliedRevision".into(), json!(revision));
            let msg = format!("Applied revision: {revision}");
            write(
                &ctx.store,
                MANAGER,
                &o,
                Outcome::Ready("ReconciliationSucceeded", msg),
                extra,
                &[],
            );
        }
        Err(msg) => write(
            &ctx.store,
            MANAGER,
            &o,
            Outcome::Failed("ReconciliationFailed", msg),
            extra,
            &[],
        ),
    }
}

/// Already applied (or terminally failed) for this revision, generation and request.
fn done(o: &FluxObject, revision: &str) -> bool {
    if o.requested_at().is_some() || !o.observed() {
        return false;
    }
    let applied = o.status("/lastAppliedRevision").and_then(Value::as_str) == Some(revision);
    let attempted = o.status("/lastAttemptedRevision").and_then(Value::as_str) == Some(revision);
    let stalled = o
        .condition("Stalled")
        .is_some_and(|c| c["status"] == "True");
    (applied && o.is_ready()) || (attempted && stalled)
}

/// Runs the build at the artifact's commit (only git sources carry content here).
async fn build(
    ctx: &Ctx,
    o: &FluxObject,
    source: &FluxObject,
    revision: &str,
) -> Result<Vec<Value>, String> {
    if source.kind != "GitRepository" {
        return Ok(Vec::new());
    }
    let sha = revision
        .rsplit_once("sha1:")
        .map(|(_, s)| s.to_string())
        .ok_or("revision without sha1")?;
    let url = source.spec_str("/url").unwrap_or_default().to_string();
    let creds = credentials(ctx, source)?;
    let path = o.spec_str("/path").unwrap_or("./").to_string();
    let cache = ctx.cache.clone();
    tokio::task::spawn_blocking(move || {
        let repo = git::cache_repo(&cache, &url)?;
        let oid = git2::Oid::from_str(&sha).map_err(|e| e.message().to_string())?;
        git::ensure_commit(&repo, &url, creds.as_ref(), oid)?;
        kustomize::build(&repo, oid, &path)
    })
    .await
    .unwrap_or_else(|e| Err(format!("build task failed: {e}")))
}

/// CRDs and Namespaces first (Flux applies them in a first stage).
fn stage(o: &Value) -> u8 {
    match o["kind"].as_str() {
        Some("CustomResourceDefinition") => 0,
        Some("Namespace") => 1,
        _ => 2,
    }
}

/// Applies everything; returns the inventory `(id, version)` sorted by id.
/// Kinds this cluster does not know are left out (as if applied elsewhere).
fn apply_all(
    store: &Store,
    o: &FluxObject,
    mut objects: Vec<Value>,
) -> Result<Vec<(String, String)>, String> {
    objects.sort_by_key(stage);
    let target_ns = o.spec_str("/targetNamespace").map(str::to_string);
    let mut inventory = BTreeSet::new();
    for mut obj in objects {
        let av = obj["apiVersion"].as_str().unwrap_or_default().to_string();
        let kind = obj["kind"].as_str().unwrap_or_default().to_string();
        let Some(rt) = wait_for_type(store, &av, &kind, stage(&obj) == 2) else {
            continue;
        };
        let meta = obj
            .as_object_mut()
            .expect("object")
            .entry("metadata")
            .or_insert_with(|| json!({}));
        if rt.namespaced {
            let ns = target_ns
                .clone()
                .or_else(|| meta["namespace"].as_str().map(String::from));
            meta["namespace"] = json!(ns.unwrap_or_else(|| "default".into()));
        }
        let labels = meta
            .as_object_mut()
            .expect("map")
            .entry("labels")
            .or_insert_with(|| json!({}));
        labels["kustomize.toolkit.fluxcd.io/name"] = json!(o.name);
        labels["kustomize.toolkit.fluxcd.io/namespace"] = json!(o.namespace);
        let name = meta["name"].as_str().unwrap_or_default().to_string();
        let ns = meta["namespace"].as_str().unwrap_or_default().to_string();
        store.apply(obj, MANAGER, true).map_err(|e| {
            format!(
                "{kind}/{}{name} dry-run failed: {}",
                if ns.is_empty() {
                    String::new()
                } else {
                    format!("{ns}/")
                },
                e.message
            )
        })?;
        let (_, version) = av.split_once('/').unwrap_or(("", &av));
        inventory.insert((
            format!("{ns}_{name}_{}_{kind}", rt.group),
            version.to_string(),
        ));
    }
    Ok(inventory.into_iter().collect())
}

/// The type for apiVersion/kind; custom resources wait (up to 10 s) for their CRD.
fn wait_for_type(
    store: &Store,
    av: &str,
    kind: &str,
    may_wait: bool,
) -> Option<crate::apiserver::ResourceType> {
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
fn prune(store: &Store, o: &FluxObject, inventory: &[(String, String)]) {
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

/// The Kustomization snapshot for a pass.
pub fn snapshot(store: &Store) -> Snapshot {
    store
        .list(KUSTOMIZE_API, "Kustomization", None)
        .into_iter()
        .map(|v| FluxObject::new(KUSTOMIZE_API, "Kustomization", v))
        .collect()
}
