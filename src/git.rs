//! git2, behind a few plain functions. Credentials are handed over only through
//! libgit2's credentials callback: the token is never in a URL, in
//! `.git/config`, or in any process's arguments.

use std::cell::Cell;
use std::path::Path;

use git2::{
    Cred, CredentialType, FetchOptions, Oid, PushOptions, RemoteCallbacks, Repository, Signature,
};

use crate::config::Secret;
use crate::error::{Error, Result};
use crate::github::retry::Backoff;

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
    let msg = match auth {
        Some(a) => crate::github::redact(err.message(), a.token),
        None => err.message().to_string(),
    };
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
                crate::github::PERMISSIONS
            ),
        };
    }
    if msg.contains("403") {
        return Error::Forbidden {
            service: format!("git ({url})"),
            message: msg,
            help: format!(
                "the token may not write to the fork: {}",
                crate::github::PERMISSIONS
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

/// Run a network operation, again after a capped, jittered backoff while it
/// fails transiently, a bounded number of times. `attempt` gets a fresh
/// credentials counter each time.
fn with_retries<T>(
    action: &str,
    url: &str,
    auth: Option<Auth>,
    mut attempt: impl FnMut(&Cell<u32>) -> std::result::Result<T, git2::Error>,
) -> Result<T> {
    let mut backoff = Backoff::new();
    loop {
        let asked = Cell::new(0);
        let err = match attempt(&asked) {
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

/// Create a bare repository at `path` whose `branch` holds one commit of
/// `files`. Built beside `path` and renamed into place, so a crash never
/// leaves half a repository. The commit is reproducible: same files, same id.
pub(crate) fn seed_bare<'a>(
    path: &Path,
    branch: &str,
    files: impl Iterator<Item = (&'a str, &'a [u8])>,
) -> Result<Oid> {
    let partial = path.with_extension("partial");
    let _ = std::fs::remove_dir_all(&partial);
    let repo =
        Repository::init_bare(&partial).map_err(|e| Error::git("init the local remote", &e))?;
    let mut index = git2::Index::new().map_err(|e| Error::git("make an index", &e))?;
    for (name, bytes) in files {
        let oid = repo
            .blob(bytes)
            .map_err(|e| Error::git("write a blob", &e))?;
        index
            .add(&index_entry(name, oid, bytes.len()))
            .map_err(|e| Error::git(format!("stage {name}"), &e))?;
    }
    let tree_id = index
        .write_tree_to(&repo)
        .map_err(|e| Error::git("write the tree", &e))?;
    let tree = repo
        .find_tree(tree_id)
        .map_err(|e| Error::git("read the tree", &e))?;
    // A fixed author and time make the seed commit the same on every machine.
    let sig = Signature::new(
        "eks-workshop",
        "eks-workshop@localhost",
        &git2::Time::new(1_685_577_600, 0),
    )
    .map_err(|e| Error::git("make a signature", &e))?;
    let refname = format!("refs/heads/{branch}");
    let oid = repo
        .commit(
            Some(&refname),
            &sig,
            &sig,
            "Workshop GitOps repository",
            &tree,
            &[],
        )
        .map_err(|e| Error::git("commit", &e))?;
    repo.set_head(&refname)
        .map_err(|e| Error::git("set HEAD", &e))?;
    drop(tree);
    drop(repo);
    std::fs::rename(&partial, path).map_err(|e| Error::io(path, "created", e))?;
    Ok(oid)
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

pub(crate) fn open(path: &Path) -> Result<Repository> {
    Repository::open(path).map_err(|e| Error::git(format!("open {}", path.display()), &e))
}

pub(crate) fn origin_url(repo: &Repository) -> Option<String> {
    repo.find_remote("origin")
        .ok()?
        .url()
        .ok()
        .map(str::to_string)
}

/// The branch HEAD is on, if HEAD is a branch.
pub(crate) fn current_branch(repo: &Repository) -> Option<String> {
    let head = repo.head().ok()?;
    if !head.is_branch() {
        return None;
    }
    head.shorthand().ok().map(str::to_string)
}

pub(crate) fn head_commit(repo: &Repository) -> Result<Oid> {
    repo.head()
        .and_then(|h| h.peel_to_commit())
        .map(|c| c.id())
        .map_err(|e| Error::git("read HEAD", &e))
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

/// Is `ancestor` reachable from `descendant` (or equal)?
pub(crate) fn is_ancestor(repo: &Repository, ancestor: Oid, descendant: Oid) -> bool {
    ancestor == descendant
        || repo
            .graph_descendant_of(descendant, ancestor)
            .unwrap_or(false)
}

/// Move `branch` (checked out) to `target` and update the working tree, but
/// only where that loses nothing: libgit2's safe checkout refuses to touch a
/// file the user has modified.
pub(crate) fn move_branch(repo: &Repository, branch: &str, target: Oid, why: &str) -> Result<()> {
    let commit = repo
        .find_commit(target)
        .map_err(|e| Error::git("find commit", &e))?;
    let mut co = git2::build::CheckoutBuilder::new();
    co.safe();
    repo.checkout_tree(commit.as_object(), Some(&mut co))
        .map_err(|e| Error::git("update the working tree", &e))?;
    repo.reference(&format!("refs/heads/{branch}"), target, true, why)
        .map_err(|e| Error::git("move the branch", &e))?;
    Ok(())
}

/// The bytes of `path` in HEAD's tree, or None when it is not there.
pub(crate) fn head_blob(repo: &Repository, path: &str) -> Result<Option<Vec<u8>>> {
    let tree = repo
        .head()
        .and_then(|h| h.peel_to_tree())
        .map_err(|e| Error::git("read HEAD", &e))?;
    match tree.get_path(Path::new(path)) {
        Ok(entry) => {
            let blob = entry
                .to_object(repo)
                .and_then(|o| o.peel_to_blob())
                .map_err(|e| Error::git(format!("read {path}"), &e))?;
            Ok(Some(blob.content().to_vec()))
        }
        Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(None),
        Err(e) => Err(Error::git(format!("read {path}"), &e)),
    }
}

/// Author and committer: git config's `user.name`/`user.email`, else the
/// login and GitHub's noreply address.
pub(crate) fn signature(repo: &Repository, login: &str) -> Result<Signature<'static>> {
    let config = repo.config().ok();
    let get = |key: &str| config.as_ref().and_then(|c| c.get_string(key).ok());
    let name = get("user.name").unwrap_or_else(|| login.to_string());
    let email = get("user.email").unwrap_or_else(|| format!("{login}@users.noreply.github.com"));
    Signature::now(&name, &email).map_err(|e| Error::git("make a signature", &e))
}

/// Commit exactly `changes` (path → new bytes) on top of HEAD, whatever else
/// the working tree or index holds: the participant's own edits stay
/// uncommitted and untouched. The index entries for those paths are updated
/// so `git status` agrees. Returns None when the changes are already in HEAD.
pub(crate) fn commit_files(
    repo: &Repository,
    changes: &[(String, Vec<u8>)],
    message: &str,
    sig: &Signature,
) -> Result<Option<Oid>> {
    let head = repo
        .head()
        .and_then(|h| h.peel_to_commit())
        .map_err(|e| Error::git("read HEAD", &e))?;
    let mut index = git2::Index::new().map_err(|e| Error::git("make an index", &e))?;
    index
        .read_tree(&head.tree().map_err(|e| Error::git("read HEAD", &e))?)
        .map_err(|e| Error::git("read HEAD", &e))?;
    let mut blobs = Vec::new();
    for (path, bytes) in changes {
        let oid = repo
            .blob(bytes)
            .map_err(|e| Error::git("write a blob", &e))?;
        let mut entry = index_entry(path, oid, bytes.len());
        if let Some(existing) = index.get_path(Path::new(path), 0) {
            entry.mode = existing.mode;
        }
        index
            .add(&entry)
            .map_err(|e| Error::git(format!("stage {path}"), &e))?;
        blobs.push(entry);
    }
    let tree_id = index
        .write_tree_to(repo)
        .map_err(|e| Error::git("write the tree", &e))?;
    if tree_id == head.tree_id() {
        return Ok(None);
    }
    let tree = repo
        .find_tree(tree_id)
        .map_err(|e| Error::git("read the tree", &e))?;
    let oid = repo
        .commit(Some("HEAD"), sig, sig, message, &tree, &[&head])
        .map_err(|e| Error::git("commit", &e))?;
    // Keep the real index in step for our paths only.
    let mut real = repo.index().map_err(|e| Error::git("read the index", &e))?;
    for entry in blobs {
        real.add(&entry)
            .map_err(|e| Error::git("update the index", &e))?;
    }
    real.write()
        .map_err(|e| Error::git("write the index", &e))?;
    Ok(Some(oid))
}

fn index_entry(path: &str, id: Oid, len: usize) -> git2::IndexEntry {
    git2::IndexEntry {
        ctime: git2::IndexTime::new(0, 0),
        mtime: git2::IndexTime::new(0, 0),
        dev: 0,
        ino: 0,
        mode: 0o100644,
        uid: 0,
        gid: 0,
        file_size: len as u32,
        id,
        flags: (path.len().min(0xfff)) as u16,
        flags_extended: 0,
        path: path.as_bytes().to_vec(),
    }
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
            remote_says
                .borrow_mut()
                .push_str(&String::from_utf8_lossy(text));
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
        Some(msg) => Err(push_rejected(branch, redact_opt(&msg, auth))),
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
        |a| crate::github::redact(text, a.token),
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

/// Replay the commits on HEAD that `onto` lacks on top of `onto`, in memory.
/// Returns the new tip, or an error when one of them does not apply cleanly.
pub(crate) fn rebase_onto(repo: &Repository, onto: Oid) -> Result<Oid> {
    let head = head_commit(repo)?;
    let base = repo
        .merge_base(head, onto)
        .map_err(|e| Error::git("find the merge base", &e))?;
    let mut walk = repo.revwalk().map_err(|e| Error::git("walk history", &e))?;
    walk.push(head)
        .and_then(|_| walk.hide(base))
        .map_err(|e| Error::git("walk history", &e))?;
    walk.set_sorting(git2::Sort::TOPOLOGICAL | git2::Sort::REVERSE)
        .map_err(|e| Error::git("walk history", &e))?;
    let mut tip = repo
        .find_commit(onto)
        .map_err(|e| Error::git("find commit", &e))?;
    for oid in walk {
        let oid = oid.map_err(|e| Error::git("walk history", &e))?;
        let commit = repo
            .find_commit(oid)
            .map_err(|e| Error::git("find commit", &e))?;
        let mut index = repo
            .cherrypick_commit(&commit, &tip, 0, None)
            .map_err(|e| Error::git("rebase", &e))?;
        if index.has_conflicts() {
            return Err(Error::PushRejected {
                branch: current_branch(repo).unwrap_or_default(),
                message: format!(
                    "the remote branch moved, and commit {} (\"{}\") does not apply on top of it",
                    &oid.to_string()[..8],
                    commit.summary().ok().flatten().unwrap_or_default()
                ),
                help: "pull the remote changes into the clone by hand (`git pull --rebase`), resolve the conflict, then run `eks-workshop resume`".into(),
            });
        }
        let tree_id = index
            .write_tree_to(repo)
            .map_err(|e| Error::git("rebase", &e))?;
        let tree = repo
            .find_tree(tree_id)
            .map_err(|e| Error::git("rebase", &e))?;
        let new = repo
            .commit(
                None,
                &commit.author(),
                &commit.committer(),
                commit.message().unwrap_or(""),
                &tree,
                &[&tip],
            )
            .map_err(|e| Error::git("rebase", &e))?;
        tip = repo
            .find_commit(new)
            .map_err(|e| Error::git("rebase", &e))?;
    }
    Ok(tip.id())
}
