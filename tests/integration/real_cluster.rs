//! Against a real cluster: kube-apiserver, etcd and Flux's source-, kustomize-
//! and helm-controller built by `tests/rig/build.sh` (the fixture panics,
//! naming the script, when they are missing), with the local forge for git
//! and a loopback Helm repository for the add-on charts.

use std::time::Duration;

pub(crate) use crate::rig_files::{copy_dir, flux_manifests, ready, upstream_for};

mod addons;
mod adopt;
mod basics;
mod chain;
mod crash;
mod dry_run;
mod fixture;
mod helm_releases;
mod nodes;
mod rejected;
mod requests;
mod reset;
mod sync;
mod teardown;
mod upgrade;
mod upgrade_charts;
mod upgrade_kills;
mod verify;
mod verify_disruption;
mod verify_inventory;
mod why_stuck;

/// Each scenario's bound; past it the test process aborts (the rig's
/// children die with it), so CI never hangs.
const WHOLE_TEST: Duration = Duration::from_secs(420);

/// Armed while a scenario runs: dropped (the scenario ended, passed or
/// failed), it no longer aborts anything — other tests in the same process,
/// such as the install test's release build, may well run longer.
pub(crate) struct Watchdog(std::sync::Arc<std::sync::atomic::AtomicBool>);

impl Drop for Watchdog {
    fn drop(&mut self) {
        self.0.store(false, std::sync::atomic::Ordering::SeqCst);
    }
}

#[must_use = "the watchdog is disarmed when dropped"]
pub(crate) fn watchdog() -> Watchdog {
    let armed = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let still = armed.clone();
    std::thread::spawn(move || {
        std::thread::sleep(WHOLE_TEST);
        if still.load(std::sync::atomic::Ordering::SeqCst) {
            eprintln!("real-cluster test still running after {WHOLE_TEST:?}; aborting");
            std::process::abort();
        }
    });
    Watchdog(armed)
}
