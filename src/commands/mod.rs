//! The commands: each turns its request into a plan for the engine
//! ([`Job`]) or a report of what it reads. Every command is matched here.

mod doctor;
mod reset;
mod status;
mod sync;
mod teardown;
mod upgrade;
mod verify;

use crate::cli::Command;
use crate::config::Flags;
use crate::engine::{self, Job};
use crate::error::{Result, exit};
use crate::state::LastCommand;

pub(crate) async fn run(command: Command, global: Flags) -> Result<u8> {
    let job = |last, wishes, restart, dry_run| Job {
        last: Some(last),
        wishes,
        restart,
        dry_run,
    };
    let interrupted = crate::interrupt::watch_ctrl_c;
    match command {
        Command::Completions { shell } => {
            let mut cmd = <crate::cli::Arguments as clap::CommandFactory>::command();
            clap_complete::generate(shell, &mut cmd, "eks-workshop", &mut std::io::stdout());
            Ok(exit::OK)
        }
        Command::GitCredential {
            operation,
            host,
            username,
        } => Ok(crate::git::credential::run_helper(
            &operation, &host, &username,
        )),
        Command::Doctor { bundle } => doctor::doctor(&global, bundle.as_deref()).await,
        Command::Status { recorded } => status::status(&global, recorded, interrupted()).await,
        Command::Addons => status::addons(&global),
        Command::Sync { no_push, dry_run } => {
            let last = LastCommand::Sync { push: !no_push };
            let job = job(last, Some(Vec::new()), false, dry_run);
            sync::sync(&global, job, interrupted()).await
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
            verify::verify(&global, asked, interrupted()).await
        }
        Command::Teardown {
            dry_run,
            delete_fork,
            local,
        } => {
            let asked = teardown::Asked {
                dry_run,
                delete_fork,
                local,
            };
            teardown::teardown(&global, asked, interrupted()).await
        }
        Command::Upgrade {
            to,
            driver,
            dry_run,
        } => upgrade::upgrade(&global, &to, driver, dry_run, interrupted()).await,
        Command::Reset { to, dry_run } => reset::reset(&global, to, dry_run, interrupted()).await,
        Command::Setup {
            until,
            addons,
            restart,
            dry_run,
        } => {
            let wishes = addons.iter().map(|n| (n.clone(), true)).collect();
            let last = LastCommand::Setup {
                until: until.map(|s| s.name().to_string()),
            };
            let job = job(last, Some(wishes), restart, dry_run);
            engine::execute(&global, job, interrupted()).await
        }
        Command::EnableAddon {
            names,
            no_wait,
            dry_run,
        } => {
            let (last, wishes) = toggle(names, true, !no_wait);
            engine::execute(
                &global,
                job(last, Some(wishes), false, dry_run),
                interrupted(),
            )
            .await
        }
        Command::DisableAddon {
            names,
            no_wait,
            dry_run,
        } => {
            let (last, wishes) = toggle(names, false, !no_wait);
            engine::execute(
                &global,
                job(last, Some(wishes), false, dry_run),
                interrupted(),
            )
            .await
        }
        Command::Resume { dry_run } => {
            // The last command, read from the state file once it is open.
            let job = Job {
                last: None,
                wishes: None,
                restart: false,
                dry_run,
            };
            engine::execute(&global, job, interrupted()).await
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
