//! `reset --to setup` on the rig: after an enabled add-on and the
//! participant's own pushed commit, one new commit puts setup's files back;
//! the real kustomize-controller prunes the add-on's HelmRelease (and
//! helm-controller uninstalls its chart) and re-applies the participant's
//! change back; `status` reads as it did at setup's end. A SIGKILL between
//! the reset's commit and its push, then `resume`, ends the same way.

use serde_json::Value;

use super::fixture::{Real, SEED_KUSTOMIZATIONS};
use crate::crash::kill_at;
use crate::support::git;
use crate::world::{LOGIN, NAME};

const ARGO: [&str; 4] = ["-n", "flux-system", "helmrelease", "argo-workflows"];
const ARGO_OBJECT: [&str; 4] = ["-n", "argo-workflows", "configmap", "argo-installed"];
const APP: &str = "gitops/applications/01-sample-app.yaml";
const NGINX: [&str; 4] = ["-n", "default", "deployment", "nginx"];

/// What `status` and `addons` say of the workshop, minus what moves with
/// every commit (ids, times): each step's standing now, whether the
/// cluster runs the fork's tip, and which add-ons the clone enables.
fn standing(r: &Real) -> (Vec<(String, Value)>, Value, Value) {
    let status = r.w.cmd(&["status", "-o", "json"]).run().success().json();
    let steps = status["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["step"].as_str().unwrap().to_string(), s["now"].clone()))
        .collect();
    let at_tip = status["cluster"]["at_tip"].clone();
    let addons = r.w.cmd(&["addons", "-o", "json"]).run().success().json();
    (steps, at_tip, addons)
}

fn replicas(r: &Real) -> u64 {
    r.get(&NGINX)["spec"]["replicas"].as_u64().unwrap()
}

#[test]
fn reset_to_setup_prunes_the_addon_on_real_flux_and_a_kill_before_the_push_resumes() {
    let mut r = Real::start();
    r.set_up();
    let (_, at_tip, setup_addons) = standing(&r);
    assert_eq!(at_tip, true);
    assert_eq!(replicas(&r), 3);

    let out =
        r.w.cmd(&["enable-addon", "argo-workflows", "--timeout", "120s"])
            .run();
    assert_eq!(out.code, 0, "{}", r.diagnose(&out));
    assert!(r.find(&ARGO_OBJECT).is_some(), "the chart is installed");
    let clone = r.w.clone_dir();
    let app = std::fs::read_to_string(clone.join(APP)).unwrap();
    let theirs = r.participant_pushes(
        "Scale the sample app",
        &[(APP, &app.replacen("replicas: 3", "replicas: 5", 1))],
    );
    let out = r.w.cmd(&["sync", "--no-push", "--timeout", "120s"]).run();
    assert_eq!(out.code, 0, "{}", r.diagnose(&out));
    assert_eq!(replicas(&r), 5, "the participant's change is live");

    // Killed after the reset's commit, before its push; then resumed.
    let args = ["reset", "--to", "setup", "--yes", "--timeout", "180s"];
    assert!(kill_at(&r.w, &args, "reset:after-commit"), "paused");
    let fork = r.forge.repo_dir(LOGIN, NAME);
    assert_eq!(git(&fork, &["rev-parse", "main"]), theirs, "not pushed yet");
    let out = r.w.cmd(&["resume", "--yes", "--timeout", "180s"]).run();
    assert_eq!(out.code, 0, "{}", r.diagnose(&out));
    let text = format!("{}{}", out.stdout, out.stderr);
    assert!(
        text.contains("HelmRelease karpenter, argo-workflows uninstalled"),
        "{text}"
    );

    // One new commit on top of the participant's, pushed as a fast-forward.
    let head = git(&clone, &["rev-parse", "HEAD"]);
    assert_eq!(git(&fork, &["rev-parse", "main"]), head);
    assert_eq!(git(&clone, &["rev-parse", "HEAD~1"]), theirs);
    let subjects = git(&fork, &["log", "--format=%s", "main"]);
    assert_eq!(
        subjects
            .matches("Reset to where setup left the fork")
            .count(),
        1,
        "{subjects}"
    );
    for kept in ["Scale the sample app", "Enable argo-workflows add-on"] {
        assert!(
            subjects.contains(kept),
            "{kept} stays in history: {subjects}"
        );
    }
    // Flux applied it: the add-on pruned and uninstalled, the app back.
    assert_eq!(r.assert_all_applied(&r.revision()), SEED_KUSTOMIZATIONS);
    assert!(r.find(&ARGO).is_none(), "the HelmRelease is pruned");
    assert!(r.find(&ARGO_OBJECT).is_none(), "the chart is uninstalled");
    assert_eq!(replicas(&r), 3);
    // `status` reads as at setup's end: every step done, the cluster at the
    // fork's tip, the same add-ons enabled.
    let (steps, at_tip, addons) = standing(&r);
    assert_eq!(at_tip, true);
    assert_eq!(addons, setup_addons);
    for (step, now) in &steps {
        assert_eq!(now, "already-done", "{step}: {steps:?}");
    }

    // Again: nothing pushed, nothing written.
    let out =
        r.w.cmd(&["reset", "--to", "setup", "--timeout", "60s"])
            .run();
    assert_eq!(out.code, 0, "{}", r.diagnose(&out));
    assert!(
        format!("{}{}", out.stdout, out.stderr).contains("nothing to do"),
        "{}",
        r.diagnose(&out)
    );
    assert_eq!(git(&fork, &["rev-parse", "main"]), head);
}
