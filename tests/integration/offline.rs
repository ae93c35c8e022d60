//! The offline path (`--offline`): the fork is a local bare repository seeded
//! from the embedded workshop repo; everything else happens for real.

use crate::support::{Workshop, example_values, git};

const KUSTOMIZATION: &str = "gitops/add-ons/kustomization.yaml";
const KARPENTER: &str = "gitops/add-ons/02-karpenter.yaml";

fn remote(w: &Workshop) -> std::path::PathBuf {
    w.dir()
        .join(".eks-workshop/remote/eks-cluster-upgrades-workshop.git")
}

fn remote_log(w: &Workshop) -> Vec<String> {
    git(&remote(w), &["log", "--format=%s", "main"])
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn setup_renders_commits_and_pushes_then_a_rerun_changes_nothing() {
    let w = Workshop::new();
    let first = w.setup_offline();
    assert!(
        first.stdout.contains("✔ push — committed"),
        "{}",
        first.stdout
    );
    let karpenter = std::fs::read_to_string(w.clone_dir().join(KARPENTER)).unwrap();
    let values = std::fs::read_to_string(example_values()).unwrap();
    let irsa = values
        .lines()
        .find_map(|l| l.strip_prefix("karpenter_irsa:"))
        .map(|v| v.trim().trim_matches('"').to_string())
        .expect("example has karpenter_irsa");
    assert!(karpenter.contains(&irsa), "rendered karpenter lacks {irsa}");
    assert!(!karpenter.contains("KARPENTER_IRSA") && !karpenter.contains("{{"));
    assert_eq!(
        remote_log(&w),
        [
            "Render workshop manifests with the cluster's values",
            "Workshop GitOps repository"
        ]
    );
    let head = w.git(&["rev-parse", "HEAD"]);
    assert_eq!(git(&remote(&w), &["rev-parse", "main"]), head);
    assert_eq!(w.git(&["status", "--porcelain"]), "", "clone is clean");

    let again = w.setup_offline();
    for step in ["prerequisites", "fork", "clone", "render", "addons", "push"] {
        assert!(
            again.stdout.contains(&format!("✔ {step} — already done")),
            "{step}:\n{}",
            again.stdout
        );
    }
    assert!(again.stdout.contains("- flux — skipped: offline"));
    assert_eq!(remote_log(&w).len(), 2, "no new commit");
    assert_eq!(w.git(&["rev-parse", "HEAD"]), head);
}

#[test]
fn enable_twice_makes_one_commit_of_one_line_and_disable_reverses_it() {
    let w = Workshop::new();
    w.setup_offline();
    let before = std::fs::read(w.clone_dir().join(KUSTOMIZATION)).unwrap();
    w.cmd(&["enable-addon", "karpenter"]).run().success();
    let out = w.cmd(&["enable-addon", "karpenter"]).run().success();
    assert!(out.stdout.contains("already done"), "{}", out.stdout);
    let log = remote_log(&w);
    assert_eq!(log[0], "Enable karpenter add-on");
    assert_eq!(log.len(), 3, "one commit for two enables: {log:?}");
    let diff = w.git(&["diff", "--numstat", "HEAD~1", "HEAD"]);
    assert_eq!(diff, format!("1\t1\t{KUSTOMIZATION}"));
    let text = std::fs::read_to_string(w.clone_dir().join(KUSTOMIZATION)).unwrap();
    assert!(text.contains("\n  - 02-karpenter.yaml\n"), "{text}");
    assert!(text.contains("# - 03-argo-workflows.yaml"), "{text}");

    w.cmd(&["disable-addon", "karpenter"]).run().success();
    assert_eq!(remote_log(&w)[0], "Disable karpenter add-on");
    assert_eq!(
        std::fs::read(w.clone_dir().join(KUSTOMIZATION)).unwrap(),
        before,
        "byte-exact"
    );
}

#[test]
fn addons_lists_what_the_clone_enables_as_json() {
    let w = Workshop::new();
    w.setup_offline();
    w.cmd(&["enable-addon", "argo-workflows"]).run().success();
    let out = w.cmd(&["addons", "-o", "json"]).run().success();
    let list = out.json()["addons"].as_array().unwrap().clone();
    let state = |name: &str| list.iter().find(|a| a["name"] == name).unwrap()["enabled"].clone();
    assert_eq!(state("metrics-server"), true);
    assert_eq!(state("argo-workflows"), true);
    assert_eq!(state("karpenter"), false);
}

#[test]
fn unknown_addon_is_a_usage_error_listing_the_known_ones() {
    let w = Workshop::new();
    w.setup_offline();
    let head = w.git(&["rev-parse", "HEAD"]);
    w.cmd(&["enable-addon", "karpenterr"])
        .run()
        .bad(2, "unknown add-on `karpenterr`")
        .stderr_has("help: known add-ons: metrics-server, karpenter, argo-workflows");
    assert_eq!(w.git(&["rev-parse", "HEAD"]), head);
}

#[test]
fn until_stops_after_the_named_step() {
    let w = Workshop::new();
    let out = w.setup_offline_with(&["--until", "clone"]).success();
    assert!(out.stdout.contains("✔ clone"));
    assert!(!out.stdout.contains("render"), "{}", out.stdout);
    let status = w.cmd(&["status", "-o", "json"]).run().success().json();
    let steps = status["steps"].as_array().unwrap();
    let of = |id: &str| steps.iter().find(|s| s["step"] == id).unwrap()["status"].clone();
    assert_eq!(of("clone"), "done");
    assert_eq!(of("render"), "pending");
    // Resume continues the same command: it stops at the same place.
    w.cmd(&["resume"]).run().success();
    assert_eq!(remote_log(&w).len(), 1, "nothing pushed yet");
    // A full setup then finishes the job.
    w.cmd(&["setup", "--yes"]).run().success();
    assert_eq!(remote_log(&w).len(), 2);
}

#[test]
fn a_missing_template_value_under_yes_names_it_and_writes_nothing() {
    let w = Workshop::new();
    let partial = w.dir().join("values.yaml");
    let full = std::fs::read_to_string(example_values()).unwrap();
    let without: String = full
        .lines()
        .filter(|l| !l.starts_with("karpenter_irsa:"))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(&partial, without).unwrap();
    w.cmd(&[
        "setup",
        "--offline",
        "--yes",
        "--values",
        partial.to_str().unwrap(),
    ])
    .run()
    .bad(2, "karpenter_irsa");
    assert_eq!(
        w.git(&["status", "--porcelain"]),
        "",
        "nothing half-rendered"
    );
    let status = w.cmd(&["status", "-o", "json"]).run().success().json();
    let render = status["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["step"] == "render")
        .unwrap()
        .clone();
    assert_eq!(render["status"], "failed");
}

#[test]
fn the_participants_own_edits_survive_and_are_never_committed() {
    let w = Workshop::new();
    w.setup_offline();
    let app = w.clone_dir().join("gitops/applications/01-sample-app.yaml");
    let mut text = std::fs::read_to_string(&app).unwrap();
    text.push_str("# my own note\n");
    std::fs::write(&app, &text).unwrap();
    std::fs::write(w.clone_dir().join("notes.txt"), "mine\n").unwrap();
    // An edit elsewhere in the kustomization we edit too.
    let kpath = w.clone_dir().join(KUSTOMIZATION);
    let k = std::fs::read_to_string(&kpath)
        .unwrap()
        .replace("resources:", "resources: # my comment");
    std::fs::write(&kpath, &k).unwrap();

    w.cmd(&["enable-addon", "karpenter"]).run().success();
    assert_eq!(std::fs::read_to_string(&app).unwrap(), text);
    assert_eq!(
        std::fs::read_to_string(w.clone_dir().join("notes.txt")).unwrap(),
        "mine\n"
    );
    let committed = w.git(&["show", &format!("HEAD:{KUSTOMIZATION}")]);
    assert!(committed.contains("  - 02-karpenter.yaml"));
    assert!(
        !committed.contains("my comment"),
        "their edit was committed:\n{committed}"
    );
    let working = std::fs::read_to_string(&kpath).unwrap();
    assert!(working.contains("my comment") && working.contains("\n  - 02-karpenter.yaml"));
    let status = w.git(&["status", "--porcelain"]);
    assert!(
        status.contains(" M gitops/applications/01-sample-app.yaml"),
        "{status}"
    );
    assert!(
        status.contains(" M gitops/add-ons/kustomization.yaml"),
        "{status}"
    );
    assert!(status.contains("?? notes.txt"), "{status}");
}

#[test]
fn uncommitted_edits_to_a_rendered_file_are_kept_and_never_committed() {
    let w = Workshop::new();
    w.setup_offline_with(&["--until", "clone"]).success();
    let karpenter = w.clone_dir().join(KARPENTER);
    let original = std::fs::read_to_string(&karpenter).unwrap();
    let mine = original.replace("interval: 1m0s", "interval: 5m0s # mine");
    std::fs::write(&karpenter, &mine).unwrap();
    w.cmd(&[
        "setup",
        "--yes",
        "--values",
        example_values().to_str().unwrap(),
    ])
    .run()
    .success();
    let working = std::fs::read_to_string(&karpenter).unwrap();
    assert!(working.contains("interval: 5m0s # mine"), "their edit kept");
    assert!(!working.contains("KARPENTER_IRSA"), "rendered around it");
    let committed = w.git(&["show", &format!("HEAD:{KARPENTER}")]);
    assert!(!committed.contains("# mine"), "their edit was committed");
    assert!(!committed.contains("KARPENTER_IRSA"));
    assert_eq!(w.git(&["status", "--porcelain"]), format!(" M {KARPENTER}"));
}

#[test]
fn a_second_run_in_the_same_dir_exits_5_at_once() {
    let w = Workshop::new();
    w.setup_offline();
    let lock = w.dir().join(".eks-workshop/lock");
    let file = std::fs::OpenOptions::new().write(true).open(&lock).unwrap();
    file.lock().unwrap();
    // The lock is held until after the run: one that waited for it instead
    // of exiting would hang, and the watchdog would say so.
    w.cmd(&["enable-addon", "karpenter"])
        .run_within(std::time::Duration::from_secs(60))
        .0
        .bad(5, "another eks-workshop run is working in");
    drop(file);
    w.cmd(&["enable-addon", "karpenter"]).run().success();
}

#[test]
fn a_corrupt_or_newer_state_file_is_a_clear_error() {
    let w = Workshop::new();
    w.setup_offline();
    let state = w.dir().join(".eks-workshop/state.json");
    std::fs::write(&state, "{ not json").unwrap();
    w.cmd(&["status"])
        .run()
        .bad(1, "state file")
        .stderr_has("--restart");
    std::fs::write(&state, r#"{"version": 7}"#).unwrap();
    w.cmd(&["resume"]).run().bad(1, "newer eks-workshop");
    // --restart starts the state afresh; the world says everything is done.
    let out = w.setup_offline_with(&["--restart"]).success();
    assert!(
        out.stdout.contains("✔ push — already done"),
        "{}",
        out.stdout
    );
}

#[test]
fn state_file_is_private_and_json_output_is_machine_readable() {
    let w = Workshop::new();
    let out = w.setup_offline_with(&["-o", "json"]).success();
    let json = out.json();
    assert_eq!(json["ok"], true);
    assert_eq!(
        json["pushed_commit"].as_str().unwrap(),
        w.git(&["rev-parse", "HEAD"])
    );
    assert!(
        json["steps"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["step"] == "push" && s["status"] == "done")
    );
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(w.dir().join(".eks-workshop/state.json"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
}

#[test]
fn commands_that_need_a_setup_say_so() {
    let w = Workshop::new();
    w.cmd(&["status"])
        .run()
        .bad(2, "run `eks-workshop setup` first");
    w.cmd(&["enable-addon", "karpenter"]).run().bad(2, "setup");
    w.cmd(&["resume"])
        .run()
        .bad(2, "run `eks-workshop setup` first");
}

#[test]
fn help_teaches_and_completions_print() {
    let w = Workshop::new();
    let help = w.cmd(&["--help"]).run().success();
    assert!(
        help.stdout.contains("Exit codes:") && help.stdout.contains("GITHUB_TOKEN"),
        "{}",
        help.stdout
    );
    let bash = w.cmd(&["completions", "bash"]).run().success();
    assert!(bash.stdout.contains("enable-addon"));
    w.cmd(&["setup", "--until", "nope"])
        .run()
        .bad(2, "steps: prerequisites, fork");
}

#[test]
fn a_relative_dir_works_across_commands() {
    let w = Workshop::new();
    let values = example_values();
    let run = |args: &[&str]| {
        let mut c = std::process::Command::new(crate::support::BIN);
        c.current_dir(w.dir())
            .args(["--dir", "work"])
            .args(args)
            .env("NO_COLOR", "1")
            .env_remove("GITHUB_TOKEN");
        let out = c.output().unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run(&[
        "setup",
        "--offline",
        "--yes",
        "--values",
        values.to_str().unwrap(),
    ]);
    run(&["enable-addon", "karpenter"]);
    // 1.25: the enabled Karpenter v0.27.3 supports it (at 1.26 verify
    // rightly fails on it: its compatibility matrix stops at 1.25).
    run(&["verify", "--target-version", "1.25"]);
    run(&["setup", "--yes"]);
}
