//! A commit real Flux rejects: the participant pushes a Deployment the API
//! server refuses (`replicas: -1`; an unknown field would not do: the
//! API server drops it, with a warning nobody sees, and Flux applies the rest); `resume` asks Flux to apply it
//! and stops as soon as kustomize-controller says why, exit 1, well before
//! its timeout, with Flux's own message.

use std::time::Duration;

use super::fixture::Real;
use super::ready;

const BROKEN: &str = "gitops/applications/02-broken.yaml";
const BROKEN_YAML: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: broken
  namespace: default
spec:
  replicas: -1
  selector:
    matchLabels: {app: broken}
  template:
    metadata:
      labels: {app: broken}
    spec:
      containers:
        - name: app
          image: nginx
";

/// After the failed dry run real kustomize-controller keeps Reconciling=True
/// (reason ProgressingWithRetry) beside Ready=False/ReconciliationFailed,
/// which kstatus alone reads as in progress; the wait reads it as a failure
/// once Flux has answered our request, so the command stops well before its
/// timeout.
#[test]
fn a_commit_real_flux_rejects_fails_fast_with_fluxs_message() {
    let mut r = Real::start();
    r.set_up();
    let kustomization = std::fs::read_to_string(
        r.w.clone_dir()
            .join("gitops/applications/kustomization.yaml"),
    )
    .unwrap()
    .replace("resources:\n", "resources:\n  - 02-broken.yaml\n");
    let head = r.participant_pushes(
        "Add a broken app",
        &[
            (BROKEN, BROKEN_YAML),
            ("gitops/applications/kustomization.yaml", &kustomization),
        ],
    );
    // Failing fast, not at the timeout: with an hour to wait, a run that
    // waited it out would hang, and the watchdog would say so.
    let (out, _) =
        r.w.cmd(&["resume", "--timeout", "1h"])
            .run_within(Duration::from_secs(300));
    assert_eq!(out.code, 1, "{}", r.diagnose(&out));
    // Flux's own words, naming the object and the field.
    assert!(
        out.stderr.contains("Kustomization flux-system/apps failed")
            && out.stderr.contains("Deployment/default/broken")
            && out.stderr.contains("spec.replicas"),
        "{}",
        r.diagnose(&out)
    );
    let apps = r.get(&["-n", "flux-system", "kustomization", "apps"]);
    assert!(!ready(&apps), "{apps}");
    assert_eq!(
        apps["status"]["lastAttemptedRevision"],
        format!("main@sha1:{head}"),
        "{apps}"
    );
    assert!(r.find(&["-n", "default", "deployment", "broken"]).is_none());
    eprintln!("{}", out.stderr);
}
