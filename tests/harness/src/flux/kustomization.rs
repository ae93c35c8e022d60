//! The stand-in kustomize-controller: waits for the source artifact and the
//! `dependsOn` Kustomizations, builds `spec.path` at the artifact's commit,
//! server-side applies the objects (as `kustomize-controller`), prunes what left
//! the inventory, and reports like Flux does.

use super::Ctx;
use super::apply::{MANAGER, apply_all, label_and_place, prune};
use super::source::{credentials, get_source};
use super::status::{FluxObject, KUSTOMIZE_API, Outcome, write};
use super::{git, kustomize};
use crate::apiserver::Store;
use serde_json::{Map, Value, json};
use std::time::Duration;

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
    if ctx.waiting_for_dependency(&o, &revision) {
        return;
    }
    if let Some(message) = unready_dependency(&o, snapshot, Some(&revision)) {
        // As real kustomize-controller: no Reconciling condition.
        let p = Outcome::Waiting {
            reason: "DependencyNotReady",
            message,
        };
        write(&ctx.store, MANAGER, &o, p, Map::new(), &[]);
        ctx.wait_for_dependency(&o, &revision);
        return;
    }
    if ctx.waiting_to_retry(&o, &revision) || done(&o, &revision) {
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
    let applied = tokio::task::spawn_blocking(move || {
        apply_all(&store, objs, |v, rt| label_and_place(v, rt, &obj))
    })
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
        Err(message) => {
            let timeout = o.spec_str("/timeout").or(o.spec_str("/interval"));
            let progress = format!(
                "Detecting drift for revision {revision} with a timeout of {}",
                timeout.unwrap_or("5m0s")
            );
            let failed = Outcome::Retrying {
                reason: "ReconciliationFailed",
                message,
                progress,
            };
            write(&ctx.store, MANAGER, &o, failed, extra, &[]);
            ctx.retry_after(&o, &revision, retry_interval(&o));
        }
    }
}

/// `spec.retryInterval`, else `spec.interval` (Flux's default), else 10m.
fn retry_interval(o: &FluxObject) -> Duration {
    ["/retryInterval", "/interval"]
        .iter()
        .find_map(|p| o.spec_str(p).and_then(parse_duration))
        .unwrap_or(Duration::from_secs(600))
}

/// A Go duration as Flux writes them: `1m0s`, `30s`, `1h`, `500ms`, `1.5m`.
pub fn parse_duration(s: &str) -> Option<Duration> {
    let mut total = 0f64;
    let mut rest = s;
    while !rest.is_empty() {
        let n = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let value: f64 = rest[..n].parse().ok()?;
        rest = &rest[n..];
        let u = rest
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(rest.len());
        let unit = match &rest[..u] {
            "ms" => 0.001,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            _ => return None,
        };
        total += value * unit;
        rest = &rest[u..];
    }
    (!s.is_empty()).then(|| Duration::from_secs_f64(total))
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

/// The Kustomization snapshot for a pass.
pub fn snapshot(store: &Store) -> Snapshot {
    store
        .list(KUSTOMIZE_API, "Kustomization", None)
        .into_iter()
        .map(|v| FluxObject::new(KUSTOMIZE_API, "Kustomization", v))
        .collect()
}
