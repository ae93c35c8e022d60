//! The GitHub REST subset: `GET /user`, `GET|DELETE /repos/{o}/{r}`,
//! `GET|POST /repos/{o}/{r}/forks`. Everything else is GitHub's 404 JSON.

use std::time::Instant;

use hyper::header::AUTHORIZATION;
use hyper::{HeaderMap, Method, StatusCode};
use serde::Deserialize;
use serde_json::Value;

use super::server::{Resp, add_rate_headers, json_response, set_header};
use super::state::{RepoMeta, State};
use super::{Shared, json, repos};

/// Who the `Authorization` header says the caller is.
enum Auth {
    Anonymous,
    User(String),
    /// A header was sent but its token is unknown: GitHub answers 401 everywhere.
    Bad,
}

type Reply = Result<(StatusCode, Value), (StatusCode, &'static str)>;

/// Handles one API request; returns the response and the authenticated login.
pub(super) fn handle(
    shared: &Shared,
    method: &Method,
    path: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> (Resp, Option<String>) {
    let auth = authenticate(shared, headers);
    let login = match &auth {
        Auth::User(l) => Some(l.clone()),
        _ => None,
    };
    let reply = match auth {
        Auth::Bad => Err((StatusCode::UNAUTHORIZED, "Bad credentials")),
        _ if method == Method::DELETE => {
            delete_repo(shared, path, login.as_deref(), token_of(headers))
        }
        _ => route(shared, method, path, login.as_deref(), body),
    };
    let (status, value) = reply.unwrap_or_else(|(s, msg)| (s, json::error(msg, s.as_u16())));
    shared.lock().api_calls += 1;
    let mut resp = json_response(status, &value);
    add_rate_headers(shared, &mut resp);
    // A classic token's scopes come with every answer it authenticates.
    let scopes = match (&login, token_of(headers)) {
        (Some(_), Some(token)) => shared.lock().scopes_of(&token).map(|s| s.join(", ")),
        _ => None,
    };
    if let Some(scopes) = scopes {
        set_header(&mut resp, "x-oauth-scopes", &scopes);
    }
    (resp, login)
}

/// Accepts `Bearer T` (what octocrab sends), `token T` (the older form) and
/// Basic with the token as password, as GitHub does.
fn authenticate(shared: &Shared, headers: &HeaderMap) -> Auth {
    let Some(value) = headers.get(AUTHORIZATION) else {
        return Auth::Anonymous;
    };
    let value = value.to_str().unwrap_or("");
    if value.starts_with("Basic ") {
        return super::git_http::basic_login(shared, headers).map_or(Auth::Bad, Auth::User);
    }
    let token = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("token "));
    match token.and_then(|t| shared.lock().login_for_token(t.trim())) {
        Some(login) => Auth::User(login),
        None => Auth::Bad,
    }
}

/// The token of a `Bearer`/`token` header, or the Basic password (else user).
pub(super) fn token_of(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    if let Some(encoded) = value.strip_prefix("Basic ") {
        use base64::Engine;
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(encoded.trim())
            .ok()?;
        let decoded = String::from_utf8(decoded).ok()?;
        let (user, password) = decoded.split_once(':').unwrap_or((&decoded, ""));
        return Some(if password.is_empty() { user } else { password }.to_string());
    }
    value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("token "))
        .map(|t| t.trim().to_string())
}

fn route(shared: &Shared, method: &Method, path: &str, login: Option<&str>, body: &[u8]) -> Reply {
    let segs: Vec<&str> = path.trim_matches('/').split('/').collect();
    match (method.as_str(), segs.as_slice()) {
        ("GET", ["user"]) => current_user(shared, login),
        ("GET", ["repos", owner, repo]) => get_repo(shared, owner, repo, login),
        ("GET", ["repos", owner, repo, "forks"]) => list_forks(shared, owner, repo, login),
        ("POST", ["repos", owner, repo, "forks"]) => create_fork(shared, owner, repo, login, body),
        _ => Err((StatusCode::NOT_FOUND, "Not Found")),
    }
}

/// `DELETE /repos/{owner}/{repo}`, as GitHub allows it: to an admin of the
/// repository (its owner or creator) whose token, when a classic one, has
/// the `delete_repo` scope. 204, and the repository is gone, on disk too.
fn delete_repo(shared: &Shared, path: &str, login: Option<&str>, token: Option<String>) -> Reply {
    let segs: Vec<&str> = path.trim_matches('/').split('/').collect();
    let ["repos", owner, repo] = segs.as_slice() else {
        return Err((StatusCode::NOT_FOUND, "Not Found"));
    };
    let login = login.ok_or((StatusCode::UNAUTHORIZED, "Requires authentication"))?;
    let mut st = shared.lock();
    let admin = match st.repo(owner, repo) {
        None => return Err((StatusCode::NOT_FOUND, "Not Found")),
        Some(meta) => meta.may_push(login),
    };
    let scoped = token
        .as_deref()
        .and_then(|t| st.scopes_of(t))
        .is_none_or(|s| s.iter().any(|s| s == "delete_repo"));
    if !admin || !scoped {
        return Err((
            StatusCode::FORBIDDEN,
            "Must have admin rights to Repository.",
        ));
    }
    st.remove_repo(owner, repo);
    let dir = shared.repo_path(owner, repo);
    std::fs::remove_dir_all(&dir).unwrap_or_else(|e| panic!("forge: remove {dir:?}: {e}"));
    Ok((StatusCode::NO_CONTENT, Value::Null))
}

fn current_user(shared: &Shared, login: Option<&str>) -> Reply {
    let login = login.ok_or((StatusCode::UNAUTHORIZED, "Requires authentication"))?;
    Ok((
        StatusCode::OK,
        json::account_of(&mut shared.lock(), &shared.base_url, login),
    ))
}

fn get_repo(shared: &Shared, owner: &str, repo: &str, login: Option<&str>) -> Reply {
    let v = json::repo(&mut shared.lock(), &shared.base_url, owner, repo, login);
    v.map(|v| (StatusCode::OK, v))
        .ok_or((StatusCode::NOT_FOUND, "Not Found"))
}

fn list_forks(shared: &Shared, owner: &str, repo: &str, login: Option<&str>) -> Reply {
    let mut st = shared.lock();
    if st.repo(owner, repo).is_none() {
        return Err((StatusCode::NOT_FOUND, "Not Found"));
    }
    let forks: Vec<(String, String)> = st
        .forks_of(owner, repo)
        .iter()
        .map(|m| (m.owner.clone(), m.name.clone()))
        .collect();
    let list = forks
        .iter()
        .filter_map(|(o, n)| json::repo(&mut st, &shared.base_url, o, n, login))
        .collect();
    Ok((StatusCode::OK, Value::Array(list)))
}

/// The body of `POST /repos/{owner}/{repo}/forks`; every field is optional.
#[derive(Deserialize, Default)]
struct ForkRequest {
    organization: Option<String>,
    name: Option<String>,
    #[serde(default)]
    default_branch_only: bool,
}

fn create_fork(
    shared: &Shared,
    owner: &str,
    repo: &str,
    login: Option<&str>,
    body: &[u8],
) -> Reply {
    let login = login.ok_or((StatusCode::UNAUTHORIZED, "Requires authentication"))?;
    let req: ForkRequest = if body.iter().all(u8::is_ascii_whitespace) {
        ForkRequest::default()
    } else {
        serde_json::from_slice(body)
            .map_err(|_| (StatusCode::BAD_REQUEST, "Problems parsing JSON"))?
    };
    // Held across the disk copy so two concurrent forks cannot pick the same name.
    let mut st = shared.lock();
    let (fork_owner, fork_name) = fork_into(shared, &mut st, owner, repo, login, &req)?;
    let v = json::repo(
        &mut st,
        &shared.base_url,
        &fork_owner,
        &fork_name,
        Some(login),
    );
    v.map(|v| (StatusCode::ACCEPTED, v))
        .ok_or((StatusCode::INTERNAL_SERVER_ERROR, "fork vanished"))
}

/// Finds the account's existing fork, or creates one on disk and in the state.
fn fork_into(
    shared: &Shared,
    st: &mut State,
    owner: &str,
    repo: &str,
    login: &str,
    req: &ForkRequest,
) -> Result<(String, String), (StatusCode, &'static str)> {
    let upstream = st
        .repo(owner, repo)
        .ok_or((StatusCode::NOT_FOUND, "Not Found"))?;
    let default_branch = upstream.default_branch.clone();
    let account = req.organization.as_deref().unwrap_or(login);
    // GitHub answers an repeated fork request with the fork that already exists.
    if let Some(existing) = st
        .forks_of(owner, repo)
        .into_iter()
        .find(|m| m.owner == account)
    {
        return Ok((existing.owner.clone(), existing.name.clone()));
    }
    let name = st.free_name(account, req.name.as_deref().unwrap_or(repo));
    let (src, dst) = (
        shared.repo_path(owner, repo),
        shared.repo_path(account, &name),
    );
    repos::fork(&src, &dst, &default_branch, req.default_branch_only)
        .map_err(|_| (StatusCode::INTERNAL_SERVER_ERROR, "fork copy failed"))?;
    let mut meta = RepoMeta::new(account, &name, &default_branch);
    meta.parent = Some((owner.to_string(), repo.to_string()));
    meta.creator = Some(login.to_string());
    meta.git_ready_at = Instant::now() + st.fork_delay;
    st.insert_repo(meta);
    Ok((account.to_string(), name))
}
