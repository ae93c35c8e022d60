use std::fs;
use std::path::{Path, PathBuf};

use super::reach::normalize;
use super::*;
use crate::error::Error;
use crate::readiness::deprecations::Table;

const CLUSTER: &str = "gitops/clusters/cluster-demo";

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/scan")
        .join(name)
}

fn v(s: &str) -> KubeVersion {
    KubeVersion::parse(s).unwrap()
}

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

/// Copy a fixture repository into a temp dir (so tests may add to it).
fn copy_fixture(name: &str) -> tempfile::TempDir {
    fn copy(from: &Path, to: &Path) {
        fs::create_dir_all(to).unwrap();
        for e in fs::read_dir(from).unwrap().flatten() {
            let target = to.join(e.file_name());
            if e.file_type().unwrap().is_dir() {
                copy(&e.path(), &target);
            } else {
                fs::copy(e.path(), target).unwrap();
            }
        }
    }
    let dir = tempfile::tempdir().unwrap();
    copy(&fixture(name), dir.path());
    dir
}

type Row = (String, usize, String, bool, bool);

fn rows(report: &Report) -> Vec<Row> {
    report
        .findings
        .iter()
        .map(|f| {
            (
                f.file.clone(),
                f.line,
                f.kind.clone(),
                f.reachable,
                f.removed_in_target,
            )
        })
        .collect()
}

fn row(file: &str, line: usize, kind: &str, reachable: bool, removed: bool) -> Row {
    (file.to_owned(), line, kind.to_owned(), reachable, removed)
}

#[test]
fn workshop_repo_findings_reachability_and_problems() {
    let report = scan_at(&fixture("workshop"), v("1.25"), CLUSTER, None).unwrap();
    assert_eq!(
        rows(&report),
        vec![
            row(
                "gitops/add-ons/02-karpenter.yaml",
                6,
                "HelmRelease",
                true,
                false
            ),
            row("gitops/add-ons/rbac.json", 1, "Role", true, true),
            row(
                "gitops/applications/01-sample-app.yaml",
                20,
                "PodDisruptionBudget",
                true,
                true
            ),
            row(
                "gitops/applications/02-cronjob.yaml",
                1,
                "CronJob",
                true,
                true
            ),
            // Commented out of the kustomization: only lying in the repo.
            row(
                "gitops/applications/03-hpa.yaml",
                1,
                "HorizontalPodAutoscaler",
                false,
                false
            ),
            row(
                "gitops/applications/deprecated-manifests/ingress.yaml",
                1,
                "Ingress",
                true,
                true
            ),
            row(
                "gitops/clusters/cluster-demo/apps.yaml",
                1,
                "Kustomization",
                true,
                false
            ),
            row(
                "gitops/karpenter-provisioner/provisioner.yaml",
                1,
                "Provisioner",
                true,
                false
            ),
            row(
                "gitops/sources/karpenter-helm.yaml",
                1,
                "HelmRepository",
                true,
                false
            ),
            row("gitops/sources/not-listed.yaml", 1, "CronJob", false, true),
            row("gitops/unused/old.yaml", 1, "Deployment", false, true),
        ]
    );
    let cronjob = &report.findings[3];
    assert_eq!(
        (cronjob.name.as_str(), cronjob.namespace.as_str()),
        ("hello", "default")
    );
    assert_eq!(
        (cronjob.replacement.as_str(), cronjob.deprecated_in.as_str()),
        ("batch/v1", "1.21")
    );
    assert_eq!(
        (cronjob.removed_in.as_str(), cronjob.source),
        ("1.25", "repo")
    );
    let release = &report.findings[0];
    assert_eq!(
        (release.removed_in.as_str(), release.replacement.as_str()),
        ("flux 2.7", "helm.toolkit.fluxcd.io/v2")
    );

    let problems: Vec<(&str, usize)> = report
        .problems
        .iter()
        .map(|p| (p.file.as_str(), p.line))
        .collect();
    assert_eq!(
        problems,
        vec![
            ("gitops/add-ons/02-karpenter.yaml", 15),
            (
                "gitops/applications/deprecated-manifests/kustomization.yaml",
                3
            ),
            ("gitops/unused/old.yaml", 12),
        ]
    );
    assert!(report.problems[0].message.contains("KARPENTER_IRSA"));
    assert!(report.problems[1].message.contains("missing.yaml"));
    assert!(
        report.problems[2].message.starts_with("invalid YAML"),
        "{}",
        report.problems[2].message
    );
    // Reachable removals (Role, PDB, CronJob, Ingress) and the three problems.
    assert_eq!(report.failures(false), 7);
}

#[test]
fn targets_before_deprecation_report_less() {
    let report = scan_at(&fixture("workshop"), v("1.20"), CLUSTER, None).unwrap();
    let kinds: Vec<&str> = report.findings.iter().map(|f| f.kind.as_str()).collect();
    // CronJob/PDB (deprecated 1.21) and the HPA (1.23) are not reported yet.
    assert!(
        !kinds.contains(&"CronJob") && !kinds.contains(&"PodDisruptionBudget"),
        "{kinds:?}"
    );
    assert!(!kinds.contains(&"HorizontalPodAutoscaler"));
    assert!(kinds.contains(&"Ingress") && kinds.contains(&"HelmRelease"));
    assert!(
        report
            .findings
            .iter()
            .all(|f| !f.removed_in_target || f.kind == "Deployment")
    );
}

#[test]
fn git_and_state_directories_are_skipped() {
    let dir = copy_fixture("workshop");
    let cronjob = "apiVersion: batch/v1beta1\nkind: CronJob\nmetadata:\n  name: x\n";
    write(dir.path(), ".git/objects/x.yaml", cronjob);
    write(dir.path(), ".eks-workshop/state.yaml", cronjob);
    write(dir.path(), "gitops/applications/.git/y.yaml", cronjob);
    let report = scan_at(dir.path(), v("1.25"), CLUSTER, None).unwrap();
    assert!(
        report
            .findings
            .iter()
            .all(|f| !f.file.contains(".git") && !f.file.contains(".eks-workshop"))
    );
}

#[test]
fn flux_kustomizations_in_applied_dirs_are_followed_without_cycles() {
    let dir = tempfile::tempdir().unwrap();
    let flux = |name: &str, path: &str| {
        format!(
            "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: {name}\nspec:\n  path: {path}\n"
        )
    };
    let cronjob = "apiVersion: batch/v1beta1\nkind: CronJob\nmetadata:\n  name: job\n";
    write(
        dir.path(),
        "clusters/demo/root.yaml",
        &flux("root", "./apps"),
    );
    write(
        dir.path(),
        "apps/next.yaml",
        &flux("next", "./more/../more"),
    );
    write(
        dir.path(),
        "apps/back.yaml",
        &flux("back", "./clusters/demo"),
    );
    write(dir.path(), "more/sub/job.yaml", cronjob);
    write(dir.path(), "more/own/kustomization.yaml", "resources: []\n");
    write(dir.path(), "more/own/ignored.yaml", cronjob);
    write(dir.path(), "elsewhere/job.yaml", cronjob);
    let report = scan_at(dir.path(), v("1.25"), "clusters/demo", None).unwrap();
    let reach: Vec<(&str, bool)> = report
        .findings
        .iter()
        .map(|f| (f.file.as_str(), f.reachable))
        .collect();
    assert_eq!(
        reach,
        vec![
            ("elsewhere/job.yaml", false),
            ("more/own/ignored.yaml", false),
            ("more/sub/job.yaml", true)
        ]
    );
}

/// Every table entry, as the second document of its own file, is found at its
/// line before, at and after its removal.
#[test]
fn every_table_entry_is_found_at_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let table = Table::get();
    for (i, e) in table.entries.iter().enumerate() {
        let text = format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: filler\n---\n# entry {i}\napiVersion: {}\nkind: {}\nmetadata:\n  name: obj-{i}\n  namespace: ns\n",
            e.api_version, e.kind
        );
        write(dir.path(), &format!("{CLUSTER}/e{i:03}.yaml"), &text);
    }
    for (i, e) in table.entries.iter().enumerate() {
        let file = format!("{CLUSTER}/e{i:03}.yaml");
        if !e.is_kubernetes() {
            let report = scan_at(dir.path(), v("1.16"), CLUSTER, None).unwrap();
            let f = report
                .findings
                .iter()
                .find(|f| f.file == file)
                .expect("project APIs are always reported");
            assert!(!f.removed_in_target && f.line == 7 && f.reachable);
            continue;
        }
        let removed = e.removed_in;
        let before = KubeVersion(crate::readiness::version::Release {
            minor: removed.minor - 1,
            ..removed
        });
        for (target, expect_removed) in [
            (before, false),
            (v(&removed.to_string()), true),
            (v(&removed.to_string()).next_minor(), true),
        ] {
            let report = scan_at(dir.path(), target, CLUSTER, None).unwrap();
            let f = report
                .findings
                .iter()
                .find(|f| f.file == file)
                .unwrap_or_else(|| panic!("{} {} not found at {target}", e.api_version, e.kind));
            assert_eq!(
                (f.line, f.name.as_str(), f.namespace.as_str()),
                (7, format!("obj-{i}").as_str(), "ns")
            );
            assert_eq!(
                (f.api_version.as_str(), f.kind.as_str()),
                (e.api_version.as_str(), e.kind.as_str())
            );
            assert_eq!(
                f.removed_in_target, expect_removed,
                "{} {} at {target}",
                e.api_version, e.kind
            );
        }
    }
}

#[test]
fn kubectl_kustomize_failures_are_problems() {
    // The rig's kubectl, never one on PATH; missing, this panics naming tests/setup.sh.
    let kubectl = harness::cluster::Rig::locate().kubectl();
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "good/kustomization.yaml",
        "resources:\n- a.yaml\n",
    );
    write(
        dir.path(),
        "good/a.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n",
    );
    write(
        dir.path(),
        "bad/kustomization.yaml",
        "resources:\n- a.yaml\n- a.yaml\n",
    );
    write(
        dir.path(),
        "bad/a.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n",
    );
    write(
        dir.path(),
        "missing/kustomization.yaml",
        "resources:\n- gone.yaml\n",
    );
    let report = scan_at(dir.path(), v("1.25"), "good", Some(&kubectl)).unwrap();
    let problems: Vec<(&str, usize)> = report
        .problems
        .iter()
        .map(|p| (p.file.as_str(), p.line))
        .collect();
    assert_eq!(
        problems,
        vec![("bad", 0), ("missing/kustomization.yaml", 2)],
        "{:?}",
        report.problems
    );
    assert!(
        report.problems[0]
            .message
            .starts_with("`kubectl kustomize` failed: ")
    );
    assert!(report.not_built.is_empty(), "{:?}", report.not_built);
}

#[test]
fn without_kubectl_the_kustomizations_not_built_are_named() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "kustomization.yaml", "resources:\n- good\n");
    write(dir.path(), "good/kustomization.yaml", "resources: []\n");
    write(dir.path(), "good/notes.yaml", "a: b\n");
    let report = scan_at(dir.path(), v("1.25"), "good", None).unwrap();
    let mut not_built = report.not_built.clone();
    not_built.sort();
    assert_eq!(not_built, [".", "good"]);
}

#[test]
fn an_unreadable_root_is_an_io_error() {
    let err = scan_at(Path::new("/nonexistent/repo"), v("1.25"), CLUSTER, None).unwrap_err();
    assert!(matches!(err, Error::Io { .. }), "{err}");
}

#[test]
fn normalize_resolves_dots_and_refuses_to_leave_the_repo() {
    assert_eq!(
        normalize("", "./gitops/apps/").as_deref(),
        Some("gitops/apps")
    );
    assert_eq!(normalize("a/b", "../c/./d").as_deref(), Some("a/c/d"));
    assert_eq!(normalize("", "./").as_deref(), Some(""));
    assert_eq!(normalize("a", "../../x"), None);
}

#[test]
fn text_report_of_the_workshop_repo() {
    let report = scan_at(&fixture("workshop"), v("1.25"), CLUSTER, None).unwrap();
    let text = report.render_text(false);
    let removed_22 = text.find(">>> Removed in 1.22 <<<").unwrap();
    let removed_25 = text.find(">>> Removed in 1.25 <<<").unwrap();
    let deprecated = text.find(">>> Deprecated APIs").unwrap();
    let problems = text.find(">>> Problems <<<").unwrap();
    assert!(removed_22 < removed_25 && removed_25 < deprecated && deprecated < problems);
    assert!(
        text.contains("karpenter.sh/v1 NodePool (karpenter 1.0)"),
        "{text}"
    );
    assert!(text.contains("gitops/unused/old.yaml:1 (not applied by Flux)"));
}

#[test]
fn a_missing_cluster_directory_is_a_problem() {
    let report = scan_at(
        &fixture("workshop"),
        v("1.25"),
        "gitops/clusters/nope",
        None,
    )
    .unwrap();
    assert!(report.findings.iter().all(|f| !f.reachable));
    let p = report
        .problems
        .iter()
        .find(|p| p.file == "gitops/clusters/nope")
        .unwrap();
    assert!(p.message.contains("does not exist"));
}

#[test]
fn a_manifest_named_in_other_bytes_than_utf8_is_scanned_and_a_huge_one_reported() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, &format!("{CLUSTER}/flux.yaml"), "a: 1\n");
    write(root, "apps/big.yaml", "");
    let pdb = "apiVersion: policy/v1beta1\nkind: PodDisruptionBudget\nmetadata:\n  name: web\n";
    fs::write(
        root.join(std::ffi::OsStr::from_bytes(b"apps/pdb-\xff.yaml")),
        pdb,
    )
    .unwrap();
    // Sparse: as big as the cap and a byte, written in no time.
    let big = fs::OpenOptions::new()
        .write(true)
        .open(root.join("apps/big.yaml"))
        .unwrap();
    big.set_len(files::MAX_MANIFEST_BYTES as u64 + 1).unwrap();

    let report = scan_at(root, v("1.25"), CLUSTER, None).unwrap();
    let found: Vec<(&str, &str)> = report
        .findings
        .iter()
        .map(|f| (f.file.as_str(), f.kind.as_str()))
        .collect();
    assert_eq!(found, [("apps/pdb-\\xff.yaml", "PodDisruptionBudget")]);
    let big = report
        .problems
        .iter()
        .find(|p| p.file == "apps/big.yaml")
        .expect("the big file is a problem");
    assert!(
        big.message.contains("larger than 16 MiB"),
        "{}",
        big.message
    );
}
