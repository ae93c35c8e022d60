//! GitHub's JSON shapes, with every field octocrab 0.54 requires (`models::Author`,
//! `models::Repository`, `models::Permissions`) plus the usual optional ones.

use serde_json::{Value, json};

use super::state::{RepoMeta, State};

pub const DOCS_URL: &str = "https://docs.github.com/rest";

/// GitHub's error body, e.g. `{"message":"Not Found",...,"status":"404"}`.
pub fn error(message: &str, status: u16) -> Value {
    json!({ "message": message, "documentation_url": DOCS_URL, "status": status.to_string() })
}

/// A `models::Author`-compatible account; `is_user` picks `"User"` or `"Organization"`.
pub fn account(base: &str, login: &str, id: u64, is_user: bool) -> Value {
    let api = format!("{base}users/{login}");
    json!({
        "login": login,
        "id": id,
        "node_id": format!("U_forge{id}"),
        "avatar_url": format!("{base}avatars/{login}"),
        "gravatar_id": "",
        "url": api,
        "html_url": format!("{base}{login}"),
        "followers_url": format!("{api}/followers"),
        "following_url": format!("{api}/following{{/other_user}}"),
        "gists_url": format!("{api}/gists{{/gist_id}}"),
        "starred_url": format!("{api}/starred{{/owner}}{{/repo}}"),
        "subscriptions_url": format!("{api}/subscriptions"),
        "organizations_url": format!("{api}/orgs"),
        "repos_url": format!("{api}/repos"),
        "events_url": format!("{api}/events{{/privacy}}"),
        "received_events_url": format!("{api}/received_events"),
        "type": if is_user { "User" } else { "Organization" },
        "site_admin": false,
        "name": null,
    })
}

/// Account JSON for `login` from the forge's state.
pub fn account_of(st: &mut State, base: &str, login: &str) -> Value {
    let id = st.account_id(login);
    account(base, login, id, st.is_user(login))
}

/// A `models::Repository`; `viewer` decides `permissions` (absent when anonymous);
/// forks carry `parent` and `source` as nested repos, as GitHub's single-repo GET does.
pub fn repo(
    st: &mut State,
    base: &str,
    owner: &str,
    name: &str,
    viewer: Option<&str>,
) -> Option<Value> {
    let mut v = repo_flat(st, base, owner, name, viewer)?;
    let parent = st.repo(owner, name)?.parent.clone();
    if let Some((po, pn)) = parent {
        v["parent"] = repo_flat(st, base, &po, &pn, viewer)?;
        let (so, sn) = st.source_of(owner, name)?;
        v["source"] = repo_flat(st, base, &so, &sn, viewer)?;
    }
    Some(v)
}

fn repo_flat(
    st: &mut State,
    base: &str,
    owner: &str,
    name: &str,
    viewer: Option<&str>,
) -> Option<Value> {
    let owner_json = account_of(st, base, owner);
    let forks = st.forks_of(owner, name).len();
    let m: &RepoMeta = st.repo(owner, name)?;
    let api = format!("{base}repos/{owner}/{name}");
    let created = rfc3339(m.created_epoch());
    let mut v = json!({
        "id": m.id,
        "node_id": format!("R_forge{}", m.id),
        "name": name,
        "full_name": format!("{owner}/{name}"),
        "owner": owner_json,
        "private": false,
        "visibility": "public",
        "html_url": format!("{base}{owner}/{name}"),
        "description": null,
        "fork": m.parent.is_some(),
        "url": api,
        "forks_url": format!("{api}/forks"),
        "branches_url": format!("{api}/branches{{/branch}}"),
        "contents_url": format!("{api}/contents/{{+path}}"),
        "git_refs_url": format!("{api}/git/refs{{/sha}}"),
        "hooks_url": format!("{api}/hooks"),
        "clone_url": format!("{base}{owner}/{name}.git"),
        "svn_url": format!("{base}{owner}/{name}"),
        "homepage": null,
        "language": null,
        "forks_count": forks,
        "stargazers_count": 0,
        "watchers_count": 0,
        "size": 0,
        "default_branch": m.default_branch,
        "open_issues_count": 0,
        "is_template": false,
        "topics": [],
        "has_issues": m.parent.is_none(),
        "has_projects": true,
        "has_wiki": true,
        "has_pages": false,
        "has_downloads": true,
        "archived": false,
        "disabled": false,
        "allow_forking": true,
        "created_at": created,
        "updated_at": created,
        "pushed_at": created,
    });
    if let Some(login) = viewer {
        let admin = m.may_push(login);
        v["permissions"] = json!({ "admin": admin, "maintain": admin, "push": admin, "triage": admin, "pull": true });
    }
    Some(v)
}

/// Seconds since the epoch as `YYYY-MM-DDTHH:MM:SSZ` (civil-from-days, proleptic Gregorian).
pub fn rfc3339(epoch: u64) -> String {
    let (days, secs) = ((epoch / 86_400) as i64, epoch % 86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let (h, mi, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    format!("{year:04}-{month:02}-{day:02}T{h:02}:{mi:02}:{s:02}Z")
}

#[cfg(test)]
mod tests {
    #[test]
    fn rfc3339_known_dates() {
        assert_eq!(super::rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(super::rfc3339(1_700_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(super::rfc3339(951_782_400), "2000-02-29T00:00:00Z");
    }
}
