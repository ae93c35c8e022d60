//! `reset --to setup|addons`: the fork's files put back as that command
//! left them, by one new commit on top of the participant's history (never
//! a force-push), pushed, and waited for until Flux pruned what later
//! lessons added. A dry run, a declined plan, a dirty clone and a missing
//! record change nothing; a second reset does nothing; a kill between the
//! commit and the push is finished by `resume`.

use crate::crash::kill_at;
use crate::dry_run::{assert_same_dir, snapshot, statuses};
use crate::support::{Workshop, git};
use crate::world::{Env, FS, HELM_API, env};

const APP: &str = "gitops/applications/01-sample-app.yaml";
const ADDONS: &str = "gitops/add-ons/kustomization.yaml";

/// The participant's lesson: an edit, a new file, a deleted one, committed.
fn participant_commit(clone: &std::path::Path) {
    let app = clone.join(APP);
    let text = std::fs::read_to_string(&app).unwrap();
    std::fs::write(&app, text.replacen("replicas: 3", "replicas: 5", 1)).unwrap();
    std::fs::write(clone.join("gitops/applications/mine.yaml"), "a: 1\n").unwrap();
    git(clone, &["rm", "-q", "--", "README.md"]);
    git(clone, &["add", "-A"]);
    git(
        clone,
        &[
            "-c",
            "user.name=p",
            "-c",
            "user.email=p@example.com",
            "commit",
            "-qm",
            "Scale the sample app",
        ],
    );
}

/// The commit `setup` left, as the state file records it.
fn recorded(w: &Workshop, point: &str) -> String {
    let state: serde_json::Value =
        serde_json::from_slice(&std::fs::read(w.dir().join(".eks-workshop/state.json")).unwrap())
            .unwrap();
    state["outputs"]["ends"][point]["commit"]
        .as_str()
        .unwrap_or_else(|| panic!("no {point} end recorded: {state}"))
        .to_string()
}

fn remote(w: &Workshop) -> std::path::PathBuf {
    w.dir()
        .join(".eks-workshop/remote/eks-cluster-upgrades-workshop.git")
}

/// Offline: setup, enable-addon karpenter, the participant's commit.
fn lessons_done() -> (Workshop, String) {
    let w = Workshop::new();
    w.setup_offline();
    let setup = recorded(&w, "setup");
    assert_eq!(w.git(&["rev-parse", "HEAD"]), setup);
    w.cmd(&["enable-addon", "karpenter"]).run().success();
    assert_ne!(recorded(&w, "addons"), setup);
    participant_commit(&w.clone_dir());
    (w, setup)
}

#[test]
fn a_dry_run_or_a_declined_plan_changes_nothing_and_names_the_commits_it_undoes() {
    let (w, setup) = lessons_done();
    let before = snapshot(w.dir());
    let out = w
        .cmd(&["reset", "--to", "setup", "--dry-run", "-o", "json"])
        .run()
        .success();
    assert_same_dir(&before, &snapshot(w.dir()), &["reset", "--dry-run"]);
    let json = out.json();
    let st = statuses(&json);
    assert_eq!(st["reset"], "would-run", "{json}");
    assert_eq!(st["push"], "would-run", "{json}");
    let push = &json["steps"][2]["changes"][0];
    assert!(
        push["commits"]
            .as_str()
            .unwrap()
            .ends_with(") and the commits the steps above make"),
        "{push}"
    );
    let restore = &json["steps"][1]["changes"][0];
    assert_eq!(restore["kind"], "restore", "{json}");
    assert_eq!(restore["commit"], setup.as_str());
    let undone: Vec<&str> = restore["undone"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u.as_str().unwrap())
        .collect();
    assert_eq!(undone.len(), 2, "{undone:?}");
    assert!(
        undone[0].ends_with(" Enable karpenter add-on"),
        "{undone:?}"
    );
    assert!(undone[1].ends_with(" Scale the sample app"), "{undone:?}");
    let diff = restore["diff"].as_str().unwrap();
    for file in [APP, ADDONS, "gitops/applications/mine.yaml", "README.md"] {
        assert!(diff.contains(&format!("+++ b/{file}")), "{file}: {diff}");
    }
    // The text plan says the same, and that history is kept.
    let text = w.cmd(&["reset", "--dry-run"]).run().success();
    assert!(
        text.stdout.contains("undoing (they stay in history):"),
        "{}",
        text.stdout
    );
    assert_same_dir(&before, &snapshot(w.dir()), &["reset", "--dry-run"]);
    // Declined in a terminal: the plan shown, nothing changed but the run's log.
    let out = w.cmd(&["reset", "--to", "setup"]).in_pty(b"n");
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert!(out.stdout.contains("Run this plan?"), "{}", out.stdout);
    assert!(
        out.stdout.contains("Scale the sample app"),
        "{}",
        out.stdout
    );
    let mut after = snapshot(w.dir());
    after.retain(|k, _| !k.starts_with(".eks-workshop/logs"));
    let mut before = before;
    before.retain(|k, _| !k.starts_with(".eks-workshop/logs"));
    assert_same_dir(&before, &after, &["reset", "declined"]);
}

#[test]
fn reset_makes_one_new_commit_with_setup_s_files_and_keeps_history() {
    let (w, setup) = lessons_done();
    let theirs = w.git(&["rev-parse", "HEAD"]);
    let out = w.cmd(&["reset", "--to", "setup", "--yes"]).run().success();
    let said = format!("{}{}", out.stdout, out.stderr);
    assert!(
        said.contains("Reset to where setup left the fork"),
        "{said}"
    );
    // One new commit, on top of the participant's, and pushed (fast-forward).
    assert_eq!(w.git(&["rev-parse", "HEAD~1"]), theirs);
    assert_eq!(
        w.git(&["rev-parse", "HEAD^{tree}"]),
        w.git(&["rev-parse", &format!("{setup}^{{tree}}")]),
        "every file as setup left it"
    );
    assert_eq!(
        git(&remote(&w), &["rev-parse", "main"]),
        w.git(&["rev-parse", "HEAD"])
    );
    let log = w.git(&["log", "--format=%s"]);
    for subject in ["Scale the sample app", "Enable karpenter add-on"] {
        assert!(log.contains(subject), "{subject} stays in history: {log}");
    }
    let body = w.git(&["log", "-1", "--format=%b"]);
    assert!(
        body.contains(&format!("- {} Scale the sample app", &theirs[..8])),
        "{body}"
    );
    assert_eq!(
        w.git(&["status", "--porcelain"]),
        "",
        "the working tree too"
    );
    assert!(!w.clone_dir().join("gitops/applications/mine.yaml").exists());
    assert!(w.clone_dir().join("README.md").exists());
    let addons = w.git(&["show", &format!("HEAD:{ADDONS}")]);
    assert!(addons.contains("# - 02-karpenter.yaml"), "{addons}");
    w.assert_no_failed_step();

    // Again: nothing to do, no commit, no push.
    let head = w.git(&["rev-parse", "HEAD"]);
    let before = snapshot(&remote(&w));
    let out = w.cmd(&["reset", "--to", "setup", "--yes"]).run().success();
    let said = format!("{}{}", out.stdout, out.stderr);
    assert!(
        said.contains("nothing to do, everything was already done"),
        "{said}"
    );
    assert_eq!(w.git(&["rev-parse", "HEAD"]), head);
    assert_same_dir(&before, &snapshot(&remote(&w)), &["reset", "again"]);

    // And forward again to where the add-on command left it.
    w.cmd(&["reset", "--to", "addons", "--yes"]).run().success();
    let addons = w.git(&["show", &format!("HEAD:{ADDONS}")]);
    assert!(addons.contains("\n  - 02-karpenter.yaml"), "{addons}");
    assert_eq!(w.git(&["rev-parse", "HEAD~1"]), head);
}

#[test]
fn uncommitted_edits_stop_it_before_anything_changes() {
    let (w, _) = lessons_done();
    let app = w.clone_dir().join(APP);
    std::fs::write(&app, "mine: true\n").unwrap();
    let before = snapshot(w.dir());
    let mut before_no_logs = before.clone();
    before_no_logs.retain(|k, _| !k.starts_with(".eks-workshop/logs"));
    let out = w
        .cmd(&["reset", "--to", "setup", "--yes"])
        .run()
        .bad(2, "your uncommitted edits");
    assert!(out.stderr.contains(APP), "{}", out.stderr);
    assert!(
        out.stderr.contains("help: commit or stash"),
        "{}",
        out.stderr
    );
    assert_eq!(std::fs::read_to_string(&app).unwrap(), "mine: true\n");
    // The dry run says the same.
    w.cmd(&["reset", "--dry-run"])
        .run()
        .bad(2, "your uncommitted edits");
    let mut after = snapshot(w.dir());
    after.retain(|k, _| !k.starts_with(".eks-workshop/logs"));
    // The state file records the failed step; nothing else moved.
    before_no_logs.remove(".eks-workshop/state.json");
    after.remove(".eks-workshop/state.json");
    assert_same_dir(&before_no_logs, &after, &["reset", "dirty"]);
}

#[test]
fn no_record_says_there_is_nothing_to_reset_to_and_what_to_do() {
    let w = Workshop::new();
    w.setup_offline();
    // A state file from before the record: no `ends`.
    let path = w.dir().join(".eks-workshop/state.json");
    let mut state: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    state["outputs"].as_object_mut().unwrap().remove("ends");
    std::fs::write(&path, serde_json::to_vec_pretty(&state).unwrap()).unwrap();
    let before = std::fs::read(&path).unwrap();
    let head = w.git(&["rev-parse", "HEAD"]);
    for args in [&["reset", "--yes"][..], &["reset", "--dry-run"]] {
        let out = w.cmd(args).run().bad(2, "there is nothing to reset to");
        assert!(out.stderr.contains("help: "), "{}", out.stderr);
        assert!(
            out.stderr.contains("git restore --source="),
            "{}",
            out.stderr
        );
    }
    assert_eq!(std::fs::read(&path).unwrap(), before, "state untouched");
    assert_eq!(w.git(&["rev-parse", "HEAD"]), head);
    // No add-on command yet: `--to addons` points at `--to setup`.
    let w = Workshop::new();
    w.setup_offline();
    w.cmd(&["reset", "--to", "addons", "--yes"])
        .run()
        .bad(
            2,
            "no record of where the last `enable-addon` or `disable-addon` left the fork",
        )
        .stderr_has("reset --to setup");
}

#[test]
fn killed_between_the_commit_and_the_push_resume_pushes_it_once() {
    for point in ["reset:after-checkout", "reset:after-commit", "ran:reset"] {
        let (w, setup) = lessons_done();
        assert!(
            kill_at(&w, &["reset", "--to", "setup", "--yes"], point),
            "paused at {point}"
        );
        w.cmd(&["resume"]).run().success();
        let subjects = w.git(&["log", "--format=%s"]);
        assert_eq!(
            subjects
                .matches("Reset to where setup left the fork")
                .count(),
            1,
            "{point}: {subjects}"
        );
        assert_eq!(
            w.git(&["rev-parse", "HEAD^{tree}"]),
            w.git(&["rev-parse", &format!("{setup}^{{tree}}")]),
            "{point}"
        );
        assert_eq!(
            git(&remote(&w), &["rev-parse", "main"]),
            w.git(&["rev-parse", "HEAD"]),
            "{point}: pushed"
        );
        assert_eq!(w.git(&["status", "--porcelain"]), "", "{point}");
    }
}

/// Online, on the stand-ins: the dry run writes nothing to the forge or the
/// API server; the run waits until Flux pruned the add-on's HelmRelease.
#[test]
fn online_reset_waits_until_flux_pruned_the_addon() {
    let e: Env = env(true);
    e.setup(&[]).success();
    e.w.cmd(&["enable-addon", "karpenter", "--yes", "--timeout", "60s"])
        .run()
        .success();
    assert!(
        e.api
            .store()
            .get(HELM_API, "HelmRelease", Some(FS), "karpenter")
            .is_some()
    );
    participant_commit(&e.w.clone_dir());
    let before = snapshot(e.w.dir());
    e.forge.reset_requests();
    e.api.clear_requests();
    let dry =
        e.w.cmd(&["reset", "--dry-run", "-o", "json"])
            .run()
            .success();
    let (forge, api) = crate::noop::writes(&e);
    assert!(forge.is_empty(), "{forge:?}");
    assert!(api.is_empty(), "{api:?}");
    assert_same_dir(&before, &snapshot(e.w.dir()), &["reset", "--dry-run"]);
    // The wait it shows is for the restored files, not for HEAD's.
    let json = dry.json();
    let until = json["steps"][3]["changes"][0]["until"].to_string();
    assert!(
        until.contains("HelmRelease flux-system/karpenter is uninstalled and gone"),
        "{json}"
    );
    assert!(
        until.contains("HelmRelease flux-system/metrics-server is Ready"),
        "{json}"
    );
    assert!(!until.contains("karpenter is Ready"), "{json}");

    let out =
        e.w.cmd(&["reset", "--yes", "--timeout", "60s"])
            .run()
            .success();
    let said = format!("{}{}", out.stdout, out.stderr);
    assert!(
        said.contains("HelmRelease karpenter, argo-workflows uninstalled"),
        "{said}"
    );
    assert!(
        e.api
            .store()
            .get(HELM_API, "HelmRelease", Some(FS), "karpenter")
            .is_none(),
        "pruned"
    );
    assert_eq!(e.head(), e.w.git(&["rev-parse", "HEAD"]));
    let log = e.w.git(&["log", "--format=%s"]);
    assert!(log.contains("Scale the sample app"), "{log}");
    // Again: no write anywhere.
    e.forge.reset_requests();
    e.api.clear_requests();
    e.w.cmd(&["reset", "--yes", "--timeout", "60s"])
        .run()
        .success();
    let (forge, _) = crate::noop::writes(&e);
    assert!(forge.is_empty(), "{forge:?}");
}

/// Where setup ends is recorded by the `resume` that finishes it, even when
/// the killed run had changed everything already and the resume runs no step.
#[test]
fn a_setup_killed_after_its_push_records_its_end_when_resumed() {
    for point in ["push:after-push", "before:reconcile"] {
        let w = Workshop::new();
        let values = crate::support::example_values();
        let args = [
            "setup",
            "--offline",
            "--yes",
            "--values",
            values.to_str().unwrap(),
        ];
        assert!(kill_at(&w, &args, point), "paused at {point}");
        w.cmd(&["resume"]).run().success();
        assert_eq!(
            recorded(&w, "setup"),
            w.git(&["rev-parse", "HEAD"]),
            "{point}"
        );
        // And a later no-op setup does not move it past an add-on command.
        w.cmd(&["enable-addon", "karpenter"]).run().success();
        w.setup_offline();
        assert_eq!(
            recorded(&w, "setup"),
            w.git(&["rev-parse", "HEAD~1"]),
            "{point}"
        );
    }
}
