//! migrate: the manifests use the Flux APIs the cluster's Flux serves (or,
//! with no Flux there yet, the Flux eks-workshop installs).
//!
//! The migration is planned from HEAD's tree, never from the working tree,
//! and committed on its own ("Migrate manifests to the APIs the cluster
//! serves"), so the participant's uncommitted edits are never committed; the
//! same line edits are made in the working tree first, so a kill between the
//! two leaves a working tree that the next run finds already migrated and a
//! HEAD it migrates once.

use super::Checked;
use crate::ctx::Ctx;
use crate::effect::Effect;
use crate::error::{Error, Result};
use crate::git;
use crate::manifests::flux_migration::{self, FluxApis};
use crate::manifests::migration::{self, FileMigration};

pub(super) const MESSAGE: &str = "Migrate manifests to the APIs the cluster serves";

pub(super) async fn check(ctx: &Ctx) -> Result<Checked> {
    let (target, files) = plan(ctx).await?;
    let changed: Vec<&str> = changed(&files).map(|f| f.path.as_str()).collect();
    if changed.is_empty() {
        return Ok(Checked::done(format!(
            "manifests use {}",
            describe(&target)
        )));
    }
    if ctx.config.no_migrate {
        return Err(Error::Preflight {
            problems: lines(&files),
            help: "run the command again without --no-migrate to convert them (one commit), or convert them by hand".into(),
        });
    }
    Ok(Checked::to_do(format!(
        "to migrate: {}",
        changed.join(", ")
    )))
}

/// What does not migrate, said; the working tree's files migrated by the
/// same line edits (its own uncommitted edits kept); then the commit,
/// derived from HEAD.
pub(super) async fn effects(ctx: &Ctx) -> Result<Vec<Effect>> {
    let (target, files) = plan(ctx).await?;
    let mut out = Vec::new();
    for f in &files {
        for u in &f.migrated.unconverted {
            out.push(Effect::Say {
                message: format!("{}:{}: {}", f.path, u.line, u.what),
                warning: true,
            });
        }
    }
    let changed: Vec<&FileMigration> = changed(&files).collect();
    if changed.is_empty() {
        return Ok(out);
    }
    let clone = ctx.config.clone_dir();
    for f in &changed {
        let Some(current) = crate::fsx::read_in(&clone, &f.path)? else {
            continue;
        };
        let migrated = flux_migration::migrate(&f.path, &current, &target);
        if migrated.changed() {
            out.push(super::edit_effect(
                &clone,
                &f.path,
                &current,
                migrated.bytes,
                Vec::new(),
            )?);
        }
    }
    let lines_changed: usize = changed.iter().map(|f| f.migrated.changes.len()).sum();
    let what = format!(
        "{lines_changed} change(s) in {} file(s) to {}",
        changed.len(),
        describe(&target)
    );
    out.push(Effect::Say {
        message: format!("migrated {what}"),
        warning: false,
    });
    let repo = git::open(&clone)?;
    let message = format!("{MESSAGE}\n\n{}\n", lines(&files).join("\n"));
    let commits = changed
        .iter()
        .map(|f| (f.path.clone(), f.migrated.bytes.clone()))
        .collect();
    out.push(super::commit_effect(
        &repo,
        message,
        commits,
        what,
        Vec::new(),
    )?);
    Ok(out)
}

/// What to migrate to, and the migration of HEAD's tree.
async fn plan(ctx: &Ctx) -> Result<(FluxApis, Vec<FileMigration>)> {
    let target = target(ctx).await;
    let repo = git::open(&ctx.config.clone_dir())?;
    let tmp = crate::fsx::scratch_dir()?;
    git::export_head(&repo, tmp.path())?;
    let files = migration::migrate_repo(tmp.path(), &target)?;
    Ok((target, files))
}

/// The cluster's Flux APIs when a cluster with Flux is reachable; else those
/// of the Flux eks-workshop installs.
async fn target(ctx: &Ctx) -> FluxApis {
    if ctx.offline() {
        return FluxApis::current();
    }
    let Some(cluster) = ctx.cluster_if_reachable().await else {
        return FluxApis::current();
    };
    match crate::kube::served(&cluster).await {
        Ok(served) => crate::manifests::flux_migration::flux_apis(&served),
        Err(_) => FluxApis::current(),
    }
}

fn changed(files: &[FileMigration]) -> impl Iterator<Item = &FileMigration> {
    files.iter().filter(|f| f.migrated.changed())
}

/// One line per change: `file:line: what`.
fn lines(files: &[FileMigration]) -> Vec<String> {
    changed(files)
        .flat_map(|f| {
            f.migrated
                .changes
                .iter()
                .map(move |c| format!("- {}:{}: {}", f.path, c.line, c.what))
        })
        .collect()
}

fn describe(target: &FluxApis) -> String {
    if *target == FluxApis::current() {
        format!(
            "the APIs of Flux {} (what eks-workshop installs)",
            crate::flux::FLUX_VERSION
        )
    } else {
        let versions: Vec<&str> = target.served.iter().map(|(_, a)| a.as_str()).collect();
        format!("the cluster's Flux APIs ({})", versions.join(", "))
    }
}
