//! What a step would change, as data: a step plans its effects from a read
//! of the world, and one executor (`crate::steps::perform`) performs them;
//! the dry run and the terminal's plan print the same list instead. What
//! the plan shows (and `-o json` carries) is the serialized part; the rest
//! is what performing needs.

use serde::Serialize;
use serde_json::Value;

use crate::plan::Wait;
use crate::state::Learned;

/// One change a step makes.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub(crate) enum Effect {
    /// Fork the upstream on GitHub, and wait until the fork can be cloned.
    Fork { upstream: String, fork: String },
    /// Offline: seed the local bare "fork" from the embedded workshop repo.
    SeedRemote { path: String },
    /// Clone the fork.
    Clone { url: String, into: String },
    /// Bring the clone up to the remote branch (fast-forward) or set its
    /// credential helper.
    Update { what: String },
    /// Ask for a template value (in a terminal; else the run stops, naming it).
    Ask {
        value: String,
        #[serde(skip)]
        template: String,
    },
    /// A file of the working tree, edited.
    Edit {
        path: String,
        diff: String,
        #[serde(skip)]
        bytes: Vec<u8>,
        /// Recorded once the file is written.
        #[serde(skip)]
        then: Vec<Learned>,
    },
    /// A commit, made from HEAD (the participant's uncommitted edits stay out).
    Commit {
        message: String,
        files: Vec<String>,
        diff: String,
        #[serde(skip)]
        contents: Vec<Vec<u8>>,
        /// What the step's line adds after the commit's id and subject.
        #[serde(skip)]
        what: String,
        /// Recorded once committed.
        #[serde(skip)]
        then: Vec<Learned>,
    },
    /// `reset`: a new commit on HEAD holding every file as `commit` has it
    /// (changed back, brought back, deleted), written to the working tree
    /// first; the commits it undoes stay in history.
    Restore {
        message: String,
        commit: String,
        undone: Vec<String>,
        diff: String,
    },
    /// Push the branch: rebasing our commits onto a fork that grew, or
    /// (`sync`) a fast-forward only.
    Push {
        branch: String,
        commits: String,
        #[serde(skip)]
        fast_forward_only: bool,
    },
    /// Install Flux's controllers.
    InstallFlux { from: String },
    /// Server-side apply one object.
    Apply {
        object: String,
        fields: Vec<String>,
        taken_over_from: Option<String>,
        #[serde(skip)]
        object_to_apply: Option<Box<Object>>,
    },
    /// Ask Flux to reconcile, and wait for it.
    Wait {
        until: Vec<String>,
        #[serde(skip)]
        wait: Wait,
    },
    /// Move the control plane to Kubernetes `to`, by the driver.
    ControlPlane {
        to: String,
        how: String,
        #[serde(skip)]
        driver: crate::plan::Driver,
    },
    /// Cordon a node, evict its pods within their PodDisruptionBudgets, and
    /// delete it: Karpenter replaces it with a node of the new version.
    Drain { node: String, kubelet: String },
    /// Have EKS update a managed node group (it replaces its nodes itself).
    UpdateNodeGroup {
        name: String,
        from: String,
        to: String,
        #[serde(skip)]
        driver: crate::plan::Driver,
    },
    /// `teardown`: one removal (a suspend, a delete, a wait, the destroy).
    Teardown(crate::teardown::Removal),
    /// Said while running (a value kept, a file converted or left alone);
    /// not a change, so the plan leaves it out.
    Say {
        message: String,
        #[serde(skip)]
        warning: bool,
    },
}

/// An object to apply, as the apply needs it.
#[derive(Clone, Debug)]
pub(crate) struct Object {
    pub(crate) resource: kube::api::ApiResource,
    pub(crate) desired: Value,
    /// Taking it over from someone: said before applying.
    pub(crate) warning: Option<String>,
    /// What the step's line says of it once applied.
    pub(crate) said: String,
}

impl Effect {
    /// Performing it changes what the rest of the step would do (a value
    /// answered, Flux installed): the step is planned again after it.
    pub(crate) fn replans(&self) -> bool {
        matches!(self, Effect::Ask { .. } | Effect::InstallFlux { .. })
    }
}

/// What the plan shows of a step's effects: its changes, without what is
/// only said while running, and without the working-tree edit of a file
/// the step commits as well (the commit's diff shows the same lines).
pub(crate) fn shown(effects: Vec<Effect>) -> Vec<Effect> {
    let committed: Vec<String> = effects
        .iter()
        .flat_map(|e| match e {
            Effect::Commit { files, .. } => files.clone(),
            _ => Vec::new(),
        })
        .collect();
    effects
        .into_iter()
        .filter(|e| match e {
            Effect::Say { .. } => false,
            Effect::Edit { path, .. } => !committed.contains(path),
            _ => true,
        })
        .collect()
}

impl Effect {
    /// The change as the text plan shows it (diffs indented under it).
    pub(crate) fn render_text(&self) -> String {
        match self {
            Effect::Fork { upstream, fork } => format!("fork {upstream} to {fork}\n"),
            Effect::SeedRemote { path } => {
                format!("seed the local remote {path} from the embedded workshop repo\n")
            }
            Effect::Clone { url, into } => format!("clone {url} into {into}\n"),
            Effect::Update { what } => format!("{what}\n"),
            Effect::Ask { value, .. } => format!("ask for {value}\n"),
            Effect::Edit { path, diff, .. } => format!("edit {path}\n{}", indent(diff)),
            Effect::Commit { message, diff, .. } => {
                let subject = message.lines().next().unwrap_or_default();
                format!("commit \"{subject}\"\n{}", indent(diff))
            }
            Effect::Restore {
                message,
                undone,
                diff,
                ..
            } => {
                let subject = message.lines().next().unwrap_or_default();
                let mut out = format!("commit \"{subject}\"\n");
                if !undone.is_empty() {
                    out.push_str("  undoing (they stay in history):\n");
                    for line in undone {
                        out.push_str(&format!("    {line}\n"));
                    }
                }
                out.push_str(&indent(diff));
                out
            }
            Effect::Push {
                branch, commits, ..
            } => format!("push {commits} to {branch}\n"),
            Effect::InstallFlux { from } => format!("install Flux from {from}\n"),
            Effect::Apply {
                object,
                fields,
                taken_over_from,
                ..
            } => {
                let from = taken_over_from
                    .as_ref()
                    .map(|f| format!("; taken over from {f}"))
                    .unwrap_or_default();
                format!("apply {object} ({}{from})\n", fields.join(", "))
            }
            Effect::Wait { until, .. } => {
                let mut out = "wait until:\n".to_string();
                for u in until {
                    out.push_str(&format!("  - {u}\n"));
                }
                out
            }
            Effect::Say { message, .. } => format!("{message}\n"),
            Effect::ControlPlane { to, how, .. } => {
                format!("upgrade the control plane to Kubernetes {to}: {how}\n")
            }
            Effect::UpdateNodeGroup { name, from, to, .. } => format!(
                "update managed node group {name} from {from} to {to} (`aws eks update-nodegroup-version`), waited for\n"
            ),
            Effect::Teardown(removal) => removal.render_text(),
            Effect::Drain { node, kubelet } => format!(
                "drain node {node} (kubelet {kubelet}) within its pods' PodDisruptionBudgets, then delete it for Karpenter to replace\n"
            ),
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
        let c = Effect::Commit {
            message: "Enable karpenter add-on\n\nbody".into(),
            files: vec!["k.yaml".into()],
            diff: diff(
                "k.yaml",
                b"# - 02-karpenter.yaml\n",
                b"- 02-karpenter.yaml\n",
            ),
            contents: vec![b"- 02-karpenter.yaml\n".to_vec()],
            what: String::new(),
            then: Vec::new(),
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
