//! fork: the participant's fork of the upstream exists and can be cloned.
//! Offline, the "fork" is a local bare repository seeded from the embedded
//! workshop repo.

use std::time::{Duration, Instant};

use super::Checked;
use crate::config::RepoName;
use crate::ctx::{Ctx, auth};
use crate::effect::Effect;
use crate::error::{Error, Result};
use crate::github::Repo;
use crate::state::Learned;
use crate::{git, workshop};

pub(super) async fn check(ctx: &Ctx) -> Result<Checked> {
    if ctx.offline() {
        return check_offline(ctx);
    }
    let login = ctx.login().await?;
    let name = RepoName {
        owner: login,
        name: ctx.config.settings.upstream.name.clone(),
    };
    let repo = match remembered_fork(ctx, &name).await? {
        Some(repo) => repo,
        None => match ctx.github()?.repo(&name).await? {
            Some(repo) => repo,
            None => {
                // Before the fork is made: a token that could not push to it
                // would be found only at the push, with the fork left behind.
                let scopes = ctx.token_scopes().await?;
                scopes_can_push(scopes.as_deref(), None)?;
                return Ok(Checked::to_do(format!("{name} does not exist yet")));
            }
        },
    };
    ensure_fork_of_upstream(ctx, &repo)?;
    let scopes = ctx.token_scopes().await?;
    scopes_can_push(scopes.as_deref(), Some(&repo.full_name))?;
    if repo.push == Some(false) {
        return Err(Error::CannotPush {
            repo: repo.full_name.clone(),
        });
    }
    let pair = ctx.git_auth().await?;
    let found = match branch_state(&repo.clone_url, &ctx.config.settings.branch, auth(&pair))? {
        BranchState::Ready => Checked::done(repo.full_name.clone()),
        BranchState::NotYet => Checked::to_do(format!("{} is not cloneable yet", repo.full_name)),
    };
    Ok(found.learning(learned(&repo)))
}

/// A classic token's scopes must let it push to `fork` (`None`: not made
/// yet); a token without scopes (fine-grained) is judged by the fork's
/// `permissions.push` once the fork exists.
fn scopes_can_push(scopes: Option<&[String]>, fork: Option<&str>) -> Result<()> {
    match scopes {
        Some(scopes) if !crate::github::scopes::can_push(scopes) => Err(Error::TokenScopes {
            scopes: scopes.to_vec(),
            fork: fork.map(String::from),
        }),
        _ => Ok(()),
    }
}

/// The fork the last run found, when GitHub knows it under another name
/// than the upstream's: forking when one already exists answers with the
/// existing fork, whatever it was renamed to.
async fn remembered_fork(ctx: &Ctx, usual: &RepoName) -> Result<Option<Repo>> {
    let Some(name) = ctx
        .state
        .outputs
        .fork
        .as_deref()
        .and_then(|f| f.parse::<RepoName>().ok())
    else {
        return Ok(None);
    };
    if !name.owner.eq_ignore_ascii_case(&usual.owner)
        || name.to_string().eq_ignore_ascii_case(&usual.to_string())
    {
        return Ok(None);
    }
    let repo = ctx.github()?.repo(&name).await?;
    Ok(repo.filter(|r| ensure_fork_of_upstream(ctx, r).is_ok()))
}

fn check_offline(ctx: &Ctx) -> Result<Checked> {
    let path = ctx.config.offline_remote();
    if !path.exists() {
        return Ok(Checked::to_do("no local remote yet"));
    }
    let url = path.to_string_lossy();
    match branch_state(&url, &ctx.config.settings.branch, None)? {
        BranchState::Ready => Ok(Checked::done(format!("local remote {}", path.display()))),
        BranchState::NotYet => Err(Error::CloneOccupied {
            path,
            expected: "a local remote seeded from the workshop repo".into(),
            reason: "it has no branches".into(),
        }),
    }
}

/// Offline: seed the local remote from the embedded workshop repo.
pub(super) fn seed(ctx: &Ctx) -> Result<String> {
    let path = ctx.config.offline_remote();
    let parent = path.parent().expect("remote path has a parent");
    crate::fsx::create_dir_all(parent)?;
    let commit = git::seed_bare(&path, &ctx.config.settings.branch, workshop::files())?;
    Ok(format!(
        "seeded local remote {} at {}",
        path.display(),
        git::short(&commit.to_string())
    ))
}

/// Fork the upstream, remember the fork at once, and wait until it clones.
pub(super) async fn make(ctx: &mut Ctx) -> Result<String> {
    let upstream = ctx.config.settings.upstream.clone();
    let repo = ctx.github()?.create_fork(&upstream).await?;
    crate::pause::point("fork:after-request");
    ensure_fork_of_upstream(ctx, &repo)?;
    ctx.state.outputs.learn(learned(&repo));
    ctx.save()?;
    wait_until_cloneable(ctx, &repo).await?;
    Ok(format!("forked {upstream} to {}", repo.full_name))
}

/// GitHub creates forks asynchronously: poll `ls-remote` with capped backoff.
async fn wait_until_cloneable(ctx: &Ctx, repo: &Repo) -> Result<()> {
    let started = Instant::now();
    let mut delays = crate::backoff::polling(Duration::from_millis(250));
    let pair = ctx.git_auth().await?;
    loop {
        match branch_state(&repo.clone_url, &ctx.config.settings.branch, auth(&pair)) {
            Ok(BranchState::Ready) => return Ok(()),
            Ok(BranchState::NotYet) => {}
            // A fork in progress can answer "not found" for a while.
            Err(Error::Git { .. }) => {}
            Err(e) => return Err(e),
        }
        ctx.check_interrupt()?;
        if started.elapsed() > ctx.config.timeout {
            return Err(Error::Timeout {
                what: format!("GitHub to finish creating {}", repo.full_name),
                detail: "the fork exists but cannot be cloned yet".into(),
                after: ctx.config.timeout,
            });
        }
        ctx.ui.progress(&format!(
            "waiting for GitHub to finish creating {} ({}s)",
            repo.full_name,
            started.elapsed().as_secs()
        ));
        let delay = delays.next().expect("polling never ends");
        tokio::time::sleep(delay).await;
    }
}

enum BranchState {
    Ready,
    NotYet,
}

/// Ready when the branch is there; not yet when the repository has no
/// branches at all (still being created); an error when other branches exist
/// but not this one.
fn branch_state(url: &str, branch: &str, auth: Option<git::Auth>) -> Result<BranchState> {
    let heads = git::remote_heads(url, auth)?;
    if heads.iter().any(|(name, _)| name == branch) {
        return Ok(BranchState::Ready);
    }
    if heads.is_empty() {
        return Ok(BranchState::NotYet);
    }
    let names: Vec<_> = heads.iter().map(|(n, _)| n.as_str()).collect();
    Err(Error::NotFound {
        what: "branch",
        name: branch.to_string(),
        help: format!(
            "--branch must name a branch of the fork; it has: {}",
            names.join(", ")
        ),
    })
}

fn ensure_fork_of_upstream(ctx: &Ctx, repo: &Repo) -> Result<()> {
    let upstream = ctx.config.settings.upstream.to_string();
    let same = |n: &Option<String>| {
        n.as_deref()
            .is_some_and(|n| n.eq_ignore_ascii_case(&upstream))
    };
    if repo.fork && (same(&repo.parent) || same(&repo.source)) {
        return Ok(());
    }
    Err(Error::NotAFork {
        repo: repo.full_name.clone(),
        upstream,
    })
}

fn learned(repo: &Repo) -> Learned {
    Learned::Fork {
        name: repo.full_name.clone(),
        url: repo.clone_url.clone(),
    }
}

/// The fork to make (offline: the local remote to seed).
pub(super) async fn effects(ctx: &Ctx) -> Result<Vec<Effect>> {
    if ctx.offline() {
        return Ok(vec![Effect::SeedRemote {
            path: ctx.config.offline_remote().display().to_string(),
        }]);
    }
    let login = ctx.login().await?;
    let upstream = ctx.config.settings.upstream.clone();
    Ok(vec![Effect::Fork {
        fork: format!("{login}/{}", upstream.name),
        upstream: upstream.to_string(),
    }])
}
