//! Flux installed by the workshop's terraform: the `flux2` chart's
//! controllers, and the `flux2-sync` chart's Secret, GitRepository and
//! Kustomization `flux-system`, written by Helm (client-side create, field
//! manager `helm`, Helm's labels and annotations), pointing at the fork with
//! other values than ours. `setup` adopts them, saying what it takes over
//! from whom, ends synced, and a re-run writes nothing.

use harness::cluster::Options;
use serde_json::{Value, json};

use super::fixture::Real;
use super::ready;
use crate::world::{LOGIN, NAME, TOKEN};

fn helm_metadata(name: &str) -> Value {
    json!({
        "name": name,
        "namespace": "flux-system",
        "labels": {"app.kubernetes.io/managed-by": "Helm"},
        "annotations": {
            "meta.helm.sh/release-name": "flux2-sync",
            "meta.helm.sh/release-namespace": "flux-system",
        },
    })
}

/// What the flux2-sync chart renders for the fork: a 5m fetch interval, the
/// path without `./`, a 1m apply interval, the same credentials.
fn flux2_sync(fork: &str) -> Vec<Value> {
    vec![
        json!({
            "apiVersion": "v1", "kind": "Secret", "metadata": helm_metadata("flux-system"),
            "type": "Opaque",
            "stringData": {"username": LOGIN, "password": TOKEN},
        }),
        json!({
            "apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "GitRepository",
            "metadata": helm_metadata("flux-system"),
            "spec": {"interval": "5m", "url": fork, "ref": {"branch": "main"},
                     "secretRef": {"name": "flux-system"}},
        }),
        json!({
            "apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
            "metadata": helm_metadata("flux-system"),
            "spec": {"interval": "1m", "path": "gitops/clusters/cluster-demo", "prune": true,
                     "sourceRef": {"kind": "GitRepository", "name": "flux-system"}},
        }),
    ]
}

#[test]
fn setup_adopts_the_flux_objects_terraform_made_with_helm() {
    let r = Real::start_with(Options {
        flux: true,
        ..Options::default()
    });
    // terraform's flux2 chart: the controllers and their Deployments.
    r.cluster.fake_flux_install();
    let out = r.setup(&["--until", "push"]);
    assert_eq!(out.code, 0, "{}", r.diagnose(&out));
    // terraform's flux2-sync chart, as Helm 3 writes: create, manager `helm`.
    let dir = tempfile::tempdir().unwrap();
    for (i, obj) in flux2_sync(&r.forge.clone_url(LOGIN, NAME))
        .iter()
        .enumerate()
    {
        let file = dir.path().join(format!("{i}.json"));
        std::fs::write(&file, obj.to_string()).unwrap();
        r.cluster.kubectl_ok(&[
            "create",
            "--field-manager=helm",
            "-f",
            file.to_str().unwrap(),
        ]);
    }
    // Real Flux syncs from them already (terraform's set-up works).
    r.cluster
        .wait_ready_condition("gitrepository", "flux-system", "flux-system");
    // Applied without --force-conflicts, ours would conflict on the real
    // API server with every field Helm owns and we set differently.
    let ours = r.w.dir().join("ours.json");
    let mut git = flux2_sync(&r.forge.clone_url(LOGIN, NAME)).remove(1);
    git["metadata"] = json!({"name": "flux-system", "namespace": "flux-system"});
    git["spec"]["interval"] = json!("1m0s");
    std::fs::write(&ours, git.to_string()).unwrap();
    let dry = r.cluster.kubectl(&[
        "apply",
        "--server-side",
        "--field-manager=eks-workshop",
        "--dry-run=server",
        "-f",
        ours.to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&dry.stderr);
    assert!(
        !dry.status.success()
            && stderr.contains(r#"conflict with "helm""#)
            && stderr.contains(".spec.interval"),
        "{stderr}"
    );

    let out = r.setup(&[]);
    assert_eq!(out.code, 0, "{}", r.diagnose(&out));
    // Said plainly, before it happens: what, from whom, and what follows.
    for kind in ["GitRepository", "Kustomization"] {
        let line = format!(
            "warning: taking over {kind} flux-system/flux-system from Helm release flux-system/flux2-sync (field manager `helm`): spec.interval set to the workshop's values; it keeps Helm's labels, so upgrading flux-system/flux2-sync (say, `terraform apply`) sets them back, and uninstalling it deletes the object"
        );
        assert!(out.stderr.contains(&line), "{line}\n{}", r.diagnose(&out));
    }
    let taken = "(taken over from Helm release flux-system/flux2-sync)";
    assert!(
        out.stdout.contains(&format!(
            "flux — applied GitRepository flux-system/flux-system {taken}, Kustomization flux-system/flux-system {taken}"
        )),
        "{}",
        out.stdout
    );
    // Synced, with our values; Helm keeps its labels and the fields we
    // share, we own what we changed.
    let revision = r.revision();
    assert!(r.assert_all_applied(&revision) >= 4);
    let shown = |kind: &str| {
        r.get(&[
            "--show-managed-fields",
            "-n",
            "flux-system",
            kind,
            "flux-system",
        ])
    };
    let git = shown("gitrepository");
    assert!(ready(&git), "{git}");
    assert_eq!(git["spec"]["interval"], "1m0s");
    let ks = shown("kustomization");
    assert_eq!(ks["spec"]["interval"], "10m0s");
    assert_eq!(ks["spec"]["path"], "./gitops/clusters/cluster-demo");
    for obj in [&git, &ks] {
        assert_eq!(
            obj["metadata"]["labels"]["app.kubernetes.io/managed-by"],
            "Helm"
        );
        assert!(
            spec_of(obj, "eks-workshop")["f:interval"].is_object(),
            "{obj}"
        );
        assert!(spec_of(obj, "helm")["f:interval"].is_null(), "{obj}");
    }
    // The Secret held what we want already: left as Helm wrote it.
    let secret = shown("secret");
    let managers: Vec<&str> = secret["metadata"]["managedFields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["manager"].as_str().unwrap())
        .collect();
    assert_eq!(managers, ["helm"]);

    // A re-run writes nothing.
    let before = r.owned_versions();
    let again = r.setup(&[]);
    assert_eq!(again.code, 0, "{}", r.diagnose(&again));
    assert!(again.stdout.contains("nothing to do"), "{}", again.stdout);
    assert!(!again.stderr.contains("taking over"), "{}", again.stderr);
    assert_eq!(r.owned_versions(), before);
}

/// The spec fields `manager` owns in `obj` (not through a subresource).
fn spec_of(obj: &Value, manager: &str) -> Value {
    obj["metadata"]["managedFields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| {
            m["manager"] == manager
                && m.get("subresource").is_none()
                && m["fieldsV1"]["f:spec"].is_object()
        })
        .map(|m| m["fieldsV1"]["f:spec"].clone())
        .unwrap_or_default()
}
