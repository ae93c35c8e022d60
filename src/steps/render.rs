//! render: the clone's templated manifests hold the participant's values.
//!
//! A file is overwritten only when it is unchanged since HEAD or still exactly
//! what we rendered last time; anything else is the participant's own edit,
//! and the step stops before writing anything.

use std::path::Path;

use super::Check;
use crate::engine::Ctx;
use crate::error::{Error, Result};
use crate::templates::{self, Rendered};
use crate::{fsx, git};

pub(super) fn check(ctx: &mut Ctx) -> Result<Check> {
    let clone = ctx.config.clone_dir();
    let rendered = render(ctx)?;
    let stale: Vec<_> = rendered
        .iter()
        .filter(|r| {
            std::fs::read(clone.join(r.path)).ok().as_deref() != Some(r.contents.as_bytes())
        })
        .map(|r| r.path)
        .collect();
    if stale.is_empty() {
        return Ok(Check::Done(format!(
            "{} file(s) up to date",
            rendered.len()
        )));
    }
    Ok(Check::Pending(format!("to render: {}", stale.join(", "))))
}

pub(super) fn run(ctx: &mut Ctx) -> Result<String> {
    let clone = ctx.config.clone_dir();
    let repo = git::open(&clone)?;
    let rendered = render(ctx)?;
    let mut to_write = Vec::new();
    let mut edited = Vec::new();
    for r in &rendered {
        let path = clone.join(r.path);
        let current = std::fs::read(&path).ok();
        if current.as_deref() == Some(r.contents.as_bytes()) {
            continue;
        }
        if ours_to_overwrite(ctx, &repo, r.path, current.as_deref())? {
            to_write.push(r);
        } else {
            edited.push(r.path.to_string());
        }
    }
    // Stop before writing anything: nothing half-done, nothing of theirs lost.
    if !edited.is_empty() {
        return Err(Error::UncommittedEdits {
            clone,
            files: edited,
        });
    }
    for (i, r) in to_write.iter().enumerate() {
        if i == 1 {
            crate::pause::point("render:mid");
        }
        write(&clone.join(r.path), r)?;
        ctx.state
            .outputs
            .rendered
            .insert(r.path.to_string(), hash(r.contents.as_bytes()));
    }
    Ok(format!("rendered {} file(s)", to_write.len()))
}

/// Render every template. In a terminal, first ask for every value they
/// need that was not given (with `--yes` the missing one is an error naming it).
fn render(ctx: &mut Ctx) -> Result<Vec<Rendered>> {
    if ctx.config.interactive() {
        let names: Vec<_> = templates::names().collect();
        let needed = templates::required_values(&names);
        for name in ctx.config.settings.values.missing_for(&needed) {
            let spec = crate::values::known(name);
            let prompt = spec.map_or(name.to_string(), |v| format!("{} ({name})", v.description));
            let answer = ctx.ui.ask(&prompt, spec.and_then(|v| v.default))?;
            ctx.config.settings.values.set(name, answer.trim());
        }
    }
    templates::render_all(&ctx.config.settings.values)
}

/// May we overwrite this file? Yes if it is as HEAD has it (or absent from
/// both), or exactly what we rendered before.
fn ours_to_overwrite(
    ctx: &Ctx,
    repo: &git2::Repository,
    rel: &str,
    current: Option<&[u8]>,
) -> Result<bool> {
    let head = git::head_blob(repo, rel)?;
    if head.as_deref() == current {
        return Ok(true);
    }
    let last = ctx.state.outputs.rendered.get(rel);
    Ok(current.is_some_and(|c| last == Some(&hash(c))))
}

fn write(path: &Path, r: &Rendered) -> Result<()> {
    if let Some(parent) = path.parent() {
        fsx::create_dir_all(parent)?;
    }
    fsx::write_atomic(path, r.contents.as_bytes(), None)
}

pub(crate) fn hash(bytes: &[u8]) -> String {
    use sha2::Digest;
    let d = sha2::Sha256::digest(bytes);
    d.iter().map(|b| format!("{b:02x}")).collect()
}
