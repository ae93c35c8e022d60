//! migrate: the manifests use the Flux APIs the cluster's Flux serves (or,
//! with no Flux there yet, the Flux eks-workshop installs).
//!
//! The migration is planned from HEAD's tree, never from the working tree,
//! and committed on its own ("Migrate manifests to the APIs the cluster
//! serves"), so the participant's uncommitted edits are never committed; the
//! same line edits are made in the working tree first, so a kill between the
//! two leaves a working tree that the next run finds already migrated and a
//! HEAD it migrates once.

use super::Check;
use crate::change::{self, Change};
use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::git;
use crate::manifests::flux_migration::{self, FileMigration, FluxApis};

pub(super) const MESSAGE: &str = "Migrate manifests to the APIs the cluster serves";

pub(super) async fn check(ctx: &mut Ctx) -> Result<Check> {
    let (target, files) = plan(ctx).await?;
    let changed: Vec<&str> = changed(&files).map(|f| f.path.as_str()).collect();
    if changed.is_empty() {
        return Ok(Check::Done(format!("manifests use {}", describe(&target))));
    }
    if ctx.config.no_migrate {
        return Err(Error::Preflight {
            problems: lines(&files),
            help: "run the command again without --no-migrate to convert them (one commit), or convert them by hand".into(),
        });
    }
    Ok(Check::Pending(format!(
        "to migrate: {}",
        changed.join(", ")
    )))
}

pub(super) async fn run(ctx: &mut Ctx) -> Result<String> {
    let (target, files) = plan(ctx).await?;
    for f in &files {
        for u in &f.migrated.unconverted {
            ctx.ui.warn(&format!("{}:{}: {}", f.path, u.line, u.what));
        }
    }
    let changed: Vec<&FileMigration> = changed(&files).collect();
    if changed.is_empty() {
        return Ok("nothing to migrate".into());
    }
    let clone = ctx.config.clone_dir();
    // The working tree first, each file by the same line edits (its own
    // uncommitted edits kept), then the commit derived from HEAD.
    for (i, f) in changed.iter().enumerate() {
        if i == 1 {
            crate::pause::point("migrate:mid");
        }
        let Some(current) = crate::fsx::read_in(&clone, &f.path)? else {
            continue;
        };
        let migrated = flux_migration::migrate(&f.path, &current, &target);
        if migrated.changed() {
            super::must_parse(&clone, &f.path, &migrated.bytes)?;
            crate::fsx::write_in(&clone, &f.path, &migrated.bytes)?;
        }
    }
    crate::pause::point("migrate:before-commit");
    let repo = git::open(&clone)?;
    let sig = ctx.signature(&repo)?;
    let message = format!("{MESSAGE}\n\n{}\n", lines(&files).join("\n"));
    let commits: Vec<(String, Vec<u8>)> = changed
        .iter()
        .map(|f| (f.path.clone(), f.migrated.bytes.clone()))
        .collect();
    let oid = super::commit(&repo, &commits, &message, &sig)?;
    let lines_changed: usize = changed.iter().map(|f| f.migrated.changes.len()).sum();
    let what = format!(
        "{lines_changed} change(s) in {} file(s) to {}",
        changed.len(),
        describe(&target)
    );
    ctx.ui.note(&format!("migrated {what}"));
    Ok(match oid {
        Some(oid) => format!(
            "committed {} \"{MESSAGE}\": {what}",
            git::short(&oid.to_string())
        ),
        None => format!("already committed: {what}"),
    })
}

/// What to migrate to, and the migration of HEAD's tree.
async fn plan(ctx: &mut Ctx) -> Result<(FluxApis, Vec<FileMigration>)> {
    let target = target(ctx).await;
    let repo = git::open(&ctx.config.clone_dir())?;
    let tmp = tempfile::tempdir().map_err(|e| Error::io(std::env::temp_dir(), "create", e))?;
    git::export_head(&repo, tmp.path())?;
    let files = flux_migration::migrate_repo(tmp.path(), &target)?;
    Ok((target, files))
}

/// The cluster's Flux APIs when a cluster with Flux is reachable; else those
/// of the Flux eks-workshop installs.
async fn target(ctx: &mut Ctx) -> FluxApis {
    if ctx.offline() {
        return FluxApis::current();
    }
    let Some(cluster) = ctx.cluster_if_reachable().await else {
        return FluxApis::current();
    };
    match crate::kube::served(&cluster).await {
        Ok(served) => flux_migration::flux_apis(&served),
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

/// The dry run: the migration commit (the same line edits go to the
/// working tree).
pub(super) async fn preview(ctx: &mut Ctx) -> Result<Vec<Change>> {
    let (_, files) = plan(ctx).await?;
    let repo = git::open(&ctx.config.clone_dir())?;
    let mut heads = Vec::new();
    for f in changed(&files) {
        heads.push((f, git::head_blob(&repo, &f.path)?.unwrap_or_default()));
    }
    Ok(vec![Change::Commit {
        message: format!("{MESSAGE}\n\n{}\n", lines(&files).join("\n")),
        files: heads.iter().map(|(f, _)| f.path.clone()).collect(),
        diff: change::diffs(heads.iter().map(|(f, head)| {
            (
                f.path.as_str(),
                head.as_slice(),
                f.migrated.bytes.as_slice(),
            )
        })),
    }])
}
