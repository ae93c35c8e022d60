//! Fault injection and the request log.

use std::time::{Duration, Instant};

use harness::forge::{Fault, Forge, RequestKind, Target};

use crate::util::{basic, bearer, content_dir, git_ok, http, try_http};

const REFS: &str = "/alice/demo.git/info/refs?service=git-upload-pack";

fn setup() -> (Forge, tempfile::TempDir) {
    let tmp = tempfile::tempdir().expect("tmp");
    let forge = Forge::start_blocking();
    forge.add_user("alice", "tok-alice");
    forge.seed_repo("alice", "demo", &content_dir(tmp.path()), "main");
    (forge, tmp)
}

fn get_user(forge: &Forge) -> crate::util::Reply {
    http(
        forge.addr(),
        "GET",
        "/user",
        &[("Authorization", &bearer("tok-alice"))],
        b"",
    )
}

fn get_refs(forge: &Forge) -> crate::util::Reply {
    http(
        forge.addr(),
        "GET",
        REFS,
        &[("Authorization", &basic("alice", "tok-alice"))],
        b"",
    )
}

#[test]
fn status_fault_hits_exactly_n_matching_requests() {
    let (forge, _tmp) = setup();
    forge.fail_next(2, Fault::Status(502), Target::Api);
    let r = get_user(&forge);
    assert_eq!(
        (r.status, r.json()["message"].as_str()),
        (502, Some("Bad Gateway"))
    );
    assert_eq!(
        get_refs(&forge).status,
        200,
        "an Api fault leaves git alone"
    );
    assert_eq!(get_user(&forge).status, 502);
    assert_eq!(get_user(&forge).status, 200, "only two requests fail");

    forge.fail_next(1, Fault::Status(500), Target::Git);
    assert_eq!(get_user(&forge).status, 200);
    assert_eq!(get_refs(&forge).status, 500);
    assert_eq!(get_refs(&forge).status, 200);

    forge.fail_next(1, Fault::Status(503), Target::Any);
    forge.fail_next(1, Fault::Status(504), Target::Any);
    assert_eq!(
        get_refs(&forge).status,
        503,
        "rules apply in the order queued"
    );
    assert_eq!(get_user(&forge).status, 504);
    assert_eq!(get_user(&forge).status, 200);
}

#[test]
fn rate_limit_fault_is_githubs_primary_limit_403() {
    let (forge, _tmp) = setup();
    forge.fail_next(
        1,
        Fault::RateLimit {
            reset_epoch: 1_900_000_000,
        },
        Target::Api,
    );
    let r = get_user(&forge);
    assert_eq!(r.status, 403);
    assert_eq!(r.header("x-ratelimit-remaining"), "0");
    assert_eq!(r.header("x-ratelimit-reset"), "1900000000");
    assert_eq!(
        r.json()["message"],
        "API rate limit exceeded for user ID 1."
    );
    assert_eq!(get_user(&forge).status, 200);
}

#[test]
fn too_many_requests_fault_sends_retry_after() {
    let (forge, _tmp) = setup();
    forge.fail_next(1, Fault::TooManyRequests { retry_after: 7 }, Target::Any);
    let r = get_user(&forge);
    assert_eq!((r.status, r.header("retry-after")), (429, "7"));
    assert!(
        r.json()["message"]
            .as_str()
            .is_some_and(|m| m.contains("secondary rate limit"))
    );
}

#[test]
fn drop_fault_closes_the_connection_unanswered() {
    let (forge, _tmp) = setup();
    forge.fail_next(1, Fault::Drop, Target::Git);
    let auth = basic("alice", "tok-alice");
    let err = try_http(forge.addr(), "GET", REFS, &[("Authorization", &auth)], b"").err();
    assert!(err.is_some(), "expected no response");
    assert_eq!(get_refs(&forge).status, 200);
    let first = &forge.requests()[0];
    assert_eq!((first.status, first.kind), (None, RequestKind::GitRead));
}

#[test]
fn slow_fault_delays_then_answers_normally() {
    let (forge, _tmp) = setup();
    forge.fail_next(1, Fault::Slow(Duration::from_millis(1000)), Target::Api);
    let start = Instant::now();
    let r = get_user(&forge);
    assert!(
        start.elapsed() >= Duration::from_millis(1000),
        "{:?}",
        start.elapsed()
    );
    assert_eq!((r.status, r.json()["login"].as_str()), (200, Some("alice")));
    assert_eq!(forge.faults_queued(), 0, "only the next request is slow");
    assert_eq!(get_user(&forge).status, 200);
}

#[test]
fn requests_are_logged_with_kinds_and_can_be_reset() {
    let (forge, tmp) = setup();
    get_user(&forge);
    http(
        forge.addr(),
        "POST",
        "/repos/alice/demo/forks",
        &[("Authorization", &bearer("tok-alice"))],
        b"{}",
    );
    let kinds: Vec<_> = forge
        .requests()
        .iter()
        .map(|r| (r.method.clone(), r.kind, r.status))
        .collect();
    assert_eq!(
        kinds,
        [
            ("GET".into(), RequestKind::ApiRead, Some(200)),
            ("POST".into(), RequestKind::ApiWrite, Some(202))
        ]
    );

    forge.reset_requests();
    assert!(forge.requests().is_empty());
    let url = forge.clone_url("alice", "demo");
    git_ok(
        tmp.path(),
        tmp.path(),
        Some("tok-alice"),
        &["clone", &url, "c"],
    );
    let reqs = forge.requests();
    assert!(
        !reqs.is_empty() && reqs.iter().all(|r| r.kind == RequestKind::GitRead),
        "{reqs:?}"
    );
    assert!(
        reqs.iter()
            .any(|r| r.path == "/alice/demo.git/git-upload-pack"
                && r.method == "POST"
                && r.status == Some(200))
    );

    forge.reset_requests();
    let work = tmp.path().join("c");
    std::fs::write(work.join("x"), "x").expect("write");
    git_ok(&work, tmp.path(), None, &["add", "x"]);
    git_ok(&work, tmp.path(), None, &["commit", "-m", "x"]);
    git_ok(
        &work,
        tmp.path(),
        Some("tok-alice"),
        &["push", "origin", "HEAD:main"],
    );
    let ok: Vec<_> = forge
        .requests()
        .into_iter()
        .filter(|r| r.status == Some(200))
        .map(|r| r.kind)
        .collect();
    assert_eq!(
        ok,
        [RequestKind::GitWrite, RequestKind::GitWrite],
        "ref advertisement + receive-pack"
    );
}
