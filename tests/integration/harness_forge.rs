//! The local forge really speaks to the clients eks-workshop uses: octocrab 0.54
//! deserializes its JSON, and git2 clones and pushes over its smart-HTTP.

use std::cell::RefCell;
use std::path::Path;

use git2::{Cred, FetchOptions, PushOptions, RemoteCallbacks, Repository};
use harness::forge::{Fault, Forge, RequestKind, Target};
use octocrab::Octocrab;

const UP: (&str, &str) = ("aws-samples", "eks-cluster-upgrades-workshop");

fn content(root: &Path) -> std::path::PathBuf {
    let dir = root.join("content");
    std::fs::create_dir_all(dir.join("flux")).expect("mkdir");
    std::fs::write(dir.join("flux/kustomization.yaml"), "resources: []\n").expect("write");
    dir
}

fn octocrab(forge: &Forge, token: &str) -> Octocrab {
    Octocrab::builder()
        .base_uri(forge.api_url())
        .expect("forge URL is a valid base_uri")
        .personal_token(token.to_string())
        .build()
        .expect("build octocrab")
}

/// The `GitHubError` inside an octocrab error, or a panic naming what came instead.
fn github_error(e: octocrab::Error) -> Box<octocrab::GitHubError> {
    match e {
        octocrab::Error::GitHub { source, .. } => source,
        other => panic!("expected a GitHub error, got {other:?}"),
    }
}

#[tokio::test]
async fn octocrab_deserializes_user_repo_and_fork() {
    let tmp = tempfile::tempdir().expect("tmp");
    let forge = Forge::start().await;
    forge.add_user("alice", "tok-alice");
    let sha = forge.seed_repo(UP.0, UP.1, &content(tmp.path()), "main");
    let gh = octocrab(&forge, "tok-alice");

    let me = gh.current().user().await.expect("GET /user");
    assert_eq!((me.login.as_str(), me.r#type.as_str()), ("alice", "User"));

    let up = gh.repos(UP.0, UP.1).get().await.expect("GET upstream");
    assert_eq!(
        (up.fork, up.default_branch.as_deref()),
        (Some(false), Some("main"))
    );
    assert_eq!(
        up.clone_url.map(|u| u.to_string()),
        Some(forge.clone_url(UP.0, UP.1))
    );

    let fork = gh
        .repos(UP.0, UP.1)
        .create_fork()
        .send()
        .await
        .expect("POST forks");
    assert_eq!(
        fork.full_name.as_deref(),
        Some("alice/eks-cluster-upgrades-workshop")
    );
    assert_eq!(fork.owner.map(|o| o.login), Some("alice".to_string()));
    assert!(fork.permissions.is_some_and(|p| p.push && p.admin));
    assert_eq!(forge.branch_head("alice", UP.1, "main"), Some(sha));

    let got = gh.repos("alice", UP.1).get().await.expect("GET fork");
    assert_eq!(got.fork, Some(true));
    let parent = got.parent.expect("fork has parent");
    assert_eq!(
        parent.full_name.as_deref(),
        Some("aws-samples/eks-cluster-upgrades-workshop")
    );
    assert_eq!(got.source.and_then(|s| s.full_name), parent.full_name);

    let kinds: Vec<_> = forge.requests().iter().map(|r| r.kind).collect();
    use RequestKind::{ApiRead, ApiWrite};
    assert_eq!(kinds, [ApiRead, ApiRead, ApiWrite, ApiRead]);
}

#[tokio::test]
async fn octocrab_sees_githubs_errors() {
    let forge = Forge::start().await;
    forge.add_user("alice", "tok-alice");

    let missing = gh_err(
        octocrab(&forge, "tok-alice")
            .repos("no", "such")
            .get()
            .await,
    );
    assert_eq!(
        (missing.status_code.as_u16(), missing.message.as_str()),
        (404, "Not Found")
    );

    let bad = gh_err(octocrab(&forge, "tok-wrong").current().user().await);
    assert_eq!(
        (bad.status_code.as_u16(), bad.message.as_str()),
        (401, "Bad credentials")
    );

    forge.fail_next(
        1,
        Fault::RateLimit {
            reset_epoch: 1_900_000_000,
        },
        Target::Api,
    );
    let limited = gh_err(octocrab(&forge, "tok-alice").current().user().await);
    assert_eq!(limited.status_code.as_u16(), 403);
    assert_eq!(limited.rate_limit_reset, Some(1_900_000_000));
    assert!(
        limited.message.contains("rate limit"),
        "{}",
        limited.message
    );
}

fn gh_err<T: std::fmt::Debug>(r: octocrab::Result<T>) -> Box<octocrab::GitHubError> {
    github_error(r.expect_err("expected an error"))
}

/// Callbacks that answer credential requests with `login`/`token`, as the CLI will.
fn callbacks<'a>(login: &'a str, token: &'a str) -> RemoteCallbacks<'a> {
    let mut cb = RemoteCallbacks::new();
    cb.credentials(move |_url, _user, _allowed| Cred::userpass_plaintext(login, token));
    cb
}

fn clone(forge: &Forge, dir: &Path, token: &str) -> Repository {
    let mut fo = FetchOptions::new();
    fo.remote_callbacks(callbacks("alice", token));
    git2::build::RepoBuilder::new()
        .fetch_options(fo)
        .clone(&forge.clone_url("alice", "demo"), dir)
        .expect("git2 clone over HTTP")
}

fn commit_file(repo: &Repository, name: &str, body: &str) -> git2::Oid {
    let workdir = repo.workdir().expect("non-bare clone");
    std::fs::write(workdir.join(name), body).expect("write");
    let mut index = repo.index().expect("index");
    index.add_path(Path::new(name)).expect("add");
    index.write().expect("write index");
    let tree = repo
        .find_tree(index.write_tree().expect("tree"))
        .expect("find tree");
    let sig = git2::Signature::now("Test", "test@example.invalid").expect("sig");
    let parent = repo
        .head()
        .and_then(|h| h.peel_to_commit())
        .expect("head commit");
    repo.commit(
        Some("HEAD"),
        &sig,
        &sig,
        &format!("Add {name}"),
        &tree,
        &[&parent],
    )
    .expect("commit")
}

/// Pushes `main`; returns libgit2's error (if any) and the per-ref rejection.
fn push(repo: &Repository, token: &str) -> (Result<(), git2::Error>, Option<String>) {
    let rejected = RefCell::new(None);
    let mut cb = callbacks("alice", token);
    cb.push_update_reference(|_refname, status| {
        *rejected.borrow_mut() = status.map(str::to_string);
        Ok(())
    });
    let mut opts = PushOptions::new();
    opts.remote_callbacks(cb);
    let mut remote = repo.find_remote("origin").expect("origin");
    let res = remote.push(&["refs/heads/main:refs/heads/main"], Some(&mut opts));
    drop(opts);
    (res, rejected.into_inner())
}

#[test]
fn git2_clones_and_pushes_with_userpass_credentials() {
    let tmp = tempfile::tempdir().expect("tmp");
    let forge = Forge::start_blocking();
    forge.add_user("alice", "tok-alice");
    let seed = forge.seed_repo("alice", "demo", &content(tmp.path()), "main");
    let repo = clone(&forge, &tmp.path().join("work"), "tok-alice");
    assert_eq!(
        repo.head().expect("head").target().map(|o| o.to_string()),
        Some(seed)
    );

    let oid = commit_file(&repo, "cluster.yaml", "name: demo\n");
    let (res, rejected) = push(&repo, "tok-alice");
    assert!(res.is_ok() && rejected.is_none(), "{res:?} {rejected:?}");
    assert_eq!(
        forge.branch_head("alice", "demo", "main"),
        Some(oid.to_string())
    );
    assert_eq!(
        forge
            .file_at("alice", "demo", "main", "cluster.yaml")
            .as_deref(),
        Some(&b"name: demo\n"[..])
    );
    assert!(
        forge
            .requests()
            .iter()
            .any(|r| r.kind == RequestKind::GitWrite && r.status == Some(200))
    );

    let (res, _) = push(&repo, "tok-wrong");
    assert!(res.is_err(), "a wrong token cannot push");
}

#[test]
fn git2_push_to_a_protected_branch_reports_the_rejection() {
    let tmp = tempfile::tempdir().expect("tmp");
    let forge = Forge::start_blocking();
    forge.add_user("alice", "tok-alice");
    let seed = forge.seed_repo("alice", "demo", &content(tmp.path()), "main");
    forge.protect_branch("alice", "demo", "main");
    let repo = clone(&forge, &tmp.path().join("work"), "tok-alice");
    commit_file(&repo, "x.yaml", "x: 1\n");
    let (res, rejected) = push(&repo, "tok-alice");
    // libgit2 treats a hook refusal as a per-ref status, not as a failed push.
    assert!(res.is_ok(), "{res:?}");
    assert!(rejected.is_some_and(|s| s.contains("pre-receive hook declined")));
    assert_eq!(forge.branch_head("alice", "demo", "main"), Some(seed));
}
