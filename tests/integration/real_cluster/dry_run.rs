//! `--dry-run` on real Kubernetes and Flux: kube-apiserver's audit log shows
//! the dry run's requests as reads only, and what it plans is what the real
//! run then does (the steps, the commit, the HelmRelease waited for).

use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use harness::cluster::Options;
use serde_json::Value;

use super::fixture::Real;
use crate::dry_run::{assert_plan_matches, planned_commits, statuses};
use crate::world::{LOGIN, NAME};

const WRITES: [&str; 5] = ["create", "update", "patch", "delete", "deletecollection"];

/// eks-workshop's requests in the audit log after `offset`: (all, writes).
fn our_requests(log: &Path, offset: u64) -> (usize, Vec<String>) {
    let mut file = std::fs::File::open(log).unwrap();
    file.seek(SeekFrom::Start(offset)).unwrap();
    let mut text = String::new();
    file.read_to_string(&mut text).unwrap();
    let ours: Vec<Value> = text
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|e| e["stage"] == "ResponseComplete")
        .filter(|e| {
            e["userAgent"]
                .as_str()
                .is_some_and(|a| a.starts_with("eks-workshop/"))
        })
        .collect();
    let writes = ours
        .iter()
        .filter(|e| WRITES.contains(&e["verb"].as_str().unwrap_or("")))
        .map(|e| format!("{} {}", e["verb"], e["requestURI"]))
        .collect();
    (ours.len(), writes)
}

/// Run `args --dry-run -o json`; assert the cluster saw reads only.
fn dry(r: &Real, args: &[&str]) -> Value {
    let log = r.cluster.audit_log().expect("started with an audit log");
    let offset = std::fs::metadata(&log).unwrap().len();
    let mut args = args.to_vec();
    args.extend_from_slice(&["--dry-run", "-o", "json"]);
    let out = r.w.cmd(&args).run();
    assert_eq!(out.code, 0, "{}", r.diagnose(&out));
    // The audit log is written as requests complete; the process has exited.
    let (all, writes) = our_requests(&log, offset);
    assert!(all > 0, "the dry run read the cluster");
    assert!(
        writes.is_empty(),
        "{args:?} wrote to the cluster: {writes:?}"
    );
    out.json()
}

#[test]
fn dry_runs_on_real_flux_only_read_and_plan_what_then_happens() {
    let mut r = Real::start_with(Options {
        audit: true,
        ..Options::default()
    });
    // Before anything: Flux would be installed from the given manifests and
    // the four sync objects applied; nothing is, and no fork is made.
    let manifests = super::flux_manifests(&r.cluster, r.w.dir());
    let values = crate::support::example_values();
    let setup = [
        "setup",
        "--yes",
        "--values",
        values.to_str().unwrap(),
        "--flux-manifests",
        manifests.to_str().unwrap(),
    ];
    let plan = dry(&r, &setup);
    let flux = plan["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["step"] == "flux")
        .unwrap()
        .clone();
    assert_eq!(flux["status"], "would-run", "{plan}");
    assert_eq!(flux["changes"][0]["kind"], "install-flux", "{flux}");
    assert!(
        flux["changes"][0]["from"]
            .as_str()
            .unwrap()
            .ends_with(".yaml"),
        "{flux}"
    );
    assert_eq!(flux["changes"].as_array().unwrap().len(), 5, "{flux}");
    assert!(
        r.find(&["namespace", "flux-system"]).is_none(),
        "nothing installed"
    );
    assert!(
        r.forge.branch_head(LOGIN, NAME, "main").is_none(),
        "no fork made"
    );

    r.set_up();
    let again = dry(&r, &["setup", "--yes", "--timeout", "180s"]);
    assert_eq!(again["nothing_to_do"], true, "{again}");

    let enable = [
        "enable-addon",
        "argo-workflows",
        "--yes",
        "--timeout",
        "180s",
    ];
    let plan = dry(&r, &enable);
    let st = statuses(&plan);
    assert_eq!(st["push"], "would-run", "{plan}");
    assert_eq!(st["reconcile"], "would-run", "{plan}");
    let wait = plan["steps"][5]["changes"][0]["until"].to_string();
    assert!(
        wait.contains("HelmRelease flux-system/argo-workflows is Ready"),
        "{wait}"
    );
    let planned = planned_commits(&plan);
    let before = r.forge.branch_head(LOGIN, NAME, "main").unwrap();
    let out = r.w.cmd(&[&enable[..], &["-o", "json"]].concat()).run();
    assert_eq!(out.code, 0, "{}", r.diagnose(&out));
    assert_plan_matches(&plan, &out.json());
    let made = crate::dry_run::made_commits(&r.forge.repo_dir(LOGIN, NAME), &before);
    assert_eq!(made, planned);
}
