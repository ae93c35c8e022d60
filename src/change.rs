//! What a step would change, for `--dry-run`: data first (for `-o json`),
//! then text. Found by the steps' read-only checks; nothing here writes.

use serde::Serialize;

/// One change a step would make.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub(crate) enum Change {
    /// Fork the upstream on GitHub.
    Fork { upstream: String, fork: String },
    /// Offline: seed the local bare "fork" from the embedded workshop repo.
    SeedRemote { path: String },
    /// Clone the fork.
    Clone { url: String, into: String },
    /// Bring the clone up to the remote branch (fast-forward) or set its
    /// credential helper.
    Update { what: String },
    /// Ask for a template value.
    Ask { value: String },
    /// A file of the working tree, edited.
    Edit { path: String, diff: String },
    /// A commit, made from HEAD (the participant's uncommitted edits stay out).
    Commit {
        message: String,
        files: Vec<String>,
        diff: String,
    },
    /// Push the branch.
    Push { branch: String, commits: String },
    /// Install Flux's controllers.
    InstallFlux { from: String },
    /// Server-side apply one object.
    Apply {
        object: String,
        fields: Vec<String>,
        taken_over_from: Option<String>,
    },
    /// Wait for Flux.
    Wait { until: Vec<String> },
}

impl Change {
    /// The change as the text plan shows it (diffs indented under it).
    pub(crate) fn render_text(&self) -> String {
        match self {
            Change::Fork { upstream, fork } => format!("fork {upstream} to {fork}\n"),
            Change::SeedRemote { path } => {
                format!("seed the local remote {path} from the embedded workshop repo\n")
            }
            Change::Clone { url, into } => format!("clone {url} into {into}\n"),
            Change::Update { what } => format!("{what}\n"),
            Change::Ask { value } => format!("ask for {value}\n"),
            Change::Edit { path, diff } => format!("edit {path}\n{}", indent(diff)),
            Change::Commit { message, diff, .. } => {
                let subject = message.lines().next().unwrap_or_default();
                format!("commit \"{subject}\"\n{}", indent(diff))
            }
            Change::Push { branch, commits } => format!("push {commits} to {branch}\n"),
            Change::InstallFlux { from } => format!("install Flux from {from}\n"),
            Change::Apply {
                object,
                fields,
                taken_over_from,
            } => {
                let from = taken_over_from
                    .as_ref()
                    .map(|f| format!("; taken over from {f}"))
                    .unwrap_or_default();
                format!("apply {object} ({}{from})\n", fields.join(", "))
            }
            Change::Wait { until } => {
                let mut out = "wait until:\n".to_string();
                for u in until {
                    out.push_str(&format!("  - {u}\n"));
                }
                out
            }
        }
    }
}

/// A unified diff of one file (3 lines of context), `a/` and `b/` headers.
pub(crate) fn diff(path: &str, before: &[u8], after: &[u8]) -> String {
    let (before, after) = (
        String::from_utf8_lossy(before),
        String::from_utf8_lossy(after),
    );
    similar::TextDiff::from_lines(before.as_ref(), after.as_ref())
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{path}"), &format!("b/{path}"))
        .to_string()
}

/// The diffs of several files, one after another.
pub(crate) fn diffs<'a>(files: impl IntoIterator<Item = (&'a str, &'a [u8], &'a [u8])>) -> String {
    files
        .into_iter()
        .map(|(path, before, after)| diff(path, before, after))
        .collect()
}

fn indent(text: &str) -> String {
    text.lines().map(|l| format!("    {l}\n")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_diff_names_the_file_and_shows_only_the_changed_line_with_context() {
        let before = b"a\nb\nc\nd\ne\nf\ng\nh\n";
        let after = b"a\nb\nc\nd\nE\nf\ng\nh\n";
        let d = diff("x.yaml", before, after);
        assert!(
            d.starts_with("--- a/x.yaml\n+++ b/x.yaml\n@@ -2,7 +2,7 @@\n"),
            "{d}"
        );
        assert!(d.contains("\n-e\n+E\n"), "{d}");
        assert!(!d.contains(" a\n"), "context is 3 lines: {d}");
        assert_eq!(diff("x", before, before), "");
    }

    #[test]
    fn a_commit_shows_its_subject_and_its_diff_indented() {
        let c = Change::Commit {
            message: "Enable karpenter add-on\n\nbody".into(),
            files: vec!["k.yaml".into()],
            diff: diff(
                "k.yaml",
                b"# - 02-karpenter.yaml\n",
                b"- 02-karpenter.yaml\n",
            ),
        };
        let text = c.render_text();
        assert!(
            text.starts_with("commit \"Enable karpenter add-on\"\n    --- a/k.yaml\n"),
            "{text}"
        );
        assert!(text.contains("    +- 02-karpenter.yaml\n"), "{text}");
        let json = serde_json::to_value(&c).unwrap();
        assert_eq!(json["kind"], "commit");
        assert_eq!(json["files"][0], "k.yaml");
    }
}
