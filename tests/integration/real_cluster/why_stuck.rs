//! Why Flux is stuck, on real Flux: a Kustomization `downstream` whose
//! `dependsOn` (`stuck`) cannot build because its source (`broken-src`)
//! points at a repository that does not exist. `sync` fails naming `stuck`
//! (or times out naming `downstream`), and its error goes on down the chain
//! to the source's own error and its warning Events; `status` starts from
//! `downstream` and tells the same chain. kustomize-controller leaves
//! `status.observedGeneration: -1` on both Kustomizations: they are read as
//! seen and not ready, for their condition's reason.

use super::fixture::Real;
use crate::world::LOGIN;

fn stuck_chain(missing_url: &str) -> String {
    format!(
        r#"apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata:
  name: broken-src
  namespace: flux-system
spec:
  interval: 1m
  url: {missing_url}
  ref:
    branch: main
  secretRef:
    name: flux-system
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: stuck
  namespace: flux-system
spec:
  interval: 1m
  retryInterval: 2s
  path: ./
  prune: true
  sourceRef:
    kind: GitRepository
    name: broken-src
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: downstream
  namespace: flux-system
spec:
  interval: 1m
  retryInterval: 2s
  dependsOn:
    - name: stuck
  path: ./gitops/applications
  prune: false
  sourceRef:
    kind: GitRepository
    name: flux-system
"#
    )
}

#[test]
fn sync_and_status_explain_a_dependency_stuck_on_its_failing_source() {
    let mut r = Real::start();
    r.set_up();
    let missing = r.forge.clone_url(LOGIN, "no-such-repository");
    r.cluster.apply_yaml(&stuck_chain(&missing));
    // source-controller has tried the missing repository.
    r.cluster.wait_for(
        "GitRepository broken-src to fail",
        std::time::Duration::from_secs(60),
        || {
            let obj = r
                .cluster
                .get_json(&["gitrepository", "-n", "flux-system", "broken-src"])?;
            let failed = obj["status"]["conditions"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|c| c["type"] == "Ready" && c["status"] == "False");
            failed.then_some(())
        },
    );

    let out = r.w.cmd(&["sync", "--yes", "--timeout", "60s"]).run();
    assert_ne!(out.code, 0, "{}", r.diagnose(&out));
    // Whether it fails at once on `stuck` (its failure new since the
    // request) or times out on `downstream` depends on when source-
    // controller last failed; either way the error tells the whole chain.
    let err = &out.stderr;
    for part in [
        "Kustomization flux-system/stuck gets its files from GitRepository flux-system/broken-src: Ready=False, GitOperationFailed",
        "repository not found",
        "event of GitRepository flux-system/broken-src: Warning GitOperationFailed",
    ] {
        assert!(err.contains(part), "{part}\n{}", r.diagnose(&out));
    }
    let up = "held up by it: Kustomization flux-system/downstream";
    let down = "Kustomization flux-system/downstream waits for its dependsOn Kustomization flux-system/stuck: Ready=False, ArtifactFailed";
    assert!(
        err.contains(up) || err.contains(down),
        "{}",
        r.diagnose(&out)
    );

    let out = r.w.cmd(&["status"]).run();
    assert_eq!(out.code, 0, "{}", r.diagnose(&out));
    let text = &out.stdout;
    for part in [
        "why Flux is not there yet:",
        "Kustomization flux-system/downstream: Ready=False, DependencyNotReady",
        "Kustomization flux-system/downstream waits for its dependsOn Kustomization flux-system/stuck: Ready=False",
        "gets its files from GitRepository flux-system/broken-src: Ready=False",
    ] {
        assert!(text.contains(part), "{part}\n{}", r.diagnose(&out));
    }
    assert!(
        !text.contains("has not yet seen generation"),
        "{}",
        r.diagnose(&out)
    );
    let json = r.w.cmd(&["status", "-o", "json"]).run().json();
    let why = json["flux_why"].as_array().unwrap();
    assert!(
        why.iter()
            .any(|l| l.as_str().unwrap().contains("broken-src")),
        "{why:#?}"
    );
}
