//! convert (`verify --fix`): the deprecated Kubernetes APIs in HEAD's files
//! that convert mechanically are converted for the target version, in one
//! commit ("Convert deprecated APIs").
//!
//! Derived from HEAD, like the push step, so a re-run after a crash finds the
//! conversion committed and makes no second commit. A file the participant
//! has uncommitted edits in is left alone (and named).

use super::Check;
use crate::change::{self, Change};
use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::manifests;
use crate::readiness::KubeVersion;
use crate::{fsx, git};

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

pub(super) fn check(ctx: &mut Ctx) -> Result<Check> {
    let found = conversions(ctx, false)?;
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
        return Ok(Check::Pending(format!("to convert: {}", todo.join(", "))));
    }
    let mut detail = "nothing left that converts mechanically".to_string();
    if !edited.is_empty() {
        detail.push_str(&format!(
            "; not converted, you have uncommitted edits in: {} (commit or stash them, then run `verify --fix` again)",
            edited.join(", ")
        ));
    }
    Ok(Check::Done(detail))
}

pub(super) fn run(ctx: &mut Ctx) -> Result<String> {
    let clone = ctx.config.clone_dir();
    let target = target(ctx)?;
    let mut changes = Vec::new();
    for c in conversions(ctx, true)? {
        let working = fsx::read_in(&clone, &c.path)?;
        if c.edited {
            ctx.ui.warn(&format!(
                "{}: not converted, you have uncommitted edits in it (commit or stash them, then run `verify --fix` again)",
                c.path
            ));
            continue;
        }
        if working.as_deref() == Some(&c.head) {
            super::must_parse(&clone, &c.path, c.new.as_bytes())?;
            fsx::write_in(&clone, &c.path, c.new.as_bytes())?;
        }
        for what in &c.changed {
            ctx.ui.note(&format!("converted {} {what}", c.path));
        }
        changes.push((c.path, c.new.into_bytes()));
    }
    crate::pause::point("convert:before-commit");
    let repo = git::open(&clone)?;
    let sig = ctx.signature(&repo)?;
    let oid = super::commit(&repo, &changes, MESSAGE, &sig)?;
    let what = format!("{} file(s) for Kubernetes {target}", changes.len());
    Ok(match oid {
        Some(oid) => format!(
            "committed {} \"{MESSAGE}\": {what}",
            git::short(&oid.to_string())
        ),
        None => format!("already committed: {what}"),
    })
}

fn target(ctx: &Ctx) -> Result<KubeVersion> {
    ctx.targets.convert_to.ok_or_else(|| Error::StepNotDone {
        step: "convert",
        detail: "no target Kubernetes version to convert for".into(),
    })
}

/// Every YAML/JSON file of HEAD with something to convert for the target.
pub(super) fn conversions(ctx: &Ctx, warn: bool) -> Result<Vec<Conversion>> {
    let target = target(ctx)?;
    let clone = ctx.config.clone_dir();
    let repo = git::open(&clone)?;
    let mut out = Vec::new();
    for path in head_files(&repo)? {
        let Some(head) = git::head_blob(&repo, &path)? else {
            continue;
        };
        let Ok(text) = std::str::from_utf8(&head) else {
            continue;
        };
        let outcome = manifests::fix_text(text, path.ends_with(".json"), target);
        for (line, why) in outcome.unconverted.iter().filter(|_| warn) {
            ctx.ui.warn(&format!("{path}:{line}: not converted: {why}"));
        }
        let Some(new) = outcome.text else { continue };
        let working = fsx::read_in(&clone, &path)?;
        let edited =
            working.as_deref() != Some(&head) && working.as_deref() != Some(new.as_bytes());
        out.push(Conversion {
            path,
            head,
            new,
            changed: outcome.changed,
            edited,
        });
    }
    Ok(out)
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

/// The dry run: the working-tree edits and the commit.
pub(super) fn preview(ctx: &mut Ctx) -> Result<Vec<Change>> {
    let todo: Vec<Conversion> = conversions(ctx, false)?
        .into_iter()
        .filter(|c| !c.edited)
        .collect();
    let diff = change::diffs(
        todo.iter()
            .map(|c| (c.path.as_str(), c.head.as_slice(), c.new.as_bytes())),
    );
    Ok(vec![Change::Commit {
        message: MESSAGE.into(),
        files: todo.iter().map(|c| c.path.clone()).collect(),
        diff,
    }])
}
