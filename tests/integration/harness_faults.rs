//! The harness's seeded "fail a share of requests" knobs: `Forge::fail_share`
//! and `ApiServer::fail_share` fail about the share asked for, the same way on
//! every run, and only the requests they target.

use harness::apiserver::{ApiFault, ApiServer, client};
use harness::forge::{Fault, Forge, Target};

/// Status codes of `n` GETs of `path` (0 for a dropped connection).
fn statuses(base: &str, path: &str, n: usize) -> Vec<u16> {
    (0..n)
        .map(|_| {
            client::request(
                base,
                "GET",
                path,
                &[("Authorization", "token tok-alice")],
                b"",
            )
            .map_or(0, |r| r.status)
        })
        .collect()
}

#[test]
fn forge_fail_share_fails_about_the_share_repeatably_and_only_its_target() {
    let run = || {
        let forge = Forge::start_blocking();
        forge.add_user("alice", "tok-alice");
        forge.fail_share(25, Fault::Status(503), Target::Api);
        let base = forge.api_url();
        let codes = statuses(base.trim_end_matches('/'), "/user", 200);
        // Git requests are not the target: none fail.
        let git = statuses(
            base.trim_end_matches('/'),
            "/alice/none.git/info/refs?service=git-upload-pack",
            20,
        );
        (codes, git)
    };
    let (codes, git) = run();
    let failed = codes.iter().filter(|c| **c == 503).count();
    assert!((30..70).contains(&failed), "{failed} of 200 failed");
    assert!(codes.iter().all(|c| *c == 503 || *c == 200), "{codes:?}");
    assert!(git.iter().all(|c| *c != 503), "{git:?}");
    assert_eq!(run().0, codes, "the same seed fails the same requests");
}

#[test]
fn apiserver_fail_share_answers_status_or_drops() {
    let api = ApiServer::start_blocking();
    api.fail_share(100, ApiFault::Status(503));
    let codes = statuses(&api.url(), "/api/v1/namespaces", 5);
    assert_eq!(codes, vec![503; 5]);
    let api = ApiServer::start_blocking();
    api.fail_share(100, ApiFault::Drop);
    assert_eq!(statuses(&api.url(), "/api/v1/namespaces", 3), vec![0; 3]);
    assert!(api.requests().iter().all(|(_, _, status)| *status == 0));
    let api = ApiServer::start_blocking();
    api.fail_share(30, ApiFault::Status(500));
    let codes = statuses(&api.url(), "/api/v1/namespaces", 200);
    let failed = codes.iter().filter(|c| **c == 500).count();
    assert!((35..85).contains(&failed), "{failed} of 200 failed");
    assert!(codes.iter().all(|c| *c == 500 || *c == 200), "{codes:?}");
}
