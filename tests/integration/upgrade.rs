//! `upgrade` against the stand-ins (the API server reports Kubernetes 1.33):
//! what it refuses, the plan it shows, and the readiness step stopping the
//! hop before any change. The real control-plane upgrade is in
//! `real_cluster/upgrade.rs`.

use crate::noop::writes;
use crate::support::Workshop;
use crate::world::env;

/// The steps of one hop, as the plan names them.
pub(crate) const HOP: [&str; 12] = [
    "clone",
    "readiness",
    "flux-upgrade",
    "convert",
    "charts",
    "migrate",
    "push",
    "reconcile",
    "control-plane",
    "nodes",
    "reconcile",
    "readiness",
];

/// The step `name` of a `-o json` plan (its first, when it runs twice).
fn step<'a>(plan: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    plan["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["step"] == name)
        .unwrap_or_else(|| panic!("no step {name}: {plan}"))
}

#[test]
fn upgrade_needs_a_cluster_and_never_goes_back() {
    let w = Workshop::new();
    w.setup_offline();
    w.cmd(&["upgrade", "--to", "1.34"])
        .run()
        .bad(2, "needs a cluster");
    let e = env(true);
    e.setup(&[]).success();
    e.flux_labelled("v2.9.5");
    e.w.cmd(&["upgrade", "--to", "1.32", "--yes"])
        .run()
        .bad(2, "already serves Kubernetes 1.33");
    e.w.cmd(&["upgrade", "--to", "next", "--yes"])
        .run()
        .bad(2, "next");
    e.w.cmd(&["upgrade", "--to", "1.34", "--driver", "terraform", "--yes"])
        .run()
        .bad(2, "--terraform-dir");
}

#[test]
fn the_dry_run_shows_every_hop_one_minor_at_a_time_and_changes_nothing() {
    let e = env(true);
    e.setup(&[]).success();
    e.flux_labelled("v2.9.5");
    e.forge.reset_requests();
    e.api.clear_requests();
    let out =
        e.w.cmd(&[
            "upgrade",
            "--to",
            "1.35",
            "--driver",
            "manual",
            "--dry-run",
            "-o",
            "json",
        ])
        .run()
        .success();
    let (forge, api) = writes(&e);
    assert!(forge.is_empty(), "{forge:?}");
    assert!(api.is_empty(), "{api:?}");
    let plan = out.json();
    let steps: Vec<&str> = plan["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["step"].as_str().unwrap())
        .collect();
    assert_eq!(steps, [HOP, HOP].concat(), "{plan}");
    let moves: Vec<&str> = plan["steps"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["changes"].as_array().cloned().unwrap_or_default())
        .filter(|c| c["kind"] == "control-plane")
        .map(|c| c["to"].as_str().unwrap().to_string().leak() as &str)
        .collect();
    assert_eq!(moves[0], "1.34", "{plan}");
    // The text plan says how the control plane moves and who does it.
    let text =
        e.w.cmd(&["upgrade", "--to", "1.34", "--driver", "manual", "--dry-run"])
            .run()
            .success();
    assert!(
        text.stdout
            .contains("upgrade the control plane to Kubernetes 1.34"),
        "{}",
        text.stdout
    );
}

const PSP: &str = "\
apiVersion: policy/v1beta1
kind: PodSecurityPolicy
metadata:
  name: restricted
spec:
  privileged: false
  seLinux:
    rule: RunAsAny
  runAsUser:
    rule: MustRunAsNonRoot
  supplementalGroups:
    rule: RunAsAny
  fsGroup:
    rule: RunAsAny
";

#[test]
fn what_the_plan_cannot_fix_stops_the_hop_before_any_change_named_by_line() {
    let e = env(true);
    e.setup(&[]).success();
    e.flux_labelled("v2.9.5");
    let clone = e.w.clone_dir();
    std::fs::write(clone.join("gitops/applications/05-psp.yaml"), PSP).unwrap();
    let apps = clone.join("gitops/applications/kustomization.yaml");
    let text = std::fs::read_to_string(&apps).unwrap();
    std::fs::write(
        &apps,
        text.replace(
            "  - 01-pdb-sample-app.yaml\n",
            "  - 01-pdb-sample-app.yaml\n  - 05-psp.yaml\n",
        ),
    )
    .unwrap();
    e.w.git(&["add", "-A"]);
    // Committed, not pushed: the readiness step reads the clone's HEAD (and
    // Flux could not apply a kind no server serves any more).
    e.w.git(&["commit", "-qm", "A pod security policy"]);
    let head = e.head();
    e.forge.reset_requests();
    e.api.clear_requests();
    let out =
        e.w.cmd(&[
            "upgrade",
            "--to",
            "1.34",
            "--driver",
            "manual",
            "--yes",
            "--timeout",
            "30s",
        ])
        .run();
    assert_eq!(out.code, 4, "{}\n{}", out.stdout, out.stderr);
    assert!(
        out.stderr.contains("gitops/applications/05-psp.yaml:1")
            && out.stderr.contains("PodSecurityPolicy"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("help:"), "{}", out.stderr);
    let (forge, api) = writes(&e);
    assert!(forge.is_empty(), "nothing pushed: {forge:?}");
    assert!(api.is_empty(), "nothing applied: {api:?}");
    assert_eq!(e.head(), head);
}

/// The participant's Karpenter HelmRelease at `version` (chart and label), enabled.
fn karpenter_at(e: &crate::world::Env, version: &str) {
    for v in [version, "1.6.0"] {
        e.flux.add_chart(&harness::fixtures::karpenter_chart_at(v));
    }
    let clone = e.w.clone_dir();
    let file = clone.join("gitops/add-ons/02-karpenter.yaml");
    let text = std::fs::read_to_string(&file)
        .unwrap()
        .replace("v0.27.3", version);
    std::fs::write(&file, text).unwrap();
    e.w.git(&["commit", "-qam", &format!("Karpenter {version}")]);
    e.w.cmd(&["enable-addon", "karpenter", "--yes"])
        .run()
        .success();
}

#[test]
fn a_chart_that_does_not_support_the_hop_is_bumped_in_its_own_commit_in_the_plan() {
    let e = env(true);
    e.setup(&[]).success();
    e.flux_labelled("v2.9.5");
    karpenter_at(&e, "1.5.0");
    let head = e.head();
    e.forge.reset_requests();
    e.api.clear_requests();
    let out =
        e.w.cmd(&[
            "upgrade",
            "--to",
            "1.34",
            "--driver",
            "manual",
            "--dry-run",
            "-o",
            "json",
        ])
        .run()
        .success();
    let (forge, api) = writes(&e);
    assert!(forge.is_empty() && api.is_empty(), "{forge:?} {api:?}");
    assert_eq!(e.head(), head);
    let plan = out.json();
    let charts = step(&plan, "charts");
    assert_eq!(charts["status"], "would-run", "{plan}");
    let shown = charts.to_string();
    assert!(
        shown.contains("Bump add-on charts for Kubernetes 1.34")
            && shown.contains("karpenter 1.5.0 → 1.6.0"),
        "{shown}"
    );
    let gate = step(&plan, "readiness");
    assert!(
        gate.to_string().contains("bumps karpenter 1.5.0 → 1.6.0"),
        "{gate}"
    );
}

#[test]
fn a_chart_whose_path_crosses_a_migration_stops_the_hop_with_the_guide() {
    let e = env(true);
    e.setup(&[]).success();
    e.flux_labelled("v2.9.5");
    // The workshop's own Karpenter, v0.27.3: 1.34 needs v1.6, past the
    // v1beta1 (Provisioner to NodePool) and v1 migrations.
    e.w.cmd(&["enable-addon", "karpenter", "--yes"])
        .run()
        .success();
    let head = e.head();
    e.forge.reset_requests();
    e.api.clear_requests();
    let out =
        e.w.cmd(&["upgrade", "--to", "1.34", "--driver", "manual", "--yes"])
            .run();
    assert_eq!(out.code, 4, "{}\n{}", out.stdout, out.stderr);
    assert!(
        out.stderr.contains("flux-system/karpenter")
            && out.stderr.contains("Provisioner becomes NodePool")
            && out
                .stderr
                .contains("https://karpenter.sh/v0.32/upgrading/v1beta1-migration/"),
        "{}",
        out.stderr
    );
    let (forge, api) = writes(&e);
    assert!(forge.is_empty() && api.is_empty(), "{forge:?} {api:?}");
    assert_eq!(e.head(), head);
}

#[test]
fn flux_that_does_not_support_the_hop_is_upgraded_before_the_control_plane_moves() {
    use harness::flux::{FluxApis, FluxStandIn};
    let e = env(true);
    e.setup(&[]).success();
    let running = |e: &crate::world::Env| {
        e.get("apps/v1", "Deployment", "kustomize-controller")["metadata"]["labels"]
            ["app.kubernetes.io/version"]
            .clone()
    };
    // The stand-in's Flux is labelled v2.6.0: tested on Kubernetes 1.31-1.33.
    assert_eq!(running(&e), "v2.6.0");
    let current = e.w.dir().join("flux-2.9.5.yaml");
    std::fs::write(
        &current,
        FluxStandIn::components_manifest_for(FluxApis::Current),
    )
    .unwrap();
    let plan =
        e.w.cmd(&[
            "upgrade",
            "--to",
            "1.34",
            "--driver",
            "manual",
            "--dry-run",
            "-o",
            "json",
        ])
        .run();
    assert_eq!(plan.code, 4, "{}", plan.stderr);
    assert!(
        plan.stderr
            .contains("Flux v2.6.0 does not support Kubernetes 1.34")
            && plan.stderr.contains("--flux-manifests"),
        "nowhere to take Flux from is said before anything changes: {}",
        plan.stderr
    );
    let flag = current.to_str().unwrap();
    let plan =
        e.w.cmd(&[
            "upgrade",
            "--to",
            "1.34",
            "--driver",
            "manual",
            "--dry-run",
            "-o",
            "json",
            "--flux-manifests",
            flag,
        ])
        .run()
        .success()
        .json();
    let flux = step(&plan, "flux-upgrade");
    assert_eq!(flux["status"], "would-run", "{plan}");
    assert!(
        flux.to_string()
            .contains("Flux v2.6.0 does not support Kubernetes 1.34")
            && flux.to_string().contains("1.31-1.33"),
        "{flux}"
    );
    assert_eq!(running(&e), "v2.6.0", "the dry run changed nothing");

    // The run upgrades Flux, then waits for the control plane (the manual
    // driver: the stand-in never reports 1.34, so it times out there).
    let out =
        e.w.cmd(&[
            "upgrade",
            "--to",
            "1.34",
            "--driver",
            "manual",
            "--yes",
            "--flux-manifests",
            current.to_str().unwrap(),
            "--timeout",
            "5s",
        ])
        .run();
    assert_ne!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    assert!(
        out.stdout.contains("flux-upgrade") && out.stdout.contains("installed Flux from"),
        "{}\n{}",
        out.stdout,
        out.stderr
    );
    assert_eq!(running(&e), "v2.9.5");
    let status = e.w.cmd(&["status", "-o", "json"]).run().success().json();
    assert!(status.to_string().contains("flux-upgrade"), "{status}");
}
