//! Git smart-HTTP through the real `git http-backend` CGI, behind GitHub-like
//! HTTP Basic token auth, per-owner push rights and asynchronous fork creation.
//!
//! Unlike GitHub, anonymous reads of public repos are refused (401) too: the
//! workshop always sends its token, and a test should notice if it stops doing so.

use std::process::Stdio;
use std::sync::OnceLock;
use std::time::Instant;

use base64::Engine;
use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{AUTHORIZATION, HeaderName, HeaderValue};
use hyper::{HeaderMap, Method, Response, StatusCode};
use tokio::io::AsyncWriteExt;

use super::Shared;
use super::server::{Resp, set_header, text};

/// The repository part of a git request: `/{owner}/{repo}.git/{rest}?{query}`.
pub(super) struct Target<'a> {
    pub owner: &'a str,
    pub repo: &'a str,
    pub rest: &'a str,
    pub query: &'a str,
}

impl Target<'_> {
    fn is_push(&self) -> bool {
        self.rest == "git-receive-pack"
            || self
                .query
                .split('&')
                .any(|p| p == "service=git-receive-pack")
    }
}

/// Authenticates, authorises, then runs the CGI; returns the login too.
pub(super) async fn handle(
    shared: &Shared,
    method: &Method,
    t: Target<'_>,
    headers: &HeaderMap,
    body: Bytes,
) -> (Resp, Option<String>) {
    let Some(login) = basic_login(shared, headers) else {
        let mut r = text(StatusCode::UNAUTHORIZED, "Invalid username or token.\n");
        set_header(&mut r, "www-authenticate", "Basic realm=\"GitHub\"");
        return (r, None);
    };
    let (exists, may_push) = {
        let st = shared.lock();
        match st.repo(t.owner, t.repo) {
            // Not yet "created" forks look exactly like missing repos, as on GitHub.
            Some(m) if Instant::now() >= m.git_ready_at => {
                let scoped = super::api::token_of(headers).is_none_or(|t| st.scopes_may_push(&t));
                (true, m.may_push(&login) && scoped)
            }
            _ => (false, false),
        }
    };
    if !exists {
        return (
            text(StatusCode::NOT_FOUND, "Repository not found.\n"),
            Some(login),
        );
    }
    if t.is_push() && !may_push {
        let msg = format!(
            "Permission to {}/{}.git denied to {login}.\n",
            t.owner, t.repo
        );
        return (text(StatusCode::FORBIDDEN, &msg), Some(login));
    }
    let resp = match run_cgi(shared, method, &t, headers, body, &login).await {
        Ok(r) => r,
        Err(e) => text(
            StatusCode::INTERNAL_SERVER_ERROR,
            &format!("forge: git http-backend: {e}\n"),
        ),
    };
    (resp, Some(login))
}

/// GitHub takes the token as the Basic password (any username) or as the username.
pub(super) fn basic_login(shared: &Shared, headers: &HeaderMap) -> Option<String> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let encoded = value.strip_prefix("Basic ")?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let decoded = String::from_utf8(decoded).ok()?;
    let (user, password) = decoded.split_once(':').unwrap_or((&decoded, ""));
    let st = shared.lock();
    st.login_for_token(password)
        .or_else(|| st.login_for_token(user))
}

fn http_backend() -> &'static std::path::Path {
    static PATH: OnceLock<std::path::PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        let out = std::process::Command::new("git")
            .arg("--exec-path")
            .output()
            .expect("forge: `git --exec-path` (is git installed?)");
        let dir = String::from_utf8_lossy(&out.stdout).trim().to_string();
        std::path::Path::new(&dir).join("git-http-backend")
    })
}

/// Runs `git http-backend` with a clean environment; the token never reaches it.
async fn run_cgi(
    shared: &Shared,
    method: &Method,
    t: &Target<'_>,
    headers: &HeaderMap,
    body: Bytes,
    login: &str,
) -> std::io::Result<Resp> {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    let mut cmd = tokio::process::Command::new(http_backend());
    cmd.env_clear()
        .env("PATH", "/usr/local/bin:/usr/bin:/bin") // for the pre-receive hook's sh/grep
        .env("HOME", &shared.home)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_PROJECT_ROOT", &shared.repos_root)
        .env("GIT_HTTP_EXPORT_ALL", "1")
        .env(
            "PATH_INFO",
            format!("/{}/{}.git/{}", t.owner, t.repo, t.rest),
        )
        .env("QUERY_STRING", t.query)
        .env("REQUEST_METHOD", method.as_str())
        .env("CONTENT_TYPE", header("content-type"))
        .env("CONTENT_LENGTH", body.len().to_string())
        .env("REMOTE_USER", login)
        .env("REMOTE_ADDR", "127.0.0.1");
    for (var, name) in [
        ("GIT_PROTOCOL", "git-protocol"),
        ("HTTP_CONTENT_ENCODING", "content-encoding"),
    ] {
        let value = header(name);
        if !value.is_empty() {
            cmd.env(var, value);
        }
    }
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let mut child = cmd.spawn()?;
    let mut stdin = child
        .stdin
        .take()
        .ok_or_else(|| std::io::Error::other("no stdin"))?;
    // Feed stdin concurrently: the CGI may answer before reading all of it.
    let feeder = tokio::spawn(async move {
        let _ = stdin.write_all(&body).await;
    });
    let out = child.wait_with_output().await?;
    let _ = feeder.await;
    if !out.status.success() {
        eprintln!(
            "forge: git http-backend {}: {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
    }
    parse_cgi(&out.stdout)
}

/// Splits CGI output into headers (with `Status:`) and body.
fn parse_cgi(out: &[u8]) -> std::io::Result<Resp> {
    let bad = |m: &str| std::io::Error::other(format!("malformed CGI output: {m}"));
    let (head_len, sep_len) = find_header_end(out).ok_or_else(|| bad("no blank line"))?;
    let head = std::str::from_utf8(&out[..head_len]).map_err(|_| bad("non-UTF-8 headers"))?;
    let mut resp = Response::new(Full::new(Bytes::copy_from_slice(
        &out[head_len + sep_len..],
    )));
    for line in head.lines().filter(|l| !l.is_empty()) {
        let (name, value) = line.split_once(':').ok_or_else(|| bad(line))?;
        let value = value.trim();
        if name.eq_ignore_ascii_case("status") {
            let code = value
                .split_whitespace()
                .next()
                .and_then(|c| c.parse().ok())
                .ok_or_else(|| bad(line))?;
            *resp.status_mut() = StatusCode::from_u16(code).map_err(|_| bad(line))?;
        } else if let (Ok(n), Ok(v)) = (
            HeaderName::try_from(name.trim()),
            HeaderValue::try_from(value),
        ) {
            resp.headers_mut().append(n, v);
        }
    }
    Ok(resp)
}

fn find_header_end(out: &[u8]) -> Option<(usize, usize)> {
    let crlf = out
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|i| (i, 4));
    let lf = out.windows(2).position(|w| w == b"\n\n").map(|i| (i, 2));
    match (crlf, lf) {
        (Some(a), Some(b)) => Some(if a.0 <= b.0 { a } else { b }),
        (a, b) => a.or(b),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn parses_status_headers_and_body() {
        let r = super::parse_cgi(b"Status: 404 Not Found\r\nContent-Type: text/plain\r\n\r\nnope")
            .expect("parse");
        assert_eq!(r.status().as_u16(), 404);
        assert_eq!(r.headers()["content-type"], "text/plain");
        let r = super::parse_cgi(b"Content-Type: x/y\n\nbody\r\n\r\n").expect("parse");
        assert_eq!(r.status().as_u16(), 200);
        assert_eq!(r.headers()["content-type"], "x/y");
        assert!(super::parse_cgi(b"no separator").is_err());
    }
}
