//! `--dry-run` changes nothing anywhere (every byte under the workshop dir,
//! the forge and the API server compared before and after), and the plan it
//! prints is what the real run then does: the same steps run, the same
//! commits with the same files.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use crate::support::{Workshop, example_values, git};
use crate::world::{Env, LOGIN, NAME, env};

/// Every file and directory under `dir`, with its bytes. A directory it
/// cannot read is a failure, not an empty listing: two empty snapshots
/// would compare equal whatever the run did.
pub(crate) fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(dir: &Path, root: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        let entries = std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("snapshot: cannot read {}: {e}", dir.display()));
        for entry in entries.map(Result::unwrap) {
            let path = entry.path();
            let key = path.strip_prefix(root).unwrap().display().to_string();
            if entry.file_type().unwrap().is_dir() {
                out.insert(format!("{key}/"), Vec::new());
                walk(&path, root, out);
            } else {
                out.insert(key, std::fs::read(&path).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// Run `args --dry-run -o json` and prove it changed nothing online.
fn dry_online(e: &Env, args: &[&str]) -> Value {
    let before = snapshot(e.w.dir());
    e.forge.reset_requests();
    e.api.clear_requests();
    let mut args = args.to_vec();
    args.extend_from_slice(&["--dry-run", "-o", "json"]);
    let out = e.w.cmd(&args).run().success();
    let (forge, api) = crate::noop::writes(e);
    assert!(forge.is_empty(), "{args:?} wrote to the forge: {forge:?}");
    assert!(api.is_empty(), "{args:?} wrote to the API server: {api:?}");
    assert!(!e.api.requests().is_empty(), "the dry run read the cluster");
    assert_same_dir(&before, &snapshot(e.w.dir()), &args);
    let json = out.json();
    assert_eq!(json["dry_run"], true);
    json
}

pub(crate) fn assert_same_dir(
    before: &BTreeMap<String, Vec<u8>>,
    after: &BTreeMap<String, Vec<u8>>,
    args: &[&str],
) {
    let changed: Vec<&String> = before
        .keys()
        .chain(after.keys())
        .filter(|k| before.get(*k) != after.get(*k))
        .collect();
    assert!(changed.is_empty(), "{args:?} changed files: {changed:?}");
}

/// Step id → status.
pub(crate) fn statuses(json: &Value) -> BTreeMap<String, String> {
    json["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["step"].as_str().unwrap().to_string(),
                s["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// The dry run's steps against the real run's: what would run ran, what was
/// done stayed done; a step checked only "after" an earlier one may be either.
pub(crate) fn assert_plan_matches(dry: &Value, real: &Value) {
    let (dry, real) = (statuses(dry), statuses(real));
    assert_eq!(
        dry.keys().collect::<Vec<_>>(),
        real.keys().collect::<Vec<_>>(),
        "the same steps"
    );
    for (step, planned) in &dry {
        let ran = &real[step];
        let ok = match planned.as_str() {
            "would-run" => ran == "done",
            "already-done" => ran == "already-done",
            "skipped" => ran == "skipped",
            "after" => ran == "done" || ran == "already-done",
            other => panic!("unknown dry-run status {other}"),
        };
        assert!(ok, "{step}: the dry run said {planned}, the run {ran}");
    }
}

/// The commits the dry run shows, in order: (subject, files).
pub(crate) fn planned_commits(dry: &Value) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    for step in dry["steps"].as_array().unwrap() {
        for c in step["changes"].as_array().unwrap() {
            if c["kind"] == "commit" {
                let subject = c["message"].as_str().unwrap().lines().next().unwrap();
                let mut files: Vec<String> = c["files"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|f| f.as_str().unwrap().to_string())
                    .collect();
                files.sort();
                out.push((subject.to_string(), files));
            }
        }
    }
    out
}

/// The commits on `repo`'s `main` after `since`, oldest first: (subject, files).
pub(crate) fn made_commits(repo: &Path, since: &str) -> Vec<(String, Vec<String>)> {
    let log = git(
        repo,
        &[
            "log",
            "--reverse",
            "--format=%H %s",
            &format!("{since}..main"),
        ],
    );
    log.lines()
        .map(|line| {
            let (sha, subject) = line.split_once(' ').unwrap();
            let files = git(repo, &["show", "--format=", "--name-only", sha]);
            let mut files: Vec<String> = files.lines().map(str::to_string).collect();
            files.sort();
            (subject.to_string(), files)
        })
        .collect()
}

fn run_json(e: &Env, args: &[&str]) -> Value {
    let mut args = args.to_vec();
    args.extend_from_slice(&["-o", "json"]);
    e.w.cmd(&args).run().success().json()
}

#[test]
fn setup_dry_run_on_a_fresh_dir_writes_nothing_and_names_what_setup_does() {
    let e = env(true);
    let values = example_values();
    let args = e.args(values.to_str().unwrap(), &[]);
    let dry = dry_online(&e, &args);
    assert!(
        e.forge.branch_head(LOGIN, NAME, "main").is_none(),
        "no fork made"
    );
    let st = statuses(&dry);
    assert_eq!(st["prerequisites"], "already-done");
    assert_eq!(st["fork"], "would-run");
    assert_eq!(st["clone"], "after", "{dry}");
    let fork = &dry["steps"][1]["changes"][0];
    assert_eq!(fork["kind"], "fork");
    assert_eq!(fork["fork"], format!("{LOGIN}/{NAME}"));
    let real = run_json(&e, &args);
    assert_plan_matches(&dry, &real);
}

#[test]
fn a_dry_run_after_a_finished_setup_says_there_is_nothing_to_do() {
    let e = env(true);
    e.setup(&[]).success();
    let dry = dry_online(&e, &["setup", "--yes", "--timeout", "60s"]);
    assert_eq!(dry["nothing_to_do"], true, "{dry}");
    assert!(
        statuses(&dry).values().all(|s| s == "already-done"),
        "{dry}"
    );
    let text = e.w.cmd(&["setup", "--yes", "--dry-run"]).run().success();
    assert!(
        text.stdout
            .contains("nothing to do, every step is already done"),
        "{}",
        text.stdout
    );
}

#[test]
fn enable_and_disable_addon_dry_runs_show_the_commit_the_run_then_makes() {
    let e = env(true);
    e.setup(&[]).success();
    let repo = e.forge.repo_dir(LOGIN, NAME);
    for (command, subject) in [
        ("enable-addon", "Enable karpenter add-on"),
        ("disable-addon", "Disable karpenter add-on"),
    ] {
        let args = [command, "karpenter", "--yes", "--timeout", "60s"];
        let dry = dry_online(&e, &args);
        let st = statuses(&dry);
        assert_eq!(
            (
                st["addons"].as_str(),
                st["push"].as_str(),
                st["reconcile"].as_str()
            ),
            ("would-run", "would-run", "would-run"),
            "{dry}"
        );
        let planned = planned_commits(&dry);
        assert_eq!(
            planned,
            [(
                subject.to_string(),
                vec!["gitops/add-ons/kustomization.yaml".to_string()]
            )]
        );
        let edit = &dry["steps"][2]["changes"][0];
        assert_eq!(edit["kind"], "edit");
        let diff = edit["diff"].as_str().unwrap();
        let (gone, added) = if command == "enable-addon" {
            ("-  # - 02-karpenter.yaml\n", "+  - 02-karpenter.yaml\n")
        } else {
            ("-  - 02-karpenter.yaml\n", "+  # - 02-karpenter.yaml\n")
        };
        assert!(diff.contains(gone) && diff.contains(added), "{diff}");
        let wait = dry["steps"][5]["changes"][0]["until"].to_string();
        assert!(wait.contains("HelmRelease flux-system/karpenter"), "{wait}");

        let before = e.head();
        let real = run_json(&e, &args);
        assert_plan_matches(&dry, &real);
        assert_eq!(made_commits(&repo, &before), planned, "{command}");
    }
}

#[test]
fn sync_dry_run_shows_the_participant_s_commits_and_the_wait_then_sync_does_that() {
    let e = env(true);
    e.setup(&[]).success();
    // Only an asked reconcile applies a new commit: no periodic poll races the test.
    e.flux.set_interval_scale(1.0);
    crate::sync::rename_the_sample_app(&e);
    let head = e.w.git(&["rev-parse", "HEAD"]);
    let args = ["sync", "--timeout", "60s"];
    let dry = dry_online(&e, &args);
    let st: Vec<(String, String)> = statuses(&dry).into_iter().collect();
    assert_eq!(
        st,
        [
            ("clone".to_string(), "already-done".to_string()),
            ("publish".into(), "would-run".into()),
            ("reconcile".into(), "would-run".into()),
        ],
        "{dry}"
    );
    assert!(
        planned_commits(&dry).is_empty(),
        "sync commits nothing: {dry}"
    );
    let push = &dry["steps"][1]["changes"][0];
    assert_eq!(push["kind"], "push");
    assert_eq!(
        push["commits"],
        format!("1 commit(s) up to {}: Rename the sample app", &head[..8])
    );
    let real = run_json(&e, &args);
    assert_plan_matches(&dry, &real);
    assert_eq!(real["pushed"], head.as_str());
    assert_eq!(e.head(), head);
    // Synced: nothing to push, and the wait is still planned: sync always
    // has Flux reconcile and judges its answer (after an upgrade the same
    // revision can fail).
    let again = dry_online(&e, &args);
    let st: Vec<(String, String)> = statuses(&again).into_iter().collect();
    assert_eq!(
        st,
        [
            ("clone".to_string(), "already-done".to_string()),
            ("publish".into(), "already-done".into()),
            ("reconcile".into(), "would-run".into()),
        ],
        "{again}"
    );
}

#[test]
fn resume_dry_run_shows_what_is_left_after_a_kill() {
    let e = env(true);
    e.setup(&[]).success();
    let args = ["enable-addon", "karpenter", "--yes", "--timeout", "60s"];
    assert!(crate::crash::kill_at(&e.w, &args, "push:after-commit"));
    let dry = dry_online(&e, &["--yes", "resume", "--timeout", "60s"]);
    let st = statuses(&dry);
    assert_eq!(st["addons"], "already-done", "{dry}");
    assert_eq!(st["push"], "would-run", "{dry}");
    assert!(
        planned_commits(&dry).is_empty(),
        "the commit is made already: {dry}"
    );
    let push = dry["steps"][4]["changes"][0].clone();
    assert_eq!(push["kind"], "push");
    assert!(
        push["commits"].as_str().unwrap().starts_with("HEAD ("),
        "{push}"
    );
    let before = e.head();
    let real = run_json(&e, &["--yes", "resume", "--timeout", "60s"]);
    assert_plan_matches(&dry, &real);
    let made = made_commits(&e.forge.repo_dir(LOGIN, NAME), &before);
    assert_eq!(made.len(), 1, "{made:?}");
    assert_eq!(made[0].0, "Enable karpenter add-on");
}

/// Make the deprecated HPA part of what Flux applies, as a participant would.
fn enable_deprecated_hpa(w: &Workshop) {
    let path = w.clone_dir().join("gitops/applications/kustomization.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    let text = text.replace("  # - deprecated-manifests/", "  - deprecated-manifests/");
    std::fs::write(&path, text).unwrap();
    w.git(&["commit", "-qam", "Apply the deprecated HPA"]);
    w.git(&["push", "-q", "origin", "main"]);
}

#[test]
fn verify_fix_dry_run_shows_the_conversion_commit_and_changes_nothing() {
    let w = Workshop::new();
    w.setup_offline();
    enable_deprecated_hpa(&w);
    let before = snapshot(w.dir());
    let args = ["verify", "--target-version", "1.26", "--fix"];
    let dry = w
        .cmd(&[&args[..], &["--dry-run", "-o", "json"]].concat())
        .run()
        .success()
        .json();
    assert_same_dir(&before, &snapshot(w.dir()), &args);
    let st = statuses(&dry);
    assert_eq!(st["convert"], "would-run", "{dry}");
    assert_eq!(st["push"], "would-run", "{dry}");
    let hpa = "gitops/applications/deprecated-manifests/02-deprecated-hpa.yaml";
    let planned = planned_commits(&dry);
    assert_eq!(
        planned,
        [("Convert deprecated APIs".to_string(), vec![hpa.to_string()])]
    );
    let diff = dry["steps"][1]["changes"][0]["diff"].as_str().unwrap();
    assert!(
        diff.contains("-apiVersion: autoscaling/v2beta2\n")
            && diff.contains("+apiVersion: autoscaling/v2\n"),
        "{diff}"
    );
    // Text: the same plan, for people.
    let text = w.cmd(&[&args[..], &["--dry-run"]].concat()).run().success();
    assert!(
        text.stdout.contains("commit \"Convert deprecated APIs\""),
        "{}",
        text.stdout
    );
    assert_same_dir(&before, &snapshot(w.dir()), &args);

    let remote = w
        .dir()
        .join(".eks-workshop/remote/eks-cluster-upgrades-workshop.git");
    let head = git(&remote, &["rev-parse", "main"]);
    w.cmd(&args).run().success();
    assert_eq!(made_commits(&remote, &head), planned);
    // And a dry run now finds nothing left to convert.
    let again = w
        .cmd(&[&args[..], &["--dry-run", "-o", "json"]].concat())
        .run()
        .success()
        .json();
    assert_eq!(again["nothing_to_do"], true, "{again}");
}

#[test]
fn dry_run_is_refused_where_it_means_nothing() {
    let w = Workshop::new();
    w.setup_offline();
    w.cmd(&["verify", "--target-version", "1.26", "--dry-run"])
        .run()
        .bad(2, "--fix");
}

#[test]
fn status_checks_the_world_and_names_where_the_state_file_differs() {
    let w = Workshop::new();
    w.setup_offline();
    let before = snapshot(w.dir());
    let clean = w.cmd(&["status", "-o", "json"]).run().success().json();
    assert_eq!(clean["checked"], true);
    assert_eq!(clean["differs"], serde_json::json!([]), "{clean}");
    let push = |json: &Value| {
        json["steps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["step"] == "push")
            .cloned()
            .unwrap()
    };
    assert_eq!(push(&clean)["now"], "already-done");
    // The participant commits without pushing: the world moved on.
    w.git(&["commit", "-q", "--allow-empty", "-m", "My own change"]);
    let before = {
        let mut b = before;
        b.retain(|k, _| !k.starts_with(&format!("{NAME}/")));
        b
    };
    let moved = w.cmd(&["status", "-o", "json"]).run().success().json();
    assert_eq!(moved["differs"], serde_json::json!(["push"]), "{moved}");
    assert_eq!(
        push(&moved)["status"],
        "done",
        "what the state file recorded"
    );
    assert_eq!(push(&moved)["now"], "would-run");
    let text = w.cmd(&["status"]).run().success();
    assert!(
        text.stdout
            .contains("the state file and the world differ on: push"),
        "{}",
        text.stdout
    );
    // --recorded reads only the state file; neither reads anything into it.
    let recorded = w
        .cmd(&["status", "--recorded", "-o", "json"])
        .run()
        .success()
        .json();
    assert_eq!(recorded["checked"], false);
    assert!(push(&recorded)["now"].is_null());
    let mut after = snapshot(w.dir());
    after.retain(|k, _| !k.starts_with(&format!("{NAME}/")));
    assert_same_dir(&before, &after, &["status"]);
}
