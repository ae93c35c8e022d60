//! charts (`upgrade`): each add-on Flux applies whose chart version does not
//! support the hop's Kubernetes version is bumped, along its upgrade path, to
//! the lowest version that does, in one commit ("Bump add-on charts for
//! Kubernetes 1.N"). Only the version and its `add-on-version` label change.
//!
//! Derived from HEAD, like the conversion: a re-run after a crash finds the
//! bump committed and makes no second commit. A file the participant has
//! uncommitted edits in is left alone (and named); a path that crosses a
//! migration is the readiness gate's to stop on, never bumped here.

use super::Checked;
use crate::config::CLUSTER_PATH;
use crate::ctx::Ctx;
use crate::effect::Effect;
use crate::error::{Error, Result};
use crate::manifests::charts::{self, Bump};
use crate::readiness::KubeVersion;
use crate::{fsx, git};

/// The commit's subject; its body lists the bumps.
pub(crate) fn message(to: KubeVersion) -> String {
    format!("Bump add-on charts for Kubernetes {to}")
}

pub(super) fn check(ctx: &Ctx, to: KubeVersion) -> Result<Checked> {
    let files = read(ctx, to)?;
    let (edited, todo): (Vec<_>, Vec<_>) = files.iter().partition(|f| f.edited);
    if !todo.is_empty() {
        let bumps: Vec<String> = todo
            .iter()
            .flat_map(|f| f.bumps.iter().map(Bump::describe))
            .collect();
        return Ok(Checked::to_do(format!("to bump: {}", bumps.join(", "))));
    }
    let mut detail = format!("every add-on chart Flux applies supports Kubernetes {to}");
    if !edited.is_empty() {
        let names: Vec<&str> = edited.iter().map(|f| f.path.as_str()).collect();
        detail = format!(
            "not bumped, you have uncommitted edits in: {} (commit or stash them, then run `eks-workshop resume`)",
            names.join(", ")
        );
    }
    Ok(Checked::done(detail))
}

pub(super) fn effects(ctx: &Ctx, to: KubeVersion) -> Result<Vec<Effect>> {
    let clone = ctx.config.clone_dir();
    let files = read(ctx, to)?;
    let mut out = Vec::new();
    let mut commit = Vec::new();
    let mut body = Vec::new();
    for f in files {
        if f.edited {
            out.push(Effect::Say {
                message: format!(
                    "{}: not bumped, you have uncommitted edits in it (commit or stash them, then run `eks-workshop resume`)",
                    f.path
                ),
                warning: true,
            });
            continue;
        }
        out.extend(super::rewrite_effect(
            &clone,
            &f.path,
            &f.head,
            f.new.as_bytes(),
        )?);
        for bump in &f.bumps {
            let line = format!("{}: {}", bump.id(), bump.describe());
            out.push(Effect::Say {
                message: format!("bumped {line}"),
                warning: false,
            });
            body.push(format!("- {line} ({})", f.path));
        }
        commit.push((f.path, f.new.into_bytes()));
    }
    let repo = git::open(&clone)?;
    let what = format!("{} add-on chart(s) for Kubernetes {to}", body.len());
    let message = format!("{}\n\n{}\n", message(to), body.join("\n"));
    out.push(super::commit_effect(
        &repo,
        message,
        commit,
        what,
        Vec::new(),
    )?);
    Ok(out)
}

/// One file of HEAD and its bumps.
struct File {
    path: String,
    head: Vec<u8>,
    new: String,
    bumps: Vec<Bump>,
    /// The working tree holds the participant's own edits: not touched.
    edited: bool,
}

/// HEAD's bumps for `to`, by file.
fn read(ctx: &Ctx, to: KubeVersion) -> Result<Vec<File>> {
    let clone = ctx.config.clone_dir();
    let repo = git::open(&clone)?;
    let scratch = fsx::scratch_dir()?;
    git::export_head(&repo, scratch.path())?;
    let planned = charts::plan(scratch.path(), CLUSTER_PATH, to)?;
    let mut files = Vec::new();
    for (path, bumps) in charts::by_file(&planned) {
        let head = git::head_blob(&repo, path)?.unwrap_or_default();
        let text = String::from_utf8_lossy(&head);
        let new = charts::bumped(&text, &bumps).ok_or_else(|| {
            Error::usage(
                format!("{path}: the chart version is not where eks-workshop read it"),
                "run the command again; if it says the same, report it with the file",
            )
        })?;
        let edited = super::edited_in_tree(&clone, path, &head, new.as_bytes())?;
        files.push(File {
            path: path.to_string(),
            bumps: bumps.into_iter().cloned().collect(),
            head,
            new,
            edited,
        });
    }
    Ok(files)
}
