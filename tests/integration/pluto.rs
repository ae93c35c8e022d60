//! pluto (FairwindsOps/pluto v5.24.1) as a peer. Its deprecation table
//! (versions.yaml, read from the Go module cache, never copied into the
//! repository) against ours, and its findings against ours on the same trees:
//! the embedded workshop repo, the scan fixtures, and a generated tree. Every
//! deliberate difference is in tests/fixtures/scan/pluto-differences.yaml.
//!
//! Needs Go (for the module cache) and the pluto binary that tests/rig/build.sh
//! puts at `${EKS_WORKSHOP_RIG:-$HOME/.cache/eks-workshop-rig}/bin/pluto`; it
//! fails, saying so, when either is missing.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Deserialize;
use serde_yaml::Value;

use crate::support::{Workshop, repo_root};

const PLUTO_MODULE: &str = "github.com/fairwindsops/pluto/v5@v5.24.1";
/// The target both tools scan for: late enough that every table entry is deprecated.
const TARGET: &str = "1.36";

#[derive(Deserialize)]
struct Difference {
    version: String,
    kind: String,
    pluto_removed_in: String,
    ours: String,
    reason: String,
}

impl Difference {
    fn matches(&self, version: &str, kind: &str) -> bool {
        let kind_ok = match self.kind.strip_prefix('*') {
            Some(suffix) => kind.ends_with(suffix),
            None => self.kind == kind,
        };
        (self.version == "*" || self.version == version) && kind_ok
    }
}

fn differences() -> Vec<Difference> {
    let path = repo_root().join("tests/fixtures/scan/pluto-differences.yaml");
    let list: Vec<Difference> = serde_yaml::from_str(&std::fs::read_to_string(path).unwrap())
        .expect("pluto-differences.yaml parses");
    assert!(
        list.iter().all(|d| !d.reason.trim().is_empty()),
        "every difference says why"
    );
    list
}

/// pluto's versions.yaml, from `go mod download`.
fn pluto_table() -> Vec<Value> {
    let out = Command::new("go")
        .args(["mod", "download", "-json", PLUTO_MODULE])
        .current_dir(std::env::temp_dir())
        .output()
        .unwrap_or_else(|e| {
            panic!("`go` did not run ({e}): install Go (https://go.dev/dl/) to compare with pluto's table")
        });
    let info: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "`go mod download -json {PLUTO_MODULE}` gave no JSON ({e}): {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let dir = info["Dir"]
        .as_str()
        .unwrap_or_else(|| panic!("no Dir in {info}"));
    let text =
        std::fs::read_to_string(Path::new(dir).join("versions.yaml")).expect("versions.yaml");
    let doc: Value = serde_yaml::from_str(&text).unwrap();
    doc["deprecated-versions"]
        .as_sequence()
        .expect("deprecated-versions")
        .clone()
}

fn our_table() -> Vec<Value> {
    let text =
        std::fs::read_to_string(repo_root().join("src/readiness/deprecations.yaml")).unwrap();
    serde_yaml::from_str(&text).unwrap()
}

fn s<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or_default()
}

/// `v1.16.0` -> `1.16`.
fn release(v: &str) -> String {
    let v = v.trim_start_matches('v');
    let mut parts = v.split('.');
    format!(
        "{}.{}",
        parts.next().unwrap_or(""),
        parts.next().unwrap_or("")
    )
}

#[test]
fn our_table_knows_every_removal_in_plutos_table() {
    let pluto = pluto_table();
    let ours = our_table();
    let differences = differences();
    let mut missing = String::new();
    let mut used = vec![false; differences.len()];
    for p in &pluto {
        let (version, kind, removed) = (s(p, "version"), s(p, "kind"), s(p, "removed-in"));
        let component = s(p, "component");
        if component == "k8s" && removed.is_empty() {
            continue; // deprecated only: not a removal
        }
        if let Some(i) = differences.iter().position(|d| d.matches(version, kind)) {
            let d = &differences[i];
            used[i] = true;
            assert!(
                d.pluto_removed_in == "any" || d.pluto_removed_in == removed,
                "pluto-differences.yaml says pluto removes {version} {kind} in {}, pluto says {removed}",
                d.pluto_removed_in
            );
            let here = ours
                .iter()
                .find(|o| s(o, "api_version") == version && s(o, "kind") == kind);
            match (d.ours.as_str(), here) {
                ("absent", None) => {}
                ("absent", Some(_)) => {
                    panic!("{version} {kind} is in our table; fix pluto-differences.yaml")
                }
                (release, Some(o)) => assert_eq!(s(o, "removed_in"), release, "{version} {kind}"),
                (release, None) => panic!(
                    "pluto-differences.yaml says we remove {version} {kind} in {release}, but it is not in our table"
                ),
            }
            continue;
        }
        let here = ours
            .iter()
            .find(|o| s(o, "api_version") == version && s(o, "kind") == kind);
        match here {
            None => {
                let _ = writeln!(
                    missing,
                    "  {component} {version} {kind} (removed in {removed})"
                );
            }
            // Kubernetes removals must agree on the release; other projects'
            // versions are their own releases, and pluto's are sometimes the
            // deprecation, so only presence is checked.
            Some(o) if component == "k8s" && s(o, "removed_in") != release(removed) => {
                let _ = writeln!(
                    missing,
                    "  {version} {kind}: pluto says removed in {removed}, we say {}",
                    s(o, "removed_in")
                );
            }
            Some(_) => {}
        }
    }
    assert!(
        missing.is_empty(),
        "pluto's table has removals ours does not (add them to src/scan/deprecations.yaml with a source, or to tests/fixtures/scan/pluto-differences.yaml with a reason):\n{missing}"
    );
    let stale: Vec<String> = differences
        .iter()
        .zip(&used)
        .filter(|(_, u)| !**u)
        .map(|(d, _)| format!("{} {}", d.version, d.kind))
        .collect();
    assert!(
        stale.is_empty(),
        "pluto-differences.yaml lists entries pluto no longer has: {stale:?}"
    );
}

/// The pluto binary tests/rig/build.sh builds.
fn pluto_bin() -> PathBuf {
    let rig = std::env::var_os("EKS_WORKSHOP_RIG")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").expect("HOME")).join(".cache/eks-workshop-rig")
        });
    let bin = rig.join("bin/pluto");
    assert!(
        bin.is_file(),
        "{} is missing: run tests/rig/build.sh (it builds pluto {PLUTO_MODULE} there)",
        bin.display()
    );
    bin
}

type Key = (String, String, String);

/// pluto's findings under `dir`: (file relative to `dir`, kind, apiVersion).
fn pluto_findings(dir: &Path) -> BTreeSet<Key> {
    let out = Command::new(pluto_bin())
        .args(["detect-files", "-o", "json", "--target-versions"])
        .arg(format!("k8s=v{TARGET}.0"))
        .arg("-d")
        .arg(dir)
        .output()
        .expect("pluto runs");
    // pluto exits 2 (deprecated), 3 (removed) or 4 (replacement not yet
    // available) when it finds something.
    assert!(
        matches!(out.status.code(), Some(0 | 2 | 3 | 4)),
        "pluto failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = match serde_json::from_slice(&out.stdout) {
        Ok(v) => v,
        // "There were no resources found with known deprecated apiVersions."
        Err(_) if String::from_utf8_lossy(&out.stdout).contains("no resources found") => {
            return BTreeSet::new();
        }
        Err(e) => panic!(
            "pluto's JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        ),
    };
    // pluto prints its working directory joined with the absolute path.
    let prefix = format!("{}/", dir.display());
    let relative = |file: &str| match file.find(&prefix) {
        Some(i) => file[i + prefix.len()..].to_owned(),
        None => file.to_owned(),
    };
    json["items"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|i| {
            let file = i["filePath"].as_str().unwrap_or_default();
            (
                relative(file),
                i["api"]["kind"].as_str().unwrap_or_default().to_owned(),
                i["api"]["version"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

fn keys(findings: &[serde_json::Value]) -> BTreeSet<Key> {
    findings
        .iter()
        .map(|f| {
            (
                f["file"].as_str().unwrap().to_owned(),
                f["kind"].as_str().unwrap().to_owned(),
                f["api_version"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// Our scan of `dir`, the function `verify` calls (without kubectl).
fn our_findings(dir: &Path) -> BTreeSet<Key> {
    let report =
        eks_workshop::manifests::bench_scan(dir, TARGET, "gitops/clusters/cluster-demo", None)
            .expect("scan works");
    let json: Vec<serde_json::Value> = report
        .findings
        .iter()
        .map(|f| serde_json::to_value(f).unwrap())
        .collect();
    keys(&json)
}

/// Ours must include pluto's, but for deliberate differences.
fn assert_includes(ours: &BTreeSet<Key>, pluto: &BTreeSet<Key>, tree: &str) {
    let differences = differences();
    let missed: Vec<&Key> = pluto
        .iter()
        .filter(|k| !ours.contains(*k))
        .filter(|(_, kind, api)| {
            !differences
                .iter()
                .any(|d| d.ours == "absent" && d.matches(api, kind))
        })
        .collect();
    assert!(
        missed.is_empty(),
        "{tree}: pluto finds what we do not: {missed:#?}"
    );
    eprintln!(
        "{tree}: pluto {} findings, ours {} (ours only: {})",
        pluto.len(),
        ours.len(),
        ours.difference(pluto).count()
    );
}

#[test]
fn on_the_workshop_repo_our_findings_include_plutos() {
    let w = Workshop::new();
    w.setup_offline();
    let out = w
        .cmd(&["verify", "--target-version", TARGET, "-o", "json"])
        .run()
        .success();
    let json = out.json();
    // Exit 0: what it finds (the HPA of deprecated-manifests/, the Karpenter
    // provisioner) is in files the workshop does not apply, so nothing fails.
    assert_eq!(json["problems_total"], 0, "{json}");
    let ours = keys(json["findings"].as_array().expect("findings"));
    let pluto = pluto_findings(&w.clone_dir());
    assert!(
        !pluto.is_empty(),
        "the workshop repo has deprecated manifests pluto knows"
    );
    assert_includes(&ours, &pluto, "workshop");
}

#[test]
fn on_the_scan_fixtures_our_findings_include_plutos() {
    let dir = repo_root().join("tests/fixtures/scan");
    let pluto = pluto_findings(&dir);
    assert!(pluto.len() > 5);
    assert_includes(&our_findings(&dir), &pluto, "tests/fixtures/scan");
}

#[test]
fn on_a_generated_tree_of_every_known_api_our_findings_include_plutos() {
    let dir = tempfile::tempdir().unwrap();
    let n = generate(dir.path());
    let pluto = pluto_findings(dir.path());
    assert!(pluto.len() * 2 > n, "pluto found {} of {n}", pluto.len());
    assert_includes(&our_findings(dir.path()), &pluto, "generated");
}

/// One object of every apiVersion/kind either table knows, written in the
/// shapes manifests take (multi-document files, comments, quoted values, flow
/// metadata), among current objects. Returns how many deprecated ones.
fn generate(root: &Path) -> usize {
    let mut apis: BTreeSet<(String, String)> = BTreeSet::new();
    for e in pluto_table() {
        apis.insert((s(&e, "version").to_owned(), s(&e, "kind").to_owned()));
    }
    for e in our_table() {
        apis.insert((s(&e, "api_version").to_owned(), s(&e, "kind").to_owned()));
    }
    let apis: Vec<_> = apis
        .into_iter()
        .filter(|(a, k)| a.contains('/') && !k.is_empty() && !k.ends_with("List"))
        .collect();
    for (i, (api, kind)) in apis.iter().enumerate() {
        let dir = root.join(format!("gitops/team-{:02}", i % 7));
        std::fs::create_dir_all(&dir).unwrap();
        let object = match i % 4 {
            0 => format!(
                "apiVersion: {api}\nkind: {kind}\nmetadata:\n  name: obj-{i}\n  namespace: ns-{i}\n"
            ),
            1 => format!(
                "# generated\napiVersion: \"{api}\"\nkind: '{kind}'\nmetadata: {{name: obj-{i}}}\nspec:\n  x: [1, 2]\n"
            ),
            2 => format!(
                "kind: {kind}\nmetadata:\n  labels:\n    app: a # comment\n  name: obj-{i}\napiVersion: {api}\n"
            ),
            _ => format!("apiVersion: {api}\nkind: {kind}\nmetadata:\n  name: \"obj-{i}\"\n"),
        };
        let text = format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-{i}\ndata:\n  a: b\n---\n{object}---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d-{i}\n"
        );
        std::fs::write(dir.join(format!("{i:03}.yaml")), text).unwrap();
    }
    apis.len()
}
