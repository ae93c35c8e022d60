//! The stand-in source-controller: GitRepository (really resolved with git),
//! HelmRepository and OCIRepository (Ready at once).

use super::Ctx;
use super::git::{self, Credentials};
use super::status::{FluxObject, Outcome, SOURCE_API, write};
use base64::Engine;
use serde_json::{Map, Value, json};

const MANAGER: &str = "source-controller";

/// The `username`/`password` of the Secret named by `spec.secretRef`.
pub fn credentials(ctx: &Ctx, o: &FluxObject) -> Result<Option<Credentials>, String> {
    let Some(name) = o.spec_str("/secretRef/name") else {
        return Ok(None);
    };
    let secret = ctx
        .store
        .get("v1", "Secret", Some(&o.namespace), name)
        .ok_or_else(|| {
            format!(
                "failed to get secret '{}/{name}': secrets \"{name}\" not found",
                o.namespace
            )
        })?;
    let field = |k: &str| {
        secret
            .pointer(&format!("/data/{k}"))
            .and_then(Value::as_str)
            .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default()
    };
    Ok(Some(Credentials {
        username: field("username"),
        password: field("password"),
    }))
}

/// The branch a GitRepository follows (`spec.ref.branch`, Flux's default `master`).
pub fn branch(o: &FluxObject) -> String {
    o.spec_str("/ref/branch").unwrap_or("master").to_string()
}

pub async fn reconcile_git(ctx: &mut Ctx, o: FluxObject) {
    if ctx.held(&o, MANAGER, "GitOperationFailed") {
        return;
    }
    let due = !o.observed() || o.requested_at().is_some() || ctx.recheck_due(&o.key());
    if !due {
        return;
    }
    let url = o.spec_str("/url").unwrap_or_default().to_string();
    let branch = branch(&o);
    let creds = match credentials(ctx, &o) {
        Ok(c) => c,
        Err(msg) => {
            write(
                &ctx.store,
                MANAGER,
                &o,
                Outcome::Failed("AuthenticationFailed", msg),
                Map::new(),
                &[],
            );
            return;
        }
    };
    if std::env::var_os("HARNESS_LOG").is_some() {
        eprintln!("flux: {} resolving {url} {branch}", o.key());
    }
    let cache = ctx.cache.clone();
    let (u, b) = (url.clone(), branch.clone());
    let resolved = tokio::task::spawn_blocking(move || {
        // Transport hiccups (a dropped connection) get two more tries, as Flux
        // would retry; auth failures and missing branches fail the same way again.
        let mut last = Err(String::new());
        for attempt in 0..3 {
            if attempt > 0 {
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
            last = resolve_and_fetch(&cache, &u, &b, creds.as_ref());
            if last.is_ok() {
                break;
            }
        }
        last
    })
    .await
    .unwrap_or_else(|e| Err(format!("git task failed: {e}")));
    // A failed periodic re-check keeps the last good artifact (like Flux between intervals).
    let periodic = o.observed() && o.requested_at().is_none() && o.is_ready();
    if resolved.is_err() && periodic {
        return;
    }
    match resolved {
        Ok(sha) => store_artifact(ctx, &o, &branch, &url, &sha).await,
        Err(msg) => {
            let msg = format!("failed to checkout and determine revision: {msg}");
            let more = [("FetchFailed", "True", "GitOperationFailed")];
            write(
                &ctx.store,
                MANAGER,
                &o,
                Outcome::Failed("GitOperationFailed", msg),
                Map::new(),
                &more,
            );
        }
    }
}

/// ls-remote the branch, then make sure its commit is really fetchable.
fn resolve_and_fetch(
    cache: &std::path::Path,
    url: &str,
    branch: &str,
    creds: Option<&Credentials>,
) -> Result<String, String> {
    let oid = git::resolve_branch(url, branch, creds)?;
    let repo = git::cache_repo(cache, url)?;
    git::ensure_commit(&repo, url, creds, oid)?;
    Ok(oid.to_string())
}

async fn store_artifact(ctx: &mut Ctx, o: &FluxObject, branch: &str, url: &str, sha: &str) {
    let revision = format!("{branch}@sha1:{sha}");
    let current = o.status("/artifact/revision").and_then(Value::as_str);
    if current == Some(revision.as_str()) && o.is_ready() && o.requested_at().is_none() {
        return;
    }
    ctx.progress(
        MANAGER,
        o,
        &format!("building artifact: new upstream revision '{revision}'"),
    )
    .await;
    let path = format!("gitrepository/{}/{}/{sha}.tar.gz", o.namespace, o.name);
    let mut extra = Map::new();
    extra.insert(
        "artifact".into(),
        json!({
            "path": path, "url": format!("http://source-controller.flux-system.svc.cluster.local./{path}"),
            "revision": revision, "digest": format!("sha256:{sha}{}", &sha[..24]),
            "lastUpdateTime": crate::apiserver::now_rfc3339(), "size": 1024,
            "metadata": {"source": url},
        }),
    );
    let msg = format!("stored artifact for revision '{revision}'");
    let more = [("ArtifactInStorage", "True", "Succeeded")];
    write(
        &ctx.store,
        MANAGER,
        o,
        Outcome::Ready("Succeeded", msg),
        extra,
        &more,
    );
}

/// HelmRepository and OCIRepository: nothing to fetch here, Ready once seen.
pub async fn reconcile_other(ctx: &mut Ctx, o: FluxObject) {
    if ctx.held(&o, MANAGER, "Failed") {
        return;
    }
    if o.is_ready() && o.requested_at().is_none() {
        return;
    }
    ctx.progress(MANAGER, &o, "building artifact").await;
    let url = o.spec_str("/url").unwrap_or_default().to_string();
    let digest = format!("sha256:{:064x}", o.generation);
    let revision = match o.kind {
        "OCIRepository" => format!("{}@{digest}", o.spec_str("/ref/tag").unwrap_or("latest")),
        _ => digest.clone(),
    };
    let mut extra = Map::new();
    extra.insert(
        "artifact".into(),
        json!({"path": format!("{}/{}/{}/index.yaml", o.kind.to_lowercase(), o.namespace, o.name),
               "url": url, "revision": revision, "digest": digest,
               "lastUpdateTime": crate::apiserver::now_rfc3339()}),
    );
    let msg = format!("stored artifact: revision '{revision}'");
    write(
        &ctx.store,
        MANAGER,
        &o,
        Outcome::Ready("Succeeded", msg),
        extra,
        &[("ArtifactInStorage", "True", "Succeeded")],
    );
}

/// The source object a Kustomization or HelmRelease refers to.
pub fn get_source(ctx: &Ctx, kind: &str, namespace: &str, name: &str) -> Option<FluxObject> {
    let kind: &'static str = match kind {
        "GitRepository" => "GitRepository",
        "OCIRepository" => "OCIRepository",
        "HelmRepository" => "HelmRepository",
        "Bucket" => "Bucket",
        _ => return None,
    };
    let v = ctx.store.get(SOURCE_API, kind, Some(namespace), name)?;
    Some(FluxObject::new(SOURCE_API, kind, v))
}
