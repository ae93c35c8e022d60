//! `verify`'s GitHub token check: can the token push to the fork (what
//! `verify --fix` and `upgrade` do)? A classic token by its scopes
//! (`X-OAuth-Scopes` on `GET /user`), any other by GitHub's
//! `permissions.push` on the fork. Read-only; what cannot be asked is a skip
//! that says why, Ctrl-C the one error.

use crate::config::RepoName;
use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::github::scopes;
use crate::verdict::{Item, Section, Severity};

const NAME: &str = "github token";

pub(crate) async fn section(ctx: &Ctx) -> Result<Section> {
    if ctx.offline() {
        return Ok(Section::skipped(NAME, "offline (GitHub is not asked)"));
    }
    match run(ctx).await {
        Err(Error::Interrupted) => Err(Error::Interrupted),
        Err(e) => Ok(Section::skipped(NAME, format!("stopped: {e}"))),
        Ok(section) => Ok(section),
    }
}

async fn run(ctx: &Ctx) -> Result<Section> {
    let fork = ctx.state.outputs.fork.clone();
    if let Some(scopes) = ctx.token_scopes().await? {
        return Ok(Section::ran(NAME, vec![by_scopes(&scopes, fork)]));
    }
    let Some(name) = fork.as_deref().and_then(|f| f.parse::<RepoName>().ok()) else {
        return Ok(Section::skipped(
            NAME,
            "the token has no scopes (fine-grained) and there is no fork yet to ask GitHub about",
        ));
    };
    let push = ctx.github()?.repo(&name).await?.and_then(|r| r.push);
    Ok(Section::ran(
        NAME,
        vec![by_permission(&name.to_string(), push)],
    ))
}

/// A classic token, by its scopes.
fn by_scopes(scopes: &[String], fork: Option<String>) -> Item {
    let listed = if scopes.is_empty() {
        "none".to_string()
    } else {
        scopes.join(", ")
    };
    let item = if scopes::can_push(scopes) {
        Item::new(
            Severity::Fine,
            "GitHub token",
            format!("a classic token whose scopes ({listed}) can push to the fork"),
        )
    } else {
        let e = Error::TokenScopes {
            scopes: scopes.to_vec(),
            fork,
        };
        let fix = e.help().unwrap_or_default();
        Item::new(Severity::Blocking, "GitHub token", e.to_string()).fix(fix)
    };
    item.fact("check", "github-token").fact("scopes", scopes)
}

/// Any other token, by what GitHub says of the fork.
fn by_permission(fork: &str, push: Option<bool>) -> Item {
    let item = match push {
        Some(true) => Item::new(
            Severity::Fine,
            "GitHub token",
            format!("GitHub says the token may push to {fork}"),
        ),
        Some(false) => {
            let e = Error::CannotPush {
                repo: fork.to_string(),
            };
            let fix = e.help().unwrap_or_default();
            Item::new(Severity::Blocking, "GitHub token", e.to_string()).fix(fix)
        }
        None => Item::new(
            Severity::ToDo,
            "GitHub token",
            format!("GitHub did not say whether the token may push to {fork} (no such fork, or no permissions in its answer)"),
        )
        .fix("check the token's permissions on GitHub: Contents: Read and write on the fork (README: GitHub token)"),
    };
    item.fact("check", "github-token")
        .fact("fork", fork)
        .fact("push", push)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_classic_token_is_judged_by_its_scopes() {
        assert_eq!(
            by_scopes(&s(&["public_repo"]), None).severity,
            Severity::Fine
        );
        let blocked = by_scopes(&s(&["read:user"]), Some("alice/w".into()));
        assert_eq!(blocked.severity, Severity::Blocking);
        assert!(
            blocked.message.contains("nothing was pushed to alice/w"),
            "{}",
            blocked.message
        );
        assert!(
            blocked.fix.contains("`public_repo` scope"),
            "{}",
            blocked.fix
        );
        assert_eq!(blocked.facts["scopes"], serde_json::json!(["read:user"]));
    }

    #[test]
    fn any_other_token_by_what_github_says_of_the_fork() {
        assert_eq!(by_permission("a/w", Some(true)).severity, Severity::Fine);
        let blocked = by_permission("a/w", Some(false));
        assert_eq!(blocked.severity, Severity::Blocking);
        assert!(blocked.fix.contains("Contents: Read and write"));
        assert_eq!(by_permission("a/w", None).severity, Severity::ToDo);
    }
}
