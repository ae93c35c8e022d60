//! Flux's dependency chain (`sources` → `infrastructure` → `apps`) with the
//! controllers' default `--requeue-dependency` (30 s): `sync --yes` after a
//! one-file commit ends with every Kustomization Ready at the pushed commit,
//! each reconciled once, at that commit — the wait asks the source first,
//! then each Kustomization once its `dependsOn` has applied the commit, so
//! none applies the old revision again and none waits for the timer. Read
//! from kustomize-controller's own log. A no-op `sync` then still asks
//! every one of them, once.

use std::collections::BTreeMap;

use harness::cluster::Options;
use serde_json::Value;

use super::fixture::{Real, SEED_KUSTOMIZATIONS};

const EDITED: &str = "gitops/applications/01-sample-app.yaml";

/// kustomize-controller's log lines (JSON) from byte `offset` on whose
/// message starts with `msg`: (Kustomization name, revision).
fn logged(r: &Real, offset: usize, msg: &str) -> Vec<(String, String)> {
    let log = std::fs::read_to_string(r.cluster.log("kustomize-controller")).unwrap();
    log[offset..]
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        // The reconciler's lines (its events are logged again, by "events").
        .filter(|e| e["controller"] == "kustomization")
        .filter(|e| e["msg"].as_str().is_some_and(|m| m.starts_with(msg)))
        .map(|e| {
            let name = e["name"].as_str().unwrap_or_default().to_string();
            (name, e["revision"].as_str().unwrap_or_default().to_string())
        })
        .collect()
}

fn log_len(r: &Real) -> usize {
    std::fs::metadata(r.cluster.log("kustomize-controller"))
        .unwrap()
        .len() as usize
}

/// Each Kustomization's `status.lastHandledReconcileAt`, by name.
fn handled(r: &Real) -> BTreeMap<String, String> {
    let list = r.get(&["kustomizations", "-n", "flux-system"]);
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| {
            let at = k["status"]["lastHandledReconcileAt"].as_str();
            (
                k["metadata"]["name"].as_str().unwrap().to_string(),
                at.unwrap_or_default().to_string(),
            )
        })
        .collect()
}

#[test]
fn sync_drives_the_chain_on_flux_s_default_requeue_each_kustomization_once_at_the_commit() {
    let mut r = Real::start_with(Options {
        requeue_dependency: None,
        ..Options::default()
    });
    r.set_up();
    let old = r.revision();
    // The participant's one-file commit, not pushed yet.
    let path = r.w.clone_dir().join(EDITED);
    let text = std::fs::read_to_string(&path).unwrap();
    let anchor = "metadata:\n  labels:\n";
    assert!(text.contains(anchor), "{EDITED}: {text}");
    let edited = text.replacen(anchor, &format!("{anchor}    chain: \"1\"\n"), 1);
    std::fs::write(&path, edited).unwrap();
    r.w.git(&["add", EDITED]);
    let id = ["-c", "user.name=p", "-c", "user.email=p@example.com"];
    r.w.git(&[&id[..], &["commit", "-qm", "Label the sample app"]].concat());
    let head = r.w.git(&["rev-parse", "HEAD"]);

    let offset = log_len(&r);
    let out = r.w.cmd(&["sync", "--yes", "--timeout", "120s"]).run();
    assert_eq!(out.code, 0, "{}", r.diagnose(&out));
    let new = r.revision();
    assert_eq!(new, format!("main@sha1:{head}"));
    assert_ne!(new, old);
    assert_eq!(r.assert_all_applied(&new), SEED_KUSTOMIZATIONS);
    // Each Kustomization finished one reconcile since the sync began, at
    // the new commit: none at the old one, none twice.
    let finished = logged(&r, offset, "Reconciliation finished");
    let mut by_name: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (name, revision) in &finished {
        by_name.entry(name).or_default().push(revision);
    }
    let once: BTreeMap<&str, Vec<&str>> = ["apps", "flux-system", "infrastructure", "sources"]
        .into_iter()
        .map(|n| (n, vec![new.as_str()]))
        .collect();
    assert_eq!(
        by_name,
        once,
        "{}\n{}\nwaited for a dependency: {:?}",
        out.stdout,
        out.stderr,
        logged(&r, offset, "Dependencies do not meet ready condition")
    );

    // A no-op sync asks Flux again and judges its answer: every
    // Kustomization handles a new request of ours.
    let before = handled(&r);
    // Events carry whole seconds, and sync reports those of the second it
    // started in too: the no-op starts a second after the last event above.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let again = r.w.cmd(&["sync", "--yes", "--timeout", "120s"]).run();
    assert_eq!(again.code, 0, "{}", r.diagnose(&again));
    assert!(
        again.stdout.contains("the cluster already runs"),
        "{}",
        again.stdout
    );
    let after = handled(&r);
    assert_eq!(after.len(), SEED_KUSTOMIZATIONS, "{after:?}");
    for (name, at) in &after {
        assert!(
            !at.is_empty() && before.get(name) != Some(at),
            "{name} was not asked again: {before:?} → {after:?}"
        );
    }
    assert_eq!(r.assert_all_applied(&new), SEED_KUSTOMIZATIONS);
}
