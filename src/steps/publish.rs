//! publish: the fork's branch is at the clone's branch, by a fast-forward
//! only. `sync`'s push: the commits are the participant's own, so nothing is
//! committed here and nothing is rebased; a fork that moved on is refused
//! with what to do. Uncommitted work stays where it is.

use git2::{Oid, Repository};

use super::Checked;
use crate::ctx::{Ctx, auth};
use crate::effect::Effect;
use crate::error::{Error, Result};
use crate::git::{self, PushOutcome, short};
use crate::state::Learned;

pub(super) async fn check(ctx: &Ctx) -> Result<Checked> {
    let (repo, local, remote) = tips(ctx).await?;
    let branch = &ctx.config.settings.branch;
    if remote == Some(local) {
        let found = Checked::done(format!("{branch} at {}", short(&local.to_string())));
        return Ok(found.learning(Learned::PushedCommit(local.to_string())));
    }
    let ahead = remote.map_or(0, |r| ahead_of(&repo, local, r));
    Ok(Checked::to_do(match remote {
        Some(_) if ahead > 0 => format!("{ahead} commit(s) of the clone not on the fork yet"),
        Some(_) => format!("the clone's {branch} differs from the fork's"),
        None => format!("the fork has no branch {branch} yet"),
    }))
}

/// Push the clone's branch, a fast-forward only.
pub(super) async fn push(ctx: &mut Ctx) -> Result<String> {
    let (repo, local, remote) = tips(ctx).await?;
    let branch = ctx.config.settings.branch.clone();
    if let Some(remote) = remote
        && !git::is_ancestor(&repo, remote, local)
    {
        return Err(rejected(
            &branch,
            format!(
                "the fork's {branch} ({}) has commits the clone lacks; sync pushes fast-forwards only",
                short(&remote.to_string())
            ),
        ));
    }
    let pair = ctx.git_auth().await?;
    match git::push(&repo, &branch, auth(&pair))? {
        PushOutcome::Pushed => {
            ctx.fork_moved(Some(local));
            crate::pause::point("publish:after-push");
            ctx.state.outputs.pushed_commit = Some(local.to_string());
            ctx.save()?;
            Ok(format!("pushed {} to {branch}", short(&local.to_string())))
        }
        PushOutcome::NonFastForward => Err(rejected(
            &branch,
            format!("the fork's {branch} moved on meanwhile; sync pushes fast-forwards only"),
        )),
    }
}

/// The push, and the commits it would take to the fork.
pub(super) async fn effects(ctx: &Ctx) -> Result<Vec<Effect>> {
    let (repo, local, remote) = tips(ctx).await?;
    let branch = ctx.config.settings.branch.clone();
    let commits = match remote {
        Some(r) if git::is_ancestor(&repo, r, local) => {
            let subjects = git::subjects(&repo, r, local);
            format!(
                "{} commit(s) up to {}: {}",
                subjects.len(),
                short(&local.to_string()),
                subjects.join("; ")
            )
        }
        Some(r) => format!(
            "nothing: the fork's {branch} ({}) has commits the clone lacks, so the push would be refused",
            short(&r.to_string())
        ),
        None => format!("{} as a new branch", short(&local.to_string())),
    };
    Ok(vec![Effect::Push {
        branch,
        commits,
        fast_forward_only: true,
    }])
}

/// The clone, its branch's tip, and the fork's.
async fn tips(ctx: &Ctx) -> Result<(Repository, Oid, Option<Oid>)> {
    let repo = git::open(&ctx.config.clone_dir())?;
    let branch = ctx.config.settings.branch.clone();
    let local = repo
        .refname_to_id(&format!("refs/heads/{branch}"))
        .map_err(|e| Error::git(format!("read branch {branch} of the clone"), &e))?;
    let remote = ctx.fork_head().await?;
    Ok((repo, local, remote))
}

/// How many commits `local` has that `remote` lacks (0 when unknown).
fn ahead_of(repo: &Repository, local: Oid, remote: Oid) -> usize {
    repo.graph_ahead_behind(local, remote)
        .map_or(0, |(ahead, _)| ahead)
}

fn rejected(branch: &str, message: String) -> Error {
    Error::PushRejected {
        branch: branch.to_string(),
        message,
        help: format!(
            "`git pull --rebase origin {branch}` in the clone, then `eks-workshop sync` again"
        ),
    }
}
