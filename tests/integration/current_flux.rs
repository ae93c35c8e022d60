//! The real upstream's shape against a current Flux, on the fast stand-in:
//! the API server serves only Flux 2.9.5's versions and refuses non-string
//! label values, as kube-apiserver does (the same scenario on real Flux is
//! `real_upstream.rs`). Setup migrates in one commit, goes through the
//! karpenter-provisioner Kustomization failing until the karpenter chart has
//! brought its CRDs, and ends with both HelmReleases Ready; verify names what
//! would be refused before the migration and nothing after; a kill anywhere
//! in the migrate step, then `resume`, ends as an uninterrupted run.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use harness::cluster::helmrepo::Chart;
use harness::flux::FluxApis;
use serde_json::Value;

use crate::crash::kill_at;
use crate::support::{example_values, git, repo_root};
use crate::world::{Env, HELM_API, KS_API, LOGIN, NAME, env_on, ready};

fn world() -> Env {
    let e = env_on(
        &repo_root().join("tests/fixtures/upstream"),
        Some(FluxApis::Current),
        &[],
    );
    e.flux.add_chart(&Chart::new("argo-workflows", "0.28.2"));
    e.flux.add_chart(&Chart::new("metrics-server", "3.8.4"));
    e
}

fn setup_args(values: &str) -> Vec<&str> {
    vec![
        "setup",
        "--yes",
        "--values",
        values,
        "--timeout",
        "90s",
        "--addons",
        "karpenter,argo-workflows",
    ]
}

/// The fork's tree and subjects, the cluster at its head, both releases Ready.
fn end_state(e: &Env) -> Value {
    let fork = e.forge.repo_dir(LOGIN, NAME);
    let revision = e.revision();
    let kustomizations = e.api.store().list(KS_API, "Kustomization", None);
    assert_eq!(
        kustomizations.len(),
        5,
        "flux-system and cluster-demo's four"
    );
    for k in &kustomizations {
        let name = &k["metadata"]["name"];
        assert_eq!(
            k["status"]["lastAppliedRevision"],
            revision.as_str(),
            "{name}"
        );
        assert!(ready(k), "Kustomization {name} is Ready: {k}");
    }
    for name in ["karpenter", "argo-workflows"] {
        let hr = e.get(HELM_API, "HelmRelease", name);
        assert!(ready(&hr), "{hr}");
    }
    assert_eq!(e.w.git(&["status", "--porcelain"]), "", "clean clone");
    serde_json::json!({
        "tree": git(&fork, &["rev-parse", "main^{tree}"]),
        "subjects": e.forge.commits(LOGIN, NAME, "main").into_iter().map(|(_, s)| s).collect::<Vec<_>>(),
    })
}

#[test]
fn on_current_flux_setup_migrates_once_waits_through_karpenter_and_reruns_as_a_no_op() {
    let e = world();
    let values = example_values();
    let values = values.to_str().unwrap();
    let out = e.w.cmd(&setup_args(values)).run();
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    let all = format!("{}\n{}", out.stdout, out.stderr);
    assert!(
        all.contains("HelmRelease metrics-server, karpenter, argo-workflows Ready"),
        "{all}"
    );
    let end = end_state(&e);
    let subjects = end["subjects"].as_array().unwrap();
    let migrates = subjects
        .iter()
        .filter(|s| s.as_str().unwrap().contains("Migrate manifests"))
        .count();
    assert_eq!(migrates, 1, "{subjects:?}");
    // The Provisioner was applied, through the CRD the chart brought.
    let provisioner = e
        .api
        .store()
        .get("karpenter.sh/v1alpha5", "Provisioner", None, "default");
    assert!(provisioner.is_some(), "Provisioner applied");
    // Label values the migration quoted are strings, as the server demands.
    let hr = e.get(HELM_API, "HelmRelease", "karpenter");
    assert_eq!(hr["metadata"]["labels"]["self-managed-add-on"], "true");
    // A re-run: nothing to do, no commit, no write to what the tool owns.
    let before = e.owned_versions();
    let again = e.w.cmd(&setup_args(values)).run();
    assert_eq!(again.code, 0, "{}\n{}", again.stdout, again.stderr);
    assert!(again.stdout.contains("nothing to do"), "{}", again.stdout);
    assert_eq!(end_state(&e), end);
    assert_eq!(e.owned_versions(), before);
}

#[test]
fn verify_names_each_object_the_cluster_would_refuse_before_the_migration_and_none_after() {
    let e = world();
    let values = example_values();
    let values = values.to_str().unwrap();
    // Cloned and rendered, not migrated yet.
    let mut args = setup_args(values);
    args.extend_from_slice(&["--until", "addons"]);
    e.w.cmd(&args).run().success();
    let verify = |e: &Env| {
        e.w.cmd(&["verify", "--target-version", "1.34", "-o", "json"])
            .run()
    };
    let before = verify(&e).json();
    let refused: Vec<String> = before["preflight"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            format!(
                "{}:{} {}",
                p["file"].as_str().unwrap(),
                p["line"],
                p["message"]
            )
        })
        .collect();
    let text = refused.join("\n");
    for (file, what) in [
        (
            "gitops/clusters/cluster-demo/infra.yaml:1",
            "Kustomization infrastructure is kustomize.toolkit.fluxcd.io/v1beta1",
        ),
        (
            "gitops/sources/karpenter-helm.yaml:2",
            "HelmRepository karpenter is source.toolkit.fluxcd.io/v1beta2",
        ),
        (
            "gitops/add-ons/02-karpenter.yaml:6",
            "HelmRelease karpenter is helm.toolkit.fluxcd.io/v2beta1",
        ),
    ] {
        assert!(
            refused
                .iter()
                .any(|r| r.starts_with(file) && r.contains(what)),
            "{file} {what} in:\n{text}"
        );
    }
    assert!(
        text.contains("self-managed-add-on"),
        "the non-string label value is named:\n{text}"
    );
    // Each is counted among the problems.
    let problems = before["problems"].as_array().unwrap();
    assert!(problems.len() >= refused.len());
    assert_eq!(before["problems_total"], problems.len());
    // After setup migrated (and pushed): nothing would be refused.
    e.w.cmd(&setup_args(values)).run().success();
    let after = verify(&e).json();
    assert_eq!(after["preflight"], serde_json::json!([]), "{after}");
}

/// The migrate step's boundaries and inside points, and the push right after.
const POINTS: &[&str] = &[
    "before:migrate",
    "migrate:mid",
    "migrate:before-commit",
    "ran:migrate",
    "before:push",
    "push:after-commit",
];

#[test]
fn killed_anywhere_in_the_migrate_step_then_resumed_ends_with_one_migrate_commit() {
    let values = example_values();
    let values = values.to_str().unwrap();
    let reference = world();
    reference.w.cmd(&setup_args(values)).run().success();
    let expected = end_state(&reference);
    let cases: Vec<(&str, &str)> = POINTS
        .iter()
        .flat_map(|p| [(*p, "resume"), (*p, "setup")])
        .collect();
    let next = AtomicUsize::new(0);
    let failures = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..3 {
            s.spawn(|| {
                while let Some((point, finish)) = cases.get(next.fetch_add(1, Ordering::SeqCst)) {
                    let e = world();
                    if !kill_at(&e.w, &setup_args(values), point) {
                        failures
                            .lock()
                            .unwrap()
                            .push(format!("never reached {point}"));
                        continue;
                    }
                    let out = if *finish == "resume" {
                        e.w.cmd(&["--yes", "resume"]).run()
                    } else {
                        e.w.cmd(&setup_args(values)).run()
                    };
                    if out.code != 0 {
                        failures.lock().unwrap().push(format!(
                            "{finish} after {point}: exit {}\n{}\n{}",
                            out.code, out.stdout, out.stderr
                        ));
                        continue;
                    }
                    let got =
                        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| end_state(&e)));
                    match got {
                        Ok(got) if got == expected => {}
                        Ok(got) => failures.lock().unwrap().push(format!(
                            "{finish} after {point}:\n got {got}\nwant {expected}"
                        )),
                        Err(_) => failures.lock().unwrap().push(format!(
                            "{finish} after {point}: end state assertions failed"
                        )),
                    }
                }
            });
        }
    });
    let failures = failures.into_inner().unwrap();
    assert!(
        failures.is_empty(),
        "{} of {} failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}

#[test]
fn the_upstream_metrics_server_file_is_the_metrics_server_add_on() {
    let e = world();
    let values = example_values();
    let values = values.to_str().unwrap();
    e.w.cmd(&setup_args(values)).run().success();
    let listed = e.w.cmd(&["addons", "-o", "json"]).run().success().json();
    let metrics = listed["addons"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "metrics-server")
        .cloned()
        .unwrap();
    assert_eq!(metrics["resource"], "01-metric-server.yaml");
    assert_eq!(metrics["enabled"], true);
    let out =
        e.w.cmd(&["disable-addon", "metrics-server", "--yes", "--no-wait"])
            .run();
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    let text =
        std::fs::read_to_string(e.w.clone_dir().join("gitops/add-ons/kustomization.yaml")).unwrap();
    assert!(text.contains("# - 01-metric-server.yaml"), "{text}");
    let subject = e.forge.commits(LOGIN, NAME, "main")[0].1.clone();
    assert_eq!(subject, "Disable metrics-server add-on");
}

#[test]
fn a_kustomization_that_would_not_build_stops_the_push_naming_its_line() {
    let e = world();
    let values = example_values();
    let values = values.to_str().unwrap();
    e.w.cmd(&setup_args(values)).run().success();
    let pushed = e.head();
    // The participant lists a file they forgot to add, and commits.
    let file =
        e.w.clone_dir()
            .join("gitops/applications/kustomization.yaml");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(
        &file,
        text.replace(
            "  - 01-pdb-sample-app.yaml",
            "  - 01-pdb-sample-app.yaml\n  - 02-forgotten.yaml",
        ),
    )
    .unwrap();
    e.w.git(&["commit", "-qam", "Add the forgotten app"]);
    let out = e.w.cmd(&["--yes", "enable-addon", "metrics-server"]).run();
    assert_eq!(out.code, 4, "{}\n{}", out.stdout, out.stderr);
    assert!(
        out.stderr.contains(
            "gitops/applications/kustomization.yaml:6: resource `02-forgotten.yaml` does not exist"
        ),
        "{}",
        out.stderr
    );
    assert_eq!(e.head(), pushed, "nothing pushed");
}
