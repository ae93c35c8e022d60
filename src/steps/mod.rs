//! The steps, one file each. A step has a stable id (its key in the state
//! file), a `check` that only reads the world (what it learns on the way it
//! returns, for the engine to record), and its `effects`: what it would
//! change, as data, planned from a read of the world. One executor
//! ([`perform`]) performs them; the dry run prints them. They are matched
//! here, in one place.

pub(crate) mod addons;
mod charts;
mod clone;
mod control_plane;
mod convert;
mod execute;
mod flux;
mod flux_upgrade;
mod fork;
mod migrate;
mod nodes;
mod prereqs;
mod publish;
mod push;
mod readiness;
mod reconcile;
mod render;
mod reset;
mod teardown;

use crate::ctx::Ctx;
use crate::effect::Effect;
use crate::error::Result;
pub(crate) use crate::plan::{Step, StepId};
use crate::stand::Stand;
use crate::state::Learned;
use crate::teardown::Wait as Gone;

pub(crate) use control_plane::{served_by, terraform_vars};
pub(crate) use execute::perform;
pub(crate) use reset::recorded as reset_point;
pub(crate) use teardown::fork::may_delete as may_delete_fork;

/// What a step's check found: done, to do or skipped, why, and what it
/// learned on the way (for the engine to record).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Checked {
    /// [`Stand::AlreadyDone`], [`Stand::ToDo`] or [`Stand::Skipped`].
    pub(crate) stand: Stand,
    pub(crate) detail: String,
    pub(crate) learned: Vec<Learned>,
}

impl Checked {
    pub(crate) fn done(detail: impl Into<String>) -> Checked {
        Checked::new(Stand::AlreadyDone, detail)
    }

    pub(crate) fn to_do(detail: impl Into<String>) -> Checked {
        Checked::new(Stand::ToDo, detail)
    }

    pub(crate) fn skipped(detail: impl Into<String>) -> Checked {
        Checked::new(Stand::Skipped, detail)
    }

    fn new(stand: Stand, detail: impl Into<String>) -> Checked {
        Checked {
            stand,
            detail: detail.into(),
            learned: Vec::new(),
        }
    }

    /// The same finding, with something learned on the way.
    pub(crate) fn learning(mut self, learned: Learned) -> Checked {
        self.learned.push(learned);
        self
    }
}

pub(crate) async fn check(step: &Step, ctx: &Ctx) -> Result<Checked> {
    match step {
        Step::Prerequisites => prereqs::check(ctx),
        Step::Fork => fork::check(ctx).await,
        Step::Clone => clone::check(ctx).await,
        Step::Render => render::check(ctx),
        Step::Addons => addons::check(ctx),
        Step::Convert(to) => convert::check(ctx, *to),
        Step::Charts(to) => charts::check(ctx, *to),
        Step::Reset(to) => reset::check(ctx, *to),
        Step::Migrate => migrate::check(ctx).await,
        Step::Push => push::check(ctx).await,
        Step::Publish => publish::check(ctx).await,
        Step::Flux => flux::check(ctx).await,
        Step::FluxUpgrade(to) => flux_upgrade::check(ctx, *to).await,
        Step::Reconcile(wait) => reconcile::check(ctx, wait).await,
        Step::Readiness { to, driver, end } => readiness::check(ctx, *to, driver, *end).await,
        Step::ControlPlane { to, driver } => control_plane::check(ctx, *to, driver).await,
        Step::Nodes { to, driver } => nodes::check(ctx, *to, driver).await,
        Step::SuspendFlux => teardown::flux::check_suspended(ctx).await,
        Step::Karpenter => teardown::cloud::check(ctx, Gone::Karpenter).await,
        Step::LoadBalancers => teardown::cloud::check(ctx, Gone::LoadBalancers).await,
        Step::UninstallFlux => teardown::flux::check_uninstalled(ctx).await,
        Step::Destroy(dir) => teardown::destroy::check(ctx, dir),
        Step::DeleteFork => teardown::fork::check(ctx).await,
    }
}

/// What the step's run would change now, planned from a read of the world.
/// `checked` is what its check found; `after` says an earlier step of a dry
/// run gives it work its check could not see yet.
pub(crate) async fn effects(
    step: &Step,
    ctx: &Ctx,
    checked: &Checked,
    after: bool,
) -> Result<Vec<Effect>> {
    match step {
        Step::Prerequisites => Ok(Vec::new()),
        Step::Fork => fork::effects(ctx).await,
        Step::Clone => clone::effects(ctx, &checked.detail).await,
        Step::Render => render::effects(ctx),
        Step::Addons => addons::effects(ctx),
        Step::Convert(to) => convert::effects(ctx, *to),
        Step::Charts(to) => charts::effects(ctx, *to),
        Step::Reset(to) => reset::effects(ctx, *to),
        Step::Migrate => migrate::effects(ctx).await,
        Step::Push => push::effects(ctx, after).await,
        Step::Publish => publish::effects(ctx).await,
        Step::Flux => flux::effects(ctx).await,
        Step::FluxUpgrade(to) => flux_upgrade::effects(ctx, *to).await,
        Step::Reconcile(wait) => reconcile::effects(ctx, wait, after).await,
        Step::Readiness { .. } => Ok(Vec::new()),
        Step::ControlPlane { to, driver } => Ok(control_plane::effects(*to, driver)),
        Step::Nodes { to, driver } => nodes::effects(ctx, *to, driver).await,
        Step::SuspendFlux => teardown::flux::suspend_effects(ctx).await,
        Step::Karpenter => teardown::cloud::effects(ctx, Gone::Karpenter).await,
        Step::LoadBalancers => teardown::cloud::effects(ctx, Gone::LoadBalancers).await,
        Step::UninstallFlux => teardown::flux::uninstall_effects(ctx).await,
        Step::Destroy(dir) => teardown::destroy::effects(ctx, dir),
        Step::DeleteFork => teardown::fork::effects(ctx),
    }
}

/// Do the step's work: plan its effects and perform them, one after
/// another. An answered question or a Flux just installed changes what the
/// rest would do, so after one the step is planned again. Returns a
/// one-line detail for the user.
pub(crate) async fn run(step: &Step, ctx: &mut Ctx, checked: &Checked) -> Result<String> {
    let id = step.name();
    let mut said = Vec::new();
    let mut planned = effects(step, ctx, checked, false).await?;
    if planned.iter().any(Effect::replans) {
        for effect in planned.into_iter().filter(Effect::replans) {
            let detail = perform(effect, ctx).await?;
            if !detail.is_empty() {
                said.push(Some(detail));
            }
        }
        ctx.config.settings.values.check_all()?;
        planned = effects(step, ctx, checked, false).await?;
        // What was asked or installed did not take: the same again would not either.
        if planned.iter().any(Effect::replans) {
            let now = check(step, ctx).await?;
            return Err(crate::error::Error::StepNotDone {
                step: id,
                detail: format!("still to do after it ran: {}", now.detail),
            });
        }
    }
    let mut applied = Vec::new();
    let mut edits = 0;
    for effect in planned {
        match &effect {
            Effect::Edit { .. } => {
                if edits == 1 {
                    crate::pause::point(&format!("{id}:mid"));
                }
                edits += 1;
            }
            Effect::Commit { .. } | Effect::Restore { .. } => {
                crate::pause::point(&format!("{id}:before-commit"))
            }
            _ => {}
        }
        let is_apply = matches!(effect, Effect::Apply { .. });
        let is_commit = matches!(effect, Effect::Commit { .. } | Effect::Restore { .. });
        let detail = perform(effect, ctx).await?;
        if is_apply {
            // One line for the objects applied, in their order.
            if applied.is_empty() {
                said.push(None);
            }
            applied.push(detail);
            continue;
        }
        if is_commit {
            crate::pause::point(&format!("{id}:after-commit"));
        }
        if !detail.is_empty() {
            said.push(Some(detail));
        }
    }
    let applied = format!("applied {}", applied.join(", "));
    let said: Vec<String> = said
        .into_iter()
        .map(|s| s.unwrap_or_else(|| applied.clone()))
        .collect();
    Ok(line(step, ctx, said))
}

/// The step's line once its effects ran: what they said, unless the step
/// puts it better.
fn line(step: &Step, ctx: &Ctx, said: Vec<String>) -> String {
    match step {
        Step::Addons => addons::describe(ctx),
        Step::Render => render::line(ctx),
        Step::Push if said.is_empty() => "nothing to push".into(),
        Step::Prerequisites
        | Step::Fork
        | Step::Clone
        | Step::Convert(_)
        | Step::Charts(_)
        | Step::Reset(_)
        | Step::Migrate
        | Step::Push
        | Step::Publish
        | Step::Flux
        | Step::FluxUpgrade(_)
        | Step::Reconcile(_)
        | Step::Readiness { .. }
        | Step::ControlPlane { .. }
        | Step::Nodes { .. }
        | Step::SuspendFlux
        | Step::Karpenter
        | Step::LoadBalancers
        | Step::UninstallFlux
        | Step::Destroy(_)
        | Step::DeleteFork => said.join("; "),
    }
}

/// Refuse to write or commit a YAML (JSON) file that does not parse, named
/// by line: a tab-indented file would otherwise go to the fork and break
/// Flux's build far from its cause. Also when it never parsed: a file we
/// edit must be one we can vouch for.
fn must_parse(clone: &std::path::Path, rel: &str, bytes: &[u8]) -> Result<()> {
    let error = match std::str::from_utf8(bytes) {
        Ok(text) => crate::manifests::first_syntax_error(text, rel.ends_with(".json")),
        Err(e) => Some((1, format!("is not UTF-8 text: {e}"))),
    };
    match error {
        None => Ok(()),
        Some((line, reason)) => Err(crate::error::Error::InvalidYaml {
            path: clone.join(rel),
            line,
            reason,
        }),
    }
}

/// A commit of `files` (path, new bytes) on HEAD, as an effect: its diff
/// against HEAD for the plan, each file first held to [`must_parse`].
fn commit_effect(
    repo: &git2::Repository,
    message: String,
    files: Vec<(String, Vec<u8>)>,
    what: String,
    then: Vec<Learned>,
) -> Result<Effect> {
    let clone = repo.workdir().unwrap_or(std::path::Path::new("."));
    let mut diff = String::new();
    for (path, bytes) in &files {
        must_parse(clone, path, bytes)?;
        let head = crate::git::head_blob(repo, path)?.unwrap_or_default();
        diff.push_str(&crate::effect::diff(path, &head, bytes));
    }
    let (files, contents) = files.into_iter().unzip();
    Ok(Effect::Commit {
        message,
        files,
        diff,
        contents,
        what,
        then,
    })
}

/// Whether the working tree's `path` holds the participant's own edits:
/// neither HEAD's bytes nor what a step derived from them (`new`, already
/// written by an earlier run). A step leaves such a file alone.
fn edited_in_tree(clone: &std::path::Path, path: &str, head: &[u8], new: &[u8]) -> Result<bool> {
    let working = crate::fsx::read_in(clone, path)?;
    Ok(working.as_deref() != Some(head) && working.as_deref() != Some(new))
}

/// The working-tree edit of a file a step rewrites from HEAD: none when an
/// earlier run wrote it already (the commit is derived from HEAD either way).
fn rewrite_effect(
    clone: &std::path::Path,
    path: &str,
    head: &[u8],
    new: &[u8],
) -> Result<Option<Effect>> {
    let working = crate::fsx::read_in(clone, path)?;
    if working.as_deref() != Some(head) {
        return Ok(None);
    }
    edit_effect(clone, path, head, new.to_vec(), Vec::new()).map(Some)
}

/// An edit of one working-tree file as an effect, held to [`must_parse`]
/// when planned, so nothing is written when one of several would not parse.
fn edit_effect(
    clone: &std::path::Path,
    path: &str,
    before: &[u8],
    bytes: Vec<u8>,
    then: Vec<Learned>,
) -> Result<Effect> {
    must_parse(clone, path, &bytes)?;
    Ok(Effect::Edit {
        path: path.to_string(),
        diff: crate::effect::diff(path, before, &bytes),
        bytes,
        then,
    })
}
