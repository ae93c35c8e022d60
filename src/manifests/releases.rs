//! The HelmReleases of the repository: each one's chart, version (and the
//! workshop's `add-on-version` label), where the version is written, and
//! whether Flux applies the file.

use std::path::Path;

use serde::Serialize;
use serde_yaml::Value;

use super::yaml::{parse_doc, split_docs};
use crate::error::Result;
use crate::readiness::charts::ChartVersion;
use crate::readiness::paths::spelled_like;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct RepoRelease {
    pub(crate) file: String,
    /// The line of `spec.chart.spec.version` (else of the document).
    pub(crate) line: usize,
    pub(crate) namespace: String,
    pub(crate) name: String,
    pub(crate) chart: String,
    pub(crate) version: String,
    /// The workshop's `add-on-version` label, when there is one.
    pub(crate) label: Option<String>,
    /// Flux applies the file from the cluster directory.
    pub(crate) applied: bool,
}

/// Every HelmRelease under `root`, in file order.
pub(crate) fn repo_releases(root: &Path, cluster_path: &str) -> Result<Vec<RepoRelease>> {
    Ok(in_tree(&super::Tree::read(root, cluster_path)?))
}

/// [`repo_releases`] of a tree already read.
pub(crate) fn in_tree(tree: &super::Tree) -> Vec<RepoRelease> {
    let finder = memchr::memmem::Finder::new("HelmRelease");
    tree.files()
        .filter(|f| finder.find(f.text.as_bytes()).is_some())
        .flat_map(|f| in_text(f.text, f.name, f.applied))
        .collect()
}

/// The HelmReleases of one file's text (documents that do not parse are the
/// scan's problems, not ours).
pub(crate) fn in_text(text: &str, file: &str, applied: bool) -> Vec<RepoRelease> {
    let Some(docs) = split_docs(text) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for doc in docs {
        let Ok(value) = parse_doc(&doc) else {
            continue;
        };
        if value.get("kind").and_then(Value::as_str) != Some("HelmRelease") {
            continue;
        }
        let str_at = |path: &[&str]| {
            let mut v = &value;
            for key in path {
                v = v.get(*key)?;
            }
            match v {
                Value::String(s) => Some(s.clone()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            }
        };
        let Some(chart) = str_at(&["spec", "chart", "spec", "chart"]) else {
            continue;
        };
        let version = str_at(&["spec", "chart", "spec", "version"]).unwrap_or_default();
        let line =
            version_line(doc.text, &version).map_or(doc.content_line, |i| doc.start_line + i);
        out.push(RepoRelease {
            file: file.to_string(),
            line,
            namespace: str_at(&["metadata", "namespace"]).unwrap_or_default(),
            name: str_at(&["metadata", "name"]).unwrap_or_default(),
            chart,
            version,
            label: str_at(&["metadata", "labels", "add-on-version"]),
            applied,
        });
    }
    out
}

/// The 0-based line of the chart's `version:` in a document (the first
/// `version:` after `chart:` carrying that value).
fn version_line(text: &str, version: &str) -> Option<usize> {
    let mut after_chart = false;
    for (i, line) in text.lines().enumerate() {
        let t = line.trim_start();
        if t.starts_with("chart:") {
            after_chart = true;
        } else if after_chart && t.starts_with("version:") {
            let value = &t["version:".len()..];
            // A trailing comment is not part of the value.
            let value = value.split(" #").next().unwrap_or(value);
            let value = value.trim().trim_matches(['"', '\'']);
            if value == version {
                return Some(i);
            }
        }
    }
    None
}

/// `text` with this release's chart version set to `to` (the workshop's
/// `add-on-version` label too, when it said the same version), each value
/// written in place with its quotes and as it was spelled (`v` or not):
/// nothing else in the file moves. `None`
/// when the version is not where the release says (the file changed).
pub(crate) fn set_version(text: &str, release: &RepoRelease, to: ChartVersion) -> Option<String> {
    let mut lines: Vec<String> = text.split_inclusive('\n').map(String::from).collect();
    let at = release.line.checked_sub(1)?;
    let version_to = spelled_like(&release.version, to);
    lines[at] = set_value(lines.get(at)?, "version:", &release.version, &version_to)?;
    let same = |l: &str| l.trim_start_matches('v') == release.version.trim_start_matches('v');
    if let Some(label) = release.label.as_deref().filter(|l| same(l)) {
        let label_to = spelled_like(label, to);
        // The label is in the same document, above the chart.
        for i in (0..at).rev() {
            if lines[i].starts_with("---") {
                break;
            }
            if let Some(new) = set_value(&lines[i], "add-on-version:", label, &label_to) {
                lines[i] = new;
                break;
            }
        }
    }
    Some(lines.concat())
}

/// `line` (`key: value`, the value maybe quoted, maybe commented) with the
/// value `was` replaced by `to`.
fn set_value(line: &str, key: &str, was: &str, to: &str) -> Option<String> {
    let indent = line.len() - line.trim_start().len();
    let rest = line[indent..].strip_prefix(key)?;
    let spaces = rest.len() - rest.trim_start().len();
    let value_at = indent + key.len() + spaces;
    let value = &line[value_at..];
    for quote in ["\"", "'", ""] {
        let quoted = format!("{quote}{was}{quote}");
        if let Some(after) = value.strip_prefix(&quoted)
            && (after.trim().is_empty() || after.trim_start().starts_with('#'))
        {
            return Some(format!("{}{quote}{to}{quote}{after}", &line[..value_at]));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chart_version_and_label_are_read_with_the_versions_line() {
        let text = "---\napiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: karpenter\n  namespace: flux-system\n  labels:\n    add-on-version: \"v0.27.3\"\nspec:\n  chart:\n    spec:\n      chart: karpenter\n      version: v0.27.3\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n";
        let found = in_text(text, "gitops/add-ons/02-karpenter.yaml", false);
        assert_eq!(
            found,
            [RepoRelease {
                file: "gitops/add-ons/02-karpenter.yaml".into(),
                line: 13,
                namespace: "flux-system".into(),
                name: "karpenter".into(),
                chart: "karpenter".into(),
                version: "v0.27.3".into(),
                label: Some("v0.27.3".into()),
                applied: false,
            }]
        );
    }

    #[test]
    fn a_release_without_a_chart_is_not_an_add_on() {
        let text = "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: r\nspec:\n  chartRef:\n    kind: OCIRepository\n    name: r\n";
        assert!(in_text(text, "r.yaml", true).is_empty());
    }
    #[test]
    fn setting_a_version_moves_the_chart_and_its_label_and_nothing_else() {
        let text = "---\napiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: karpenter\n  namespace: flux-system\n  labels:\n    add-on-version: \"v0.27.3\"\nspec:\n  chart:\n    spec:\n      chart: karpenter\n      version: v0.27.3 # pinned\n  values:\n    version: v0.27.3\n";
        let r = &in_text(text, "k.yaml", true)[0];
        let new = set_version(text, r, ChartVersion::parse("0.28.0").unwrap()).unwrap();
        assert_eq!(
            new,
            text.replace("\"v0.27.3\"", "\"v0.28.0\"")
                .replace("version: v0.27.3 # pinned", "version: v0.28.0 # pinned")
        );
        assert!(new.contains("  values:\n    version: v0.27.3\n"), "{new}");
        let moved = text.replace("v0.27.3 # pinned", "v0.27.4");
        assert_eq!(
            set_version(&moved, r, ChartVersion::parse("0.28.0").unwrap()),
            None,
            "not where it was"
        );
    }
}
