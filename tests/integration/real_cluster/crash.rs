//! SIGKILL on real Flux: one `setup` killed in the flux step (the
//! GitRepository applied, the Kustomization not yet), its `resume` killed
//! while the reconcile step watches; the next `resume` ends as an
//! uninterrupted run does.

use harness::cluster::Options;

use super::fixture::Real;
use super::{flux_manifests, ready};
use crate::crash::kill_at;
use crate::support::example_values;
use crate::world::{LOGIN, NAME};

#[test]
fn killed_in_the_flux_step_and_while_reconciling_resume_ends_as_a_clean_run() {
    let r = Real::start_with(Options {
        flux: true,
        ..Options::default()
    });
    let manifests = flux_manifests(&r.cluster, r.w.dir());
    let values = example_values();
    let setup = [
        "setup",
        "--yes",
        "--values",
        values.to_str().unwrap(),
        "--flux-manifests",
        manifests.to_str().unwrap(),
        "--timeout",
        "120s",
    ];
    assert!(kill_at(&r.w, &setup, "flux:applied:GitRepository"));
    // Killed between the two applies: the GitRepository is there, alone.
    assert!(
        r.find(&["-n", "flux-system", "gitrepository", "flux-system"])
            .is_some()
    );
    assert!(
        r.find(&["-n", "flux-system", "kustomization", "flux-system"])
            .is_none()
    );

    assert!(kill_at(&r.w, &["resume"], "reconcile:watching"));
    assert!(
        r.find(&["-n", "flux-system", "kustomization", "flux-system"])
            .is_some()
    );

    let out = r.w.cmd(&["resume", "--timeout", "120s"]).run();
    assert_eq!(out.code, 0, "{}", r.diagnose(&out));
    let revision = r.revision();
    let git = r.get(&["-n", "flux-system", "gitrepository", "flux-system"]);
    assert_eq!(
        git["status"]["artifact"]["revision"],
        revision.as_str(),
        "{git}"
    );
    assert!(ready(&git), "{git}");
    assert!(r.assert_all_applied(&revision) >= 4);
    let hr = r.get(&["-n", "flux-system", "helmrelease", "metrics-server"]);
    assert!(ready(&hr), "{hr}");
    let installed = r.get(&["-n", "kube-system", "configmap", "metrics-server-installed"]);
    assert_eq!(installed["data"]["by"], "helm-controller");
    r.assert_sync_objects_as_applied();
    r.w.assert_no_failed_step();
    // One render commit on the fork, as after one uninterrupted run.
    let subjects: Vec<String> = r
        .forge
        .commits(LOGIN, NAME, "main")
        .into_iter()
        .map(|(_, s)| s)
        .collect();
    assert_eq!(subjects.len(), 2, "{subjects:?}");

    let before = r.owned_versions();
    let again = r.setup(&[]);
    assert_eq!(again.code, 0, "{}", r.diagnose(&again));
    assert!(again.stdout.contains("nothing to do"), "{}", again.stdout);
    assert_eq!(r.owned_versions(), before);
}
