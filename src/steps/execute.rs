//! The one executor: performs an effect a step planned. The dry run and the
//! terminal's plan print the same effects instead (`Effect::render_text`),
//! so what is shown cannot drift from what is done.

use crate::ctx::Ctx;
use crate::effect::Effect;
use crate::error::{Error, Result};
use crate::{fsx, git};

/// Perform `effect`; returns what to add to the step's line ("" for nothing).
pub(crate) async fn perform(effect: Effect, ctx: &mut Ctx) -> Result<String> {
    match effect {
        Effect::Fork { .. } => super::fork::make(ctx).await,
        Effect::SeedRemote { .. } => super::fork::seed(ctx),
        Effect::Clone { .. } | Effect::Update { .. } => super::clone::clone_or_update(ctx).await,
        Effect::Ask { value, template } => {
            super::render::ask(ctx, &value, &template)?;
            Ok(String::new())
        }
        Effect::Edit {
            path, bytes, then, ..
        } => {
            let clone = ctx.config.clone_dir();
            super::must_parse(&clone, &path, &bytes)?;
            fsx::write_in(&clone, &path, &bytes)?;
            // Recorded at once: a crash after this write leaves values we own.
            for learned in then {
                ctx.state.outputs.learn(learned);
            }
            ctx.save()?;
            crate::pause::point("edit:after-write");
            Ok(String::new())
        }
        Effect::Commit {
            message,
            files,
            contents,
            what,
            then,
            ..
        } => {
            let repo = git::open(&ctx.config.clone_dir())?;
            let mut said = String::new();
            if let git::lock::Found::Removed(lock) = git::lock::clear_stale(&repo)? {
                said = format!(
                    "removed {} (a killed run's leftover; no process held it); ",
                    lock.display()
                );
            }
            let sig = ctx.signature(&repo)?;
            let files: Vec<(String, Vec<u8>)> = files.into_iter().zip(contents).collect();
            let oid = commit(&repo, &files, &message, &sig)?;
            for learned in then {
                ctx.state.outputs.learn(learned);
            }
            let subject = message.lines().next().unwrap_or_default();
            let what = if what.is_empty() {
                String::new()
            } else {
                format!(": {what}")
            };
            Ok(match oid {
                Some(oid) => format!(
                    "{said}committed {} \"{subject}\"{what}",
                    git::short(&oid.to_string())
                ),
                None => format!("{said}already committed{what}"),
            })
        }
        Effect::Restore {
            message, commit, ..
        } => super::reset::restore(ctx, &commit, &message),
        Effect::Push {
            fast_forward_only, ..
        } => match fast_forward_only {
            true => super::publish::push(ctx).await,
            false => super::push::push(ctx).await,
        },
        Effect::InstallFlux { .. } => super::flux::install(ctx).await,
        Effect::Apply {
            object,
            object_to_apply,
            ..
        } => match object_to_apply {
            Some(to_apply) => super::flux::apply(ctx, &object, &to_apply).await,
            None => Err(Error::StepNotDone {
                step: "flux",
                detail: format!("{object} could not be planned before Flux was installed"),
            }),
        },
        Effect::Wait { wait, .. } => super::reconcile::wait(ctx, &wait).await,
        Effect::ControlPlane { to, driver, .. } => {
            let to = crate::readiness::KubeVersion::parse(&to)?;
            super::control_plane::perform(ctx, to, &driver).await
        }
        Effect::Drain { node, .. } => super::nodes::drain(ctx, &node).await,
        Effect::UpdateNodeGroup {
            name, to, driver, ..
        } => super::nodes::update_group(ctx, &name, &to, &driver).await,
        Effect::Teardown(removal) => super::teardown::perform(ctx, removal).await,
        Effect::Say { message, warning } => {
            match warning {
                true => ctx.ui.warn(&message),
                false => ctx.ui.note(&message),
            }
            Ok(String::new())
        }
    }
}

/// Commit `files` (path, new bytes) on HEAD, each first held to
/// [`super::must_parse`]: every step's commit goes through here.
fn commit(
    repo: &git2::Repository,
    files: &[(String, Vec<u8>)],
    message: &str,
    sig: &git2::Signature,
) -> Result<Option<git2::Oid>> {
    let clone = repo.workdir().unwrap_or(std::path::Path::new("."));
    for (path, bytes) in files {
        super::must_parse(clone, path, bytes)?;
    }
    git::commit_files(repo, files, message, sig)
}
