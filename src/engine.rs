//! Runs a plan: for each step, check the world; run what is not done; check
//! again; record the result in the state file (atomically, after every step);
//! report progress. Ctrl-C is honoured between steps and inside waits.
//!
//! It owns a command's lifecycle too ([`lifecycle`]): open the workshop
//! ([`open`]), plan, show, confirm, run, summarise.

mod dry_run;
mod lifecycle;
mod open;

pub(crate) use dry_run::{Previewed, check_plan};
pub(crate) use lifecycle::{Job, Prepared, execute, finish, prepare, prepare_opened};
pub(crate) use open::{Access, open};

use serde::Serialize;

pub(crate) use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::stand::Stand;
use crate::state::StepRecord;
use crate::steps::{self, Checked, Step};

/// One step's result, for the summary and `--output json`.
#[derive(Debug, Serialize)]
pub(crate) struct StepResult {
    pub(crate) step: &'static str,
    /// [`Stand::Ran`], [`Stand::AlreadyDone`] or [`Stand::Skipped`].
    pub(crate) status: Stand,
    pub(crate) detail: String,
}

fn record(ctx: &mut Ctx, step: &Step, stand: Stand, detail: &str) {
    ctx.state.steps.insert(
        step.name().to_string(),
        StepRecord {
            status: stand.recorded(),
            detail: detail.to_string(),
            at: crate::clock::unix_now(),
        },
    );
}

/// What a check learned, into the state (saved with the step's record).
fn learn(ctx: &mut Ctx, checked: &Checked) {
    for learned in &checked.learned {
        ctx.state.outputs.learn(learned.clone());
    }
}

/// Run `plan` in order. Stops at the first failure, which is recorded.
pub(crate) async fn run_plan(ctx: &mut Ctx, plan: &[Step]) -> Result<Vec<StepResult>> {
    let mut results = Vec::new();
    for (index, step) in plan.iter().enumerate() {
        ctx.at_step(index);
        crate::pause::point(&format!("before:{}", step.name()));
        ctx.check_interrupt()?;
        ctx.ui.begin(step.name(), step.id().title());
        match run_step(ctx, step).await {
            Ok((stand, detail)) => {
                record(ctx, step, stand, &detail);
                ctx.save()?;
                ctx.ui.end(step.name(), stand, &detail);
                results.push(StepResult {
                    step: step.name(),
                    status: stand,
                    detail,
                });
            }
            Err(err) => {
                let detail = err.to_string();
                record(ctx, step, Stand::Failed, &detail);
                // The step's failure matters more than a failure to record it.
                let _ = ctx.save();
                ctx.ui.end(step.name(), Stand::Failed, &detail);
                return Err(err);
            }
        }
    }
    Ok(results)
}

async fn run_step(ctx: &mut Ctx, step: &Step) -> Result<(Stand, String)> {
    if step.id().needs_cluster() && ctx.offline() {
        return Ok((Stand::Skipped, "offline".into()));
    }
    let id = step.name();
    let started = std::time::Instant::now();
    let checked = steps::check(step, ctx).await;
    log_check(id, "check", started, &checked);
    let checked = checked?;
    learn(ctx, &checked);
    match checked.stand {
        Stand::ToDo => {}
        stand @ (Stand::AlreadyDone
        | Stand::Skipped
        | Stand::Ran
        | Stand::After
        | Stand::Unknown
        | Stand::Failed) => return Ok((stand, checked.detail)),
    }
    // Saved before anything changes, so a kill cannot lose where it ends.
    if crate::state::changing(&mut ctx.state) {
        ctx.save()?;
    }
    let started = std::time::Instant::now();
    let ran = steps::run(step, ctx, &checked).await;
    let outcome = match &ran {
        Ok(detail) => format!("ran: {detail}"),
        Err(e) => format!("failed: {e}"),
    };
    crate::log::timed("step", &format!("{id} run"), started.elapsed(), &outcome);
    let detail = ran?;
    crate::pause::point(&format!("ran:{id}"));
    // A step is done when the world shows it, not because `run` returned.
    let started = std::time::Instant::now();
    let again = steps::check(step, ctx).await;
    log_check(id, "check again", started, &again);
    let again = again?;
    learn(ctx, &again);
    match again.stand {
        Stand::AlreadyDone | Stand::Ran => Ok((Stand::Ran, detail)),
        Stand::Skipped => Ok((Stand::Skipped, again.detail)),
        Stand::ToDo | Stand::After | Stand::Unknown | Stand::Failed => Err(Error::StepNotDone {
            step: id,
            detail: again.detail,
        }),
    }
}

fn log_check(id: &str, what: &str, started: std::time::Instant, checked: &Result<Checked>) {
    let outcome = match checked {
        Ok(c) => {
            let word = match c.stand {
                Stand::AlreadyDone | Stand::Ran => "done",
                Stand::ToDo => "to do",
                Stand::Skipped => "skipped",
                Stand::After | Stand::Unknown | Stand::Failed => c.stand.id(),
            };
            format!("{word}: {}", c.detail)
        }
        Err(e) => format!("failed: {e}"),
    };
    crate::log::timed("step", &format!("{id} {what}"), started.elapsed(), &outcome);
}
