//! `verify` on the repo half, offline: removed APIs found where Flux would
//! apply them, `--fix` converting and committing once, JSON for machines.

use crate::support::{Workshop, git};

const APPS: &str = "gitops/applications/kustomization.yaml";
const HPA: &str = "gitops/applications/deprecated-manifests/02-deprecated-hpa.yaml";

/// Make the deprecated HPA part of what Flux applies, as a participant would.
fn enable_deprecated_hpa(w: &Workshop) {
    let path = w.clone_dir().join(APPS);
    let text = std::fs::read_to_string(&path).unwrap();
    let text = text.replace("  # - deprecated-manifests/", "  - deprecated-manifests/");
    std::fs::write(&path, text).unwrap();
    w.git(&["commit", "-qam", "Apply the deprecated HPA"]);
    w.git(&["push", "-q", "origin", "main"]);
}

fn remote_subjects(w: &Workshop) -> Vec<String> {
    let remote = w
        .dir()
        .join(".eks-workshop/remote/eks-cluster-upgrades-workshop.git");
    git(&remote, &["log", "--format=%s", "main"])
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn offline_verify_needs_a_target_version() {
    let w = Workshop::new();
    w.setup_offline();
    w.cmd(&["verify"]).run().bad(2, "--target-version");
    w.cmd(&["verify", "--target-version", "one.two"])
        .run()
        .bad(2, "--target-version");
}

#[test]
fn an_unreachable_removed_api_is_reported_but_does_not_fail() {
    let w = Workshop::new();
    w.setup_offline();
    let out = w
        .cmd(&["verify", "--target-version", "1.26", "-o", "json"])
        .run()
        .success();
    let json = out.json();
    assert_eq!(json["target_version"], "1.26");
    let hpa = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["kind"] == "HorizontalPodAutoscaler")
        .cloned();
    let hpa = hpa.expect("the HPA is found");
    assert_eq!(hpa["api_version"], "autoscaling/v2beta2");
    assert_eq!(hpa["reachable"], false);
    assert_eq!(hpa["removed_in_target"], true);
    assert_eq!(hpa["file"], HPA);
    assert_eq!(hpa["source"], "repo");
}

#[test]
fn a_reachable_removed_api_fails_with_4_and_fix_converts_commits_and_pushes_once() {
    let w = Workshop::new();
    w.setup_offline();
    enable_deprecated_hpa(&w);
    let out = w.cmd(&["verify", "--target-version", "1.26"]).run().code(4);
    assert!(out.stdout.contains(">>> Removed in 1.26"), "{}", out.stdout);
    assert!(
        out.stdout.contains("autoscaling/v2beta2") && out.stdout.contains(HPA),
        "{}",
        out.stdout
    );
    // Before the removal it is only deprecated: a warning, unless --strict.
    w.cmd(&["verify", "--target-version", "1.25"])
        .run()
        .success();
    w.cmd(&["verify", "--target-version", "1.25", "--strict"])
        .run()
        .code(4);

    w.cmd(&["verify", "--target-version", "1.26", "--fix"])
        .run()
        .success();
    assert_eq!(remote_subjects(&w)[0], "Convert deprecated APIs");
    let fixed = std::fs::read_to_string(w.clone_dir().join(HPA)).unwrap();
    assert!(fixed.contains("apiVersion: autoscaling/v2\n"), "{fixed}");
    assert!(
        fixed.starts_with("# autoscaling/v2beta2 was removed"),
        "comments kept:\n{fixed}"
    );
    assert_eq!(w.git(&["status", "--porcelain"]), "");
    let commits = remote_subjects(&w).len();
    w.cmd(&["verify", "--target-version", "1.26", "--fix"])
        .run()
        .success();
    assert_eq!(
        remote_subjects(&w).len(),
        commits,
        "a second --fix makes no commit"
    );
}

#[test]
fn verify_json_is_the_only_thing_on_stdout_even_when_it_fails() {
    let w = Workshop::new();
    w.setup_offline();
    enable_deprecated_hpa(&w);
    let out = w
        .cmd(&["verify", "--target-version", "1.26", "-o", "json"])
        .run()
        .code(4);
    let json = out.json();
    assert!(json["problems_total"].as_u64().unwrap() >= 1);
    assert!(json["cluster"].is_null());
    // `problems` lists every problem the total counts: here the reachable HPA.
    let problems = json["problems"].as_array().expect("problems");
    assert_eq!(
        problems.len() as u64,
        json["problems_total"].as_u64().unwrap(),
        "{json}"
    );
    assert!(
        problems.iter().any(|p| p["file"] == HPA
            && p["message"]
                .as_str()
                .unwrap()
                .contains("autoscaling/v2beta2, removed in 1.26")),
        "{json}"
    );
}

#[test]
fn a_fix_killed_before_its_commit_is_finished_by_resume_with_one_commit() {
    let w = Workshop::new();
    w.setup_offline();
    enable_deprecated_hpa(&w);
    let fix = ["verify", "--target-version", "1.26", "--fix"];
    assert!(crate::crash::kill_at(&w, &fix, "convert:before-commit"));
    // Killed between the working-tree edit and the commit: nothing pushed.
    assert_eq!(remote_subjects(&w)[0], "Apply the deprecated HPA");
    w.cmd(&["resume"]).run().success();
    let subjects = remote_subjects(&w);
    assert_eq!(subjects[0], "Convert deprecated APIs");
    assert_eq!(
        subjects
            .iter()
            .filter(|s| *s == "Convert deprecated APIs")
            .count(),
        1,
        "{subjects:?}"
    );
    assert_eq!(w.git(&["status", "--porcelain"]), "", "nothing left over");
    let fixed = std::fs::read_to_string(w.clone_dir().join(HPA)).unwrap();
    assert!(fixed.contains("apiVersion: autoscaling/v2\n"), "{fixed}");
}

/// `-o json` is data: the schema version, and each add-on verdict as fields
/// a CI job can select on, as README's table documents them.
#[test]
fn verify_json_carries_a_schema_version_and_each_add_on_verdict_as_fields() {
    let w = Workshop::new();
    w.setup_offline();
    let out = w
        .cmd(&[
            "verify",
            "--offline",
            "--target-version",
            "1.33",
            "-o",
            "json",
        ])
        .run();
    let json = out.json();
    assert_eq!(json["schema_version"], 1, "{json}");
    let addons = json["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "add-ons")
        .expect("the add-ons check");
    let karpenter = addons["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["check"] == "add-on-version" && i["chart"] == "karpenter")
        .unwrap_or_else(|| panic!("karpenter's verdict: {addons}"));
    assert_eq!(
        karpenter["severity"], "to-do",
        "not enabled yet: {karpenter}"
    );
    assert_eq!(karpenter["version"], "v0.27.3");
    assert_eq!(karpenter["supported"], false);
    assert_eq!(karpenter["lowest_supported"], "1.5.0");
    assert_eq!(karpenter["target"], "1.33");
    assert_eq!(karpenter["file"], "gitops/add-ons/02-karpenter.yaml");
    assert!(
        karpenter["line"].as_u64().is_some_and(|l| l > 0),
        "{karpenter}"
    );
    assert_eq!(karpenter["applied"], false);
    assert!(karpenter["running"].is_null());
    let metrics = addons["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["chart"] == "metrics-server")
        .unwrap();
    assert_eq!(metrics["supported"], true, "{metrics}");
    assert_eq!(metrics["severity"], "fine");
}

#[test]
fn without_kubectl_verify_says_the_kustomize_builds_were_not_checked() {
    let w = Workshop::new();
    w.setup_offline();
    // A PATH with git and nothing else: no kubectl.
    let bin = tempfile::tempdir().unwrap();
    let git = which_git();
    std::os::unix::fs::symlink(&git, bin.path().join("git")).unwrap();
    let path = bin.path().to_str().unwrap();
    let out = w
        .cmd(&["verify", "--target-version", "1.26"])
        .env("PATH", path)
        .run()
        .success();
    assert!(
        out.stdout
            .contains("Kustomize builds:\n  ! to do  kubectl kustomize: not run on ")
            && out.stdout.contains("kubectl is not on PATH"),
        "{}",
        out.stdout
    );
    let json = w
        .cmd(&["verify", "--target-version", "1.26", "-o", "json"])
        .env("PATH", path)
        .run()
        .success()
        .json();
    let section = json["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "kustomize builds")
        .cloned()
        .unwrap_or_else(|| panic!("no kustomize builds section: {json}"));
    assert_eq!(section["items"][0]["severity"], "to-do", "{section}");
    // With kubectl on PATH the builds run: no such to-do.
    let checked = w
        .cmd(&["verify", "--target-version", "1.26", "-o", "json"])
        .run()
        .success()
        .json();
    assert!(
        checked["checks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["name"] != "kustomize builds"),
        "{checked}"
    );
}

fn which_git() -> std::path::PathBuf {
    let out = std::process::Command::new("sh")
        .args(["-c", "command -v git"])
        .output()
        .unwrap();
    std::path::PathBuf::from(String::from_utf8(out.stdout).unwrap().trim())
}
