//! `--dry-run`: every step's check, and for each step still to do, what its
//! run would change. Nothing is written: no file, commit, push, API write
//! or state.

use serde::Serialize;

use super::Ctx;
use crate::change::Change;
use crate::error::Result;
use crate::steps::{self, Check, Step};

/// Where a step stands, as its check (or the plan) says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Found {
    AlreadyDone,
    WouldRun,
    Skipped,
    /// Checked only once an earlier step has run.
    After,
    /// (status) the check failed.
    Unknown,
}

impl Found {
    /// As text and JSON show it.
    pub(crate) fn id(self) -> &'static str {
        match self {
            Found::AlreadyDone => "already-done",
            Found::WouldRun => "would-run",
            Found::Skipped => "skipped",
            Found::After => "after",
            Found::Unknown => "unknown",
        }
    }
}

impl Serialize for Found {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.id())
    }
}

/// One step of the plan as the dry run found it.
#[derive(Debug, Serialize)]
pub(crate) struct Previewed {
    pub(crate) step: Step,
    pub(crate) status: Found,
    pub(crate) detail: String,
    pub(crate) changes: Vec<Change>,
}

/// Check each step of `plan` in order; preview what the ones still to do
/// would change. A check that fails is the dry run's error.
pub(crate) async fn preview_plan(ctx: &mut Ctx, plan: &[Step]) -> Result<Vec<Previewed>> {
    look(ctx, plan, true).await
}

/// Check each step of `plan` in order, for `status`: no previews, and a
/// check that fails is the step's `unknown` (status only reads).
pub(crate) async fn check_plan(ctx: &mut Ctx, plan: &[Step]) -> Result<Vec<Previewed>> {
    look(ctx, plan, false).await
}

async fn look(ctx: &mut Ctx, plan: &[Step], preview: bool) -> Result<Vec<Previewed>> {
    let mut out: Vec<Previewed> = Vec::new();
    let would_run = |out: &[Previewed], step: &Step| {
        out.iter()
            .any(|p| p.step == *step && p.status == Found::WouldRun)
    };
    for &step in plan {
        ctx.check_interrupt()?;
        let (status, detail, changes) = if step.needs_cluster() && ctx.offline() {
            (Found::Skipped, "offline".to_string(), Vec::new())
        } else if let Some(first) = step.needs_done().iter().find(|s| would_run(&out, s)) {
            let detail = format!("checked once `{}` has run", first.id());
            (Found::After, detail, Vec::new())
        } else {
            let after = step.runs_after().iter().any(|s| would_run(&out, s));
            let checked = match steps::check(step, ctx).await {
                Err(e) if !preview => Err(e.to_string()),
                other => Ok(other?),
            };
            match checked {
                Err(why) => (Found::Unknown, why, Vec::new()),
                Ok(Check::Skipped(why)) => (Found::Skipped, why, Vec::new()),
                Ok(Check::Done(detail)) if !after => (Found::AlreadyDone, detail, Vec::new()),
                Ok(Check::Done(_)) if !preview => (
                    Found::WouldRun,
                    "after the steps above".to_string(),
                    Vec::new(),
                ),
                Ok(Check::Done(_)) => {
                    let changes = steps::preview(step, ctx, "", true).await?;
                    (
                        Found::WouldRun,
                        "after the steps above".to_string(),
                        changes,
                    )
                }
                Ok(Check::Pending(why)) if !preview => (Found::WouldRun, why, Vec::new()),
                Ok(Check::Pending(why)) => {
                    let changes = steps::preview(step, ctx, &why, after).await?;
                    (Found::WouldRun, why, changes)
                }
            }
        };
        out.push(Previewed {
            step,
            status,
            detail,
            changes,
        });
    }
    Ok(out)
}

/// The plan as text: one line per step, its changes indented under it.
pub(crate) fn render_text(plan: &[Previewed]) -> String {
    let heading = if has_work(plan) {
        "dry run: nothing was changed; this is what would be:\n"
    } else {
        "dry run: nothing to do, every step is already done\n"
    };
    format!("{heading}{}", render_steps(plan))
}

/// Some step would run.
pub(crate) fn has_work(plan: &[Previewed]) -> bool {
    plan.iter().any(|p| p.status == Found::WouldRun)
}

/// Each step's line and what it would change, indented below it.
pub(crate) fn render_steps(plan: &[Previewed]) -> String {
    let mut out = String::new();
    for p in plan {
        out.push_str(&format!(
            "{:<13} {:<12} {}\n",
            p.step.id(),
            p.status.id(),
            p.detail
        ));
        for change in &p.changes {
            for line in change.render_text().lines() {
                out.push_str(&format!("    {line}\n"));
            }
        }
    }
    out
}
