//! Helpers for the forge tests: raw HTTP over `TcpStream`, and the git CLI with a
//! credential helper that reads the token from an env var (never from the URL).

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use base64::Engine;

/// A parsed HTTP/1.1 response.
pub struct Reply {
    pub status: u16,
    /// Lower-cased header names.
    pub headers: BTreeMap<String, String>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "body is not JSON ({e}): {}",
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers.get(name).map_or("", String::as_str)
    }
}

/// Sends one request with `Connection: close`; `Err` if the server closed the
/// connection without answering.
pub fn try_http(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> std::io::Result<Reply> {
    let mut s = TcpStream::connect(addr)?;
    s.set_read_timeout(Some(Duration::from_secs(20)))?;
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes())?;
    s.write_all(body)?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw)?;
    if raw.is_empty() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::UnexpectedEof,
            "closed without a response",
        ));
    }
    Ok(parse(&raw))
}

pub fn http(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Reply {
    try_http(addr, method, path, headers, body).unwrap_or_else(|e| panic!("{method} {path}: {e}"))
}

/// Responses from the forge carry `Content-Length` (bodies are never chunked).
fn parse(raw: &[u8]) -> Reply {
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("response has a header block");
    let head = std::str::from_utf8(&raw[..end]).expect("UTF-8 headers");
    let mut lines = head.split("\r\n");
    let status_line = lines.next().expect("status line");
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .expect("status code");
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    Reply {
        status,
        headers,
        body: raw[end + 4..].to_vec(),
    }
}

pub fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

pub fn basic(user: &str, token: &str) -> String {
    let enc = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{token}"));
    format!("Basic {enc}")
}

/// Runs `git` in `dir` with a scratch HOME and no inherited config or prompts.
/// With `token`, a credential helper answers `get` from `$FORGE_TOKEN`.
pub fn git(dir: &Path, home: &Path, token: Option<&str>, args: &[&str]) -> Output {
    let mut cmd = Command::new("git");
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_TERMINAL_PROMPT", "0")
        .current_dir(dir)
        .args([
            "-c",
            "user.name=Test",
            "-c",
            "user.email=test@example.invalid",
            "-c",
            "credential.helper=",
        ]);
    if let Some(t) = token {
        cmd.env("FORGE_TOKEN", t).args([
            "-c",
            r#"credential.helper=!f() { test "$1" = get && echo username=forge-user && echo "password=$FORGE_TOKEN"; }; f"#,
        ]);
    }
    cmd.args(args).output().expect("run git")
}

/// Like [`git`] but panics with git's stderr unless it succeeded.
pub fn git_ok(dir: &Path, home: &Path, token: Option<&str>, args: &[&str]) -> String {
    let out = git(dir, home, token, args);
    assert!(
        out.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// A directory with a couple of files, one nested and one executable.
pub fn content_dir(root: &Path) -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let dir = root.join("content");
    std::fs::create_dir_all(dir.join("flux/apps")).expect("mkdir");
    std::fs::write(dir.join("README.md"), "# Workshop\n").expect("write");
    std::fs::write(dir.join("flux/apps/app.yaml"), "kind: Kustomization\n").expect("write");
    std::fs::write(dir.join("install.sh"), "#!/bin/sh\necho hi\n").expect("write");
    std::fs::set_permissions(
        dir.join("install.sh"),
        std::fs::Permissions::from_mode(0o755),
    )
    .expect("chmod");
    dir
}
