//! Tests of the local forge: git over smart-HTTP with the git CLI (this file),
//! the REST subset and forks (`forge/api.rs`), faults and request log (`forge/faults.rs`).

// The main crate knows this crate as `harness`; use the same name here.
extern crate eks_workshop_harness as harness;

#[path = "forge/util.rs"]
mod util;

#[path = "forge/api.rs"]
mod api;
#[path = "forge/faults.rs"]
mod faults;

use std::path::Path;

use harness::forge::{Forge, RequestKind};
use util::{basic, git, git_ok, http};

/// A forge where alice owns `alice/demo` (seeded) and bob is another user.
fn setup(tmp: &Path) -> (Forge, String) {
    let forge = Forge::start_blocking();
    forge.add_user("alice", "tok-alice");
    forge.add_user("bob", "tok-bob");
    let sha = forge.seed_repo("alice", "demo", &util::content_dir(tmp), "main");
    (forge, sha)
}

/// Clones `alice/demo` as `token`'s user into `tmp/name`, adds a commit there.
fn clone_and_commit(forge: &Forge, tmp: &Path, token: &str, name: &str) -> std::path::PathBuf {
    let url = forge.clone_url("alice", "demo");
    git_ok(tmp, tmp, Some(token), &["clone", &url, name]);
    let work = tmp.join(name);
    std::fs::write(work.join("NEW.md"), format!("added by {name}\n")).expect("write");
    git_ok(&work, tmp, None, &["add", "NEW.md"]);
    git_ok(
        &work,
        tmp,
        None,
        &["commit", "-m", &format!("Add NEW.md from {name}")],
    );
    work
}

#[test]
fn git_cli_clones_commits_and_pushes_with_token_from_credential_helper() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (forge, seed) = setup(tmp.path());
    let work = clone_and_commit(&forge, tmp.path(), "tok-alice", "work");
    assert_eq!(
        std::fs::read_to_string(work.join("README.md")).expect("cloned file"),
        "# Workshop\n"
    );
    let mode = std::fs::metadata(work.join("install.sh"))
        .expect("stat")
        .permissions();
    assert_ne!(
        std::os::unix::fs::PermissionsExt::mode(&mode) & 0o111,
        0,
        "exec bit survives seeding"
    );

    git_ok(
        &work,
        tmp.path(),
        Some("tok-alice"),
        &["push", "origin", "main"],
    );
    let pushed = git_ok(&work, tmp.path(), None, &["rev-parse", "HEAD"]);
    assert_eq!(
        forge.branch_head("alice", "demo", "main"),
        Some(pushed.clone())
    );
    let commits = forge.commits("alice", "demo", "main");
    let summaries: Vec<&str> = commits.iter().map(|(_, s)| s.as_str()).collect();
    assert_eq!(
        summaries,
        ["Add NEW.md from work", "Initial workshop content"]
    );
    assert_eq!(commits[1].0, seed);
    assert_eq!(
        forge.file_at("alice", "demo", "main", "NEW.md").as_deref(),
        Some(&b"added by work\n"[..])
    );
    assert_eq!(
        forge
            .file_at("alice", "demo", "main", "flux/apps/app.yaml")
            .as_deref(),
        Some(&b"kind: Kustomization\n"[..])
    );
    assert_eq!(
        forge.file_at("alice", "demo", "main", "flux"),
        None,
        "directories are not files"
    );

    let reqs = forge.requests();
    assert!(reqs.iter().any(|r| r.kind == RequestKind::GitWrite
        && r.path.ends_with("/git-receive-pack")
        && r.status == Some(200)));
    assert!(
        reqs.iter()
            .filter(|r| r.status == Some(200))
            .all(|r| r.login.as_deref() == Some("alice"))
    );
    assert!(
        reqs.iter().all(|r| !r.path.contains("tok-alice")),
        "token never in a URL"
    );
}

#[test]
fn git_without_or_with_wrong_token_gets_401_with_basic_challenge() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (forge, seed) = setup(tmp.path());
    let work = clone_and_commit(&forge, tmp.path(), "tok-alice", "work");

    let out = git(&work, tmp.path(), None, &["push", "origin", "main"]);
    assert!(!out.status.success(), "push without credentials must fail");
    let out = git(
        &work,
        tmp.path(),
        Some("tok-wrong"),
        &["push", "origin", "main"],
    );
    assert!(!out.status.success(), "push with a wrong token must fail");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("Authentication failed"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(forge.branch_head("alice", "demo", "main"), Some(seed));
    let denied: Vec<_> = forge
        .requests()
        .into_iter()
        .filter(|r| r.kind == RequestKind::GitWrite)
        .collect();
    assert!(
        !denied.is_empty() && denied.iter().all(|r| r.status == Some(401)),
        "{denied:?}"
    );

    let path = "/alice/demo.git/info/refs?service=git-upload-pack";
    let anon = http(forge.addr(), "GET", path, &[], b"");
    assert_eq!(
        (anon.status, anon.header("www-authenticate")),
        (401, "Basic realm=\"GitHub\"")
    );
    let wrong = http(
        forge.addr(),
        "GET",
        path,
        &[("Authorization", &basic("alice", "nope"))],
        b"",
    );
    assert_eq!(wrong.status, 401);
    let ok = http(
        forge.addr(),
        "GET",
        path,
        &[("Authorization", &basic("anyone", "tok-alice"))],
        b"",
    );
    assert_eq!(
        ok.status, 200,
        "any username with a valid token, like GitHub"
    );
    assert_eq!(
        ok.header("content-type"),
        "application/x-git-upload-pack-advertisement"
    );
}

#[test]
fn pushing_to_someone_elses_repo_is_403_but_reading_is_fine() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (forge, seed) = setup(tmp.path());
    let work = clone_and_commit(&forge, tmp.path(), "tok-bob", "bobs");
    let out = git(
        &work,
        tmp.path(),
        Some("tok-bob"),
        &["push", "origin", "main"],
    );
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("403"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(forge.branch_head("alice", "demo", "main"), Some(seed));
    let last = forge.requests().pop().expect("requests recorded");
    assert_eq!(
        (last.kind, last.status, last.login.as_deref()),
        (RequestKind::GitWrite, Some(403), Some("bob"))
    );
}

#[test]
fn a_classic_token_without_repo_or_public_repo_cannot_push_to_its_own_repo() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (forge, seed) = setup(tmp.path());
    forge.set_token_scopes("tok-alice", &["read:user"]);
    let work = clone_and_commit(&forge, tmp.path(), "tok-alice", "scoped");
    let push = || {
        git(
            &work,
            tmp.path(),
            Some("tok-alice"),
            &["push", "origin", "main"],
        )
    };
    let out = push();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("403"));
    assert_eq!(
        forge.branch_head("alice", "demo", "main"),
        Some(seed.clone())
    );
    forge.set_token_scopes("tok-alice", &["public_repo"]);
    assert!(push().status.success());
    assert_ne!(forge.branch_head("alice", "demo", "main"), Some(seed));
}

#[test]
fn protected_branch_rejects_push_with_gh006_but_other_branches_work() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (forge, seed) = setup(tmp.path());
    forge.protect_branch("alice", "demo", "main");
    let work = clone_and_commit(&forge, tmp.path(), "tok-alice", "work");
    let out = git(
        &work,
        tmp.path(),
        Some("tok-alice"),
        &["push", "origin", "main"],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("GH006: Protected branch update failed for refs/heads/main."),
        "{stderr}"
    );
    assert_eq!(forge.branch_head("alice", "demo", "main"), Some(seed));

    git_ok(
        &work,
        tmp.path(),
        Some("tok-alice"),
        &["push", "origin", "main:feature"],
    );
    let head = git_ok(&work, tmp.path(), None, &["rev-parse", "HEAD"]);
    assert_eq!(forge.branch_head("alice", "demo", "feature"), Some(head));
}

#[test]
fn unknown_repo_over_git_is_404() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (forge, _) = setup(tmp.path());
    let auth = basic("alice", "tok-alice");
    let r = http(
        forge.addr(),
        "GET",
        "/alice/nope.git/info/refs?service=git-upload-pack",
        &[("Authorization", &auth)],
        b"",
    );
    assert_eq!(r.status, 404);
    assert_eq!(forge.branch_head("alice", "nope", "main"), None);
    assert!(forge.commits("alice", "nope", "main").is_empty());
}

#[test]
fn large_push_goes_through_chunked_request_bodies() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (forge, _) = setup(tmp.path());
    let work = clone_and_commit(&forge, tmp.path(), "tok-alice", "work");
    // Incompressible 3 MiB: past git's 1 MiB http.postBuffer, so git sends it chunked.
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let blob: Vec<u8> = (0..3 << 20)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect();
    std::fs::write(work.join("big.bin"), &blob).expect("write");
    git_ok(&work, tmp.path(), None, &["add", "big.bin"]);
    git_ok(&work, tmp.path(), None, &["commit", "-m", "Add big.bin"]);
    git_ok(
        &work,
        tmp.path(),
        Some("tok-alice"),
        &["push", "origin", "main"],
    );
    assert_eq!(
        forge.file_at("alice", "demo", "main", "big.bin"),
        Some(blob)
    );
}
