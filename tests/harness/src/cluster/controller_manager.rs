//! kube-controller-manager, with only the controllers the rig's tests need:
//! `disruption` computes PodDisruptionBudget status, without which the API
//! server refuses every eviction ("the disruption budget … is still being
//! processed by the server": its status must have seen its generation). An
//! upgrade drains nodes through evictions, so a driver's handling of a 429
//! can only be tested with it.
//!
//! Not started unless `Options::more_controllers` names them: every other
//! controller (no `default` ServiceAccounts, no namespace deletion, no
//! garbage collection: see the README; teardown's tests start `namespace`
//! and `garbagecollector`), and no
//! scheduler or kubelet, so a test binds pods itself (`spec.nodeName`) and
//! writes their Ready condition through the status subresource.

use super::{RealCluster, kubectl};
use std::process::Command;

/// The process (and log) name.
pub(super) const NAME: &str = "kube-controller-manager";

/// `--controllers`: kept minimal, each one a reason to be here.
pub const CONTROLLERS: [&str; 1] = ["disruption"];

impl RealCluster {
    /// Starts kube-controller-manager as admin (the rig's kubeconfig) and
    /// waits until the disruption controller has started. Leader election
    /// is off and it serves no port (`--secure-port=0`), so it needs none.
    pub(super) fn start_controller_manager(&mut self) {
        let mut cmd = Command::new(self.rig.bin(NAME));
        cmd.arg(format!("--kubeconfig={}", self.kubeconfig.display()))
            .arg(format!(
                "--controllers={}",
                [&CONTROLLERS[..], &self.opts.more_controllers]
                    .concat()
                    .join(",")
            ))
            .arg("--leader-elect=false")
            .arg("--secure-port=0")
            .arg("--use-service-account-credentials=false");
        self.procs.spawn(NAME, cmd);
        let log = self.log(NAME);
        let procs = &self.procs;
        kubectl::wait_until(
            "kube-controller-manager to start the disruption controller",
            self.opts.timeout,
            || {
                procs.assert_running();
                let text = std::fs::read_to_string(&log).ok()?;
                text.contains("Starting disruption controller")
                    .then_some(())
            },
            String::new,
        );
    }
}
