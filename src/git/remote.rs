//! Talking to the remote: ls-remote, clone, fetch, push. Transient network
//! failures are retried with capped backoff; every message is scrubbed of the
//! token, whatever libgit2 put in it.

use std::cell::Cell;
use std::path::Path;

use git2::{Cred, CredentialType, FetchOptions, Oid, PushOptions, RemoteCallbacks, Repository};

use crate::backoff::Backoff;
use crate::config::Secret;
use crate::error::{Error, Result};

/// Who talks to the remote: `None` for a local (offline) remote.
#[derive(Clone, Copy)]
pub(crate) struct Auth<'a> {
    pub(crate) login: &'a str,
    pub(crate) token: &'a Secret,
}

/// Callbacks that answer the first credentials request with the token and
/// refuse a second (libgit2 asks again after a 401; answering again would loop).
fn callbacks<'a>(auth: Option<Auth<'a>>, asked: &'a Cell<u32>) -> RemoteCallbacks<'a> {
    let mut cb = RemoteCallbacks::new();
    cb.credentials(move |_url, _user, allowed| {
        asked.set(asked.get() + 1);
        match auth {
            Some(a)
                if asked.get() == 1 && allowed.contains(CredentialType::USER_PASS_PLAINTEXT) =>
            {
                Cred::userpass_plaintext(a.login, a.token.expose())
            }
            _ => Err(git2::Error::from_str("the server rejected the credentials")),
        }
    });
    cb
}

/// Map a git2 error from talking to `url`, telling auth failures apart.
/// The message is scrubbed of the token, whatever libgit2 put in it.
fn remote_error(
    action: &str,
    url: &str,
    asked: &Cell<u32>,
    err: &git2::Error,
    auth: Option<Auth>,
    tries: u32,
) -> Error {
    let msg = crate::outside::one_line(&redact_opt(err.message(), auth));
    // "requires authentication that we do not support": a 401 whose
    // challenge offers no Basic auth, which a token cannot answer.
    let auth_failed = ["401", "rejected the credentials", "requires authentication"]
        .iter()
        .any(|w| msg.contains(w));
    if asked.get() > 1 || auth_failed {
        return Error::Unauthorized {
            service: format!("git ({url})"),
            message: "authentication failed".into(),
            help: format!(
                "check that GITHUB_TOKEN is valid and may write to the fork: {}",
                crate::config::PERMISSIONS
            ),
        };
    }
    if msg.contains("403") {
        return Error::Forbidden {
            service: format!("git ({url})"),
            message: msg,
            help: format!(
                "the token may not write to the fork: {}",
                crate::config::PERMISSIONS
            ),
        };
    }
    if transient(err) || err.class() == git2::ErrorClass::Ssl {
        let message = if tries > 1 {
            format!("{msg} ({tries} tries)")
        } else {
            msg
        };
        return Error::Network {
            service: url.to_string(),
            message,
            help: "check the network connection, then run `eks-workshop resume`".into(),
        };
    }
    Error::Git {
        action: format!("{action} ({url})"),
        message: msg,
    }
}

/// A failure worth another try: the server had trouble (5xx), or the
/// connection broke or timed out. Not auth, not "not found", not TLS.
fn transient(err: &git2::Error) -> bool {
    let msg = err.message().to_ascii_lowercase();
    if msg.contains("status code: 5") {
        return true;
    }
    let network_class = matches!(
        err.class(),
        git2::ErrorClass::Net | git2::ErrorClass::Http | git2::ErrorClass::Os
    );
    let broken = [
        "timed out",
        "timeout",
        "reset",
        "broken pipe",
        "eof",
        "closed",
        "failed to connect",
        "could not connect",
        "failed to send",
        "failed to receive",
        "early eof",
    ]
    .iter()
    .any(|w| msg.contains(w));
    network_class && broken && !msg.contains("status code: 4")
}

/// libgit2 waits forever by default: a black-holed remote would hang a push.
/// Connecting gets [`CONNECT_TIMEOUT`], and every read the network timeout.
fn set_timeouts() {
    static SET: std::sync::Once = std::sync::Once::new();
    SET.call_once(|| {
        let ms = |d: std::time::Duration| i32::try_from(d.as_millis()).unwrap_or(i32::MAX);
        // SAFETY: libgit2's global options, set once before any transfer
        // starts (the Once orders it before every remote call of ours).
        unsafe {
            let _ = git2::opts::set_server_connect_timeout_in_milliseconds(ms(CONNECT_TIMEOUT));
            let _ = git2::opts::set_server_timeout_in_milliseconds(ms(
                crate::backoff::network_timeout(),
            ));
        }
    });
}

const CONNECT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// Run a network operation, again after a capped, jittered backoff while it
/// fails transiently, a bounded number of times. `attempt` gets a fresh
/// credentials counter each time.
fn with_retries<T>(
    action: &str,
    url: &str,
    auth: Option<Auth>,
    mut attempt: impl FnMut(&Cell<u32>) -> std::result::Result<T, git2::Error>,
) -> Result<T> {
    set_timeouts();
    let mut backoff = Backoff::new();
    loop {
        let asked = Cell::new(0);
        let started = std::time::Instant::now();
        let tried = attempt(&asked);
        let outcome = match &tried {
            Ok(_) => "ok".to_string(),
            Err(e) => format!("failed: {}", e.message()),
        };
        crate::log::timed(
            "git",
            &format!("{action} {url}"),
            started.elapsed(),
            &outcome,
        );
        let err = match tried {
            Ok(v) => return Ok(v),
            Err(e) => e,
        };
        // A credentials refusal also reads as a broken connection: never retry it.
        if transient(&err)
            && asked.get() <= 1
            && let Some(delay) = backoff.next_delay()
        {
            std::thread::sleep(delay);
            continue;
        }
        return Err(remote_error(
            action,
            url,
            &asked,
            &err,
            auth,
            backoff.tries(),
        ));
    }
}

fn fetch_options<'a>(auth: Option<Auth<'a>>, asked: &'a Cell<u32>) -> FetchOptions<'a> {
    let mut fo = FetchOptions::new();
    fo.remote_callbacks(callbacks(auth, asked));
    let mut proxy = git2::ProxyOptions::new();
    proxy.auto();
    fo.proxy_options(proxy);
    fo
}

/// Every branch on the remote (`git ls-remote --heads`): name → commit.
pub(crate) fn remote_heads(url: &str, auth: Option<Auth>) -> Result<Vec<(String, Oid)>> {
    with_retries("ls-remote", url, auth, |asked| {
        let mut remote = git2::Remote::create_detached(url)?;
        let connection =
            remote.connect_auth(git2::Direction::Fetch, Some(callbacks(auth, asked)), None)?;
        Ok(connection
            .list()?
            .iter()
            .filter_map(|h| Some((h.name().strip_prefix("refs/heads/")?.to_string(), h.oid())))
            .collect())
    })
}

/// The commit `branch` points at on the remote, or None when it has no such branch.
pub(crate) fn remote_head(url: &str, branch: &str, auth: Option<Auth>) -> Result<Option<Oid>> {
    Ok(remote_heads(url, auth)?
        .into_iter()
        .find(|(name, _)| name == branch)
        .map(|(_, oid)| oid))
}

/// Clone `branch` of `url` into `path`, which this function owns: a failed
/// try's leftovers are removed before the next.
pub(crate) fn clone(
    url: &str,
    path: &Path,
    branch: &str,
    auth: Option<Auth>,
) -> Result<Repository> {
    with_retries("clone", url, auth, |asked| {
        if path.exists() {
            let _ = std::fs::remove_dir_all(path);
        }
        let mut builder = git2::build::RepoBuilder::new();
        builder
            .branch(branch)
            .fetch_options(fetch_options(auth, asked));
        builder.clone(url, path)
    })
}

/// Fetch `branch` from origin into `refs/remotes/origin/<branch>`; returns its commit.
pub(crate) fn fetch(repo: &Repository, branch: &str, auth: Option<Auth>) -> Result<Oid> {
    let mut remote = repo
        .find_remote("origin")
        .map_err(|e| Error::git("find origin", &e))?;
    let url = remote.url().unwrap_or_default().to_string();
    let refspec = format!("+refs/heads/{branch}:refs/remotes/origin/{branch}");
    with_retries("fetch", &url, auth, |asked| {
        remote.fetch(&[&refspec], Some(&mut fetch_options(auth, asked)), None)
    })?;
    repo.refname_to_id(&format!("refs/remotes/origin/{branch}"))
        .map_err(|e| Error::git("read the fetched branch", &e))
}

/// Why a push did not go through.
pub(crate) enum PushOutcome {
    Pushed,
    /// The remote branch moved on: fetch and rebase, then try again.
    NonFastForward,
}

/// Push `branch` to origin. A ref the server refuses (branch protection, a
/// hook) is an error carrying the server's words.
pub(crate) fn push(repo: &Repository, branch: &str, auth: Option<Auth>) -> Result<PushOutcome> {
    let mut remote = repo
        .find_remote("origin")
        .map_err(|e| Error::git("find origin", &e))?;
    let url = remote.url().unwrap_or_default().to_string();
    let refspec = format!("refs/heads/{branch}:refs/heads/{branch}");
    let non_ff = |msg: &str| msg.contains("fast-forward") || msg.contains("fetch first");
    // Pushing the same commit again is harmless, so a broken connection is
    // retried like a fetch; the server's refusal of the ref is an answer, not
    // a failure, and comes back as Ok(Some(message)).
    let pushed = with_retries("push", &url, auth, |asked| {
        let rejected = std::cell::RefCell::new(None::<String>);
        // The server explains a refusal (GitHub's "GH006: Protected branch
        // update failed") on the sideband, not in the ref's status.
        let remote_says = std::cell::RefCell::new(String::new());
        let mut cb = callbacks(auth, asked);
        cb.sideband_progress(|text| {
            // A server may talk without end; what explains a refusal comes first.
            let mut said = remote_says.borrow_mut();
            if said.len() < crate::outside::BODY_CAP {
                said.push_str(&String::from_utf8_lossy(text));
            }
            true
        });
        cb.push_update_reference(|_refname, status| {
            if let Some(msg) = status {
                *rejected.borrow_mut() = Some(msg.to_string());
            }
            Ok(())
        });
        let mut po = PushOptions::new();
        po.remote_callbacks(cb);
        match remote.push(&[&refspec], Some(&mut po)) {
            Ok(()) => {}
            Err(e) if e.code() == git2::ErrorCode::NotFastForward || non_ff(e.message()) => {
                return Ok(Some("non-fast-forward".to_string()));
            }
            Err(e) => return Err(e),
        }
        drop(po);
        Ok(rejected
            .into_inner()
            .map(|status| explain(&status, &remote_says.into_inner())))
    })?;
    match pushed {
        None => Ok(PushOutcome::Pushed),
        Some(msg) if non_ff(&msg) => Ok(PushOutcome::NonFastForward),
        Some(msg) => Err(push_rejected(
            branch,
            crate::outside::one_line(&redact_opt(&msg, auth)),
        )),
    }
}

/// The ref's status, followed by what the server said about it ("error:"
/// lines from its hooks), on one line.
fn explain(status: &str, remote_says: &str) -> String {
    let said: Vec<&str> = remote_says
        .lines()
        .flat_map(|l| l.split('\r'))
        .map(str::trim)
        .filter(|l| l.to_ascii_lowercase().contains("error") || l.contains("GH0"))
        .collect();
    if said.is_empty() {
        return status.to_string();
    }
    format!("{status}: {}", said.join(" "))
}

fn redact_opt(text: &str, auth: Option<Auth>) -> String {
    auth.map_or_else(
        || text.to_string(),
        |a| crate::config::redact(text, a.token),
    )
}

fn push_rejected(branch: &str, message: String) -> Error {
    let protected = message.contains("protected") || message.contains("GH006");
    let help = if protected {
        format!(
            "`{branch}` is a protected branch on your fork: allow pushes to it (Settings → Branches), or use another branch with --branch"
        )
    } else {
        "read the server's message above; fix the cause, then run `eks-workshop resume`".into()
    };
    Error::PushRejected {
        branch: branch.into(),
        message,
        help,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// TLS verification is never turned off for git either: libgit2 (OpenSSL)
    /// refuses a certificate from an authority nobody trusts, once, before
    /// any credentials are asked for.
    #[test]
    fn a_certificate_nobody_vouches_for_is_refused() {
        let server = harness::tls::UntrustedHttps::start();
        let url = format!("{}/alice/eks-cluster-upgrades-workshop.git", server.url());
        let token = Secret::new("ghp_never_sent_0000".into());
        let auth = Auth {
            login: "alice",
            token: &token,
        };
        let err = remote_heads(&url, Some(auth)).expect_err("an untrusted certificate");
        let text = err.to_string();
        assert!(text.contains("certificate"), "{text}");
        assert!(!text.contains("tries"), "not retried: {text}");
        assert!(matches!(err, Error::Network { .. }), "{err:?}");
        let dir = tempfile::tempdir().unwrap();
        let Err(err) = clone(&url, &dir.path().join("c"), "main", None) else {
            panic!("clone refuses it too")
        };
        assert!(err.to_string().contains("certificate"), "{err}");
    }
}
