//! Add-ons on real Flux: `enable-addon` returns once the real helm-controller
//! has installed the loopback chart and the HelmRelease is Ready;
//! `disable-addon` has the real kustomize-controller prune the HelmRelease and
//! helm-controller uninstall the chart. Re-running either changes nothing.

use super::fixture::{Real, SEED_KUSTOMIZATIONS};
use super::ready;
use crate::world::{LOGIN, NAME};

const ARGO: [&str; 4] = ["-n", "flux-system", "helmrelease", "argo-workflows"];
/// What the loopback argo-workflows chart installs.
const ARGO_OBJECT: [&str; 4] = ["-n", "argo-workflows", "configmap", "argo-installed"];

/// `enable-addon`'s reconcile asks every Kustomization to reconcile at once,
/// so `apps` answers "dependency 'flux-system/infrastructure' is not ready"
/// (Ready=False, DependencyNotReady, no Reconciling condition) while
/// infrastructure applies the new commit; the wait reads that as waiting,
/// not as a failure, so the command returns 0 once the release is Ready.
#[test]
fn enable_addon_waits_for_the_real_helm_release_and_disable_addon_uninstalls_it() {
    let mut r = Real::start();
    r.set_up();
    assert!(r.find(&ARGO).is_none());

    let out =
        r.w.cmd(&["enable-addon", "argo-workflows", "--timeout", "120s"])
            .run();
    assert_eq!(out.code, 0, "{}", r.diagnose(&out));
    assert!(
        out.stderr.contains("HelmRelease argo-workflows Ready")
            || out.stdout.contains("HelmRelease argo-workflows Ready"),
        "{}",
        r.diagnose(&out)
    );
    // It returned only once the release was Ready: right away, the chart's
    // object is in the cluster, put there by helm-controller.
    let hr = r.get(&ARGO);
    assert!(ready(&hr), "{hr}");
    assert_eq!(hr["status"]["history"][0]["chartVersion"], "0.28.2", "{hr}");
    let installed = r.get(&ARGO_OBJECT);
    assert_eq!(installed["data"]["by"], "helm-controller", "{installed}");
    assert_eq!(
        installed["metadata"]["labels"]["helm.toolkit.fluxcd.io/name"],
        "argo-workflows"
    );
    assert_eq!(r.assert_all_applied(&r.revision()), SEED_KUSTOMIZATIONS);

    // Again: nothing pushed, nothing written.
    let head = r.forge.branch_head(LOGIN, NAME, "main").unwrap();
    let again = r.w.cmd(&["enable-addon", "argo-workflows"]).run();
    assert_eq!(again.code, 0, "{}", r.diagnose(&again));
    assert!(
        again.stderr.contains("nothing to do") || again.stdout.contains("nothing to do"),
        "{}",
        r.diagnose(&again)
    );
    assert_eq!(r.forge.branch_head(LOGIN, NAME, "main").unwrap(), head);
    assert_eq!(
        r.get(&ARGO)["metadata"]["resourceVersion"],
        hr["metadata"]["resourceVersion"]
    );

    let out =
        r.w.cmd(&["disable-addon", "argo-workflows", "--timeout", "120s"])
            .run();
    assert_eq!(out.code, 0, "{}", r.diagnose(&out));
    // What it waits for: every Kustomization at the new commit, which the
    // real kustomize-controller reaches after pruning the HelmRelease (a
    // delete), and the HelmRelease gone (helm-controller's finalizer
    // uninstalls the chart first).
    let text = format!("{}{}", out.stdout, out.stderr);
    assert!(text.contains("argo-workflows disabled"), "{text}");
    assert!(text.contains("4 Kustomization(s) at main@sha1:"), "{text}");
    assert!(
        text.contains("HelmRelease argo-workflows uninstalled"),
        "{text}"
    );
    let revision = r.revision();
    assert_eq!(r.assert_all_applied(&revision), SEED_KUSTOMIZATIONS);
    let infra = r.get(&["-n", "flux-system", "kustomization", "infrastructure"]);
    let inventory = infra["status"]["inventory"]["entries"].to_string();
    assert!(!inventory.contains("argo-workflows"), "{inventory}");
    // Returned only once both are gone: the release and the chart's object.
    assert!(r.find(&ARGO).is_none(), "the HelmRelease is gone");
    assert!(r.find(&ARGO_OBJECT).is_none(), "the chart's object is gone");

    let head = r.forge.branch_head(LOGIN, NAME, "main").unwrap();
    let again = r.w.cmd(&["disable-addon", "argo-workflows"]).run();
    assert_eq!(again.code, 0, "{}", r.diagnose(&again));
    assert!(
        format!("{}{}", again.stdout, again.stderr).contains("nothing to do"),
        "{}",
        r.diagnose(&again)
    );
    assert_eq!(r.forge.branch_head(LOGIN, NAME, "main").unwrap(), head);
}
