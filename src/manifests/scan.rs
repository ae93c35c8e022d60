//! Scanning a GitOps repository: walk it, read every manifest (in parallel),
//! work out what Flux applies, and check the repository itself.

use std::collections::BTreeSet;
use std::path::Path;

use crate::error::Result;

use super::checks;
use super::flux_migration::AppliedObject;
use super::objects::RepoObject;
use super::objects::body::Body;
use crate::readiness::deprecations::Entry;
use crate::readiness::finding::make_finding;
use crate::readiness::{Finding, KubeVersion, Problem, Report};

mod files;
mod reach;
mod tree;

pub(crate) use files::{file_name, parent, walk};
use reach::normalize;
pub(crate) use tree::Tree;

/// What reading one file gave.
#[derive(Default)]
pub(crate) struct FileScan {
    /// Objects using a table API, and Flux Kustomizations.
    pub(crate) objects: Vec<Object>,
    problems: Vec<(usize, String)>,
    placeholders: Vec<(usize, String)>,
    /// `resources:` entries, when the file is a kustomization.
    pub(crate) resources: Option<Vec<(usize, String)>>,
    /// Every object of the file as the preflight reads it, gathered in the
    /// same walk, when the fast reader read every document (`None`: the
    /// preflight reads the file itself).
    pub(crate) walked: Option<Vec<AppliedObject>>,
    /// Every object of the file with its [`Body`], read in the same walk
    /// (`None`: as `walked`).
    pub(crate) bodies: Option<Vec<RepoObject<Body>>>,
}

pub(crate) struct Object {
    line: usize,
    api_version: String,
    kind: String,
    name: String,
    namespace: String,
    entry: Option<&'static Entry>,
    pub(crate) flux_path: Option<String>,
}

/// Scan the repository at `root` for APIs deprecated or removed at `target`;
/// `cluster_path` is the directory Flux is bootstrapped from.
pub(crate) fn scan_repo(root: &Path, target: KubeVersion, cluster_path: &str) -> Result<Report> {
    Ok(report(&Tree::read(root, cluster_path)?, target))
}

/// [`scan_repo`] over a tree already read, with `kubectl kustomize` run
/// when kubectl is on PATH.
pub(crate) fn report(tree: &Tree, target: KubeVersion) -> Report {
    let kubectl = which::which("kubectl").ok();
    scan(tree, target, kubectl.as_deref())
}

pub(crate) fn scan(tree: &Tree, target: KubeVersion, kubectl: Option<&Path>) -> Report {
    let root = tree.root();
    let files = &tree.files;
    let kustomize_dirs: Vec<String> = files
        .iter()
        .filter(|f| checks::is_kustomization_file(file_name(f)))
        .map(|f| parent(f).to_owned())
        .collect();
    let builds = kubectl.map(|k| checks::kustomize_builds(k, root, &kustomize_dirs));
    let mut problems = tree.walk_problems.clone();
    if !tree.cluster_dir_exists() {
        let message = "the Flux cluster directory does not exist, so nothing counts as applied";
        problems.push(problem(tree.cluster_path(), 0, message.into()));
    }
    let mut findings = Vec::new();
    let mut missing = BTreeSet::new();
    for (i, (file, scan)) in files.iter().zip(&tree.scans).enumerate() {
        let applied = tree.applied.contains(&i);
        for (line, message) in &scan.problems {
            problems.push(problem(file, *line, message.clone()));
        }
        if applied {
            for (line, message) in &scan.placeholders {
                problems.push(problem(file, *line, message.clone()));
            }
        }
        for (line, entry) in scan.resources.iter().flatten() {
            if !checks::is_remote(entry) && !root.join(tree.found[i].dir()).join(entry).exists() {
                missing.extend(normalize(parent(file), entry));
                problems.push(problem(
                    file,
                    *line,
                    format!("resource `{entry}` does not exist"),
                ));
            }
        }
        for object in &scan.objects {
            let Some(entry) = object.entry.filter(|e| e.reported_at(target)) else {
                continue;
            };
            findings.push(finding(file, object, entry, target, applied));
        }
    }
    for (dir, message) in builds.into_iter().flatten() {
        // A missing resource is already reported, by line.
        if !missing.iter().any(|m| message.contains(m.as_str())) {
            problems.push(problem(&dir, 0, message));
        }
    }
    findings.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    problems.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    // Without kubectl the builds were not checked: said, never a pass.
    let not_built = match kubectl {
        Some(_) => Vec::new(),
        None => kustomize_dirs
            .iter()
            .map(|d| if d.is_empty() { ".".into() } else { d.clone() })
            .collect(),
    };
    Report {
        target_version: target,
        findings,
        problems,
        not_built,
    }
}

/// Whether each kustomization Flux builds from `cluster_path` would build:
/// its `resources:` entries exist, and (with kubectl) `kubectl kustomize`
/// succeeds on its directory. What the preflight checks besides the APIs.
pub(crate) fn applied_builds(tree: &Tree, kubectl: Option<&Path>) -> Vec<Problem> {
    let root = tree.root();
    let mut out = Vec::new();
    let mut dirs = Vec::new();
    for (file, resources) in tree.applied_kustomizations() {
        let before = out.len();
        for (line, entry) in resources {
            if !checks::is_remote(entry) && !root.join(parent(file)).join(entry).exists() {
                out.push(problem(
                    file,
                    *line,
                    format!(
                        "resource `{entry}` does not exist, so the kustomization does not build"
                    ),
                ));
            }
        }
        // One cause, said once: kubectl is asked only where no entry is missing.
        if out.len() == before {
            dirs.push(parent(file).to_owned());
        }
    }
    if let Some(kubectl) = kubectl {
        for (dir, message) in checks::kustomize_builds(kubectl, root, &dirs) {
            let file = if dir.is_empty() {
                "kustomization.yaml".to_string()
            } else {
                format!("{dir}/kustomization.yaml")
            };
            out.push(problem(&file, 0, message));
        }
    }
    out
}

/// [`scan`] of the tree at `root`, read for `cluster_path`.
#[cfg(test)]
pub(crate) fn scan_at(
    root: &Path,
    target: KubeVersion,
    cluster_path: &str,
    kubectl: Option<&Path>,
) -> Result<Report> {
    Ok(scan(&Tree::read(root, cluster_path)?, target, kubectl))
}

fn problem(file: &str, line: usize, message: String) -> Problem {
    Problem {
        file: file.to_owned(),
        line,
        message,
    }
}

fn finding(file: &str, o: &Object, entry: &Entry, target: KubeVersion, reachable: bool) -> Finding {
    make_finding(
        file,
        o.line,
        &o.kind,
        &o.namespace,
        &o.name,
        &o.api_version,
        entry,
        target,
        reachable,
        "repo",
    )
}

#[cfg(test)]
mod tests;
