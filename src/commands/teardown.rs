//! `teardown`: the workshop's cleanup lesson as one plan — what would
//! re-create things stopped, what makes cloud resources outside terraform
//! removed and waited out, Flux uninstalled without leaving a namespace
//! `Terminating`, the cluster destroyed through the participant's
//! terraform, and with `--delete-fork` the fork deleted. The engine shows,
//! asks, runs and resumes it. `--local` then removes the clone and the state
//! dir: after the plan, since the plan's record lives there (run the same
//! command again after an interruption).

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use crate::config::{Flags, Output};
use crate::engine::{self, Access, Job, Prepared};
use crate::error::{Error, Result, exit};
use crate::state::LastCommand;

/// What `teardown` was asked.
pub(crate) struct Asked {
    pub(crate) dry_run: bool,
    pub(crate) delete_fork: bool,
    pub(crate) local: bool,
}

pub(crate) async fn teardown(
    global: &Flags,
    asked: Asked,
    interrupted: Arc<AtomicBool>,
) -> Result<u8> {
    let terraform = match &global.terraform_dir {
        Some(dir) if !dir.is_dir() => {
            return Err(Error::usage(
                format!("--terraform-dir {} is not a directory", dir.display()),
                "pass the workshop's terraform directory (where its `terraform apply` ran), or leave it out to be told the commands",
            ));
        }
        Some(dir) => Some(std::path::absolute(dir).unwrap_or_else(|_| dir.clone())),
        None => None,
    };
    let access = match asked.dry_run {
        true => Access::DryRun { creates: false },
        false => Access::Write {
            creates: false,
            restart: false,
        },
    };
    let opened = engine::open(global, "teardown", access, interrupted)?;
    // Before anything is torn down: a fork the token may not delete stops here.
    if asked.delete_fork && !opened.ctx.offline() {
        crate::steps::may_delete_fork(&opened.ctx).await?;
    }
    let clone = opened.ctx.config.clone_dir();
    let work = opened.ctx.config.work_dir();
    let output = opened.ctx.config.output;
    let job = Job {
        last: Some(LastCommand::Teardown {
            terraform,
            delete_fork: asked.delete_fork,
        }),
        wishes: Some(Vec::new()),
        restart: false,
        dry_run: asked.dry_run,
    };
    let prepared = engine::prepare_opened(opened, job).await?;
    match prepared {
        Prepared::Ready(ready) => {
            let ctx = engine::finish(*ready).await?;
            if output == Output::Text {
                left_in_aws(&ctx)?;
            }
            // The plan's lock and log are released with its context.
            drop(ctx);
            if !asked.local {
                return Ok(exit::OK);
            }
            remove_local(&clone, &work)?;
            say(
                output,
                &format!("removed {} and {}", clone.display(), work.display()),
            );
        }
        Prepared::Shown if asked.dry_run && asked.local => say(
            output,
            &format!(
                "--local: then remove the clone {} and the state dir {}",
                clone.display(),
                work.display()
            ),
        ),
        // Declined in a terminal: nothing was changed, nothing is removed.
        Prepared::Shown => {}
    }
    Ok(exit::OK)
}

/// What may be left in AWS, tagged with the cluster, listed through the
/// `aws` CLI; without it (or offline), what to run instead.
fn left_in_aws(ctx: &crate::ctx::Ctx) -> Result<()> {
    use crate::teardown::leftovers;
    if ctx.offline() {
        return Ok(());
    }
    let values = &ctx.config.settings.values;
    let cluster = values.get("cluster_name").unwrap_or_default().to_string();
    let region = ctx
        .config
        .settings
        .region
        .clone()
        .or_else(|| values.get("aws_region").map(String::from));
    let by_hand = format!(
        "to see what may be left, run `aws ec2 describe-instances --filters Name=tag-key,Values={}` (and describe-network-interfaces, describe-volumes, describe-security-groups; `aws elbv2 describe-load-balancers`)",
        leftovers::tag_key(&cluster)
    );
    let Some(region) = region else {
        ctx.ui.note(&format!("no region known: {by_hand}"));
        return Ok(());
    };
    let child = match crate::child::Child::find("aws", "listing what a teardown may leave") {
        Ok(child) => child,
        Err(_) => {
            ctx.ui.note(&format!("`aws` is not on PATH: {by_hand}"));
            return Ok(());
        }
    };
    let aws = crate::aws_cli::Aws::with_child(child, &region, ctx.interrupted.clone())?;
    let found = leftovers::list(&aws, &cluster)?;
    print!("{}", leftovers::render(&found, &cluster));
    Ok(())
}

fn say(output: Output, line: &str) {
    match output {
        Output::Text => println!("{line}"),
        Output::Json => {}
    }
}

/// The clone, then the state dir: its state file last, so a run killed on
/// the way finds the workshop and removes the rest when run again.
fn remove_local(clone: &Path, work: &Path) -> Result<()> {
    let remove = |path: &Path| -> Result<()> {
        let gone = match std::fs::symlink_metadata(path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Ok(m) if m.is_dir() => std::fs::remove_dir_all(path),
            _ => std::fs::remove_file(path),
        };
        gone.map_err(|e| Error::io(path, "remove", e))
    };
    remove(clone)?;
    let Ok(entries) = std::fs::read_dir(work) else {
        return Ok(());
    };
    let state = work.join(crate::state::FILE);
    for entry in entries.flatten() {
        if entry.path() != state {
            remove(&entry.path())?;
        }
    }
    remove(&state)?;
    remove(work)
}
