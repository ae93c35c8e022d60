//! `reset --to setup|addons`: the fork's files put back as that command left
//! them, by a new commit (never a force-push), pushed and applied by Flux,
//! which prunes what later lessons added. The command finds the record
//! before anything is touched; the plan is the engine's to show, ask, run
//! and resume.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use crate::cli::ResetTo;
use crate::config::Flags;
use crate::engine::{self, Access, Job, Prepared};
use crate::error::{Result, exit};
use crate::state::{LastCommand, ResetPoint};

pub(crate) async fn reset(
    global: &Flags,
    to: ResetTo,
    dry_run: bool,
    interrupted: Arc<AtomicBool>,
) -> Result<u8> {
    let to = match to {
        ResetTo::Setup => ResetPoint::Setup,
        ResetTo::Addons => ResetPoint::Addons,
    };
    let access = match dry_run {
        true => Access::DryRun { creates: false },
        false => Access::Write {
            creates: false,
            restart: false,
        },
    };
    let opened = engine::open(global, "reset", access, interrupted)?;
    // No record: said before anything is touched, and the last command
    // stays what `resume` continues.
    crate::steps::reset_point(&opened.ctx.state, to)?;
    let job = Job {
        last: Some(LastCommand::Reset { to }),
        // Reset enforces no add-on wish: the files it restores say which are on.
        wishes: Some(Vec::new()),
        restart: false,
        dry_run,
    };
    if let Prepared::Ready(ready) = engine::prepare_opened(opened, job).await? {
        engine::finish(*ready).await?;
    }
    Ok(exit::OK)
}
