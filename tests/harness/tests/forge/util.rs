//! Helpers for the forge tests: raw HTTP (the harness's client), and the git CLI with a
//! credential helper that reads the token from an env var (never from the URL).

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Command, Output};

use base64::Engine;
use harness::apiserver::client::request;

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

/// Sends one request (through the harness's raw client); `Err` if the server
/// closed the connection without answering.
pub fn try_http(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> std::io::Result<Reply> {
    let raw = request(&format!("http://{addr}"), method, path, headers, body)?;
    Ok(Reply {
        status: raw.status,
        headers: raw
            .headers
            .into_iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), v))
            .collect(),
        body: raw.body,
    })
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
