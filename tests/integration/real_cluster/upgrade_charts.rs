//! `upgrade` bumping an add-on chart on real Flux: Karpenter 1.5 (Kubernetes
//! up to 1.33 by its compatibility matrix) on a cluster serving 1.33, upgraded
//! to 1.34. The bump to 1.6.0 is committed, pushed and upgraded by the real
//! helm-controller before the control plane moves (by real tofu).

use harness::cluster::Options;
use harness::fixtures::karpenter_chart_at;

use super::fixture::Real;
use super::ready;
use super::upgrade::{Terraform, serves, upgrade};
use crate::world::{LOGIN, NAME};

const KARPENTER: [&str; 4] = ["-n", "flux-system", "helmrelease", "karpenter"];
const FILE: &str = "gitops/add-ons/02-karpenter.yaml";

/// A workshop on a cluster serving 1.33 whose participant set Karpenter to
/// 1.5.0 (Kubernetes up to 1.33) and enabled it; 1.6.0 is in the loopback
/// Helm repository for the bump.
pub(super) fn karpenter_1_5_at_1_33() -> Real {
    let mut r = Real::start_with(Options {
        emulated_version: Some("1.33".into()),
        ..Options::default()
    });
    for v in ["1.5.0", "1.6.0"] {
        r.helm.add(&karpenter_chart_at(v));
    }
    r.set_up();
    let text = std::fs::read_to_string(r.w.clone_dir().join(FILE))
        .unwrap()
        .replace("v0.27.3", "1.5.0");
    r.participant_pushes("Karpenter 1.5.0", &[(FILE, &text)]);
    let out =
        r.w.cmd(&["enable-addon", "karpenter", "--timeout", "180s"])
            .run();
    assert_eq!(out.code, 0, "{}", r.diagnose(&out));
    r
}

#[test]
fn upgrade_bumps_the_add_on_chart_in_git_and_helm_controller_upgrades_it_before_the_hop() {
    let r = karpenter_1_5_at_1_33();
    assert_eq!(
        r.get(&KARPENTER)["status"]["history"][0]["chartVersion"],
        "1.5.0"
    );
    // The add-on's provisioner applied once the chart brought its kinds.
    let provisioner = r.get(&[
        "-n",
        "flux-system",
        "kustomization",
        "karpenter-provisioner",
    ]);
    assert!(ready(&provisioner), "{provisioner}");
    r.get(&["provisioners.karpenter.sh", "default"]);

    let tf = Terraform::applied(&r, "control-plane");
    let out = upgrade(&r, &tf, &[]);
    assert_eq!(out.code, 0, "{}", r.diagnose(&out));
    assert_eq!(serves(&r), "1.34");
    assert!(
        out.stdout.contains("karpenter 1.5.0 → 1.6.0"),
        "{}",
        out.stdout
    );
    // The hop's last line says what it changed, as read from the cluster.
    assert!(
        out.stdout.contains("Kubernetes 1.34 in ")
            && out
                .stdout
                .contains("add-ons: flux-system/karpenter 1.5.0 → 1.6.0")
            && out
                .stdout
                .contains("Bump add-on charts for Kubernetes 1.34"),
        "{}",
        out.stdout
    );
    // Upgraded by helm-controller, Ready at the new chart, the fork's tip applied.
    let hr = r.get(&KARPENTER);
    assert!(ready(&hr), "{hr}");
    assert_eq!(hr["status"]["history"][0]["chartVersion"], "1.6.0", "{hr}");
    let head = r.revision();
    assert_eq!(
        r.assert_all_applied(&head),
        super::fixture::SEED_KUSTOMIZATIONS + 1,
        "and karpenter-provisioner"
    );
    // One commit, the version and its label moved, nothing else in the file.
    let fork = r.forge.repo_dir(LOGIN, NAME);
    let subjects = crate::support::git(&fork, &["log", "--format=%s", "main"]);
    assert_eq!(
        subjects
            .matches("Bump add-on charts for Kubernetes 1.34")
            .count(),
        1,
        "{subjects}"
    );
    let diff = crate::support::git(
        &fork,
        &["show", "--format=", "--unified=0", "main~0", "--", FILE],
    );
    let changed: Vec<&str> = diff
        .lines()
        .filter(|l| l.starts_with(['+', '-']) && !l.starts_with("+++") && !l.starts_with("---"))
        .collect();
    assert_eq!(
        changed,
        [
            "-    add-on-version: \"1.5.0\"",
            "+    add-on-version: \"1.6.0\"",
            "-      version: 1.5.0",
            "+      version: 1.6.0"
        ],
        "{diff}"
    );

    let again = upgrade(&r, &tf, &[]);
    assert_eq!(again.code, 0, "{}", r.diagnose(&again));
    assert!(again.stdout.contains("nothing to do"), "{}", again.stdout);
}
