//! What a scan found, as JSON and as kube-no-trouble-style text.

use std::fmt::Write as _;

use serde::{Serialize, Serializer};

use super::version::KubeVersion;

/// One object using a deprecated or removed API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Relative to the repository root, `/`-separated; empty for cluster objects.
    pub file: String,
    /// 1-based; 0 for cluster objects.
    pub line: usize,
    pub kind: String,
    pub namespace: String,
    pub name: String,
    pub api_version: String,
    /// The apiVersion to use instead; empty when there is none.
    pub replacement: String,
    /// `1.21`, or `flux 2.0` / `karpenter 0.32` for those projects' APIs.
    pub deprecated_in: String,
    pub removed_in: String,
    /// A Kubernetes API no longer served at the target version.
    pub removed_in_target: bool,
    /// Flux applies it (always true for cluster objects).
    pub reachable: bool,
    /// `repo` or `cluster`.
    pub source: &'static str,
    /// For a cluster object Flux applied: `namespace/name` of the
    /// Kustomization whose inventory holds it (at this apiVersion).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub kustomization: String,
    /// The replacement's kind when it differs (Provisioner -> NodePool).
    #[serde(skip)]
    pub(crate) replacement_kind: String,
    /// The release the replacement is available from.
    #[serde(skip)]
    pub(crate) replacement_since: String,
}

impl Finding {
    /// Where a cluster finding comes from: `(cluster)`, with the
    /// Kustomization that applies it and its file:line when known.
    pub(crate) fn cluster_place(&self) -> String {
        let mut parts = vec!["cluster".to_string()];
        if !self.kustomization.is_empty() {
            parts.push(format!("Kustomization {}", self.kustomization));
        }
        if !self.file.is_empty() {
            parts.push(format!("{}:{}", self.file, self.line));
        }
        format!("({})", parts.join(", "))
    }

    /// `removed in 1.26`, or `deprecated in 1.23, removed in 1.26`.
    pub(crate) fn status(&self) -> String {
        if self.removed_in_target {
            format!("removed in {}", self.removed_in)
        } else {
            format!(
                "deprecated in {}, removed in {}",
                self.deprecated_in, self.removed_in
            )
        }
    }
}

/// Something wrong with the repository itself: invalid YAML, a missing
/// kustomize resource, an unrendered placeholder, a failing `kubectl kustomize`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub file: String,
    /// 1-based; 0 when the problem is not on one line.
    pub line: usize,
    pub message: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    #[serde(serialize_with = "as_string")]
    pub target_version: KubeVersion,
    pub findings: Vec<Finding>,
    pub problems: Vec<Problem>,
    /// Kustomization directories (`.` for the root) that `kubectl
    /// kustomize` was not run on because kubectl is not on PATH: not
    /// checked, which `verify` says as a to-do.
    #[serde(skip)]
    pub(crate) not_built: Vec<String>,
}

fn as_string<S: Serializer>(v: &KubeVersion, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(v)
}

const RED: &str = "\x1b[1;31m";
const YELLOW: &str = "\x1b[1;33m";
const DIM: &str = "\x1b[2m";
const RESET: &str = "\x1b[0m";

impl Report {
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a report serializes")
    }

    /// What `verify` counts as failing: reachable findings removed at or
    /// before the target, plus problems; with `strict`, also reachable
    /// findings that are only deprecated.
    pub fn failures(&self, strict: bool) -> usize {
        let findings = self
            .findings
            .iter()
            .filter(|f| f.reachable && (f.removed_in_target || strict))
            .count();
        findings + self.problems.len()
    }

    /// Everything [`Report::failures`] counts, as problems: the repository's
    /// own, then each failing finding (`verify -o json` lists them).
    pub fn failing_problems(&self, strict: bool) -> Vec<Problem> {
        let mut out = self.problems.clone();
        for f in self
            .findings
            .iter()
            .filter(|f| f.reachable && (f.removed_in_target || strict))
        {
            let name = match f.namespace.as_str() {
                "" => f.name.clone(),
                ns => format!("{ns}/{}", f.name),
            };
            let status = f.status();
            let instead = match (f.replacement.as_str(), f.replacement_kind.as_str()) {
                ("", _) => String::new(),
                (api, "") => format!("; use {api}"),
                (api, kind) => format!("; use {api} {kind}"),
            };
            out.push(Problem {
                file: f.file.clone(),
                line: f.line,
                message: format!(
                    "{} {name} uses {}, {status}{instead}",
                    f.kind, f.api_version
                ),
            });
        }
        out
    }

    /// Sections per removal version (as kube-no-trouble prints them), then the
    /// APIs only deprecated, then the problems.
    pub fn render_text(&self, color: bool) -> String {
        let paint = |code: &'static str| if color { code } else { "" };
        let mut out = String::new();
        let mut removed: Vec<&Finding> = self
            .findings
            .iter()
            .filter(|f| f.removed_in_target)
            .collect();
        removed.sort_by(|a, b| by_version(&a.removed_in, &b.removed_in).then_with(|| order(a, b)));
        let mut start = 0;
        while start < removed.len() {
            let version = &removed[start].removed_in;
            let end = start
                + removed[start..]
                    .iter()
                    .take_while(|f| &f.removed_in == version)
                    .count();
            let _ = writeln!(
                out,
                "{}>>> Removed in {version} <<<{}",
                paint(RED),
                paint(RESET)
            );
            table(&mut out, &removed[start..end], false, color);
            start = end;
        }
        let mut deprecated: Vec<&Finding> = self
            .findings
            .iter()
            .filter(|f| !f.removed_in_target)
            .collect();
        deprecated
            .sort_by(|a, b| order(a, b).then_with(|| by_version(&a.removed_in, &b.removed_in)));
        if !deprecated.is_empty() {
            let _ = writeln!(
                out,
                "{}>>> Deprecated APIs (removed in a later version) <<<{}",
                paint(YELLOW),
                paint(RESET)
            );
            table(&mut out, &deprecated, true, color);
        }
        if !self.problems.is_empty() {
            let _ = writeln!(out, "{}>>> Problems <<<{}", paint(RED), paint(RESET));
            for p in &self.problems {
                let at = match (p.file.as_str(), p.line) {
                    ("", _) => String::new(),
                    (file, 0) => format!("{file}: "),
                    (file, line) => format!("{file}:{line}: "),
                };
                let _ = writeln!(out, "{at}{}", p.message);
            }
        }
        if out.is_empty() {
            let _ = writeln!(
                out,
                "No deprecated or removed APIs for Kubernetes {}.",
                self.target_version
            );
        }
        out
    }
}

/// Reachable first, then by file and line.
fn order(a: &Finding, b: &Finding) -> std::cmp::Ordering {
    b.reachable
        .cmp(&a.reachable)
        .then_with(|| a.file.cmp(&b.file))
        .then(a.line.cmp(&b.line))
        .then_with(|| a.name.cmp(&b.name))
}

/// `1.9` before `1.16`; project releases (`flux 2.7`) after Kubernetes ones.
fn by_version(a: &str, b: &str) -> std::cmp::Ordering {
    let key = |v: &str| {
        let (project, number) = v.rsplit_once(' ').unwrap_or(("", v));
        let release = super::version::Release::parse(number);
        (project.to_owned(), release, v.to_owned())
    };
    key(a).cmp(&key(b))
}

fn table(out: &mut String, rows: &[&Finding], with_removal: bool, color: bool) {
    let mut header = vec![
        "KIND",
        "NAMESPACE",
        "NAME",
        "API_VERSION",
        "REPLACE_WITH (SINCE)",
    ];
    if with_removal {
        header.push("REMOVED_IN");
    }
    header.push("FILE:LINE");
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|f| {
            let replacement = match (f.replacement.as_str(), f.replacement_kind.as_str()) {
                ("", _) => "-".to_owned(),
                (api, "") => format!("{api} ({})", f.replacement_since),
                (api, kind) => format!("{api} {kind} ({})", f.replacement_since),
            };
            let namespace = if f.namespace.is_empty() {
                "-"
            } else {
                &f.namespace
            };
            let mut row = vec![
                f.kind.clone(),
                namespace.to_owned(),
                f.name.clone(),
                f.api_version.clone(),
                replacement,
            ];
            if with_removal {
                row.push(f.removed_in.clone());
            }
            row.push(match (f.source, f.reachable) {
                ("cluster", _) => f.cluster_place(),
                (_, true) => format!("{}:{}", f.file, f.line),
                (_, false) => format!("{}:{} (not applied by Flux)", f.file, f.line),
            });
            row
        })
        .collect();
    let lines = crate::table::lines(&header, &cells);
    let _ = writeln!(out, "{}", lines[0]);
    for (f, line) in rows.iter().zip(&lines[1..]) {
        let (pre, post) = if color && !f.reachable {
            (DIM, RESET)
        } else {
            ("", "")
        };
        let _ = writeln!(out, "{pre}{line}{post}");
    }
}

#[cfg(test)]
mod tests;
