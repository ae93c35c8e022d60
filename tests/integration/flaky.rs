//! A flaky network: the forge and the API server each fail a seeded share of
//! requests (5xx and dropped connections) and stall some more (slow answers
//! that then succeed), and `setup` still completes within its retry budget,
//! ending with Flux at the pushed commit and one commit on the fork.

use std::time::Duration;

use harness::apiserver::ApiFault;
use harness::forge::{Fault, Target};

use crate::world::{Env, FS, GIT_API, env};

/// Requests answered slowly (300 ms, then normally), beside the failures.
const STALLS: u8 = 5;

/// `percent`% of each server's requests fail, in one seeded draw per request
/// (5xx and drops in turn); of the rest, about `STALLS`% are slow.
fn flaky(percent: u8) -> Env {
    let e = env(true);
    e.flux.set_delay(Duration::ZERO);
    let slow = Duration::from_millis(300);
    e.forge
        .fail_share_mix(percent, vec![Fault::Status(502), Fault::Drop], Target::Any);
    e.forge.fail_share(STALLS, Fault::Slow(slow), Target::Any);
    e.api
        .fail_share_mix(percent, vec![ApiFault::Status(503), ApiFault::Drop]);
    e.api.fail_share(STALLS, ApiFault::Slow(slow));
    e
}

/// `failed` of `total` requests failed: some did, and about `percent`%
/// (within three standard deviations of a binomial draw, plus one: the draws
/// are seeded, but how many requests a run makes varies a little).
fn assert_share(server: &str, failed: usize, total: usize, percent: u8) {
    let p = f64::from(percent) / 100.0;
    let expected = total as f64 * p;
    let slack = 3.0 * (total as f64 * p * (1.0 - p)).sqrt() + 1.0;
    assert!(
        failed > 0 && (failed as f64 - expected).abs() <= slack,
        "{server}: {failed} of {total} requests failed, asked for {percent}% (about {expected:.0})"
    );
}

fn survives(percent: u8) {
    let e = flaky(percent);
    let out = e.setup(&["--addons", "karpenter"]);
    assert_eq!(
        out.code, 0,
        "setup at {percent}% faults:\n{}\n{}",
        out.stdout, out.stderr
    );
    let forge = e.forge.requests();
    let failed_forge = forge
        .iter()
        .filter(|r| r.status.is_none_or(|s| s >= 500))
        .count();
    let api = e.api.requests();
    let failed_api = api.iter().filter(|(_, _, s)| *s == 0 || *s >= 500).count();
    eprintln!(
        "{percent}%: setup succeeded despite {failed_forge} of {} forge and {failed_api} of {} API server requests failing",
        forge.len(),
        api.len()
    );
    assert_share("forge", failed_forge, forge.len(), percent);
    assert_share("API server", failed_api, api.len(), percent);
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
