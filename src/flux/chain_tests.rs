//! Which object the wait asks to reconcile, and when.

use super::*;
use serde_json::json;

const TOKEN: &str = "2026-01-01T00:00:00.1Z";
const OLD: &str = "main@sha1:0000000000000000";

fn goal() -> Goal {
    Goal {
        branch: "main".into(),
        commit: "abcdef0123456789".into(),
    }
}

fn cond(kind: &str, status: &str, reason: &str) -> Value {
    json!({"type": kind, "status": status, "reason": reason, "message": reason})
}

fn git(revision: &str, handled: &str) -> Value {
    json!({
        "metadata": {"namespace": "flux-system", "name": "flux-system", "generation": 1},
        "status": {"observedGeneration": 1, "artifact": {"revision": revision},
                   "lastHandledReconcileAt": handled,
                   "conditions": [cond("Ready", "True", "Succeeded")]},
    })
}

/// A Kustomization of our source: Ready at `applied`, depending on `deps`.
fn ks(name: &str, deps: &[&str], applied: &str) -> Value {
    let deps: Vec<Value> = deps.iter().map(|d| json!({"name": d})).collect();
    json!({
        "metadata": {"namespace": "flux-system", "name": name, "generation": 1},
        "spec": {"dependsOn": deps,
                 "sourceRef": {"kind": "GitRepository", "name": "flux-system"}},
        "status": {"observedGeneration": 1, "lastAppliedRevision": applied,
                   "conditions": [cond("Ready", "True", "ReconciliationSucceeded")]},
    })
}

fn set(obj: &mut Value, pointer: &str, value: Value) {
    *obj.pointer_mut(pointer).unwrap() = value;
}

/// It tried, and its dependencies were not ready: the controller retries
/// after `--requeue-dependency`.
fn dependency_not_ready(mut obj: Value) -> Value {
    obj["status"]["conditions"] = json!([cond("Ready", "False", "DependencyNotReady")]);
    obj
}

fn handled(mut obj: Value, token: &str) -> Value {
    obj["status"]["lastHandledReconcileAt"] = json!(token);
    obj
}

/// The workshop's chain: sources → infrastructure → apps, and flux-system.
fn chain(applied: [&str; 4]) -> Vec<Value> {
    vec![
        ks("flux-system", &[], applied[0]),
        ks("sources", &[], applied[1]),
        ks("infrastructure", &["sources"], applied[2]),
        ks("apps", &["infrastructure"], applied[3]),
    ]
}

fn observed(source: &str, kustomizations: Vec<Value>) -> Observed {
    Observed {
        git_repository: Some(git(source, TOKEN)),
        kustomizations,
        helm_releases: Vec::new(),
    }
}

/// A request to the source, made when every Kustomization named was behind.
fn requested(behind: &[&str], answered: bool) -> Fresh {
    Fresh {
        token: Some(TOKEN.into()),
        since: Some(0),
        behind: behind
            .iter()
            .map(|n| ("flux-system".to_string(), n.to_string()))
            .collect(),
        answered,
        ..Fresh::default()
    }
}

fn names(asks: &[Ask]) -> Vec<&str> {
    asks.iter().map(|a| a.name.as_str()).collect()
}

const ALL: [&str; 4] = ["flux-system", "sources", "infrastructure", "apps"];

#[test]
fn nothing_is_asked_before_the_source_answered_our_request_with_the_goal() {
    let rev = goal().revision();
    let fresh = requested(&[], true);
    // Still at the old commit.
    let obs = observed(OLD, chain([OLD; 4]));
    assert!(asks(&obs, &goal(), &fresh).is_empty());
    // At the goal, but from before our request.
    let mut obs = observed(&rev, chain([&rev; 4]));
    obs.git_repository = Some(git(&rev, "earlier"));
    assert!(asks(&obs, &goal(), &fresh).is_empty());
    // Not during a check, which requests nothing.
    let obs = observed(&rev, chain([&rev; 4]));
    assert!(asks(&obs, &goal(), &Fresh::default()).is_empty());
}

#[test]
fn a_new_commit_asks_only_what_waits_for_the_dependency_timer() {
    let rev = goal().revision();
    let fresh = requested(&ALL, true);
    // The source moved: kustomize-controller reconciles all four on its own.
    let obs = observed(&rev, chain([OLD; 4]));
    assert!(asks(&obs, &goal(), &fresh).is_empty());
    // infrastructure and apps tried before sources applied the commit.
    let mut list = chain([&rev, OLD, OLD, OLD]);
    list[2] = dependency_not_ready(list[2].clone());
    list[3] = dependency_not_ready(list[3].clone());
    let obs = observed(&rev, list.clone());
    assert!(asks(&obs, &goal(), &fresh).is_empty());
    // sources applied it: infrastructure's turn, not yet apps'.
    list[1] = ks("sources", &[], &rev);
    let obs = observed(&rev, list.clone());
    assert_eq!(names(&asks(&obs, &goal(), &fresh)), ["infrastructure"]);
    // infrastructure applied it: apps' turn.
    list[2] = ks("infrastructure", &["sources"], &rev);
    let obs = observed(&rev, list);
    assert_eq!(names(&asks(&obs, &goal(), &fresh)), ["apps"]);
}

#[test]
fn a_no_op_asks_each_kustomization_once_its_dependencies_answered() {
    let rev = goal().revision();
    let fresh = requested(&[], true);
    let mut list = chain([&rev; 4]);
    let obs = observed(&rev, list.clone());
    assert_eq!(
        names(&asks(&obs, &goal(), &fresh)),
        ["flux-system", "sources"]
    );
    let mut asked = Asked::new();
    for name in ["flux-system", "sources"] {
        asked.insert(
            ("Kustomization", "flux-system".into(), name.into()),
            format!("{name}-ask"),
        );
    }
    let fresh = Fresh {
        chain: asked,
        ..fresh
    };
    // Asked, not answered yet: nobody is asked (again).
    let obs = observed(&rev, list.clone());
    assert!(asks(&obs, &goal(), &fresh).is_empty());
    list[0] = handled(list[0].clone(), "flux-system-ask");
    list[1] = handled(list[1].clone(), "sources-ask");
    let obs = observed(&rev, list);
    assert_eq!(names(&asks(&obs, &goal(), &fresh)), ["infrastructure"]);
}

#[test]
fn without_waiting_for_an_answer_a_kustomization_at_the_goal_is_not_asked() {
    let rev = goal().revision();
    let fresh = requested(&[], false);
    let obs = observed(&rev, chain([&rev; 4]));
    assert!(asks(&obs, &goal(), &fresh).is_empty());
}

#[test]
fn asked_again_only_when_it_answered_that_its_dependencies_were_not_ready() {
    let rev = goal().revision();
    let mut asked = Asked::new();
    asked.insert(
        (
            "Kustomization",
            "flux-system".into(),
            "infrastructure".into(),
        ),
        "ask".into(),
    );
    let fresh = Fresh {
        chain: asked,
        ..requested(&ALL, true)
    };
    let list = |infra: Value| {
        let mut l = chain([&rev, &rev, OLD, OLD]);
        l[2] = infra;
        l
    };
    let stuck = dependency_not_ready(ks("infrastructure", &["sources"], OLD));
    // Not handled yet.
    let obs = observed(&rev, list(stuck.clone()));
    assert!(asks(&obs, &goal(), &fresh).is_empty());
    // Handled, and still waiting for a dependency that is there now.
    let obs = observed(&rev, list(handled(stuck, "ask")));
    assert_eq!(names(&asks(&obs, &goal(), &fresh)), ["infrastructure"]);
    // Handled, and failed for another reason: its own answer.
    let mut failed = handled(ks("infrastructure", &["sources"], OLD), "ask");
    let reason = cond("Ready", "False", "ReconciliationFailed");
    set(&mut failed, "/status/conditions", json!([reason]));
    let obs = observed(&rev, list(failed));
    assert!(asks(&obs, &goal(), &fresh).is_empty());
}

#[test]
fn not_asked_while_reconciling_suspended_or_its_dependency_unseen() {
    let rev = goal().revision();
    let fresh = requested(&[], true);
    let mut busy = ks("sources", &[], &rev);
    let progressing = cond("Reconciling", "True", "Progressing");
    set(
        &mut busy,
        "/status/conditions",
        json!([cond("Ready", "Unknown", "Progressing"), progressing]),
    );
    let mut suspended = ks("flux-system", &[], &rev);
    suspended["spec"]["suspend"] = json!(true);
    let orphan = ks("apps", &["missing"], &rev);
    let obs = observed(&rev, vec![busy, suspended, orphan]);
    assert!(asks(&obs, &goal(), &fresh).is_empty());
    // A failure it retries is no reconcile in flight.
    let mut retrying = ks("sources", &[], &rev);
    let retry = cond("Reconciling", "True", "ProgressingWithRetry");
    set(
        &mut retrying,
        "/status/conditions",
        json!([cond("Ready", "False", "ReconciliationFailed"), retry]),
    );
    let obs = observed(&rev, vec![retrying]);
    assert_eq!(names(&asks(&obs, &goal(), &fresh)), ["sources"]);
}

#[test]
fn dependencies_in_another_namespace_and_other_sources() {
    let rev = goal().revision();
    let fresh = requested(&[], false);
    // Another source's Kustomization is never asked; as a dependency, Ready
    // is enough (its revision is not ours to judge).
    let mut theirs = ks("theirs", &[], "other@sha1:1");
    theirs["metadata"]["namespace"] = json!("team");
    theirs["spec"]["sourceRef"]["name"] = json!("team-repo");
    let mut mine = ks("mine", &[], OLD);
    mine["spec"]["dependsOn"] = json!([{"name": "theirs", "namespace": "team"}]);
    let obs = observed(&rev, vec![theirs.clone(), mine.clone()]);
    assert_eq!(names(&asks(&obs, &goal(), &fresh)), ["mine"]);
    // Waiting for Flux's answer: ours must answer, theirs need only be Ready.
    let mine_at_goal = {
        let mut m = mine.clone();
        m["status"]["lastAppliedRevision"] = json!(rev);
        m
    };
    let obs = observed(&rev, vec![theirs.clone(), mine_at_goal]);
    let answering = requested(&[], true);
    assert_eq!(names(&asks(&obs, &goal(), &answering)), ["mine"]);
    // Without the namespace it names flux-system/theirs, which is not there.
    mine["spec"]["dependsOn"] = json!([{"name": "theirs"}]);
    let obs = observed(&rev, vec![theirs, mine]);
    assert!(asks(&obs, &goal(), &fresh).is_empty());
}

fn hr(name: &str, deps: &[&str], reason: &str, status: &str) -> Value {
    let deps: Vec<Value> = deps.iter().map(|d| json!({"name": d})).collect();
    json!({
        "metadata": {"namespace": "flux-system", "name": name, "generation": 1},
        "spec": {"dependsOn": deps},
        "status": {"observedGeneration": 1, "conditions": [cond("Ready", status, reason)]},
    })
}

#[test]
fn a_helm_release_is_asked_once_the_releases_it_depends_on_are_ready() {
    let rev = goal().revision();
    let fresh = requested(&[], false);
    let mut obs = observed(&rev, chain([&rev; 4]));
    obs.helm_releases = vec![
        hr("crds", &[], "InstallSucceeded", "True"),
        hr("karpenter", &["crds"], "DependencyNotReady", "False"),
        hr("argo", &["karpenter"], "DependencyNotReady", "False"),
        // Installing on its own: helm-controller needs no nudge.
        hr("metrics", &["crds"], "Progressing", "Unknown"),
    ];
    let found = asks(&obs, &goal(), &fresh);
    assert_eq!(names(&found), ["karpenter"]);
    assert_eq!(found[0].kind, HELM_RELEASE);
    assert_eq!(found[0].label(), "HelmRelease flux-system/karpenter");
}

#[test]
fn a_new_or_changed_kustomization_is_the_controller_s_until_its_dependencies_stop_it() {
    let rev = goal().revision();
    // sources applied the new commit.
    let fresh = requested(&["sources"], true);
    // Just made by flux-system's apply: no status yet.
    let mut new = ks("infrastructure", &["sources"], "");
    new["status"] = json!({});
    let list = |infra: Value| vec![ks("sources", &[], &rev), infra];
    let obs = observed(&rev, list(new.clone()));
    assert!(asks(&obs, &goal(), &fresh).is_empty());
    // A new spec, not reconciled yet.
    let mut changed = ks("infrastructure", &["sources"], &rev);
    changed["metadata"]["generation"] = json!(2);
    let obs = observed(&rev, list(changed.clone()));
    assert!(asks(&obs, &goal(), &fresh).is_empty());
    // Either tried before sources was Ready: waiting for the timer.
    for waiting in [new, changed] {
        let obs = observed(&rev, list(dependency_not_ready(waiting)));
        assert_eq!(names(&asks(&obs, &goal(), &fresh)), ["infrastructure"]);
    }
}

#[test]
fn a_helm_release_asked_is_not_the_kustomization_of_the_same_name() {
    let rev = goal().revision();
    let mut asked = Asked::new();
    asked.insert(
        ("HelmRelease", "flux-system".into(), "sources".into()),
        "ask".into(),
    );
    let fresh = Fresh {
        chain: asked,
        ..requested(&[], true)
    };
    let obs = observed(&rev, vec![ks("sources", &[], &rev)]);
    assert_eq!(names(&asks(&obs, &goal(), &fresh)), ["sources"]);
}
