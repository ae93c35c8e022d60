//! push: the fork's branch holds a commit with our managed changes (rendered
//! values, add-on lines), and nothing of the participant's own edits.
//!
//! What to commit is derived from HEAD and the settings, not from the working
//! tree, so a re-run after a crash finds the commit already made and makes no
//! second one; the participant's unrelated edits stay uncommitted.

use super::Checked;
use crate::addon_catalog::{self, ADDONS_KUSTOMIZATION};
use crate::ctx::{Ctx, auth};
use crate::effect::Effect;
use crate::error::{Error, Result};
use crate::git::{self, PushOutcome, short};
use crate::state::Learned;
use crate::{kustomize, placeholders};

/// Pushing again after the remote moved: fetch, rebase, retry — a few times.
const PUSH_TRIES: usize = 3;

pub(super) async fn check(ctx: &Ctx) -> Result<Checked> {
    let repo = git::open(&ctx.config.clone_dir())?;
    let changes = pending_changes(ctx, &repo)?;
    if !changes.files.is_empty() {
        return Ok(Checked::to_do(format!("to commit: {}", changes.message)));
    }
    let head = git::head_commit(&repo)?;
    let remote = ctx.fork_head().await?;
    if remote == Some(head) {
        let mut found = Checked::done(format!(
            "{} at {}",
            ctx.config.settings.branch,
            short(&head.to_string())
        ))
        .learning(Learned::PushedCommit(head.to_string()));
        found.learned.extend(changes.placements);
        return Ok(found);
    }
    Ok(Checked::to_do("local commits not on the remote yet"))
}

/// The commit of our managed changes (from HEAD), and the push. `after`:
/// an earlier step of the plan commits too (a dry run cannot see it yet).
pub(super) async fn effects(ctx: &Ctx, after: bool) -> Result<Vec<Effect>> {
    let repo = git::open(&ctx.config.clone_dir())?;
    let changes = pending_changes(ctx, &repo)?;
    let branch = ctx.config.settings.branch.clone();
    let mut out = Vec::new();
    let commits = if changes.files.is_empty() {
        let head = git::head_commit(&repo)?;
        if ctx.fork_head().await? == Some(head) {
            "the commits the steps above make".to_string()
        } else if after {
            format!(
                "HEAD ({}) and the commits the steps above make",
                short(&head.to_string())
            )
        } else {
            format!("HEAD ({})", short(&head.to_string()))
        }
    } else {
        out.push(super::commit_effect(
            &repo,
            changes.message,
            changes.files,
            String::new(),
            changes.placements,
        )?);
        "the new commit".to_string()
    };
    out.push(Effect::Push {
        branch,
        commits,
        fast_forward_only: false,
    });
    Ok(out)
}

/// Push the clone's branch to the fork: nothing the cluster would refuse,
/// rebasing our commits onto a fork that grew, never over one rewritten.
pub(super) async fn push(ctx: &mut Ctx) -> Result<String> {
    let repo = git::open(&ctx.config.clone_dir())?;
    let mut detail = Vec::new();
    // Nothing is pushed that the cluster would refuse.
    crate::preflight::check_head(ctx, &repo).await?;
    let pair = ctx.git_auth().await?;
    let branch = ctx.config.settings.branch.clone();
    // Where the clone last saw the fork's branch, before any fetch below.
    let known = git::tracking_head(&repo, &branch);
    for _ in 0..PUSH_TRIES {
        let head = git::head_commit(&repo)?;
        // Asked once per command; a fetch or our push below moves it.
        let remote = ctx.fork_head().await?;
        if remote == Some(head) {
            break;
        }
        if let Some(tip) = remote {
            // A rewritten branch can still take our push as a fast-forward
            // (onto a tip it was rewound to): look before pushing.
            let tip = match repo.find_commit(tip) {
                Ok(_) => tip,
                Err(_) => git::fetch(&repo, &branch, auth(&pair))?,
            };
            ctx.fork_moved(Some(tip));
            refuse_a_rewrite(ctx, &repo, &branch, known, tip)?;
        }
        match git::push(&repo, &branch, auth(&pair))? {
            PushOutcome::Pushed => {
                ctx.fork_moved(Some(head));
                crate::pause::point("push:after-push");
                ctx.state.outputs.pushed_commit = Some(head.to_string());
                ctx.save()?;
                detail.push(format!("pushed {} to {branch}", short(&head.to_string())));
                break;
            }
            PushOutcome::NonFastForward => {
                let fetched = git::fetch(&repo, &branch, auth(&pair))?;
                ctx.fork_moved(Some(fetched));
                refuse_a_rewrite(ctx, &repo, &branch, known, fetched)?;
                let tip = git::rebase_onto(&repo, fetched)?;
                git::move_branch(&repo, &branch, tip, "eks-workshop: rebase onto the remote")?;
                detail.push("rebased onto the remote".into());
            }
        }
    }
    Ok(detail.join("; "))
}

/// The fork's branch moved on: rebasing our commits onto it is right when it
/// grew (someone pushed on top), wrong when it was rewritten (a force-push
/// that removed commits: a rebase would bring them back). Where the clone
/// last saw the branch, and what we last pushed, must still be in its
/// history.
fn refuse_a_rewrite(
    ctx: &Ctx,
    repo: &git2::Repository,
    branch: &str,
    known: Option<git2::Oid>,
    fetched: git2::Oid,
) -> Result<()> {
    let pushed = ctx
        .state
        .outputs
        .pushed_commit
        .as_deref()
        .and_then(|s| git2::Oid::from_str(s).ok())
        .filter(|oid| repo.find_commit(*oid).is_ok());
    let Some(lost) = [known, pushed]
        .into_iter()
        .flatten()
        .find(|old| !git::is_ancestor(repo, *old, fetched))
    else {
        return Ok(());
    };
    Err(Error::PushRejected {
        branch: branch.to_string(),
        message: format!(
            "the fork's {branch} was rewritten (force-pushed): it is at {} now, and {} is no longer in its history; eks-workshop does not rebase over a rewrite, which could bring back commits you removed",
            short(&fetched.to_string()),
            short(&lost.to_string()),
        ),
        help: format!(
            "decide in the clone which history to keep: `git fetch origin`, then `git rebase origin/{branch}` (keep your local commits) or `git reset --keep origin/{branch}` (take the fork's), then run `eks-workshop resume`"
        ),
    })
}

/// Managed files whose HEAD content differs from what it should be, and a
/// commit message naming the logical change.
struct Changes {
    files: Vec<(String, Vec<u8>)>,
    message: String,
    /// Where our values sit in HEAD's rendered files, once committed.
    placements: Vec<Learned>,
}

fn pending_changes(ctx: &Ctx, repo: &git2::Repository) -> Result<Changes> {
    let mut files = Vec::new();
    let mut placed = Vec::new();
    let mut what = Vec::new();
    let mut rendered_any = false;
    for rule in placeholders::RULES {
        let Some(head) = git::head_blob(repo, rule.path)? else {
            continue;
        };
        let Ok(text) = String::from_utf8(head) else {
            continue;
        };
        let placements = &ctx.state.outputs.placements;
        let before = placements.get(rule.path).map_or(&[][..], Vec::as_slice);
        let outcome = placeholders::render(rule, &text, &ctx.config.settings.values, before);
        if outcome.changed() {
            rendered_any = true;
            files.push((rule.path.to_string(), outcome.text.into_bytes()));
        }
        placed.push(Learned::Placements(
            rule.path.to_string(),
            outcome.placements,
        ));
    }
    if rendered_any {
        what.push("Render workshop manifests with the cluster's values".to_string());
    }
    let head_text = git::head_blob(repo, ADDONS_KUSTOMIZATION)?
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default();
    let path = ctx.config.clone_dir().join(ADDONS_KUSTOMIZATION);
    for (name, &enabled) in &ctx.config.settings.addons {
        let addon = addon_catalog::find(name)?;
        let flipped = kustomize::set_enabled(&head_text, addon.entry_in(&head_text), enabled)
            .map_err(|reason| Error::Kustomization {
                path: path.clone(),
                reason,
            })?;
        if flipped.is_some() {
            what.push(format!(
                "{} {name} add-on",
                if enabled { "Enable" } else { "Disable" }
            ));
        }
    }
    let wanted = super::addons::apply_wishes(&head_text, &ctx.config.settings.addons)
        .map_err(|reason| Error::Kustomization { path, reason })?;
    if wanted != head_text {
        files.push((ADDONS_KUSTOMIZATION.to_string(), wanted.into_bytes()));
    }
    Ok(Changes {
        files,
        message: what.join("; "),
        placements: placed,
    })
}
