//! Opening a workshop, the one way every command does it: check `--dir`,
//! take the lock when the command changes things, load the state, resolve
//! the settings (flags > env > remembered > prompt), make the UI and the
//! context.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use crate::config::Flags;
use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::state::{self, State};
use crate::ui::Ui;

/// How a command uses the workshop.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Access {
    /// It only reads a workshop `setup` made (`status`, `addons`, `verify`):
    /// `prompts` false never asks anything.
    Read { prompts: bool },
    /// It changes things: the lock is held until the workshop is dropped.
    /// `creates`: `setup` makes the workshop; `restart` starts its state
    /// afresh (even from a state file that does not read).
    Write { creates: bool, restart: bool },
    /// A dry run of a command that changes things: no lock, nothing written.
    DryRun { creates: bool },
    /// `doctor`: whatever is there; no workshop is no error.
    Inspect,
}

/// An open workshop: the context its command runs in, and the lock when
/// the command changes things.
pub(crate) struct Workshop {
    pub(crate) ctx: Ctx,
    pub(crate) lock: Option<state::Lock>,
}

/// Open the workshop in `--dir` for a command named `what` (for messages).
pub(crate) fn open(
    global: &Flags,
    what: &str,
    access: Access,
    interrupted: Arc<AtomicBool>,
) -> Result<Workshop> {
    let work_dir = crate::config::work_dir(&global.dir);
    let (creates, restart) = match access {
        Access::Read { .. } => (false, false),
        Access::Write { creates, restart } => (creates, restart),
        Access::DryRun { creates } => (creates, false),
        Access::Inspect => (true, false),
    };
    match access {
        // Making the dir says what is wrong with it.
        Access::Write { creates: true, .. } => {}
        Access::Write { creates: false, .. }
        | Access::Read { .. }
        | Access::DryRun { .. }
        | Access::Inspect => check_dir(global)?,
    }
    if !creates && state::load(&work_dir)?.is_none() {
        return Err(needs_setup(global, what));
    }
    let lock = match access {
        Access::Write { .. } => {
            make_dir(global)?;
            Some(state::lock(&global.dir, &work_dir)?)
        }
        Access::Read { .. } | Access::DryRun { .. } | Access::Inspect => None,
    };
    // --restart must get past a state file it cannot read: that is what it is for.
    let loaded = match state::load(&work_dir) {
        Err(_) if restart || access == Access::Inspect => None,
        other => other?,
    };
    if loaded.is_none() && !creates {
        return Err(needs_setup(global, what));
    }
    let config = crate::config::resolve(global, loaded.as_ref().map(|s| &s.settings))?;
    let state = match loaded {
        Some(s) if !restart => s,
        _ => State::new(config.settings.clone()),
    };
    let ui = match access {
        Access::Read { prompts: false } | Access::Inspect => Ui::new(config.output, true, false),
        Access::Read { prompts: true } | Access::Write { .. } | Access::DryRun { .. } => {
            Ui::new(config.output, config.yes, config.tty)
        }
    };
    Ok(Workshop {
        ctx: Ctx::new(config, state, ui, interrupted),
        lock,
    })
}

fn needs_setup(global: &Flags, what: &str) -> Error {
    Error::usage(
        format!(
            "`{what}` needs a workshop set up in {}",
            global.dir.display()
        ),
        "run `eks-workshop setup` first (or pass the --dir you used for it)",
    )
}

/// Make sure `--dir` exists and can be written, with a clear error if not.
fn make_dir(global: &Flags) -> Result<()> {
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
