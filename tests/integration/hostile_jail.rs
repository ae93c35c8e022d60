//! A hostile world, part one: the clone is a jail. What the fork commits (or
//! a hand puts in the clone) never leads eks-workshop to read or write
//! outside it, never makes it skip a manifest silently, and never makes it
//! commit a YAML file that does not parse.

use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};

use crate::support::{Workshop, git};

const KARPENTER: &str = "gitops/add-ons/02-karpenter.yaml";
const ADDONS: &str = "gitops/add-ons/kustomization.yaml";
const WORKFLOW_DIR: &str = "upgrades-workflows";
const APPS_FLUX: &str = "gitops/clusters/cluster-demo/apps.yaml";
const HPA: &str = "gitops/applications/deprecated-manifests/02-deprecated-hpa.yaml";

fn remote_subjects(w: &Workshop) -> Vec<String> {
    let remote = w
        .dir()
        .join(".eks-workshop/remote/eks-cluster-upgrades-workshop.git");
    git(&remote, &["log", "--format=%s", "main"])
        .lines()
        .map(str::to_string)
        .collect()
}

/// `git commit -qam`, as the upstream (or the participant) would.
fn commit_all(w: &Workshop, message: &str) {
    w.git(&["add", "-A"]);
    w.git(&[
        "-c",
        "user.name=up",
        "-c",
        "user.email=up@example.com",
        "commit",
        "-qm",
        message,
    ]);
}

/// A file outside the clone holding `rel`'s text and a secret: what a link
/// in the fork would make eks-workshop read, render and publish.
fn outside_copy(w: &Workshop, rel: &str) -> PathBuf {
    let text = std::fs::read_to_string(w.clone_dir().join(rel)).unwrap();
    let outside = w.dir().join("private").join(rel);
    std::fs::create_dir_all(outside.parent().unwrap()).unwrap();
    std::fs::write(&outside, format!("{text}# secret: hunter2\n")).unwrap();
    outside
}

/// Replace `rel` in the clone by a link to `target`.
fn link(w: &Workshop, rel: &str, target: &Path) {
    let path = w.clone_dir().join(rel);
    if path.is_dir() {
        std::fs::remove_dir_all(&path).unwrap();
    } else {
        std::fs::remove_file(&path).unwrap();
    }
    symlink(target, &path).unwrap();
}

fn is_link(w: &Workshop, rel: &str) -> bool {
    std::fs::symlink_metadata(w.clone_dir().join(rel))
        .unwrap()
        .file_type()
        .is_symlink()
}

/// Refused by a rendering or editing command: nothing written through the
/// link, nothing committed or pushed, the link left as it was.
fn refused_with_nothing_written(
    w: &Workshop,
    rel: &str,
    outside: &Path,
    was: &str,
    before: &[String],
) {
    assert!(is_link(w, rel), "{rel} is still the link");
    let text = std::fs::read_to_string(outside).unwrap();
    assert_eq!(text, was, "outside untouched");
    assert_eq!(remote_subjects(w), before, "nothing pushed");
    assert!(
        !w.git(&["log", "-p", "--all"]).contains("hunter2"),
        "nothing committed from outside"
    );
}

#[test]
fn a_committed_link_where_a_rendered_file_should_be_stops_render() {
    let w = Workshop::new();
    w.setup_offline_with(&["--until", "clone"]).success();
    let outside = outside_copy(&w, KARPENTER);
    let was = std::fs::read_to_string(&outside).unwrap();
    link(&w, KARPENTER, &outside);
    commit_all(&w, "Upstream links the karpenter manifest");
    let before = remote_subjects(&w);
    let head = w.git(&["rev-parse", "HEAD"]);
    w.setup_offline_with(&[])
        .bad(2, "is a symbolic link")
        .stderr_has(KARPENTER)
        .stderr_has(outside.to_str().unwrap());
    refused_with_nothing_written(&w, KARPENTER, &outside, &was, &before);
    assert_eq!(w.git(&["rev-parse", "HEAD"]), head);
    assert_eq!(
        w.git(&["status", "--porcelain"]),
        "",
        "the working tree as it was"
    );
}

#[test]
fn an_uncommitted_link_is_refused_not_replaced_by_a_file() {
    let w = Workshop::new();
    w.setup_offline_with(&["--until", "clone"]).success();
    let outside = outside_copy(&w, KARPENTER);
    let was = std::fs::read_to_string(&outside).unwrap();
    link(&w, KARPENTER, &outside);
    let before = remote_subjects(&w);
    w.setup_offline_with(&[])
        .bad(2, "is a symbolic link")
        .stderr_has(KARPENTER);
    refused_with_nothing_written(&w, KARPENTER, &outside, &was, &before);
}

#[test]
fn a_linked_directory_above_a_rendered_file_is_refused() {
    let w = Workshop::new();
    w.setup_offline_with(&["--until", "clone"]).success();
    let file = format!("{WORKFLOW_DIR}/upgrade-validate-workflow.yaml");
    let outside = outside_copy(&w, &file);
    let was = std::fs::read_to_string(&outside).unwrap();
    link(&w, WORKFLOW_DIR, outside.parent().unwrap());
    let before = remote_subjects(&w);
    w.setup_offline_with(&[])
        .bad(2, "is a symbolic link")
        .stderr_has(WORKFLOW_DIR);
    refused_with_nothing_written(&w, WORKFLOW_DIR, &outside, &was, &before);
    let left: Vec<_> = std::fs::read_dir(outside.parent().unwrap())
        .unwrap()
        .collect();
    assert_eq!(left.len(), 1, "no temp file written outside either");
}

#[test]
fn a_linked_addons_kustomization_is_refused_by_enable_addon() {
    let w = Workshop::new();
    w.setup_offline();
    let outside = outside_copy(&w, ADDONS);
    let was = std::fs::read_to_string(&outside).unwrap();
    link(&w, ADDONS, &outside);
    let before = remote_subjects(&w);
    w.cmd(&["enable-addon", "karpenter"])
        .run()
        .bad(2, "is a symbolic link")
        .stderr_has(ADDONS);
    refused_with_nothing_written(&w, ADDONS, &outside, &was, &before);
}

#[test]
fn a_linked_file_verify_fix_would_convert_is_refused() {
    let w = Workshop::new();
    w.setup_offline();
    let outside = outside_copy(&w, HPA);
    // Byte for byte what HEAD has (the clone is clean), so the conversion
    // would take it for the file and write over the link.
    let head = std::fs::read_to_string(w.clone_dir().join(HPA)).unwrap();
    std::fs::write(&outside, &head).unwrap();
    link(&w, HPA, &outside);
    w.cmd(&["verify", "--target-version", "1.26", "--fix"])
        .run()
        .bad(2, "is a symbolic link")
        .stderr_has(HPA);
    assert!(is_link(&w, HPA));
    let text = std::fs::read_to_string(&outside).unwrap();
    assert!(
        text.contains("autoscaling/v2beta2"),
        "not converted: {text}"
    );
    assert_ne!(remote_subjects(&w)[0], "Convert deprecated APIs");
}

/// The apps Flux Kustomization of an older API (with CRLF line endings).
fn old_kustomization(w: &Workshop, crlf: bool) -> String {
    let path = w.clone_dir().join(APPS_FLUX);
    let text = std::fs::read_to_string(&path).unwrap();
    let old = text.replace(
        "kustomize.toolkit.fluxcd.io/v1\n",
        "kustomize.toolkit.fluxcd.io/v1beta2\n",
    );
    assert_ne!(old, text);
    if crlf { old.replace('\n', "\r\n") } else { old }
}

#[test]
fn a_linked_file_the_migration_would_edit_is_refused() {
    let w = Workshop::new();
    w.setup_offline_with(&["--until", "clone"]).success();
    let old = old_kustomization(&w, false);
    std::fs::write(w.clone_dir().join(APPS_FLUX), &old).unwrap();
    commit_all(&w, "Upstream's Flux Kustomization of an older API");
    let outside = outside_copy(&w, APPS_FLUX);
    link(&w, APPS_FLUX, &outside);
    let before = remote_subjects(&w);
    w.setup_offline_with(&[])
        .bad(2, "is a symbolic link")
        .stderr_has(APPS_FLUX);
    assert!(is_link(&w, APPS_FLUX));
    assert!(
        std::fs::read_to_string(&outside)
            .unwrap()
            .contains("v1beta2")
    );
    assert_eq!(remote_subjects(&w), before, "nothing pushed");
}

#[test]
fn a_crlf_flux_kustomization_is_migrated_keeping_its_crlfs() {
    let w = Workshop::new();
    w.setup_offline_with(&["--until", "clone"]).success();
    let old = old_kustomization(&w, true);
    std::fs::write(w.clone_dir().join(APPS_FLUX), &old).unwrap();
    commit_all(&w, "Upstream's Flux Kustomization of an older API");
    w.setup_offline_with(&[]).success();
    let pushed = remote_subjects(&w);
    assert!(
        pushed.iter().any(|s| s.starts_with("Migrate manifests")),
        "{pushed:?}"
    );
    let head = w.git(&["show", &format!("HEAD:{APPS_FLUX}")]);
    let want = old.replace("v1beta2\r\n", "v1\r\n");
    assert_eq!(format!("{head}\r\n"), want, "migrated, CRLFs kept");
    assert_eq!(w.git(&["status", "--porcelain"]), "");
}

#[test]
fn a_tab_indented_file_is_never_rendered_nor_committed() {
    let w = Workshop::new();
    w.setup_offline_with(&["--until", "clone"]).success();
    let path = w.clone_dir().join(KARPENTER);
    let text = std::fs::read_to_string(&path).unwrap();
    let tabbed = text.replacen("  releaseName: karpenter", "\treleaseName: karpenter", 1);
    assert_ne!(tabbed, text);
    std::fs::write(&path, &tabbed).unwrap();
    commit_all(&w, "Upstream indents with a tab");
    let head = w.git(&["rev-parse", "HEAD"]);
    let line = tabbed
        .lines()
        .position(|l| l.starts_with('\t'))
        .map(|i| i + 1)
        .unwrap();
    w.setup_offline_with(&[])
        .bad(2, &format!("{KARPENTER}:{line}:"))
        .stderr_has("help: nothing was written or committed");
    assert_eq!(w.git(&["rev-parse", "HEAD"]), head, "nothing committed");
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        tabbed,
        "nor written"
    );
}

#[test]
fn verify_reports_links_oversized_files_and_files_named_in_any_bytes() {
    let w = Workshop::new();
    w.setup_offline();
    let apps = w.clone_dir().join("gitops/applications");
    let pdb = "apiVersion: policy/v1beta1\nkind: PodDisruptionBudget\nmetadata:\n  name: web\n";
    std::fs::write(
        apps.join(std::ffi::OsStr::from_bytes(b"pdb-\xff.yaml")),
        pdb,
    )
    .unwrap();
    let outside = w.dir().join("private.yaml");
    std::fs::write(&outside, pdb).unwrap();
    symlink(&outside, apps.join("linked.yaml")).unwrap();
    // Sparse: over the 16 MiB cap in no time.
    let big = std::fs::File::create(apps.join("big.yaml")).unwrap();
    big.set_len((16 << 20) + 1).unwrap();

    let out = w
        .cmd(&["verify", "--target-version", "1.25", "-o", "json"])
        .run()
        .code(4);
    let json = out.json();
    let findings = json["findings"].as_array().unwrap();
    assert!(
        findings
            .iter()
            .any(|f| f["file"] == "gitops/applications/pdb-\\xff.yaml"
                && f["kind"] == "PodDisruptionBudget"),
        "{json}"
    );
    let problem = |file: &str, needle: &str| {
        json["problems"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["file"] == file && p["message"].as_str().unwrap().contains(needle))
    };
    assert!(
        problem("gitops/applications/linked.yaml", "symbolic link"),
        "{json}"
    );
    assert!(
        problem("gitops/applications/big.yaml", "larger than 16 MiB"),
        "{json}"
    );
}
