//! The commands: each builds a plan (or reads state) and hands it to the engine.

mod doctor;
mod status;
mod sync;
mod verify;

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use crate::addon_catalog;
use crate::cli::Command;
use crate::config::Flags;
use crate::config::Output;
use crate::engine::{self, Ctx, StepResult};
use crate::error::{Error, Result, exit};
use crate::state::{self, LastCommand, State};
use crate::ui::Ui;

pub(crate) use doctor::doctor;

pub(crate) async fn run(
    command: Command,
    global: Flags,
    interrupted: Arc<AtomicBool>,
) -> Result<u8> {
    let job = |last, wishes, restart, dry_run| Job {
        last,
        wishes,
        restart,
        dry_run,
    };
    match command {
        Command::Status { recorded } => status::status(&global, recorded, interrupted).await,
        Command::Addons => status::addons(&global),
        Command::Sync { no_push, dry_run } => {
            let last = LastCommand::Sync { push: !no_push };
            sync::sync(
                &global,
                job(last, Some(Vec::new()), false, dry_run),
                interrupted,
            )
            .await
        }
        Command::Verify {
            target_version,
            fix,
            strict,
            dry_run,
            fix_helm_releases,
            report,
        } => {
            let asked = verify::Asked {
                target: target_version,
                fix,
                strict,
                dry_run,
                fix_helm_releases,
                report,
            };
            verify::verify(&global, asked, interrupted).await
        }
        Command::Setup {
            until,
            addons,
            restart,
            dry_run,
        } => {
            let wishes = addons.iter().map(|n| (n.clone(), true)).collect();
            let last = LastCommand::Setup {
                until: until.map(|s| s.id().to_string()),
            };
            mutate(
                &global,
                interrupted,
                job(last, Some(wishes), restart, dry_run),
            )
            .await
        }
        Command::EnableAddon {
            names,
            no_wait,
            dry_run,
        } => {
            let (last, wishes) = toggle(names, true, !no_wait);
            mutate(
                &global,
                interrupted,
                job(last, Some(wishes), false, dry_run),
            )
            .await
        }
        Command::DisableAddon {
            names,
            no_wait,
            dry_run,
        } => {
            let (last, wishes) = toggle(names, false, !no_wait);
            mutate(
                &global,
                interrupted,
                job(last, Some(wishes), false, dry_run),
            )
            .await
        }
        Command::Resume { dry_run } => {
            let state = load_required(&global, "resume")?;
            let Some(last) = state.last_command.clone() else {
                return Err(Error::usage(
                    "there is nothing to resume in this directory",
                    "run `eks-workshop setup` first",
                ));
            };
            mutate(&global, interrupted, job(last, None, false, dry_run)).await
        }
        Command::Doctor { .. } | Command::Completions { .. } | Command::GitCredential { .. } => {
            unreachable!("handled before")
        }
    }
}

/// `enable-addon` / `disable-addon NAMES`: the command to remember and the
/// wish for each add-on.
fn toggle(names: Vec<String>, on: bool, wait: bool) -> (LastCommand, Vec<(String, bool)>) {
    let wishes = names.iter().map(|n| (n.clone(), on)).collect();
    let last = if on {
        LastCommand::EnableAddon { names, wait }
    } else {
        LastCommand::DisableAddon { names, wait }
    };
    (last, wishes)
}

/// A command that changes things, as the engine runs it.
pub(crate) struct Job {
    pub(crate) last: LastCommand,
    /// The add-ons this command turns on or off; `None` (resume) replays the
    /// remembered ones.
    pub(crate) wishes: Option<Vec<(String, bool)>>,
    pub(crate) restart: bool,
    /// Check and show, change nothing.
    pub(crate) dry_run: bool,
}

/// Make sure `--dir` exists and can be written, with a clear error if not.
pub(crate) fn prepare_dir(global: &Flags) -> Result<()> {
    let dir = &global.dir;
    let work = crate::config::work_dir(dir);
    if let Err(e) = std::fs::create_dir_all(&work) {
        return Err(Error::usage(
            format!("cannot write to --dir {}: {e}", dir.display()),
            "choose a directory you can write to with --dir",
        ));
    }
    Ok(())
}

pub(crate) fn load_required(global: &Flags, what: &str) -> Result<State> {
    check_dir(global)?;
    state::load(&crate::config::work_dir(&global.dir))?.ok_or_else(|| {
        Error::usage(
            format!(
                "`{what}` needs a workshop set up in {}",
                global.dir.display()
            ),
            "run `eks-workshop setup` first (or pass the --dir you used for it)",
        )
    })
}

/// `--dir` is a directory, or nothing yet: a file there (or on the way to
/// it) is a usage error, not an io error from a read deep inside.
fn check_dir(global: &Flags) -> Result<()> {
    let dir = &global.dir;
    let is_file = match std::fs::metadata(dir) {
        Ok(meta) => !meta.is_dir(),
        Err(e) => e.kind() == std::io::ErrorKind::NotADirectory,
    };
    if is_file {
        return Err(Error::usage(
            format!("--dir {} is not a directory", dir.display()),
            "pass --dir the directory the workshop was set up in (`setup` makes it if it does not exist)",
        ));
    }
    Ok(())
}

/// Setup, enable/disable add-ons, resume, verify --fix: lock, load, plan,
/// run, record (a dry run: load, plan, check and show, nothing written).
///
/// A new command forgets the last one's wishes: what an earlier command
/// enabled is in the fork now, and the participant may have changed it
/// since, so enforcing it again could revert their commit.
pub(crate) async fn mutate(global: &Flags, interrupted: Arc<AtomicBool>, job: Job) -> Result<u8> {
    if let Prepared::Ready(ready) = prepare(global, interrupted, job).await? {
        let (ctx, results) = ready.run().await?;
        let output = ctx.config.output;
        summary(&ctx, &results, output);
    }
    Ok(exit::OK)
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
    plan: crate::plan::Plan,
    _lock: state::Lock,
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
        let results = engine::run_plan(&mut ctx, &plan.steps)
            .await
            .inspect_err(|e| {
                if matches!(e, Error::Interrupted) {
                    ctx.ui
                        .note("stopped; run `eks-workshop resume` to continue");
                }
            })?;
        Ok((ctx, results))
    }
}

/// [`mutate`] up to running the plan, for a command that reads the world
/// first and reports on its own: lock, load, plan, and the dry run or the
/// question in a terminal.
pub(crate) async fn prepare(
    global: &Flags,
    interrupted: Arc<AtomicBool>,
    job: Job,
) -> Result<Prepared> {
    let Job {
        last,
        wishes,
        restart,
        dry_run,
    } = job;
    // Unknown add-ons (and a bad --until) are refused before anything is touched.
    let plan = crate::plan::plan(&last)?;
    let is_setup = matches!(last, LastCommand::Setup { .. });
    if !is_setup {
        load_required(global, "this command")?;
    }
    let work_dir = crate::config::work_dir(&global.dir);
    let lock = if dry_run {
        check_dir(global)?;
        None
    } else {
        prepare_dir(global)?;
        Some(state::lock(&global.dir, &work_dir)?)
    };
    // --restart must get past a state file it cannot read: that is what it is for.
    let loaded = match state::load(&work_dir) {
        Err(_) if restart => None,
        other => other?,
    };
    let mut config = crate::config::resolve(global, loaded.as_ref().map(|s| &s.settings))?;
    if let Some(wishes) = wishes {
        config.settings.addons = wishes.into_iter().collect();
    }
    // What `resume` replays comes from the state file: refuse what it cannot know.
    for name in config.settings.addons.keys() {
        addon_catalog::find(name)?;
    }
    let mut state = match loaded {
        Some(s) if !restart => s,
        _ => State::new(config.settings.clone()),
    };
    state.last_command = Some(last.clone());
    let ui = Ui::new(config.output, config.yes, config.tty);
    if let Some(found) = &config.values_found {
        ui.note(&format!(
            "values from the terraform state {}",
            found.display()
        ));
    }
    let output = config.output;
    let mut ctx = Ctx::new(config, state, ui, interrupted);
    ctx.targets = plan.targets.clone();
    let Some(lock) = lock else {
        let previewed = engine::preview_plan(&mut ctx, &plan.steps).await?;
        print_dry_run(&previewed, output);
        return Ok(Prepared::Shown);
    };
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

/// In a terminal, the plan first: what each step would change, then a
/// question. Nothing to do is not asked about. The checks' side notes in
/// the state (a found clone path, say) are dropped: the run finds them again.
async fn confirmed(ctx: &mut Ctx, plan: &crate::plan::Plan) -> Result<bool> {
    let before = ctx.state.clone();
    let previewed = engine::preview_plan(ctx, &plan.steps).await?;
    ctx.state = before;
    if !engine::has_work(&previewed) {
        return Ok(true);
    }
    println!("the plan:\n{}", engine::render_steps(&previewed));
    ctx.ui.confirm("Run this plan?")
}

fn print_dry_run(previewed: &[engine::Previewed], output: Output) {
    match output {
        Output::Json => {
            let nothing = previewed
                .iter()
                .all(|p| p.status != engine::Found::WouldRun);
            let json = serde_json::json!({
                "ok": true,
                "dry_run": true,
                "nothing_to_do": nothing,
                "steps": previewed,
            });
            println!("{json}");
        }
        Output::Text => print!("{}", engine::render_text(previewed)),
    }
}

fn summary(ctx: &Ctx, results: &[StepResult], output: Output) {
    let elapsed = ctx.ui.elapsed();
    match output {
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
            let ran = results.iter().filter(|r| r.status == "done").count();
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
