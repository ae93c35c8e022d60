//! Runs a plan: for each step, check the world; run what is not done; check
//! again; record the result in the state file (atomically, after every step);
//! report progress. Ctrl-C is honoured between steps and inside waits.

mod dry_run;

pub(crate) use dry_run::{
    Found, Previewed, check_plan, has_work, preview_plan, render_steps, render_text,
};

use serde::Serialize;

pub(crate) use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::state::{StepRecord, StepStatus};
use crate::steps::{self, Check, Step};
use crate::ui::Mark;

/// One step's result, for the summary and `--output json`.
#[derive(Debug, Serialize)]
pub(crate) struct StepResult {
    pub(crate) step: &'static str,
    pub(crate) status: &'static str,
    pub(crate) detail: String,
}

fn record(ctx: &mut Ctx, step: Step, status: StepStatus, detail: &str) {
    ctx.state.steps.insert(
        step.id().to_string(),
        StepRecord {
            status,
            detail: detail.to_string(),
            at: crate::clock::unix_now(),
        },
    );
}

/// Run `plan` in order. Stops at the first failure, which is recorded.
pub(crate) async fn run_plan(ctx: &mut Ctx, plan: &[Step]) -> Result<Vec<StepResult>> {
    let mut results = Vec::new();
    for &step in plan {
        crate::pause::point(&format!("before:{}", step.id()));
        ctx.check_interrupt()?;
        ctx.ui.begin(step.id(), step.title());
        match run_step(ctx, step).await {
            Ok((mark, detail)) => {
                let status = if mark == Mark::Skipped {
                    StepStatus::Skipped
                } else {
                    StepStatus::Done
                };
                record(ctx, step, status, &detail);
                ctx.save()?;
                ctx.ui.end(step.id(), mark, &detail);
                results.push(StepResult {
                    step: step.id(),
                    status: match mark {
                        Mark::Ran => "done",
                        Mark::AlreadyDone => "already-done",
                        _ => "skipped",
                    },
                    detail,
                });
            }
            Err(err) => {
                let detail = err.to_string();
                record(ctx, step, StepStatus::Failed, &detail);
                // The step's failure matters more than a failure to record it.
                let _ = ctx.save();
                ctx.ui.end(step.id(), Mark::Failed, &detail);
                return Err(err);
            }
        }
    }
    Ok(results)
}

async fn run_step(ctx: &mut Ctx, step: Step) -> Result<(Mark, String)> {
    if step.needs_cluster() && ctx.offline() {
        return Ok((Mark::Skipped, "offline".into()));
    }
    let id = step.id();
    let started = std::time::Instant::now();
    let checked = steps::check(step, ctx).await;
    log_check(id, "check", started, &checked);
    match checked? {
        Check::Done(detail) => return Ok((Mark::AlreadyDone, detail)),
        Check::Skipped(detail) => return Ok((Mark::Skipped, detail)),
        Check::Pending(_) => {}
    }
    let started = std::time::Instant::now();
    let ran = steps::run(step, ctx).await;
    let outcome = match &ran {
        Ok(detail) => format!("ran: {detail}"),
        Err(e) => format!("failed: {e}"),
    };
    crate::log::timed("step", &format!("{id} run"), started.elapsed(), &outcome);
    let detail = ran?;
    crate::pause::point(&format!("ran:{}", step.id()));
    // A step is done when the world shows it, not because `run` returned.
    let started = std::time::Instant::now();
    let checked = steps::check(step, ctx).await;
    log_check(id, "check again", started, &checked);
    match checked? {
        Check::Done(_) => Ok((Mark::Ran, detail)),
        Check::Skipped(why) => Ok((Mark::Skipped, why)),
        Check::Pending(why) => Err(Error::StepNotDone {
            step: step.id(),
            detail: why,
        }),
    }
}

fn log_check(id: &str, what: &str, started: std::time::Instant, checked: &Result<Check>) {
    let outcome = match checked {
        Ok(Check::Done(d)) => format!("done: {d}"),
        Ok(Check::Pending(d)) => format!("to do: {d}"),
        Ok(Check::Skipped(d)) => format!("skipped: {d}"),
        Err(e) => format!("failed: {e}"),
    };
    crate::log::timed("step", &format!("{id} {what}"), started.elapsed(), &outcome);
}
