//! delete-fork (`teardown --delete-fork`): the participant's fork deleted
//! on GitHub — only the fork this workshop made (the name its state
//! records, which GitHub says is a fork of the upstream), and in a terminal
//! only once the participant typed its name. Whether the token may delete
//! it is checked before anything is torn down ([`may_delete`]): a classic
//! token needs the `delete_repo` scope, and GitHub must say the user
//! administers the fork.

use crate::config::RepoName;
use crate::ctx::Ctx;
use crate::effect::Effect;
use crate::error::{Error, Result};
use crate::steps::Checked;
use crate::teardown::Removal;

/// The fork this workshop made, by the name its state records.
fn fork_name(ctx: &Ctx) -> Result<Option<RepoName>> {
    match ctx.state.outputs.fork.as_deref() {
        None => Ok(None),
        Some(name) => name.parse::<RepoName>().map(Some),
    }
}

pub(in crate::steps) async fn check(ctx: &Ctx) -> Result<Checked> {
    if ctx.offline() {
        return Ok(Checked::skipped("offline: there is no fork on GitHub"));
    }
    let Some(name) = fork_name(ctx)? else {
        return Ok(Checked::done("this workshop made no fork"));
    };
    Ok(match ctx.github()?.repo(&name).await? {
        None => Checked::done(format!("the fork {name} is gone")),
        Some(_) => Checked::to_do(format!("the fork {name} is on GitHub")),
    })
}

pub(in crate::steps) fn effects(ctx: &Ctx) -> Result<Vec<Effect>> {
    Ok(fork_name(ctx)?
        .map(|name| {
            Effect::Teardown(Removal::DeleteFork {
                fork: name.to_string(),
            })
        })
        .into_iter()
        .collect())
}

/// Before anything is torn down: may the token delete the fork?
pub(crate) async fn may_delete(ctx: &Ctx) -> Result<()> {
    let Some(name) = fork_name(ctx)? else {
        return Ok(());
    };
    let refused = |why: String| {
        Error::Forbidden {
        service: "GitHub".into(),
        message: format!("the token may not delete the fork {name}: {why}; nothing was torn down"),
        help: "give a token that may (a classic one with the `delete_repo` scope; a fine-grained one with Administration: write on the fork), or leave out --delete-fork and delete the fork on GitHub yourself".into(),
    }
    };
    if let Some(scopes) = ctx.token_scopes().await?
        && !scopes.iter().any(|s| s == "delete_repo")
    {
        return Err(refused(format!(
            "a classic token whose scopes ({}) lack `delete_repo`",
            scopes.join(", ")
        )));
    }
    match ctx.github()?.repo(&name).await? {
        Some(repo) if repo.admin == Some(false) => Err(refused(
            "GitHub says its user does not administer it".into(),
        )),
        _ => Ok(()),
    }
}

/// The name checked, then the fork deleted.
pub(super) async fn delete(ctx: &Ctx, fork: &str) -> Result<String> {
    let name: RepoName = fork.parse()?;
    let github = ctx.github()?;
    let Some(repo) = github.repo(&name).await? else {
        return Ok(format!("the fork {name} was already gone"));
    };
    let upstream = ctx.config.settings.upstream.to_string();
    let of_upstream = [&repo.parent, &repo.source]
        .iter()
        .any(|r| r.as_deref() == Some(upstream.as_str()));
    if !repo.fork || repo.full_name != fork || !of_upstream {
        return Err(Error::Blocked {
            what: format!("deleting {}", repo.full_name),
            detail: format!(
                "GitHub does not say it is your fork of {upstream}; nothing was deleted"
            ),
            help: "delete it on GitHub yourself if it is yours, and leave out --delete-fork".into(),
        });
    }
    if ctx.config.interactive() {
        let typed = ctx
            .ui
            .ask(&format!("type the fork's name ({fork}) to delete it"), None)?;
        if typed.trim() != fork {
            return Err(Error::usage(
                format!(
                    "`{}` is not {fork}; the fork was not deleted",
                    crate::outside::one_line(typed.trim())
                ),
                "run `eks-workshop resume` and type the fork's name exactly",
            ));
        }
    }
    github.delete_repo(&name).await?;
    Ok(format!("deleted the fork {name} on GitHub"))
}
