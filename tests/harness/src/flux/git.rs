//! Git for the stand-in source-controller: resolve a branch head (ls-remote), fetch
//! into a cache repository, and read files of a commit's tree. Works with
//! `http://` (smart HTTP, Basic auth from the GitRepository's Secret), `file://`
//! URLs and plain local paths.

use git2::{Cred, Direction, FetchOptions, Oid, RemoteCallbacks, Repository};
use std::cell::Cell;
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

/// Username/password from the GitRepository's `secretRef`.
#[derive(Clone, Debug, Default)]
pub struct Credentials {
    pub username: String,
    pub password: String,
}

/// Callbacks that offer the credentials once: libgit2 asks again after a 401,
/// and a second answer would only loop.
fn callbacks(creds: Option<&Credentials>) -> RemoteCallbacks<'static> {
    let creds = creds.cloned();
    let tried = Cell::new(false);
    let mut cb = RemoteCallbacks::new();
    cb.credentials(move |_url, _user, _allowed| match &creds {
        Some(c) if !tried.replace(true) => Cred::userpass_plaintext(&c.username, &c.password),
        Some(_) => Err(git2::Error::from_str(
            "authentication required: invalid credentials",
        )),
        None => Err(git2::Error::from_str(
            "authentication required but no secretRef was given",
        )),
    });
    cb
}

/// Turns `file:///x` into `/x`: libgit2's local transport takes both, but paths are
/// what the cache key and error messages should show.
fn normalize(url: &str) -> String {
    url.strip_prefix("file://").unwrap_or(url).to_string()
}

/// The commit `refs/heads/<branch>` points at, without fetching.
pub fn resolve_branch(url: &str, branch: &str, creds: Option<&Credentials>) -> Result<Oid, String> {
    let url = normalize(url);
    let mut remote =
        git2::Remote::create_detached(url.as_str()).map_err(|e| e.message().to_string())?;
    let conn = remote
        .connect_auth(Direction::Fetch, Some(callbacks(creds)), None)
        .map_err(|e| e.message().to_string())?;
    let want = format!("refs/heads/{branch}");
    let heads = conn.list().map_err(|e| e.message().to_string())?;
    heads
        .iter()
        .find(|h| h.name() == want)
        .map(|h| h.oid())
        .ok_or_else(|| {
            format!("unable to resolve branch '{branch}': couldn't find remote ref \"{want}\"")
        })
}

/// A bare cache repository per URL under `cache_root`.
pub fn cache_repo(cache_root: &Path, url: &str) -> Result<Repository, String> {
    let mut h = DefaultHasher::new();
    normalize(url).hash(&mut h);
    let dir: PathBuf = cache_root.join(format!("{:016x}.git", h.finish()));
    match Repository::open_bare(&dir) {
        Ok(r) => Ok(r),
        Err(_) => Repository::init_bare(&dir).map_err(|e| e.message().to_string()),
    }
}

/// Makes sure `commit` is in the cache (fetching every branch when it is not).
pub fn ensure_commit(
    repo: &Repository,
    url: &str,
    creds: Option<&Credentials>,
    commit: Oid,
) -> Result<(), String> {
    if repo.find_commit(commit).is_ok() {
        return Ok(());
    }
    let url = normalize(url);
    let mut remote = repo
        .remote_anonymous(&url)
        .map_err(|e| e.message().to_string())?;
    let mut fo = FetchOptions::new();
    fo.remote_callbacks(callbacks(creds));
    remote
        .fetch(
            &["+refs/heads/*:refs/remotes/origin/*"],
            Some(&mut fo),
            None,
        )
        .map_err(|e| e.message().to_string())?;
    repo.find_commit(commit)
        .map(|_| ())
        .map_err(|_| format!("commit {commit} not found after fetching {url}"))
}

/// What a path in a commit's tree is.
pub enum Entry {
    Dir(Vec<String>),
    File(String),
}

/// Reads `path` (relative, `/`-separated; empty for the root) from `commit`.
pub fn read(repo: &Repository, commit: Oid, path: &str) -> Result<Option<Entry>, String> {
    let tree = repo
        .find_commit(commit)
        .and_then(|c| c.tree())
        .map_err(|e| e.message().to_string())?;
    let object = if path.is_empty() {
        tree.into_object()
    } else {
        match tree.get_path(Path::new(path)) {
            Ok(e) => e.to_object(repo).map_err(|e| e.message().to_string())?,
            Err(_) => return Ok(None),
        }
    };
    if let Some(t) = object.as_tree() {
        let mut names: Vec<String> = t
            .iter()
            .filter_map(|e| e.name().ok().map(String::from))
            .collect();
        names.sort();
        return Ok(Some(Entry::Dir(names)));
    }
    match object.as_blob() {
        Some(b) => Ok(Some(Entry::File(
            String::from_utf8_lossy(b.content()).into_owned(),
        ))),
        None => Ok(None),
    }
}
