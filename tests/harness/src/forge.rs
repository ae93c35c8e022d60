//! A local stand-in for GitHub: the REST subset eks-workshop calls, and real git
//! smart-HTTP (through `git http-backend`) behind HTTP Basic token auth.
//!
//! ```no_run
//! # fn demo(dir: &std::path::Path) {
//! use eks_workshop_harness::forge::Forge;
//! let forge = Forge::start_blocking();
//! forge.add_user("alice", "tok-alice");
//! let sha = forge.seed_repo("aws-samples", "eks-cluster-upgrades-workshop", dir, "main");
//! // octocrab: base_uri(forge.api_url()); git: forge.clone_url("alice", "...")
//! assert_eq!(forge.branch_head("aws-samples", "eks-cluster-upgrades-workshop", "main"), Some(sha));
//! # }
//! ```
//!
//! State is real: forks are bare copies on disk, pushes land in bare repos, and
//! every request is recorded so a test can assert what a run did (e.g. "the second
//! run only read"). Faults can be injected per request class with
//! [`Forge::fail_next`].
//!
//! The server always runs on its own runtime thread, so a `#[tokio::test]` on a
//! current-thread runtime may call blocking git (CLI or git2) without starving it.

mod api;
mod git_http;
mod json;
mod repos;
mod server;
mod state;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

use state::{RepoMeta, State};

/// A fault injected into the next matching request(s); see [`Forge::fail_next`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Answer with this HTTP status (and a GitHub-style JSON message for the API).
    Status(u16),
    /// 403 with `x-ratelimit-remaining: 0` and `x-ratelimit-reset: reset_epoch`,
    /// message "API rate limit exceeded for user ID 1." (GitHub's primary limit).
    RateLimit { reset_epoch: u64 },
    /// 429 with `retry-after: retry_after` seconds (GitHub's secondary limit).
    TooManyRequests { retry_after: u64 },
    /// Close the connection without writing any response.
    Drop,
    /// Wait this long, then answer normally.
    Slow(Duration),
    /// Answer with this status, these headers and this body, as given (a
    /// hostile or broken server: escape codes, a huge body, a redirect).
    Reply {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
}

/// Which requests a fault applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// REST API requests.
    Api,
    /// Git smart-HTTP requests (`/{owner}/{repo}.git/...`).
    Git,
    /// Any request.
    Any,
}

/// What a request was, for asserting what a run did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RequestKind {
    /// REST `GET`/`HEAD`.
    ApiRead,
    /// REST `POST`/`PUT`/`PATCH`/`DELETE`.
    ApiWrite,
    /// Fetch/clone: `info/refs?service=git-upload-pack`, `git-upload-pack`, dumb paths.
    GitRead,
    /// Push: `info/refs?service=git-receive-pack` and `git-receive-pack`.
    GitWrite,
}

/// One request the forge received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub method: String,
    /// Path and query, as sent (e.g. `/o/r.git/info/refs?service=git-upload-pack`).
    pub path: String,
    /// The status answered; `None` when the connection was dropped ([`Fault::Drop`]).
    pub status: Option<u16>,
    pub kind: RequestKind,
    /// The login whose token authenticated the request, if any.
    pub login: Option<String>,
}

/// What the request handlers share with the test-facing [`Forge`] handle.
pub(crate) struct Shared {
    state: Mutex<State>,
    /// Directory holding `owner/name.git` bare repos (the CGI's `GIT_PROJECT_ROOT`).
    repos_root: PathBuf,
    /// A scratch `HOME` for the git CGI, so the developer's git config never applies.
    home: PathBuf,
    /// `http://127.0.0.1:PORT/`
    base_url: String,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A panicking handler must not wedge every later assertion, so ignore poison.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn repo_path(&self, owner: &str, name: &str) -> PathBuf {
        self.repos_root.join(owner).join(format!("{name}.git"))
    }
}

/// A running local forge. Dropping it stops the server and deletes its repos.
pub struct Forge {
    shared: Arc<Shared>,
    addr: SocketAddr,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
    // Declared last so the server has stopped before the files disappear.
    _root: tempfile::TempDir,
}

impl Forge {
    /// Starts a forge. The server runs on its own runtime thread (see module docs),
    /// so this is the same as [`Forge::start_blocking`]; it is `async` for symmetry.
    pub async fn start() -> Forge {
        Self::start_blocking()
    }

    /// Starts a forge on 127.0.0.1 with an OS-chosen port; usable from sync tests.
    pub fn start_blocking() -> Forge {
        let root = tempfile::tempdir().expect("forge: create temp dir");
        let (repos_root, home) = (root.path().join("repos"), root.path().join("home"));
        for dir in [&repos_root, &home] {
            std::fs::create_dir_all(dir).expect("forge: create dirs");
        }
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("forge: bind");
        let addr = listener.local_addr().expect("forge: local addr");
        let shared = Arc::new(Shared {
            state: Mutex::new(State::default()),
            repos_root,
            home,
            base_url: format!("http://{addr}/"),
        });
        let (tx, rx) = tokio::sync::oneshot::channel();
        let thread = server::spawn(listener, shared.clone(), rx);
        Forge {
            shared,
            addr,
            shutdown: Some(tx),
            thread: Some(thread),
            _root: root,
        }
    }

    /// `http://127.0.0.1:PORT/` — use as octocrab's `base_uri`.
    pub fn api_url(&self) -> String {
        self.shared.base_url.clone()
    }

    /// The socket the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT/owner/name.git` — what the repo JSON calls `clone_url`.
    pub fn clone_url(&self, owner: &str, name: &str) -> String {
        format!("{}{owner}/{name}.git", self.shared.base_url)
    }

    /// Registers a user whose `token` authenticates both the API and git.
    pub fn add_user(&self, login: &str, token: &str) {
        self.shared.lock().add_user(login, token);
    }

    /// Makes `token` a classic token with OAuth `scopes` (`[]`: none): every
    /// authenticated API answer to it carries `X-OAuth-Scopes` (as GitHub's
    /// do), and git refuses its pushes without `repo` or `public_repo`. Any
    /// other token gets no such header, like a fine-grained one.
    pub fn set_token_scopes(&self, token: &str, scopes: &[&str]) {
        self.shared.lock().set_scopes(token, scopes);
    }

    /// Creates bare repo `owner/name` holding one commit of `content_dir`'s files
    /// on `branch` (also its default branch); returns the commit sha.
    pub fn seed_repo(&self, owner: &str, name: &str, content_dir: &Path, branch: &str) -> String {
        let path = self.shared.repo_path(owner, name);
        let mut st = self.shared.lock();
        assert!(
            st.repo(owner, name).is_none(),
            "forge: repo {owner}/{name} already exists"
        );
        let sha = repos::seed(&path, content_dir, branch)
            .unwrap_or_else(|e| panic!("forge: seeding {owner}/{name}: {e}"));
        st.insert_repo(RepoMeta::new(owner, name, branch));
        sha
    }

    /// Creates an empty repo `owner/name` (default branch `main`) that is not a fork.
    pub fn add_plain_repo(&self, owner: &str, name: &str) {
        let path = self.shared.repo_path(owner, name);
        let mut st = self.shared.lock();
        assert!(
            st.repo(owner, name).is_none(),
            "forge: repo {owner}/{name} already exists"
        );
        repos::init_bare(&path, "main")
            .unwrap_or_else(|e| panic!("forge: creating {owner}/{name}: {e}"));
        st.insert_repo(RepoMeta::new(owner, name, "main"));
    }

    /// Forks created from now on appear in the API at once but answer 404 over git
    /// until `d` has passed, as GitHub creates forks asynchronously.
    pub fn set_fork_delay(&self, d: Duration) {
        self.shared.lock().fork_delay = d;
    }

    /// Makes a pre-receive hook reject pushes to `branch` with GitHub's GH006 message.
    pub fn protect_branch(&self, owner: &str, name: &str, branch: &str) {
        let _st = self.shared.lock();
        repos::protect(&self.shared.repo_path(owner, name), branch)
            .unwrap_or_else(|e| panic!("forge: protecting {owner}/{name}@{branch}: {e}"));
    }

    /// The next `n` requests matching `target` get `fault`. Rules queue up in order.
    pub fn fail_next(&self, n: usize, fault: Fault, target: Target) {
        self.shared.lock().add_fault(n, fault, target);
    }

    /// How many [`fail_next`](Self::fail_next) faults are still to come.
    pub fn faults_queued(&self) -> usize {
        self.shared.lock().faults_queued()
    }

    /// Fails about `percent`% of the requests `target` matches with `fault`,
    /// from a fixed seed (repeatable), for as long as the forge runs. Queued
    /// [`fail_next`](Self::fail_next) faults come first.
    pub fn fail_share(&self, percent: u8, fault: Fault, target: Target) {
        self.fail_share_mix(percent, vec![fault], target);
    }

    /// Fails about `percent`% of the requests `target` matches, one draw per
    /// request, taking `faults` in turn: the share is the rate asked for,
    /// however many kinds of fault make it up.
    pub fn fail_share_mix(&self, percent: u8, faults: Vec<Fault>, target: Target) {
        self.shared.lock().add_share(percent, faults, target);
    }

    /// Every request received since start (or [`Forge::reset_requests`]), in order.
    pub fn requests(&self) -> Vec<Request> {
        self.shared.lock().requests.clone()
    }

    /// Forgets the recorded requests.
    pub fn reset_requests(&self) {
        self.shared.lock().requests.clear();
    }

    /// The sha `branch` points at, if the repo and branch exist.
    pub fn branch_head(&self, owner: &str, name: &str, branch: &str) -> Option<String> {
        repos::branch_head(&self.shared.repo_path(owner, name), branch)
    }

    /// `(sha, summary)` of the commits reachable from `branch`, newest first.
    pub fn commits(&self, owner: &str, name: &str, branch: &str) -> Vec<(String, String)> {
        repos::commits(&self.shared.repo_path(owner, name), branch)
    }

    /// The bytes of `path` in `branch`'s tip, if present.
    pub fn file_at(&self, owner: &str, name: &str, branch: &str, path: &str) -> Option<Vec<u8>> {
        repos::file_at(&self.shared.repo_path(owner, name), branch, path)
    }

    /// Where bare repo `owner/name.git` lives on disk.
    pub fn repo_dir(&self, owner: &str, name: &str) -> PathBuf {
        self.shared.repo_path(owner, name)
    }
}

impl Drop for Forge {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            // Joining keeps the temp dir alive until no CGI can touch it any more.
            let _ = t.join();
        }
    }
}
