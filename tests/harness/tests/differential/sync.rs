//! Flux scenarios run the same way on both sides: a repository on the forge,
//! a GitRepository and a Kustomization syncing one of its paths.

use super::sides::{Side, condition};
use eks_workshop_harness::forge::Forge;
use serde_json::{Value, json};
use std::time::Duration;

pub const FS: &str = "flux-system";
pub const KS_API: &str = "kustomize.toolkit.fluxcd.io/v1";

/// A forge serving `files` as `acme/fleet` on `main`, readable by `flux-reader`.
pub fn fleet(files: &[(&str, &str)]) -> (Forge, tempfile::TempDir) {
    let forge = Forge::start_blocking();
    forge.add_user("flux-reader", "tok-flux-reader");
    let content = tempfile::tempdir().expect("tmp");
    for (path, text) in files {
        let p = content.path().join(path);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
    }
    forge.seed_repo("acme", "fleet", content.path(), "main");
    (forge, content)
}

/// The flux-system namespace, the forge's Secret and the GitRepository `fleet`.
pub fn git_source(side: &Side, forge: &Forge) {
    side.apply_yaml(&format!(
        "apiVersion: v1\nkind: Namespace\nmetadata: {{name: {FS}}}\n---\n\
         apiVersion: v1\nkind: Secret\nmetadata: {{name: fleet-auth, namespace: {FS}}}\n\
         stringData: {{username: flux-reader, password: tok-flux-reader}}\n---\n\
         apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\n\
         metadata: {{name: fleet, namespace: {FS}}}\n\
         spec: {{url: '{}', ref: {{branch: main}}, interval: 10m, secretRef: {{name: fleet-auth}}}}\n",
        forge.clone_url("acme", "fleet")
    ));
}

/// Kustomization `name` of `path` from `fleet`, with `extra` spec fields (YAML flow).
pub fn kustomization(side: &Side, name: &str, path: &str, extra: &str) {
    side.apply_yaml(&format!(
        "apiVersion: {KS_API}\nkind: Kustomization\nmetadata: {{name: {name}, namespace: {FS}}}\n\
         spec: {{interval: 10m, path: '{path}', prune: true, sourceRef: {{kind: GitRepository, name: fleet}}{extra}}}\n"
    ));
}

/// The Kustomization once its Ready condition is `status` with a reason other
/// than `ArtifactFailed` (the source not being there yet).
pub fn wait_ready_is(side: &Side, name: &str, status: &str, limit: Duration) -> Value {
    side.wait(
        &format!("Kustomization {name} Ready={status}"),
        limit,
        || {
            let k = side.get(KS_API, "Kustomization", Some(FS), name)?;
            let ready = condition(&k, "Ready")?;
            (ready["status"] == status && ready["reason"] != "ArtifactFailed").then_some(k)
        },
    )
}

/// What a test compares of a Flux object's condition.
pub fn brief(c: Option<Value>) -> Value {
    match c {
        Some(c) => json!({"status": c["status"], "reason": c["reason"], "message": c["message"]}),
        None => Value::Null,
    }
}

/// Requests a reconcile the way `flux reconcile` does: a merge patch of the annotation.
pub fn request_reconcile(side: &Side, name: &str, at: &str) {
    let path = format!("/apis/{KS_API}/namespaces/{FS}/kustomizations/{name}");
    let patch = json!({"metadata": {"annotations": {"reconcile.fluxcd.io/requestedAt": at}}});
    let (code, body) = side.raw(
        "PATCH",
        &path,
        "application/merge-patch+json",
        &patch.to_string(),
    );
    assert_eq!(code, 200, "{}: {body}", side.name());
}
