//! Judging Flux's objects against the goal revision.

use super::*;
use serde_json::json;

fn goal() -> Goal {
    Goal {
        branch: "main".into(),
        commit: "abcdef0123456789".into(),
    }
}

fn ready(status: &str, reason: &str) -> Value {
    json!({"type": "Ready", "status": status, "reason": reason, "message": reason,
           "lastTransitionTime": "2020-01-01T00:00:00Z"})
}

fn git(revision: &str) -> Value {
    json!({
        "metadata": {"namespace": "flux-system", "name": "flux-system", "generation": 1},
        "spec": {},
        "status": {"observedGeneration": 1, "artifact": {"revision": revision},
                   "conditions": [ready("True", "Succeeded")]},
    })
}

fn ks(name: &str, applied: &str, cond: Value) -> Value {
    json!({
        "metadata": {"namespace": "flux-system", "name": name, "generation": 2},
        "spec": {"sourceRef": {"kind": "GitRepository", "name": "flux-system"}},
        "status": {"observedGeneration": 2, "lastAppliedRevision": applied, "conditions": [cond]},
    })
}

fn hr(name: &str, cond: Value) -> Value {
    json!({
        "metadata": {"namespace": "flux-system", "name": name, "generation": 1},
        "spec": {},
        "status": {"observedGeneration": 1, "conditions": [cond]},
    })
}

fn synced() -> Observed {
    let rev = goal().revision();
    Observed {
        git_repository: Some(git(&rev)),
        kustomizations: vec![
            ks("flux-system", &rev, ready("True", "Applied")),
            ks("add-ons", &rev, ready("True", "Applied")),
        ],
        helm_releases: vec![hr("karpenter", ready("True", "InstallSucceeded"))],
    }
}

const BRINGS: &[(&str, &str)] = &[("karpenter.sh/v1alpha5", "Provisioner")];

const KARPENTER: &[Release] = &[Release {
    namespace: "flux-system",
    name: "karpenter",
    brings: BRINGS,
    required: true,
    removed: false,
}];

#[test]
fn everything_at_the_goal_is_synced() {
    let judged = judge(&synced(), &goal(), KARPENTER, &Fresh::default());
    match outcome(&judged, &goal()) {
        Outcome::Synced(s) => {
            assert!(
                s.contains("2 Kustomization(s) at main@sha1:abcdef01"),
                "{s}"
            );
            assert!(s.contains("HelmRelease karpenter Ready"), "{s}");
        }
        _ => panic!("not synced"),
    }
}

#[test]
fn an_old_revision_is_pending_and_named() {
    let mut obs = synced();
    obs.kustomizations[1] = ks("add-ons", "main@sha1:0000", ready("True", "Applied"));
    let judged = judge(&obs, &goal(), &[], &Fresh::default());
    match outcome(&judged, &goal()) {
        Outcome::Pending {
            summary,
            first,
            why,
        } => {
            assert_eq!(first, "Kustomization flux-system/add-ons");
            assert_eq!(why, "at main@sha1:0000, waiting for main@sha1:abcdef01");
            assert!(summary.starts_with("2/3 ready"), "{summary}");
        }
        _ => panic!("not pending"),
    }
}

#[test]
fn missing_objects_are_pending() {
    let obs = Observed::default();
    let judged = judge(&obs, &goal(), KARPENTER, &Fresh::default());
    assert_eq!(judged.len(), 3);
    assert!(
        judged
            .iter()
            .all(|j| matches!(j.verdict, Verdict::Waiting(_)))
    );
}

#[test]
fn kustomizations_of_other_sources_need_only_be_ready() {
    let mut obs = synced();
    let mut other = ks("other", "", ready("True", "Applied"));
    other["spec"]["sourceRef"]["name"] = json!("elsewhere");
    obs.kustomizations.push(other);
    let judged = judge(&obs, &goal(), &[], &Fresh::default());
    assert!(matches!(outcome(&judged, &goal()), Outcome::Synced(_)));
}

#[test]
fn a_failure_fails_fast_only_once_it_answers_our_request() {
    let mut obs = synced();
    obs.kustomizations[1] = ks("add-ons", "main@sha1:0000", ready("False", "BuildFailed"));
    let judged = judge(&obs, &goal(), &[], &Fresh::default());
    assert!(
        matches!(outcome(&judged, &goal()), Outcome::Pending { .. }),
        "old failures are not ours"
    );
    let fresh = Fresh {
        token: Some("t1".into()),
        since: Some(1_700_000_000),
        ..Fresh::default()
    };
    let judged = judge(&obs, &goal(), &[], &fresh);
    assert!(
        matches!(outcome(&judged, &goal()), Outcome::Pending { .. }),
        "from before the request"
    );
    obs.kustomizations[1]["status"]["lastHandledReconcileAt"] = json!("t1");
    let judged = judge(&obs, &goal(), &[], &fresh);
    match outcome(&judged, &goal()) {
        Outcome::Failed(Error::FluxFailed {
            kind,
            name,
            message,
            ..
        }) => {
            assert_eq!(
                (kind.as_str(), name.as_str()),
                ("Kustomization", "flux-system/add-ons")
            );
            assert_eq!(message, "BuildFailed: BuildFailed");
        }
        _ => panic!("not failed"),
    }
}

#[test]
fn a_failure_at_the_goal_revision_or_after_the_request_is_fresh() {
    let fresh = Fresh {
        token: Some("t1".into()),
        since: Some(1_577_836_800), // 2020-01-01T00:00:00Z
        ..Fresh::default()
    };
    let mut failed = ks(
        "add-ons",
        "main@sha1:0000",
        ready("False", "HealthCheckFailed"),
    );
    assert!(
        is_fresh(&failed, &goal(), &fresh),
        "transitioned at the request's second"
    );
    failed["status"]["conditions"][0]["lastTransitionTime"] = json!("2019-12-31T00:00:00Z");
    assert!(!is_fresh(&failed, &goal(), &fresh));
    failed["status"]["lastAttemptedRevision"] = json!(goal().revision());
    assert!(is_fresh(&failed, &goal(), &fresh));
}

#[test]
fn suspended_objects_fail_with_the_resume_command() {
    let mut obs = synced();
    obs.kustomizations[1]["spec"]["suspend"] = json!(true);
    let judged = judge(&obs, &goal(), &[], &Fresh::default());
    match outcome(&judged, &goal()) {
        Outcome::Failed(err) => {
            let help = err.help().unwrap();
            assert!(
                help.contains("flux resume kustomization add-ons -n flux-system"),
                "{help}"
            );
        }
        _ => panic!("not failed"),
    }
}

#[test]
fn goals_accept_the_old_revision_format() {
    assert!(goal().matches("main@sha1:abcdef0123456789"));
    assert!(goal().matches("main/abcdef0123456789"));
    assert!(!goal().matches("dev@sha1:abcdef0123456789"));
}

#[test]
fn helm_releases_wait_for_the_kustomizations_then_fail_fast() {
    let fresh = Fresh {
        token: Some("t1".into()),
        since: Some(1_900_000_000),
        ..Fresh::default()
    };
    let mut obs = synced();
    obs.helm_releases[0] = hr("karpenter", ready("False", "InstallFailed"));
    let judged = judge(&obs, &goal(), KARPENTER, &fresh);
    assert!(matches!(
        outcome(&judged, &goal()),
        Outcome::Failed(Error::FluxFailed { .. })
    ));
    obs.kustomizations[1] = ks("add-ons", "main@sha1:0000", ready("True", "Applied"));
    let judged = judge(&obs, &goal(), KARPENTER, &fresh);
    assert!(
        matches!(outcome(&judged, &goal()), Outcome::Pending { .. }),
        "a HelmRelease is not judged before the Kustomizations applied the goal"
    );
}

/// As real kustomize-controller does before its source's first artifact:
/// Ready=False ArtifactFailed, no Reconciling; it retries by itself.
#[test]
fn artifact_failed_is_waiting() {
    let fresh = Fresh {
        token: Some("t1".into()),
        since: Some(1_577_836_800),
        ..Fresh::default()
    };
    let mut obs = synced();
    obs.git_repository = Some(json!({
        "metadata": {"namespace": "flux-system", "name": "flux-system", "generation": 1},
        "spec": {},
        "status": {"observedGeneration": 1, "conditions": [
            {"type": "Reconciling", "status": "True", "reason": "Progressing", "message": "cloning"}
        ]},
    }));
    let mut waiting = ks("flux-system", "", ready("False", "ArtifactFailed"));
    waiting["status"]["lastHandledReconcileAt"] = json!("t1");
    obs.kustomizations[0] = waiting;
    let judged = judge(&obs, &goal(), &[], &fresh);
    assert!(
        matches!(outcome(&judged, &goal()), Outcome::Pending { .. }),
        "waiting for the source"
    );
    // Once the source is Ready at the goal, the same answer is still
    // waiting: on real Flux the artifact's arrival requeues the Kustomization
    // (seen: Ready at the goal a moment after this answer).
    obs.git_repository = Some(git(&goal().revision()));
    let judged = judge(&obs, &goal(), &[], &fresh);
    assert!(matches!(outcome(&judged, &goal()), Outcome::Pending { .. }));
}

/// The upstream's karpenter-provisioner applies a Provisioner the karpenter
/// chart brings: Flux fails it until the HelmRelease has installed.
fn provisioner_waiting(release: Value) -> Observed {
    let mut failed = real_failure(
        "ReconciliationFailed",
        "Provisioner/default dry-run failed: no matches for kind \"Provisioner\" in version \"karpenter.sh/v1alpha5\"",
        "",
    );
    failed["metadata"]["name"] = json!("karpenter-provisioner");
    let mut obs = synced();
    obs.kustomizations.push(failed);
    obs.helm_releases = vec![release];
    obs
}

fn asked() -> Fresh {
    Fresh {
        token: Some("t1".into()),
        since: Some(1_900_000_000),
        ..Fresh::default()
    }
}

const NOT_REQUIRED: &[Release] = &[Release {
    namespace: "flux-system",
    name: "karpenter",
    brings: BRINGS,
    required: false,
    removed: false,
}];

#[test]
fn an_unserved_kind_an_installing_release_brings_is_waited_through() {
    let installing = hr("karpenter", ready("Unknown", "Progressing"));
    let obs = provisioner_waiting(installing);
    // Even when only an enabled add-on (not one setup waits for) brings it.
    let judged = judge(&obs, &goal(), NOT_REQUIRED, &asked());
    match outcome(&judged, &goal()) {
        Outcome::Pending { first, why, .. } => {
            assert_eq!(first, "Kustomization flux-system/karpenter-provisioner");
            assert!(
                why.contains("waits for HelmRelease flux-system/karpenter to install Provisioner karpenter.sh/v1alpha5"),
                "{why}"
            );
        }
        _ => panic!("not pending"),
    }
    assert!(
        judged.iter().any(|j| j.kind == HELM_RELEASE),
        "the release is judged too"
    );
    assert!(judged.iter().all(|j| !j.nudge));
}

#[test]
fn once_the_release_is_ready_the_kustomization_is_asked_once_then_fails() {
    let obs = provisioner_waiting(hr("karpenter", ready("True", "InstallSucceeded")));
    let judged = judge(&obs, &goal(), KARPENTER, &asked());
    let waiting = judged
        .iter()
        .find(|j| j.name == "karpenter-provisioner")
        .unwrap();
    assert!(waiting.nudge);
    assert!(matches!(outcome(&judged, &goal()), Outcome::Pending { .. }));
    // Asked, but not handled yet: still waiting, not asked again.
    let mut fresh = asked();
    let key = (
        "flux-system".to_string(),
        "karpenter-provisioner".to_string(),
    );
    fresh.nudges.insert(key, "t2".into());
    let judged = judge(&obs, &goal(), KARPENTER, &fresh);
    assert!(judged.iter().all(|j| !j.nudge));
    assert!(matches!(outcome(&judged, &goal()), Outcome::Pending { .. }));
    // Handled and still failing: the chart does not bring it.
    let mut obs = obs;
    obs.kustomizations[2]["status"]["lastHandledReconcileAt"] = json!("t2");
    let judged = judge(&obs, &goal(), KARPENTER, &fresh);
    match outcome(&judged, &goal()) {
        Outcome::Failed(e) => {
            let text = format!("{e} {}", e.help().unwrap_or_default());
            assert!(text.contains("still serves no Provisioner"), "{text}");
        }
        _ => panic!("not failed"),
    }
}

#[test]
fn an_unserved_kind_nothing_brings_fails_at_once_with_the_fix() {
    let obs = provisioner_waiting(hr("karpenter", ready("True", "InstallSucceeded")));
    let judged = judge(&obs, &goal(), &[], &asked());
    match outcome(&judged, &goal()) {
        Outcome::Failed(e) => {
            let text = format!("{e} {}", e.help().unwrap_or_default());
            assert!(
                text.contains("no matches for kind"),
                "Flux's message: {text}"
            );
            assert!(
                text.contains("no add-on enabled in the fork brings"),
                "{text}"
            );
        }
        _ => panic!("not failed"),
    }
}

/// What real kustomize-controller 1.9.5 leaves after a failed apply of a
/// Kustomization that never succeeded: `status.observedGeneration` still -1,
/// Ready=False for generation 1, Reconciling=True ProgressingWithRetry.
fn real_failure(reason: &str, message: &str, handled: &str) -> Value {
    json!({
        "metadata": {"namespace": "flux-system", "name": "apps", "generation": 1},
        "spec": {"sourceRef": {"kind": "GitRepository", "name": "flux-system"}},
        "status": {
            "observedGeneration": -1,
            "lastAttemptedRevision": goal().revision(),
            "lastHandledReconcileAt": handled,
            "conditions": [
                {"type": "Reconciling", "status": "True", "reason": "ProgressingWithRetry",
                 "message": "Detecting drift", "observedGeneration": 1,
                 "lastTransitionTime": "2020-01-01T00:00:00Z"},
                {"type": "Ready", "status": "False", "reason": reason, "message": message,
                 "observedGeneration": 1, "lastTransitionTime": "2020-01-01T00:00:00Z"},
            ],
        },
    })
}

#[test]
fn a_real_flux_failure_it_retries_is_a_failure_once_it_answers_our_request() {
    let mut obs = synced();
    let message = "Deployment/default-app/nginx dry-run failed: spec.replicas: Invalid value";
    obs.kustomizations[1] = real_failure("ReconciliationFailed", message, "t1");
    let judged = judge(&obs, &goal(), &[], &asked());
    match outcome(&judged, &goal()) {
        Outcome::Failed(e) => assert!(e.to_string().contains(message), "{e}"),
        _ => panic!("not failed"),
    }
    // Before our request was handled, and not at the goal: left over.
    let mut stale = real_failure("ReconciliationFailed", message, "t0");
    stale["status"]["lastAttemptedRevision"] = json!("main@sha1:0000");
    obs.kustomizations[1] = stale;
    let judged = judge(&obs, &goal(), &[], &asked());
    assert!(matches!(outcome(&judged, &goal()), Outcome::Pending { .. }));
    // Waiting for a dependency is progress, however it reads.
    obs.kustomizations[1] = real_failure("DependencyNotReady", "dependency 'x' is not ready", "t1");
    let judged = judge(&obs, &goal(), &[], &asked());
    assert!(matches!(outcome(&judged, &goal()), Outcome::Pending { .. }));
}

/// Real kustomize-controller 1.9.5 after a successful reconcile, asked again
/// while its dependency applies: Ready=False DependencyNotReady and no
/// Reconciling condition (kstatus alone calls that failed).
#[test]
fn a_dependency_not_ready_without_reconciling_is_waiting() {
    let mut obs = synced();
    let mut apps = ks(
        "apps",
        &goal().revision(),
        ready("False", "DependencyNotReady"),
    );
    apps["status"]["lastHandledReconcileAt"] = json!("t1");
    obs.kustomizations[1] = apps;
    let judged = judge(&obs, &goal(), &[], &asked());
    match outcome(&judged, &goal()) {
        Outcome::Pending { why, .. } => {
            assert!(why.contains("waiting for its dependencies"), "{why}")
        }
        _ => panic!("not pending"),
    }
}

#[test]
fn a_disabled_add_on_is_done_when_its_release_is_gone() {
    let gone = [Release {
        namespace: "flux-system",
        name: "karpenter",
        brings: BRINGS,
        required: false,
        removed: true,
    }];
    // Still there: waiting for the prune.
    let judged = judge(&synced(), &goal(), &gone, &asked());
    match outcome(&judged, &goal()) {
        Outcome::Pending { first, why, .. } => {
            assert_eq!(first, "HelmRelease flux-system/karpenter");
            assert!(why.contains("prune"), "{why}");
        }
        _ => panic!("not pending"),
    }
    // Deleting (helm-controller's finalizer uninstalls): still waiting.
    let mut obs = synced();
    obs.helm_releases[0]["metadata"]["deletionTimestamp"] = json!("2020-01-01T00:00:00Z");
    let judged = judge(&obs, &goal(), &gone, &asked());
    assert!(matches!(outcome(&judged, &goal()), Outcome::Pending { .. }));
    // Gone: done, and said so.
    obs.helm_releases.clear();
    let judged = judge(&obs, &goal(), &gone, &asked());
    match outcome(&judged, &goal()) {
        Outcome::Synced(s) => assert!(s.contains("HelmRelease karpenter uninstalled"), "{s}"),
        _ => panic!("not synced"),
    }
}

#[test]
fn a_fetch_the_git_host_failed_for_a_moment_is_waited_out_and_a_missing_repository_is_not() {
    assert!(super::transient_fetch(
        "failed to checkout and determine revision: unable to clone 'http://127.0.0.1/a/b.git': unexpected client error: unexpected requesting \"http://127.0.0.1/a/b.git/info/refs\" status code: 502"
    ));
    assert!(super::transient_fetch(
        "read tcp 10.0.0.1:5 -> 1.2.3.4:443: connection reset by peer"
    ));
    assert!(!super::transient_fetch(
        "unable to clone: repository not found"
    ));
    assert!(!super::transient_fetch("authentication required"));
}

#[test]
fn waiting_for_flux_s_answer_a_kustomization_answers_by_moving_or_by_handling_our_ask() {
    let rev = goal().revision();
    let mut handled = ks("asked", &rev, ready("True", "Applied"));
    handled["status"]["lastHandledReconcileAt"] = json!("ask");
    let obs = Observed {
        git_repository: Some(git(&rev)),
        kustomizations: vec![
            ks("flux-system", &rev, ready("True", "Applied")),
            ks("moved", &rev, ready("True", "Applied")),
            handled,
            ks("stale", &rev, ready("True", "Applied")),
        ],
        helm_releases: Vec::new(),
    };
    let mut fresh = Fresh {
        token: Some("request".into()),
        since: Some(0),
        answered: true,
        ..Fresh::default()
    };
    // Behind when we asked the source: at the goal now, so it moved for us.
    fresh.behind.insert(("flux-system".into(), "moved".into()));
    fresh
        .behind
        .insert(("flux-system".into(), "flux-system".into()));
    fresh.chain.insert(
        ("Kustomization", "flux-system".into(), "asked".into()),
        "ask".into(),
    );
    let judged = judge(&obs, &goal(), &[], &fresh);
    let verdict = |name: &str| {
        judged
            .iter()
            .find(|j| j.name == name && j.kind == KUSTOMIZATION)
            .map(|j| j.verdict.clone())
            .unwrap()
    };
    assert!(matches!(verdict("moved"), Verdict::Ready(_)));
    assert!(matches!(verdict("asked"), Verdict::Ready(_)));
    assert!(
        matches!(&verdict("stale"), Verdict::Waiting(w) if w.contains("waiting for its answer")),
        "{:?}",
        verdict("stale")
    );
}

#[test]
fn a_kustomization_reconciling_again_at_the_goal_is_there_unless_its_answer_is_wanted() {
    let rev = goal().revision();
    let mut again = ks("apps", &rev, ready("Unknown", "Progressing"));
    again["status"]["conditions"].as_array_mut().unwrap().push(
        json!({"type": "Reconciling", "status": "True", "reason": "Progressing",
                     "message": "Fetching manifests"}),
    );
    let obs = Observed {
        git_repository: Some(git(&rev)),
        kustomizations: vec![again.clone()],
        helm_releases: vec![],
    };
    let judged = judge(&obs, &goal(), &[], &Fresh::default());
    assert!(
        matches!(&judged[2].verdict, Verdict::Ready(m) if m.contains("again")),
        "{judged:?}"
    );
    let wanted = Fresh {
        answered: true,
        ..Fresh::default()
    };
    let judged = judge(&obs, &goal(), &[], &wanted);
    assert!(
        matches!(judged[2].verdict, Verdict::Waiting(_)),
        "{judged:?}"
    );
    // Not at the goal yet: still waiting.
    let mut behind = again;
    behind["status"]["lastAppliedRevision"] = json!("main@sha1:0000");
    let obs = Observed {
        kustomizations: vec![behind],
        ..obs
    };
    let judged = judge(&obs, &goal(), &[], &Fresh::default());
    assert!(
        matches!(judged[2].verdict, Verdict::Waiting(_)),
        "{judged:?}"
    );
}
