//! A classic token's OAuth scopes, as GitHub states them in the
//! `X-OAuth-Scopes` header of every answer to it: read on `GET /user`, so a
//! token that cannot push stops `setup` before the fork is made rather than
//! at the push, after it. A fine-grained token has no scopes (no header):
//! GitHub's `permissions.push` on the fork says it once the fork exists.

use http::HeaderMap;

/// The scopes GitHub named (an empty list: a classic token with none);
/// `None` when the answer carries no `X-OAuth-Scopes`.
pub(super) fn of(headers: &HeaderMap) -> Option<Vec<String>> {
    let value = headers.get("x-oauth-scopes")?;
    let text = String::from_utf8_lossy(value.as_bytes());
    Some(
        text.split(',')
            .map(|s| crate::outside::one_line(s.trim()))
            .filter(|s| !s.is_empty())
            .collect(),
    )
}

/// Whether a classic token with `scopes` may push to a public fork: `repo`
/// (every repository) or `public_repo` (public ones; the workshop's
/// upstream is public, and so is its fork).
pub(crate) fn can_push(scopes: &[String]) -> bool {
    scopes.iter().any(|s| s == "repo" || s == "public_repo")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(value: Option<&str>) -> HeaderMap {
        let mut h = HeaderMap::new();
        if let Some(v) = value {
            h.insert("x-oauth-scopes", v.parse().unwrap());
        }
        h
    }

    #[test]
    fn the_header_is_read_as_a_list_and_its_absence_as_no_scopes_known() {
        assert_eq!(of(&headers(None)), None);
        assert_eq!(of(&headers(Some(""))), Some(vec![]));
        assert_eq!(
            of(&headers(Some("read:user, repo,gist"))),
            Some(vec!["read:user".into(), "repo".into(), "gist".into()])
        );
    }

    #[test]
    fn repo_or_public_repo_can_push_nothing_else_can() {
        let s = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(can_push(&s(&["repo"])));
        assert!(can_push(&s(&["read:user", "public_repo"])));
        for cannot in [
            &[][..],
            &["read:user"],
            &["repo:status", "repo_deployment"],
            &["workflow"],
        ] {
            assert!(!can_push(&s(cannot)), "{cannot:?}");
        }
    }
}
