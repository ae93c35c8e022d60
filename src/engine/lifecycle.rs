//! A command that changes things, from request to summary: open the
//! workshop, plan, show the plan (a dry run stops there; a terminal is asked),
//! run it, summarise. Commands only say what they want ([`Job`]) and, when
//! they report on their own (`sync`, `verify --fix`), take the run's context
//! back.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use super::open::{Access, Workshop, open};
use super::{Ctx, StepResult, dry_run};
use crate::config::{Flags, Output};
use crate::error::{Error, Result};
use crate::plan::Plan;
use crate::stand::Stand;
use crate::state::{self, LastCommand};

/// A command that changes things, as the engine runs it.
pub(crate) struct Job {
    /// `None`: `resume`, the last command the state file remembers.
    pub(crate) last: Option<LastCommand>,
    /// The add-ons this command turns on or off; `None` (resume) replays the
    /// remembered ones.
    pub(crate) wishes: Option<Vec<(String, bool)>>,
    pub(crate) restart: bool,
    /// Check and show, change nothing.
    pub(crate) dry_run: bool,
}

impl Job {
    /// How the job opens the workshop.
    pub(crate) fn access(&self) -> Access {
        let creates = matches!(self.last, Some(LastCommand::Setup { .. }));
        match self.dry_run {
            true => Access::DryRun { creates },
            false => Access::Write {
                creates,
                restart: self.restart,
            },
        }
    }
}

/// What [`prepare`] left to do.
pub(crate) enum Prepared {
    /// Nothing: a dry run showed the plan, or the plan was declined.
    Shown,
    Ready(Box<Ready>),
}

/// A plan ready to run: its context (clients made, the lock held) and steps.
pub(crate) struct Ready {
    pub(crate) ctx: Ctx,
    plan: Plan,
    _lock: Option<state::Lock>,
}

/// Run `job` from request to summary.
///
/// A new command forgets the last one's wishes: what an earlier command
/// enabled is in the fork now, and the participant may have changed it
/// since, so enforcing it again could revert their commit.
pub(crate) async fn execute(global: &Flags, job: Job, interrupted: Arc<AtomicBool>) -> Result<u8> {
    if let Prepared::Ready(ready) = prepare(global, job, interrupted).await? {
        finish(*ready).await?;
    }
    Ok(crate::error::exit::OK)
}

/// Run a prepared plan and summarise it; the context it ran in.
pub(crate) async fn finish(ready: Ready) -> Result<Ctx> {
    let (ctx, results) = ready.run().await?;
    summary(&ctx, &results);
    Ok(ctx)
}

/// [`execute`] up to running the plan, for a command that reads the world
/// around the run and reports on its own.
pub(crate) async fn prepare(
    global: &Flags,
    job: Job,
    interrupted: Arc<AtomicBool>,
) -> Result<Prepared> {
    // Unknown add-ons (and a bad --until) are refused before anything is touched.
    if let Some(last) = &job.last {
        crate::plan::plan(last)?;
    }
    let what = match &job.last {
        None => "resume",
        Some(LastCommand::Setup { .. }) => "setup",
        Some(
            LastCommand::EnableAddon { .. }
            | LastCommand::DisableAddon { .. }
            | LastCommand::VerifyFix { .. }
            | LastCommand::Sync { .. }
            | LastCommand::Upgrade { .. }
            | LastCommand::Reset { .. }
            | LastCommand::Teardown { .. },
        ) => "this command",
    };
    let workshop = open(global, what, job.access(), interrupted)?;
    prepare_opened(workshop, job).await
}

/// [`prepare`] in a workshop the command opened itself (`verify --fix`
/// reads the cluster's version first), with the job's access.
pub(crate) async fn prepare_opened(workshop: Workshop, job: Job) -> Result<Prepared> {
    let Workshop { mut ctx, lock } = workshop;
    let Job {
        last,
        wishes,
        dry_run,
        ..
    } = job;
    let resuming = last.is_none();
    let Some(last) = last.or_else(|| ctx.state.last_command.clone()) else {
        return Err(Error::usage(
            "there is nothing to resume in this directory",
            "run `eks-workshop setup` first",
        ));
    };
    let mut plan = crate::plan::plan(&last)?;
    // `resume` finishes a sync; it does not sync again once the world shows
    // it done. (An upgrade's wait after the control plane moved still asks
    // Flux: its stale Ready says nothing of the new version.)
    if resuming && matches!(last, LastCommand::Sync { .. }) {
        plan = plan.judged_only();
    }
    if let Some(wishes) = wishes {
        ctx.config.settings.addons = wishes.into_iter().collect();
    }
    // What `resume` replays comes from the state file: refuse what it cannot know.
    for name in ctx.config.settings.addons.keys() {
        crate::addon_catalog::find(name)?;
    }
    ctx.state.last_command = Some(last);
    if !resuming {
        // A new command: what an abandoned one began is not its end.
        ctx.state.outputs.changing = None;
    }
    // Before the first step (the fork, a push, a preview that reads the
    // cluster): a plan that reaches the cluster stops here when the
    // kubeconfig's context is not the cluster the values name.
    if !ctx.offline() && plan.steps.iter().any(|s| s.id().needs_cluster()) {
        crate::kube::same_cluster(&ctx.config.settings)?;
    }
    if let Some(found) = &ctx.config.values_found {
        ctx.ui.note(&format!(
            "values from the terraform state {}",
            found.display()
        ));
    }
    let output = ctx.config.output;
    if dry_run || lock.is_none() {
        let previewed = dry_run::preview_plan(&mut ctx, &plan.steps).await?;
        dry_run::print(&previewed, output);
        return Ok(Prepared::Shown);
    }
    if ctx.config.interactive() && output == Output::Text && !confirmed(&mut ctx, &plan).await? {
        ctx.ui
            .note("nothing was changed (--yes runs the plan without asking)");
        return Ok(Prepared::Shown);
    }
    Ok(Prepared::Ready(Box::new(Ready {
        ctx,
        plan,
        _lock: lock,
    })))
}

impl Ready {
    /// Run the plan; the context it ran in and each step's result.
    pub(crate) async fn run(self) -> Result<(Ctx, Vec<StepResult>)> {
        let Ready {
            mut ctx,
            plan,
            _lock,
        } = self;
        ctx.save()?;
        let results = super::run_plan(&mut ctx, &plan.steps)
            .await
            .inspect_err(|e| {
                if matches!(e, Error::Interrupted) {
                    ctx.ui
                        .note("stopped; run `eks-workshop resume` to continue");
                }
            })?;
        // Where the command left the fork, for a later `reset --to`.
        if let Some(end) = state::ended(&mut ctx.state, crate::clock::unix_now()) {
            ctx.state.outputs.learn(end);
            ctx.save()?;
        }
        Ok((ctx, results))
    }
}

/// In a terminal, the plan first: what each step would change, then a
/// question. Nothing to do is not asked about.
async fn confirmed(ctx: &mut Ctx, plan: &Plan) -> Result<bool> {
    let previewed = dry_run::preview_plan(ctx, &plan.steps).await?;
    if !dry_run::has_work(&previewed) {
        return Ok(true);
    }
    println!("the plan:\n{}", dry_run::render_steps(&previewed));
    ctx.ui.confirm("Run this plan?")
}

fn summary(ctx: &Ctx, results: &[StepResult]) {
    let elapsed = ctx.ui.elapsed();
    match ctx.config.output {
        Output::Json => {
            let json = serde_json::json!({
                "ok": true,
                "dir": ctx.config.dir,
                "clone": ctx.config.clone_dir(),
                "pushed_commit": ctx.state.outputs.pushed_commit,
                "steps": results,
                "elapsed_ms": elapsed.as_millis() as u64,
            });
            println!("{json}");
        }
        Output::Text => {
            let ran = results.iter().filter(|r| r.status == Stand::Ran).count();
            let note = if ran == 0 {
                "nothing to do, everything was already done"
            } else {
                "done"
            };
            ctx.ui
                .note(&format!("{note} in {:.1}s", elapsed.as_secs_f64()));
        }
    }
}
