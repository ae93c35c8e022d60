//! Against a real cluster: kube-apiserver, etcd and Flux's source-, kustomize-
//! and helm-controller built by `tests/rig/build.sh` (the fixture panics,
//! naming the script, when they are missing), with the local forge for git
//! and a loopback Helm repository for the add-on charts.

use std::time::Duration;

pub(crate) use crate::rig_files::{copy_dir, flux_manifests, ready, upstream_for};

mod addons;
mod adopt;
mod basics;
mod crash;
mod dry_run;
mod fixture;
mod rejected;
mod sync;
mod verify;

/// Each scenario's bound; past it the test process aborts (the rig's
/// children die with it), so CI never hangs.
const WHOLE_TEST: Duration = Duration::from_secs(420);

pub(crate) fn watchdog() {
    std::thread::spawn(|| {
        std::thread::sleep(WHOLE_TEST);
        eprintln!("real-cluster test still running after {WHOLE_TEST:?}; aborting");
        std::process::abort();
    });
}
