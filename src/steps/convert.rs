//! convert (`verify --fix`): the deprecated Kubernetes APIs in HEAD's files
//! that convert mechanically are converted for the target version, in one
//! commit ("Convert deprecated APIs").
//!
//! Derived from HEAD, like the push step, so a re-run after a crash finds the
//! conversion committed and makes no second commit. A file the participant
//! has uncommitted edits in is left alone (and named).

use super::Checked;
use crate::ctx::Ctx;
use crate::effect::Effect;
use crate::error::{Error, Result};
use crate::git;
use crate::manifests;
use crate::readiness::KubeVersion;

pub(crate) const MESSAGE: &str = "Convert deprecated APIs";

/// One file of HEAD and what converting it gives.
pub(super) struct Conversion {
    pub(super) path: String,
    pub(super) head: Vec<u8>,
    pub(super) new: String,
    pub(super) changed: Vec<String>,
    /// The working tree holds the participant's own edits: not touched.
    pub(super) edited: bool,
}

pub(super) fn check(ctx: &Ctx, target: KubeVersion) -> Result<Checked> {
    let found = conversions(ctx, target)?;
    let edited: Vec<&str> = found
        .iter()
        .filter(|c| c.edited)
        .map(|c| c.path.as_str())
        .collect();
    let todo: Vec<&str> = found
        .iter()
        .filter(|c| !c.edited)
        .map(|c| c.path.as_str())
        .collect();
    if !todo.is_empty() {
        return Ok(Checked::to_do(format!("to convert: {}", todo.join(", "))));
    }
    let mut detail = "nothing left that converts mechanically".to_string();
    if !edited.is_empty() {
        detail.push_str(&format!(
            "; not converted, you have uncommitted edits in: {} (commit or stash them, then run `verify --fix` again)",
            edited.join(", ")
        ));
    }
    Ok(Checked::done(detail))
}

/// The converted files written to the working tree (where it still holds
/// HEAD's), then committed from HEAD; a file with the participant's own
/// edits is left alone, and said so.
pub(super) fn effects(ctx: &Ctx, target: KubeVersion) -> Result<Vec<Effect>> {
    let clone = ctx.config.clone_dir();
    let mut out = Vec::new();
    let mut said = Vec::new();
    let mut commit = Vec::new();
    let (found, unconverted) = read(ctx, target)?;
    out.extend(unconverted.into_iter().map(|message| Effect::Say {
        message,
        warning: true,
    }));
    for c in found {
        if c.edited {
            said.push(Effect::Say {
                message: format!(
                    "{}: not converted, you have uncommitted edits in it (commit or stash them, then run `verify --fix` again)",
                    c.path
                ),
                warning: true,
            });
            continue;
        }
        out.extend(super::rewrite_effect(
            &clone,
            &c.path,
            &c.head,
            c.new.as_bytes(),
        )?);
        for what in &c.changed {
            said.push(Effect::Say {
                message: format!("converted {} {what}", c.path),
                warning: false,
            });
        }
        commit.push((c.path, c.new.into_bytes()));
    }
    out.extend(said);
    let repo = git::open(&clone)?;
    let what = format!("{} file(s) for Kubernetes {target}", commit.len());
    out.push(super::commit_effect(
        &repo,
        MESSAGE.into(),
        commit,
        what,
        Vec::new(),
    )?);
    Ok(out)
}

/// Every YAML/JSON file of HEAD with something to convert for the target.
pub(super) fn conversions(ctx: &Ctx, target: KubeVersion) -> Result<Vec<Conversion>> {
    Ok(read(ctx, target)?.0)
}

/// [`conversions`], and what does not convert mechanically (`file:line:
/// why`), to be said when the conversion runs.
fn read(ctx: &Ctx, target: KubeVersion) -> Result<(Vec<Conversion>, Vec<String>)> {
    let clone = ctx.config.clone_dir();
    let repo = git::open(&clone)?;
    let mut out = Vec::new();
    let mut unconverted = Vec::new();
    for path in head_files(&repo)? {
        let Some(head) = git::head_blob(&repo, &path)? else {
            continue;
        };
        let Ok(text) = std::str::from_utf8(&head) else {
            continue;
        };
        let outcome = manifests::fix_text(text, path.ends_with(".json"), target);
        for (line, why) in &outcome.unconverted {
            unconverted.push(format!("{path}:{line}: not converted: {why}"));
        }
        let Some(new) = outcome.text else { continue };
        let edited = super::edited_in_tree(&clone, &path, &head, new.as_bytes())?;
        out.push(Conversion {
            path,
            head,
            new,
            changed: outcome.changed,
            edited,
        });
    }
    Ok((out, unconverted))
}

/// Every YAML/JSON file in HEAD's tree.
fn head_files(repo: &git2::Repository) -> Result<Vec<String>> {
    let tree = repo
        .head()
        .and_then(|h| h.peel_to_tree())
        .map_err(|e| Error::git("read HEAD", &e))?;
    let mut files = Vec::new();
    tree.walk(git2::TreeWalkMode::PreOrder, |dir, entry| {
        // A link's blob is where it points, not a file to convert.
        if let Ok(name) = entry.name()
            && entry.kind() == Some(git2::ObjectType::Blob)
            && entry.filemode() != i32::from(git2::FileMode::Link)
            && [".yaml", ".yml", ".json"]
                .iter()
                .any(|ext| name.ends_with(ext))
        {
            files.push(format!("{dir}{name}"));
        }
        git2::TreeWalkResult::Ok
    })
    .map_err(|e| Error::git("list HEAD", &e))?;
    Ok(files)
}
