//! `upgrade --to 1.N`: the workshop's upgrade lessons as one plan. The
//! command reads where the cluster stands and which driver moves it; the
//! plan (one hop per minor version) is the engine's to show, ask, run and
//! resume.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use crate::cli::DriverName;
use crate::config::Flags;
use crate::engine::{self, Access, Job, Prepared};
use crate::error::{Error, Result, exit};
use crate::plan::Driver;
use crate::readiness::KubeVersion;
use crate::state::LastCommand;

pub(crate) async fn upgrade(
    global: &Flags,
    to: &str,
    driver: Option<DriverName>,
    dry_run: bool,
    interrupted: Arc<AtomicBool>,
) -> Result<u8> {
    let to = KubeVersion::parse(to)?;
    let access = match dry_run {
        true => Access::DryRun { creates: false },
        false => Access::Write {
            creates: false,
            restart: false,
        },
    };
    let opened = engine::open(global, "upgrade", access, interrupted)?;
    let ctx = &opened.ctx;
    if ctx.offline() {
        return Err(Error::usage(
            "`upgrade` needs a cluster, and this workshop was set up --offline",
            "set the workshop up against your cluster (`eks-workshop setup` without --offline), then upgrade it",
        ));
    }
    let driver = choose(global, ctx, driver)?;
    let served = crate::steps::served_by(ctx, &driver).await?;
    if served > to {
        return Err(Error::usage(
            format!("the cluster already serves Kubernetes {served}, newer than --to {to}"),
            "a control plane cannot go back a version; pass --to a newer version",
        ));
    }
    // An upgrade to the same version that was interrupted keeps where it began:
    // its first hops may be done on the control plane but not on the nodes.
    let from = match &ctx.state.last_command {
        Some(LastCommand::Upgrade { from, to: was, .. })
            if KubeVersion::parse(was).ok() == Some(to) =>
        {
            KubeVersion::parse(from)?.min(served)
        }
        _ => served,
    };
    let job = Job {
        last: Some(LastCommand::Upgrade {
            from: from.to_string(),
            to: to.to_string(),
            driver,
        }),
        wishes: Some(Vec::new()),
        restart: false,
        dry_run,
    };
    if let Prepared::Ready(ready) = engine::prepare_opened(opened, job).await? {
        engine::finish(*ready).await?;
    }
    Ok(exit::OK)
}

/// `--driver`, else terraform with `--terraform-dir`, else manual.
fn choose(global: &Flags, ctx: &crate::ctx::Ctx, asked: Option<DriverName>) -> Result<Driver> {
    let terraform = || match &global.terraform_dir {
        Some(dir) => Ok(Driver::Terraform {
            dir: std::path::absolute(dir).unwrap_or_else(|_| dir.clone()),
        }),
        None => Err(Error::usage(
            "--driver terraform needs the workshop's terraform directory",
            "pass --terraform-dir DIR (where the workshop's `terraform apply` ran)",
        )),
    };
    match asked {
        Some(DriverName::Terraform) => terraform(),
        Some(DriverName::Manual) => Ok(Driver::Manual),
        Some(DriverName::Eks) => {
            let values = &ctx.config.settings.values;
            let cluster = values.get("cluster_name").map(String::from);
            let region = ctx.config.settings.region.clone();
            match (cluster, region) {
                (Some(cluster), Some(region)) => Ok(Driver::Eks { cluster, region }),
                _ => Err(Error::usage(
                    "--driver eks needs the cluster's name and region",
                    "give cluster_name in the --values file (or --terraform-dir) and --region (or AWS_REGION)",
                )),
            }
        }
        None if global.terraform_dir.is_some() => terraform(),
        None => Ok(Driver::Manual),
    }
}
