//! The GitHub path against the local forge: fork, clone, render, push for
//! real over the REST API and git smart-HTTP, every error a user can hit, and
//! an audit that the token ends up nowhere on disk or in the output.

use std::path::Path;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use harness::forge::{Fault, Forge, RequestKind, Target};

use crate::support::{Outcome, Workshop, example_values, git, repo_root};

const UP_OWNER: &str = "aws-samples";
const NAME: &str = "eks-cluster-upgrades-workshop";
const LOGIN: &str = "alice";
/// Distinctive, so the audit cannot miss it or match something else.
const TOKEN: &str = "ghp_forgeTok3n_9c1e5a7b2d4f";
const RENDER_COMMIT: &str = "Render workshop manifests with the cluster's values";
const KARPENTER: &str = "gitops/add-ons/02-karpenter.yaml";

/// A forge with alice and the upstream, and a workshop dir pointed at it.
struct Online {
    forge: Forge,
    w: Workshop,
    seed: String,
}

fn online() -> Online {
    let forge = Forge::start_blocking();
    forge.add_user(LOGIN, TOKEN);
    let seed = forge.seed_repo(UP_OWNER, NAME, &repo_root().join("workshop"), "main");
    let w = workshop(&forge, TOKEN);
    Online { forge, w, seed }
}

fn workshop(forge: &Forge, token: &str) -> Workshop {
    Workshop::new()
        .env("GITHUB_API_URL", &forge.api_url())
        .env("GITHUB_TOKEN", token)
        // Retries stay real but take milliseconds.
        .env("EKS_WORKSHOP_RETRY_BASE_MS", "2")
}

impl Online {
    /// `setup --until push --yes --values <example> <extra>`.
    fn setup(&self, extra: &[&str]) -> Outcome {
        setup_in(&self.w, extra)
    }

    fn fork_head(&self) -> Option<String> {
        self.forge.branch_head(LOGIN, NAME, "main")
    }

    fn fork_exists(&self) -> bool {
        self.forge.repo_dir(LOGIN, NAME).exists()
    }

    fn kinds(&self) -> Vec<RequestKind> {
        self.forge.requests().iter().map(|r| r.kind).collect()
    }

    fn writes(&self) -> Vec<String> {
        let requests = self.forge.requests();
        let writes = requests
            .iter()
            .filter(|r| matches!(r.kind, RequestKind::ApiWrite | RequestKind::GitWrite));
        writes.map(|r| format!("{} {}", r.method, r.path)).collect()
    }
}

fn setup_in(w: &Workshop, extra: &[&str]) -> Outcome {
    setup_until(w, "push", extra)
}

fn setup_until(w: &Workshop, step: &str, extra: &[&str]) -> Outcome {
    let values = example_values();
    let mut args = vec![
        "setup",
        "--until",
        step,
        "--yes",
        "--values",
        values.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    w.cmd(&args).run()
}

fn example_value(name: &str) -> String {
    let values = std::fs::read_to_string(example_values()).unwrap();
    let prefix = format!("{name}:");
    values
        .lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .map(|v| v.trim().trim_matches('"').to_string())
        .unwrap_or_else(|| panic!("example values lack {name}"))
}

/// Every file under `dir` (the clone with its `.git/`, the state file, the
/// lock) and the captured output: none holds `token`.
fn assert_no_token(dir: &Path, outputs: &[&Outcome], token: &str) {
    for out in outputs {
        assert!(
            !out.stdout.contains(token),
            "token in stdout:\n{}",
            out.stdout
        );
        assert!(
            !out.stderr.contains(token),
            "token in stderr:\n{}",
            out.stderr
        );
    }
    let mut stack = vec![dir.to_path_buf()];
    let mut files = 0;
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            let kind = std::fs::symlink_metadata(&path).unwrap().file_type();
            if kind.is_dir() {
                stack.push(path);
                continue;
            }
            files += 1;
            // A file the audit cannot read is a failure, not a clean file; a
            // symlink is audited by its target's name.
            let bytes = if kind.is_symlink() {
                std::fs::read_link(&path)
                    .unwrap()
                    .into_os_string()
                    .into_encoded_bytes()
            } else {
                std::fs::read(&path).unwrap_or_else(|e| panic!("audit {}: {e}", path.display()))
            };
            let found = bytes.windows(token.len()).any(|w| w == token.as_bytes());
            assert!(!found, "token found in {}", path.display());
        }
    }
    assert!(files > 0, "nothing to audit in {}", dir.display());
}

/// The state file is whole JSON and records `step` as failed.
fn assert_state_failed_at(w: &Workshop, step: &str) {
    let text =
        std::fs::read_to_string(w.dir().join(".eks-workshop/state.json")).expect("state file");
    let state: serde_json::Value = serde_json::from_str(&text).expect("state file is valid JSON");
    assert_eq!(state["steps"][step]["status"], "failed", "{text}");
}

fn now_epoch() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// A commit pushed to alice's fork behind our back, straight into the bare repo.
fn push_foreign_commit(forge: &Forge, scratch: &Path) -> String {
    let bare = forge.repo_dir(LOGIN, NAME);
    let work = scratch.join("elsewhere");
    let out = std::process::Command::new("git")
        .args(["clone", "-q"])
        .arg(&bare)
        .arg(&work)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::write(work.join("NOTES.md"), "pushed from another machine\n").unwrap();
    let id = [
        "-c",
        "user.name=Other",
        "-c",
        "user.email=other@example.invalid",
    ];
    git(&work, &["add", "NOTES.md"]);
    git(
        &work,
        &[&id[..], &["commit", "-q", "-m", "Add notes from elsewhere"]].concat(),
    );
    git(&work, &["push", "-q", "origin", "main"]);
    git(&work, &["rev-parse", "HEAD"])
}

#[test]
fn setup_forks_clones_renders_and_pushes_then_a_rerun_only_reads() {
    let o = online();
    let first = o.setup(&[]).success();
    assert!(
        first
            .stdout
            .contains("✔ fork — forked aws-samples/eks-cluster-upgrades-workshop to alice/"),
        "{}",
        first.stdout
    );
    assert!(o.fork_exists(), "the fork is a bare repo under alice");
    assert_eq!(
        o.writes()
            .iter()
            .filter(|w| w.starts_with("POST /repos/aws-samples/"))
            .count(),
        1,
        "{:?}",
        o.writes()
    );

    // The clone points at the fork, with no credentials anywhere in git's config.
    let origin = o.w.git(&["remote", "get-url", "origin"]);
    assert_eq!(origin, o.forge.clone_url(LOGIN, NAME));
    let config = std::fs::read_to_string(o.w.clone_dir().join(".git/config")).unwrap();
    assert!(!config.contains(TOKEN) && !config.contains('@'), "{config}");

    // Our commit is on the fork, with the rendered values; upstream is untouched.
    let head = o.w.git(&["rev-parse", "HEAD"]);
    assert_eq!(o.fork_head().as_deref(), Some(head.as_str()));
    let commits = o.forge.commits(LOGIN, NAME, "main");
    assert_eq!(commits.len(), 2, "{commits:?}");
    assert_eq!(commits[0].1, RENDER_COMMIT);
    assert_eq!(commits[1].0, o.seed);
    let karpenter = o
        .forge
        .file_at(LOGIN, NAME, "main", KARPENTER)
        .expect("karpenter manifest on the fork");
    let karpenter = String::from_utf8(karpenter).unwrap();
    assert!(
        karpenter.contains(&example_value("karpenter_irsa")),
        "{karpenter}"
    );
    assert!(!karpenter.contains("{{"), "{karpenter}");
    assert_eq!(
        o.forge.branch_head(UP_OWNER, NAME, "main"),
        Some(o.seed.clone())
    );
    assert_eq!(o.w.git(&["status", "--porcelain"]), "");

    // A second run finds everything done, and only reads.
    o.forge.reset_requests();
    let again = o.setup(&[]).success();
    for step in ["fork", "clone", "render", "addons", "push"] {
        assert!(
            again.stdout.contains(&format!("✔ {step} — already done")),
            "{step}:\n{}",
            again.stdout
        );
    }
    let kinds = o.kinds();
    assert!(!kinds.is_empty());
    assert!(o.writes().is_empty(), "a re-run wrote: {:?}", o.writes());
    assert_eq!(
        o.forge.commits(LOGIN, NAME, "main").len(),
        2,
        "no new commit"
    );
    assert_no_token(o.w.dir(), &[&first, &again], TOKEN);
}

#[test]
fn waits_for_a_fork_that_is_not_cloneable_yet() {
    let o = online();
    o.forge.set_fork_delay(Duration::from_millis(1500));
    let started = Instant::now();
    o.setup(&[]).success();
    assert!(started.elapsed() >= Duration::from_millis(1500));
    let fork_git = format!("/{LOGIN}/{NAME}.git/");
    let not_yet = o
        .forge
        .requests()
        .iter()
        .filter(|r| r.path.starts_with(&fork_git) && r.status == Some(404))
        .count();
    assert!(
        not_yet >= 1,
        "the fork answered 404 while being created: {:?}",
        o.forge.requests()
    );
    assert_eq!(o.forge.commits(LOGIN, NAME, "main")[0].1, RENDER_COMMIT);
}

#[test]
fn an_existing_fork_is_reused_without_forking_again() {
    let o = online();
    // An earlier attempt, from another directory, made the fork.
    let earlier = workshop(&o.forge, TOKEN);
    setup_until(&earlier, "fork", &[]).success();
    assert!(o.fork_exists());
    o.forge.reset_requests();

    let out = o.setup(&[]).success();
    assert!(
        out.stdout.contains("✔ fork — already done"),
        "{}",
        out.stdout
    );
    let writes = o.writes();
    assert!(
        writes.iter().all(|w| !w.starts_with("POST /repos")),
        "forked again: {writes:?}"
    );
    assert!(
        writes.iter().any(|w| w.contains("git-receive-pack")),
        "pushed: {writes:?}"
    );
    assert_eq!(o.forge.commits(LOGIN, NAME, "main")[0].1, RENDER_COMMIT);
}

#[test]
fn a_same_named_repository_that_is_not_a_fork_is_refused() {
    let o = online();
    o.forge.add_plain_repo(LOGIN, NAME);
    let out = o.setup(&[]).bad(1, "alice/eks-cluster-upgrades-workshop exists but is not a fork of aws-samples/eks-cluster-upgrades-workshop")
        .stderr_has("help: rename or delete that repository");
    assert!(!o.w.clone_dir().exists(), "nothing cloned");
    assert!(o.writes().is_empty(), "{:?}", o.writes());
    assert_eq!(
        o.forge.branch_head(LOGIN, NAME, "main"),
        None,
        "the plain repo is untouched"
    );
    assert_state_failed_at(&o.w, "fork");
    assert_no_token(o.w.dir(), &[&out], TOKEN);
}

#[test]
fn a_bad_token_exits_3_and_is_never_echoed() {
    let o = online();
    let bad = "ghp_expiredTok3n_0000aaaa";
    let w = workshop(&o.forge, bad);
    let out = setup_in(&w, &[])
        .bad(3, "rejected the credentials: Bad credentials")
        .stderr_has("help: GITHUB_TOKEN is wrong, expired or revoked");
    assert!(!w.clone_dir().exists());
    assert!(!o.fork_exists());
    assert_state_failed_at(&w, "fork");
    assert_no_token(w.dir(), &[&out], bad);
}

#[test]
fn a_forbidden_fork_names_the_permissions_needed() {
    let o = online();
    // GET /user and GET /repos/alice/... pass; the fork POST is refused.
    o.forge
        .fail_next(2, Fault::Slow(Duration::ZERO), Target::Api);
    o.forge.fail_next(1, Fault::Status(403), Target::Api);
    o.setup(&[])
        .bad(3, "denied the request: Forbidden")
        .stderr_has("may not fork aws-samples/eks-cluster-upgrades-workshop")
        .stderr_has("`repo` scope")
        .stderr_has("Contents: read and write, and Administration: read and write");
    assert!(!o.fork_exists());
    assert!(!o.w.clone_dir().exists());
    assert_state_failed_at(&o.w, "fork");
}

#[test]
fn a_missing_upstream_exits_2_naming_the_flag() {
    let o = online();
    let out = o
        .setup(&["--upstream", "aws-samples/no-such-workshop"])
        .bad(
            2,
            "upstream repository not found: aws-samples/no-such-workshop",
        );
    out.stderr_has("help: check --upstream");
    assert!(!o.w.dir().join("no-such-workshop").exists());
    assert_state_failed_at(&o.w, "fork");
}

#[test]
fn a_rate_limit_says_when_it_resets() {
    let o = online();
    o.forge.fail_next(
        1,
        Fault::RateLimit {
            reset_epoch: now_epoch() + 125,
        },
        Target::Api,
    );
    let out = o.setup(&[]).bad(1, "rate limit reached");
    let line = out
        .stderr
        .lines()
        .find(|l| l.contains("rate limit"))
        .unwrap_or_default()
        .to_string();
    // 125 s from when the fault was set; a second or two may have passed.
    assert!(
        line.contains("it resets in 2m") && line.contains("UTC)"),
        "{}",
        out.stderr
    );
    out.stderr_has("help: wait until then");
    assert_eq!(o.forge.requests().len(), 1, "not retried");
    assert_state_failed_at(&o.w, "fork");

    // The secondary limit (429): a long wait is reported...
    o.forge
        .fail_next(1, Fault::TooManyRequests { retry_after: 90 }, Target::Api);
    o.setup(&[]).bad(1, "it resets in 1m 30s");
    // ...a short one is waited out.
    o.forge
        .fail_next(1, Fault::TooManyRequests { retry_after: 1 }, Target::Api);
    o.setup(&[]).success();
}

#[test]
fn server_errors_and_dropped_connections_are_retried() {
    let o = online();
    o.forge.fail_next(2, Fault::Status(502), Target::Api);
    o.forge.fail_next(1, Fault::Drop, Target::Api);
    o.forge.fail_next(2, Fault::Status(503), Target::Git);
    o.forge.fail_next(1, Fault::Drop, Target::Git);
    let out = o.setup(&[]).success();
    let requests = o.forge.requests();
    let statuses: Vec<_> = requests.iter().take(3).map(|r| r.status).collect();
    assert_eq!(statuses, [Some(502), Some(502), None], "{requests:?}");
    let failed_git = requests.iter().filter(|r| {
        r.kind == RequestKind::GitRead && r.status != Some(200) && r.status != Some(401)
    });
    assert!(failed_git.count() >= 3, "{requests:?}");
    assert_eq!(o.forge.commits(LOGIN, NAME, "main")[0].1, RENDER_COMMIT);
    assert_no_token(o.w.dir(), &[&out], TOKEN);
}

#[test]
fn a_push_interrupted_by_a_dropped_connection_is_retried() {
    let o = online();
    setup_until(&o.w, "render", &[]).success();
    // Every git read passes; the push's first request is dropped.
    o.forge.reset_requests();
    let reads_before_push = 6;
    o.forge
        .fail_next(reads_before_push, Fault::Slow(Duration::ZERO), Target::Git);
    o.forge.fail_next(1, Fault::Drop, Target::Git);
    o.forge
        .fail_next(1000, Fault::Slow(Duration::ZERO), Target::Git);
    o.setup(&[]).success();
    let requests = o.forge.requests();
    let dropped: Vec<_> = requests.iter().filter(|r| r.status.is_none()).collect();
    assert_eq!(dropped.len(), 1, "{requests:?}");
    assert_eq!(
        dropped[0].kind,
        RequestKind::GitWrite,
        "the drop hit the push: {requests:?}"
    );
    let head = o.w.git(&["rev-parse", "HEAD"]);
    assert_eq!(o.fork_head().as_deref(), Some(head.as_str()));
    assert_eq!(o.forge.commits(LOGIN, NAME, "main").len(), 2);
}

#[test]
fn server_errors_that_do_not_stop_fail_with_a_clear_message() {
    let o = online();
    o.forge.fail_next(1000, Fault::Status(503), Target::Api);
    o.setup(&[])
        .bad(1, "could not reach GitHub (http://127.0.0.1:")
        .stderr_has("answered 503 (Service Unavailable) on each of 5 tries")
        .stderr_has("githubstatus.com");
    assert_eq!(o.forge.requests().len(), 5, "bounded tries");
    assert!(!o.w.clone_dir().exists());
    assert_state_failed_at(&o.w, "fork");
}

#[test]
fn git_server_errors_that_do_not_stop_fail_with_a_clear_message() {
    let o = online();
    o.forge.fail_next(1000, Fault::Status(500), Target::Git);
    o.setup(&[])
        .bad(1, "could not reach")
        .stderr_has("5 tries")
        .stderr_has("help: check the network connection");
    assert!(!o.w.clone_dir().exists());
}

#[test]
fn an_unreachable_api_fails_after_bounded_retries() {
    // A port held bound but never listening: connection refused, every
    // time, and no other test's server can appear on it meanwhile.
    let reserved = harness::port::ReservedPort::new();
    let port = reserved.port();
    let w = Workshop::new()
        .env("GITHUB_API_URL", &format!("http://127.0.0.1:{port}"))
        .env("GITHUB_TOKEN", TOKEN)
        .env("EKS_WORKSHOP_RETRY_BASE_MS", "2");
    setup_in(&w, &[])
        .bad(
            1,
            &format!("could not reach GitHub (http://127.0.0.1:{port})"),
        )
        .stderr_has("(5 tries)")
        .stderr_has("help: check the network connection");
    assert_state_failed_at(&w, "fork");
}

/// A plain-HTTP server that counts the connections made to it and answers
/// each with a 400, as any HTTP server answers a TLS ClientHello.
fn counting_plain_http() -> (u16, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::io::{Read, Write};
    use std::sync::atomic::{AtomicUsize, Ordering};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let count = std::sync::Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    std::thread::spawn(move || {
        for mut conn in listener.incoming().flatten() {
            seen.fetch_add(1, Ordering::SeqCst);
            let mut buf = [0u8; 1024];
            let _ = conn.read(&mut buf);
            let _ = conn.write_all(
                b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            );
        }
    });
    (port, count)
}

#[test]
fn a_tls_failure_is_reported_as_such_and_not_retried() {
    // A server that speaks plain HTTP where https:// was asked for: the TLS
    // handshake fails. Counted at the server: one connection, not the five
    // tries a transient failure gets (see the unreachable test above).
    let (port, attempts) = counting_plain_http();
    let w = Workshop::new()
        .env("GITHUB_API_URL", &format!("https://127.0.0.1:{port}"))
        .env("GITHUB_TOKEN", TOKEN)
        .env("EKS_WORKSHOP_RETRY_BASE_MS", "2");
    setup_in(&w, &[])
        .bad(1, "TLS failed")
        .stderr_has("SSL_CERT_FILE");
    assert_eq!(
        attempts.load(std::sync::atomic::Ordering::SeqCst),
        1,
        "one handshake, no retry"
    );
    assert_state_failed_at(&w, "fork");
}

/// TLS verification is never turned off: a certificate from an authority
/// nobody trusts is refused before any request is made; given that
/// authority in SSL_CERT_FILE, the same server passes the handshake (so it
/// was the verification that refused it, not a broken server).
#[test]
fn a_certificate_nobody_vouches_for_is_refused() {
    let server = harness::tls::UntrustedHttps::start();
    let w = Workshop::new()
        .env("GITHUB_API_URL", &server.url())
        .env("GITHUB_TOKEN", TOKEN)
        .env("EKS_WORKSHOP_RETRY_BASE_MS", "2");
    let out = setup_in(&w, &[])
        .bad(1, "TLS failed")
        .stderr_has("SSL_CERT_FILE");
    out.stderr_has("invalid peer certificate: UnknownIssuer");
    let trusted = setup_in(
        &w.env("SSL_CERT_FILE", server.ca_file().to_str().unwrap()),
        &[],
    );
    assert_ne!(trusted.code, 0, "s_server is no GitHub API");
    trusted.stderr_has("answered 200 OK with something that is not the GitHub API");
}

#[test]
fn a_github_user_that_is_not_the_tokens_exits_3() {
    let o = online();
    o.setup(&["--github-user", "bob"]).bad(
        3,
        "the token belongs to `alice`, but --github-user is `bob`",
    );
    assert!(!o.fork_exists());
    assert!(!o.w.clone_dir().exists());
    // Same login, other case: fine.
    o.setup(&["--github-user", "Alice"]).success();
}

#[test]
fn a_branch_the_fork_lacks_exits_2() {
    let o = online();
    o.setup(&["--branch", "workshop"])
        .bad(2, "branch not found: workshop")
        .stderr_has("it has: main");
    assert!(!o.w.clone_dir().exists());
    assert_state_failed_at(&o.w, "fork");
}

#[test]
fn a_protected_branch_is_reported_then_a_moved_remote_is_rebased_onto() {
    let o = online();
    setup_until(&o.w, "render", &[]).success();
    o.forge.protect_branch(LOGIN, NAME, "main");
    let rejected = o
        .setup(&[])
        .bad(1, "push to main was rejected")
        .stderr_has("GH006")
        .stderr_has("protected branch");
    assert_state_failed_at(&o.w, "push");
    let local = o.w.git(&["rev-parse", "HEAD"]);
    assert_ne!(
        o.fork_head().as_deref(),
        Some(local.as_str()),
        "nothing landed"
    );

    // The participant lifts the protection (the forge has no API for that:
    // drop its list of protected refs); meanwhile another commit lands on the
    // fork, and the participant edits a file of their own.
    std::fs::remove_file(o.forge.repo_dir(LOGIN, NAME).join("forge-protected-refs")).unwrap();
    let scratch = tempfile::tempdir().unwrap();
    let foreign = push_foreign_commit(&o.forge, scratch.path());
    std::fs::write(o.w.clone_dir().join("README.md"), "my own notes\n").unwrap();

    let out = o.w.cmd(&["resume"]).run().success();
    let commits = o.forge.commits(LOGIN, NAME, "main");
    let summaries: Vec<_> = commits.iter().map(|(_, s)| s.as_str()).collect();
    assert_eq!(
        summaries[..2],
        [RENDER_COMMIT, "Add notes from elsewhere"],
        "{summaries:?}"
    );
    assert_eq!(commits.len(), 3, "no duplicate commits: {summaries:?}");
    assert_eq!(commits[1].0, foreign);
    let head = o.w.git(&["rev-parse", "HEAD"]);
    assert_eq!(o.fork_head().as_deref(), Some(head.as_str()));
    assert_eq!(
        std::fs::read_to_string(o.w.clone_dir().join("README.md")).unwrap(),
        "my own notes\n"
    );
    assert_eq!(
        o.w.git(&["status", "--porcelain"]).trim(),
        "M README.md",
        "only the participant's edit is uncommitted"
    );
    assert_no_token(o.w.dir(), &[&rejected, &out], TOKEN);
}

#[test]
fn a_fork_with_another_name_is_found_and_used() {
    let o = online();
    // The participant forked long ago and renamed the fork.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let gh = octocrab::Octocrab::builder()
            .base_uri(o.forge.api_url())
            .unwrap()
            .personal_token(TOKEN.to_string())
            .build()
            .unwrap();
        gh.repos(UP_OWNER, NAME)
            .create_fork()
            .name("my-upgrades-lab")
            .send()
            .await
            .expect("fork");
    });
    let out = o.setup(&[]).success();
    assert!(
        out.stdout.contains("to alice/my-upgrades-lab"),
        "{}",
        out.stdout
    );
    assert_eq!(
        o.forge.commits(LOGIN, "my-upgrades-lab", "main")[0].1,
        RENDER_COMMIT
    );
    assert!(!o.fork_exists(), "no second fork under the upstream's name");
    let origin = o.w.git(&["remote", "get-url", "origin"]);
    assert_eq!(origin, o.forge.clone_url(LOGIN, "my-upgrades-lab"));
    o.forge.reset_requests();
    o.setup(&[]).success();
    assert!(o.writes().is_empty(), "{:?}", o.writes());
}

#[test]
fn git_refusing_the_token_exits_3_naming_the_permissions() {
    let o = online();
    o.setup(&[]).success();
    // The API still accepts the token, but git answers 403 (e.g. a
    // fine-grained token with read-only Contents)...
    o.forge.fail_next(1000, Fault::Status(403), Target::Git);
    let out = o
        .setup(&[])
        .bad(3, "denied the request")
        .stderr_has("Contents: read and write");
    assert_no_token(o.w.dir(), &[&out], TOKEN);

    // ...or 401 every time, however often the credentials are given.
    let o = online();
    o.setup(&[]).success();
    o.forge.fail_next(1000, Fault::Status(401), Target::Git);
    let out = o
        .setup(&[])
        .bad(3, "rejected the credentials: authentication failed");
    assert_no_token(o.w.dir(), &[&out], TOKEN);
}
