//! `--dry-run` and the terminal's plan: every step's check, and for each
//! step still to do, the effects its run would perform. Nothing is written:
//! no file, commit, push, API write or state (what the checks learn is kept
//! for the later checks of the same look, then forgotten).

use serde::Serialize;

use super::Ctx;
use crate::config::Output;
use crate::effect::{self, Effect};
use crate::error::Result;
use crate::stand::Stand;
use crate::steps::{self, Step, StepId};

/// One step of the plan as the dry run found it.
#[derive(Debug, Serialize)]
pub(crate) struct Previewed {
    pub(crate) step: StepId,
    pub(crate) status: Stand,
    pub(crate) detail: String,
    pub(crate) changes: Vec<Effect>,
}

/// Check each step of `plan` in order; preview what the ones still to do
/// would change. A check that fails is the dry run's error.
pub(crate) async fn preview_plan(ctx: &mut Ctx, plan: &[Step]) -> Result<Vec<Previewed>> {
    let outputs = ctx.state.outputs.clone();
    let looked = look(ctx, plan, true).await;
    ctx.state.outputs = outputs;
    looked
}

/// Check each step of `plan` in order, for `status`: no previews, and a
/// check that fails is the step's `unknown` (status only reads).
pub(crate) async fn check_plan(ctx: &mut Ctx, plan: &[Step]) -> Result<Vec<Previewed>> {
    let outputs = ctx.state.outputs.clone();
    let looked = look(ctx, plan, false).await;
    ctx.state.outputs = outputs;
    looked
}

async fn look(ctx: &mut Ctx, plan: &[Step], preview: bool) -> Result<Vec<Previewed>> {
    let mut out: Vec<Previewed> = Vec::new();
    let would_run = |out: &[Previewed], id: &StepId| {
        out.iter().any(|p| p.step == *id && p.status == Stand::ToDo)
    };
    for (index, step) in plan.iter().enumerate() {
        ctx.at_step(index);
        ctx.check_interrupt()?;
        let id = step.id();
        let (status, detail, changes) = if id.needs_cluster() && ctx.offline() {
            (Stand::Skipped, "offline".to_string(), Vec::new())
        } else if let Some(first) = id.needs_done().iter().find(|s| would_run(&out, s)) {
            let detail = format!("checked once `{}` has run", first.name());
            (Stand::After, detail, Vec::new())
        } else {
            let after = id.runs_after().iter().any(|s| would_run(&out, s));
            let checked = match steps::check(step, ctx).await {
                Err(e) if !preview => Err(e.to_string()),
                other => Ok(other?),
            };
            match checked {
                Err(why) => (Stand::Unknown, why, Vec::new()),
                Ok(checked) => {
                    for learned in &checked.learned {
                        ctx.state.outputs.learn(learned.clone());
                    }
                    judge(ctx, step, checked, after, preview).await?
                }
            }
        };
        out.push(Previewed {
            step: id,
            status,
            detail,
            changes,
        });
    }
    Ok(out)
}

/// Where one checked step stands in the plan, and (previewing) its effects.
async fn judge(
    ctx: &Ctx,
    step: &Step,
    checked: steps::Checked,
    after: bool,
    preview: bool,
) -> Result<(Stand, String, Vec<Effect>)> {
    let shown = |effects| effect::shown(effects);
    Ok(match checked.stand {
        Stand::ToDo if preview => {
            let effects = steps::effects(step, ctx, &checked, after).await?;
            (Stand::ToDo, checked.detail, shown(effects))
        }
        Stand::AlreadyDone if after && preview => {
            let effects = steps::effects(step, ctx, &checked, true).await?;
            (Stand::ToDo, "after the steps above".into(), shown(effects))
        }
        Stand::AlreadyDone if after => (Stand::ToDo, "after the steps above".into(), Vec::new()),
        stand @ (Stand::ToDo
        | Stand::AlreadyDone
        | Stand::Skipped
        | Stand::Ran
        | Stand::After
        | Stand::Unknown
        | Stand::Failed) => (stand, checked.detail, Vec::new()),
    })
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
    plan.iter().any(|p| p.status == Stand::ToDo)
}

/// Each step's line and what it would change, indented below it.
pub(crate) fn render_steps(plan: &[Previewed]) -> String {
    let mut out = String::new();
    // The plan's longest step name, and never narrower than setup's.
    let width = plan
        .iter()
        .map(|p| p.step.name().len())
        .max()
        .unwrap_or(0)
        .max(13);
    for p in plan {
        out.push_str(&format!(
            "{:<width$} {:<12} {}\n",
            p.step.name(),
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

/// The dry run's report: the plan as JSON or text.
pub(crate) fn print(previewed: &[Previewed], output: Output) {
    match output {
        Output::Json => {
            let json = serde_json::json!({
                "ok": true,
                "dry_run": true,
                "nothing_to_do": !has_work(previewed),
                "steps": previewed,
            });
            println!("{json}");
        }
        Output::Text => print!("{}", render_text(previewed)),
    }
}
