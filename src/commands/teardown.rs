//! `teardown`: the workshop's cleanup lesson as one plan — what would
//! re-create things stopped, what makes cloud resources outside terraform
//! removed and waited out, Flux uninstalled without leaving a namespace
//! `Terminating`, then the cluster destroyed through the participant's
//! terraform. The engine shows, asks, runs and resumes it.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use crate::config::Flags;
use crate::engine::{self, Job};
use crate::error::{Error, Result};
use crate::state::LastCommand;

pub(crate) async fn teardown(
    global: &Flags,
    dry_run: bool,
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
    let job = Job {
        last: Some(LastCommand::Teardown { terraform }),
        wishes: Some(Vec::new()),
        restart: false,
        dry_run,
    };
    engine::execute(global, job, interrupted).await
}
