//! A flaky network: the forge and the API server fail a seeded share of
//! requests (5xx, dropped connections, slow answers), and `setup` still
//! completes within its retry budget, ending with Flux at the pushed commit.

use std::time::Duration;

use harness::apiserver::ApiFault;
use harness::forge::{Fault, Target};

use crate::world::{Env, FS, GIT_API, env};

fn flaky(percent: u8) -> Env {
    let e = env(true);
    e.flux.set_delay(Duration::ZERO);
    // The share splits between the kinds of fault.
    let third = percent / 3;
    e.forge.fail_share(third, Fault::Status(502), Target::Any);
    e.forge.fail_share(third, Fault::Drop, Target::Any);
    e.forge
        .fail_share(third, Fault::Slow(Duration::from_millis(300)), Target::Any);
    e.api.fail_share(third, ApiFault::Status(503));
    e.api.fail_share(third, ApiFault::Drop);
    e.api
        .fail_share(third, ApiFault::Slow(Duration::from_millis(300)));
    e
}

fn survives(percent: u8) {
    let e = flaky(percent);
    let out = e.setup(&["--addons", "karpenter"]);
    assert_eq!(
        out.code, 0,
        "setup at {percent}% faults:\n{}\n{}",
        out.stdout, out.stderr
    );
    let failed_forge = e
        .forge
        .requests()
        .iter()
        .filter(|r| r.status.is_none_or(|s| s >= 500))
        .count();
    let failed_api = e
        .api
        .requests()
        .iter()
        .filter(|(_, _, s)| *s == 0 || *s >= 500)
        .count();
    eprintln!("{percent}%: survived {failed_forge} forge and {failed_api} API server failures");
    assert!(failed_forge + failed_api > 0, "faults were injected");
    let git = e.get(GIT_API, "GitRepository", FS);
    assert_eq!(git["status"]["artifact"]["revision"], e.revision().as_str());
    let subjects: Vec<String> = e
        .forge
        .commits(crate::world::LOGIN, crate::world::NAME, "main")
        .into_iter()
        .map(|c| c.1)
        .collect();
    assert_eq!(
        subjects.len(),
        2,
        "one commit despite retries: {subjects:?}"
    );
}

#[test]
fn setup_survives_10_percent_of_requests_failing() {
    survives(10);
}

#[test]
fn setup_survives_25_percent_of_requests_failing() {
    survives(25);
}
