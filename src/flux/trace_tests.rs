//! The chain from a stuck object down to the cause, as real Flux writes it.

use super::*;
use serde_json::json;

fn cond(status: &str, reason: &str, message: &str) -> Value {
    json!({"type": "Ready", "status": status, "reason": reason, "message": message,
           "observedGeneration": 1})
}

/// A Kustomization as kustomize-controller leaves one it could not build:
/// `status.observedGeneration: -1`, the Ready condition about generation 1.
fn ks(name: &str, source: &str, depends: &[&str], ready: Value) -> Value {
    let depends: Vec<Value> = depends.iter().map(|d| json!({"name": d})).collect();
    let seen = if ready["status"] == "True" { 1 } else { -1 };
    json!({
        "metadata": {"namespace": "flux-system", "name": name, "generation": 1},
        "spec": {"sourceRef": {"kind": "GitRepository", "name": source}, "dependsOn": depends},
        "status": {"observedGeneration": seen, "conditions": [ready]},
    })
}

fn git(name: &str, ready: Value) -> Value {
    json!({
        "metadata": {"namespace": "flux-system", "name": name, "generation": 1},
        "status": {"observedGeneration": 1, "conditions": [ready]},
    })
}

fn observed() -> Observed {
    Observed {
        git_repository: Some(git(
            "flux-system",
            cond("True", "Succeeded", "stored artifact"),
        )),
        kustomizations: vec![
            ks(
                "downstream",
                "flux-system",
                &["stuck"],
                cond(
                    "False",
                    "DependencyNotReady",
                    "dependency 'flux-system/stuck' is not ready",
                ),
            ),
            ks(
                "stuck",
                "broken-src",
                &[],
                cond(
                    "False",
                    "ArtifactFailed",
                    "Source artifact not found, retrying in 2s",
                ),
            ),
            ks(
                "flux-system",
                "flux-system",
                &[],
                cond("True", "ReconciliationSucceeded", "Applied"),
            ),
        ],
        helm_releases: Vec::new(),
    }
}

fn at(name: &str) -> At {
    At::new("Kustomization", "flux-system", name)
}

#[test]
fn a_dependency_not_ready_is_followed_to_its_source_which_is_left_to_read() {
    let found = chain(&observed(), &at("downstream"));
    assert_eq!(
        found.lines,
        vec![
            "Kustomization flux-system/downstream waits for its dependsOn Kustomization flux-system/stuck: Ready=False, ArtifactFailed: Source artifact not found, retrying in 2s"
        ]
    );
    assert_eq!(
        found.source,
        Some(At::new("GitRepository", "flux-system", "broken-src"))
    );
    assert_eq!(found.events_of, Some(at("stuck")));
}

#[test]
fn a_source_the_wait_watches_is_judged_there() {
    let mut obs = observed();
    obs.git_repository = Some(git(
        "flux-system",
        cond("False", "GitOperationFailed", "repository not found"),
    ));
    let found = chain(&obs, &at("flux-system"));
    assert_eq!(
        found.lines,
        vec![
            "Kustomization flux-system/flux-system gets its files from GitRepository flux-system/flux-system: Ready=False, GitOperationFailed: repository not found"
        ]
    );
    assert_eq!(found.source, None);
    assert_eq!(
        found.events_of,
        Some(At::new("GitRepository", "flux-system", "flux-system"))
    );
}

#[test]
fn a_missing_dependency_and_a_loop_end_the_walk_with_what_they_are() {
    let mut obs = observed();
    obs.kustomizations[1] = ks(
        "stuck",
        "flux-system",
        &["gone"],
        cond("False", "DependencyNotReady", "dependency not found"),
    );
    let found = chain(&obs, &at("downstream"));
    assert_eq!(
        found.lines.last().unwrap(),
        "Kustomization flux-system/stuck waits for its dependsOn Kustomization flux-system/gone, which does not exist"
    );
    obs.kustomizations[1] = ks(
        "stuck",
        "flux-system",
        &["downstream"],
        cond("False", "DependencyNotReady", "dependency not ready"),
    );
    let found = chain(&obs, &at("downstream"));
    assert_eq!(
        found.lines.last().unwrap(),
        "the dependsOn chain loops back here; Flux never gets past it"
    );
    assert_eq!(found.lines.len(), 3, "{:#?}", found.lines);
}

#[test]
fn what_a_stuck_object_holds_up_and_where_a_reader_starts() {
    let obs = observed();
    assert_eq!(held_up(&obs, &at("stuck")), vec![at("downstream")]);
    assert_eq!(held_up(&obs, &at("downstream")), Vec::<At>::new());
    assert_eq!(tops(&obs), vec![at("downstream")]);
}

#[test]
fn a_ready_object_has_no_chain() {
    let found = chain(&observed(), &at("flux-system"));
    assert!(found.lines.is_empty() && found.source.is_none());
}
