//! The commands: each builds a plan (or reads state) and hands it to the engine.

mod doctor;
mod status;
mod sync;
mod verify;

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use crate::addons;
use crate::cli::{Command, Global};
use crate::config::Output;
use crate::engine::{self, Ctx, StepResult};
use crate::error::{Error, Result, exit};
use crate::state::{self, LastCommand, State};
use crate::steps::Step;
use crate::ui::Ui;

pub(crate) use doctor::doctor;

pub(crate) async fn run(
    command: Command,
    global: Global,
    interrupted: Arc<AtomicBool>,
) -> Result<u8> {
    match command {
        Command::Status => status::status(&global).await,
        Command::Addons => status::addons(&global),
        Command::Sync { no_push } => sync::sync(&global, no_push, interrupted).await,
        Command::Verify {
            target_version,
            fix,
            strict,
        } => verify::verify(&global, target_version, fix, strict, interrupted).await,
        Command::Setup {
            until,
            addons,
            restart,
        } => {
            let wishes = addons.iter().map(|n| (n.clone(), true)).collect();
            let last = LastCommand::Setup {
                until: until.map(|s| s.id().to_string()),
            };
            mutate(&global, interrupted, last, Some(wishes), restart).await
        }
        Command::EnableAddon { names, no_wait } => {
            let wishes = names.iter().map(|n| (n.clone(), true)).collect();
            let last = LastCommand::EnableAddon {
                names,
                wait: !no_wait,
            };
            mutate(&global, interrupted, last, Some(wishes), false).await
        }
        Command::DisableAddon { names, no_wait } => {
            let wishes = names.iter().map(|n| (n.clone(), false)).collect();
            let last = LastCommand::DisableAddon {
                names,
                wait: !no_wait,
            };
            mutate(&global, interrupted, last, Some(wishes), false).await
        }
        Command::Resume => {
            let state = load_required(&global, "resume")?;
            let Some(last) = state.last_command.clone() else {
                return Err(Error::usage(
                    "there is nothing to resume in this directory",
                    "run `eks-workshop setup` first",
                ));
            };
            mutate(&global, interrupted, last, None, false).await
        }
        Command::Doctor | Command::Completions { .. } | Command::GitCredential { .. } => {
            unreachable!("handled before")
        }
    }
}

/// Make sure `--dir` exists and can be written, with a clear error if not.
pub(crate) fn prepare_dir(global: &Global) -> Result<()> {
    let dir = &global.dir;
    let work = dir.join(".eks-workshop");
    if let Err(e) = std::fs::create_dir_all(&work) {
        return Err(Error::usage(
            format!("cannot write to --dir {}: {e}", dir.display()),
            "choose a directory you can write to with --dir",
        ));
    }
    Ok(())
}

pub(crate) fn load_required(global: &Global, what: &str) -> Result<State> {
    state::load(&global.dir.join(".eks-workshop"))?.ok_or_else(|| {
        Error::usage(
            format!(
                "`{what}` needs a workshop set up in {}",
                global.dir.display()
            ),
            "run `eks-workshop setup` first (or pass the --dir you used for it)",
        )
    })
}

/// Setup, enable/disable add-ons, resume: lock, load, plan, run, record.
///
/// `wishes` are the add-ons this command turns on or off; `None` (resume)
/// replays the remembered ones. A new command forgets the last one's wishes:
/// what an earlier command enabled is in the fork now, and the participant
/// may have changed it since, so enforcing it again could revert their commit.
async fn mutate(
    global: &Global,
    interrupted: Arc<AtomicBool>,
    last: LastCommand,
    wishes: Option<Vec<(String, bool)>>,
    restart: bool,
) -> Result<u8> {
    // Unknown add-ons are refused before anything is touched.
    for (name, _) in wishes.iter().flatten() {
        addons::find(name)?;
    }
    let is_setup = matches!(last, LastCommand::Setup { .. });
    if !is_setup {
        load_required(global, "this command")?;
    }
    prepare_dir(global)?;
    let work_dir = global.dir.join(".eks-workshop");
    let _lock = state::lock(&global.dir, &work_dir)?;
    // --restart must get past a state file it cannot read: that is what it is for.
    let loaded = match state::load(&work_dir) {
        Err(_) if restart => None,
        other => other?,
    };
    let mut config = crate::run::config(global, loaded.as_ref().map(|s| &s.settings))?;
    if let Some(wishes) = wishes {
        config.settings.addons = wishes.into_iter().collect();
    }
    // What `resume` replays comes from the state file: refuse what it cannot know.
    for name in config.settings.addons.keys() {
        addons::find(name)?;
    }
    let mut state = match loaded {
        Some(s) if !restart => s,
        _ => crate::run::fresh_state(&config.settings),
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
    let plan = plan(&mut ctx, &last);
    ctx.save()?;
    let results = engine::run_plan(&mut ctx, &plan).await.inspect_err(|e| {
        if matches!(e, Error::Interrupted) {
            ctx.ui
                .note("stopped; run `eks-workshop resume` to continue");
        }
    })?;
    summary(&ctx, &results, output);
    Ok(exit::OK)
}

/// The steps a command runs, and what the reconcile step waits for.
fn plan(ctx: &mut Ctx, last: &LastCommand) -> Vec<Step> {
    match last {
        LastCommand::Setup { until } => {
            ctx.wait_enabled_addons = true;
            let end = until
                .as_deref()
                .and_then(|u| Step::parse(u).ok())
                .unwrap_or(Step::Reconcile);
            Step::ALL.into_iter().filter(|s| *s <= end).collect()
        }
        LastCommand::EnableAddon { names, wait } => {
            ctx.wait = *wait;
            ctx.wait_addons = names.iter().filter_map(|n| addons::find(n).ok()).collect();
            vec![
                Step::Clone,
                Step::Render,
                Step::Addons,
                Step::Migrate,
                Step::Push,
                Step::Reconcile,
            ]
        }
        LastCommand::DisableAddon { names, wait } => {
            ctx.wait = *wait;
            ctx.wait_removed = names.iter().filter_map(|n| addons::find(n).ok()).collect();
            vec![
                Step::Clone,
                Step::Render,
                Step::Addons,
                Step::Migrate,
                Step::Push,
                Step::Reconcile,
            ]
        }
        LastCommand::VerifyFix { .. } => {
            vec![Step::Clone, Step::Migrate, Step::Push, Step::Reconcile]
        }
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
