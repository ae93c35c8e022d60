//! `upgrade` on a real control-plane upgrade: kube-apiserver 1.36 emulating
//! Kubernetes 1.33 (with `admissionregistration.k8s.io/v1beta1` served, as
//! 1.33 can), restarted on the same etcd at 1.34, where that API is gone. The
//! fork holds a ValidatingAdmissionPolicy and its binding at v1beta1, which
//! Flux applies: the upgrade must fix them in Git before the hop, and a hop
//! by hand without the fix leaves a Kustomization failing on the removed kind.

use std::path::Path;

use harness::cluster::Options;

use super::fixture::Real;
use crate::support::Outcome;

const POLICY: &str = "\
apiVersion: admissionregistration.k8s.io/v1beta1
kind: ValidatingAdmissionPolicy
metadata:
  name: replica-limit
spec:
  failurePolicy: Fail
  matchConstraints:
    resourceRules:
      - apiGroups: [\"apps\"]
        apiVersions: [\"v1\"]
        operations: [\"CREATE\", \"UPDATE\"]
        resources: [\"deployments\"]
  validations:
    - expression: \"object.spec.replicas <= 5\"
---
apiVersion: admissionregistration.k8s.io/v1beta1
kind: ValidatingAdmissionPolicyBinding
metadata:
  name: replica-limit
spec:
  policyName: replica-limit
  validationActions: [Deny]
";

/// A workshop on a cluster serving 1.33 whose fork's applications hold the
/// v1beta1 policy, applied by Flux.
pub(super) fn at_1_33_with_the_policy() -> Real {
    let mut r = Real::start_with(Options {
        emulated_version: Some("1.33".into()),
        runtime_config: vec!["admissionregistration.k8s.io/v1beta1=true".into()],
        ..Options::default()
    });
    r.set_up();
    let clone = r.w.clone_dir();
    let apps = "gitops/applications/kustomization.yaml";
    let listed = std::fs::read_to_string(clone.join(apps)).unwrap().replace(
        "  - 01-pdb-sample-app.yaml\n",
        "  - 01-pdb-sample-app.yaml\n  - 04-policy.yaml\n",
    );
    r.participant_pushes(
        "Add a replica limit policy",
        &[
            ("gitops/applications/04-policy.yaml", POLICY),
            (apps, &listed),
        ],
    );
    let out = r.w.cmd(&["sync", "--no-push", "--timeout", "180s"]).run();
    assert_eq!(out.code, 0, "{}", r.diagnose(&out));
    r
}

/// The workshop's terraform, shaped for the rig: `cluster_version` moves
/// the rig's control plane. A copy, applied once at 1.33 as the workshop's
/// was before the upgrade lessons, its state kept with the test.
pub(super) struct Terraform {
    pub(super) dir: tempfile::TempDir,
    pub(super) scratch: tempfile::TempDir,
}

impl Terraform {
    pub(super) fn applied(r: &Real, fixture: &str) -> Terraform {
        let dir = tempfile::tempdir().unwrap();
        let from = crate::support::repo_root()
            .join("tests/fixtures/terraform")
            .join(fixture);
        copy_dir(&from, dir.path());
        let t = Terraform {
            dir,
            scratch: tempfile::tempdir().unwrap(),
        };
        for args in [
            &["init", "-input=false"][..],
            &["apply", "-input=false", "-auto-approve"],
        ] {
            let out = r
                .cluster
                .rig()
                .tofu_command(t.scratch.path())
                .current_dir(t.dir.path())
                .args(args)
                .env("PATH", t.path(r))
                .env("TF_VAR_git_password", "not-the-token")
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "tofu {args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        t
    }

    /// The rig's tofu and the control plane's upgrade command first on PATH.
    fn path(&self, r: &Real) -> String {
        let tofu = r.cluster.rig().tofu();
        let upgrade = r.cluster.upgrade_command();
        crate::support::path_with(&[tofu.parent().unwrap(), upgrade.parent().unwrap()])
    }
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

pub(super) fn upgrade(r: &Real, tf: &Terraform, extra: &[&str]) -> Outcome {
    let mut args = upgrade_args(tf).to_vec();
    args.extend_from_slice(extra);
    with_terraform(r, tf, &args).run()
}

/// `upgrade --to 1.34` through `tf`'s directory, asked nothing.
pub(super) fn upgrade_args(tf: &Terraform) -> [&str; 8] {
    let dir = tf.dir.path().to_str().unwrap();
    [
        "upgrade",
        "--to",
        "1.34",
        "--terraform-dir",
        dir,
        "--yes",
        "--timeout",
        "300s",
    ]
}

/// `args` run with the rig's tofu and the upgrade command on PATH, tofu kept offline.
pub(super) fn with_terraform(r: &Real, tf: &Terraform, args: &[&str]) -> crate::support::Cmd {
    let mut cmd = r.w.cmd(args).env("PATH", &tf.path(r));
    // tofu stays offline by its CLI configuration; the proxy variables
    // that also keep it there are left out (eks-workshop's kube client
    // would take them for its own: see the README's closing notes).
    for (key, value) in r.cluster.rig().tofu_env(tf.scratch.path()) {
        if !key.to_ascii_lowercase().ends_with("_proxy") {
            cmd = cmd.env(&key, &value);
        }
    }
    cmd
}

/// Run `args` until the pause point `point`, then SIGKILL it.
pub(super) fn kill_at(r: &Real, tf: &Terraform, args: &[&str], point: &str) {
    kill_run_at(with_terraform(r, tf, args), args, point);
}

/// Run `args` (no terraform) until the pause point `point`, then SIGKILL it.
pub(super) fn kill_at_with(r: &Real, args: &[&str], point: &str) {
    kill_run_at(r.w.cmd(args), args, point);
}

pub(super) fn kill_run_at(cmd: crate::support::Cmd, args: &[&str], point: &str) {
    use std::io::{BufRead, BufReader};
    let mut cmd = cmd.env("EKS_WORKSHOP_PAUSE_AT", point).command;
    cmd.stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().expect("spawn");
    let stderr = child.stderr.take().unwrap();
    let mut said = Vec::new();
    let paused = BufReader::new(stderr)
        .lines()
        .map_while(Result::ok)
        .inspect(|line| said.push(line.clone()))
        .any(|line| line == format!("paused at {point}"));
    child.kill().expect("SIGKILL");
    child.wait().unwrap();
    assert!(
        paused,
        "{args:?} never reached {point}:\n{}",
        said.join("\n")
    );
}

/// The minor version the API server serves (its emulated one).
pub(super) fn serves(r: &Real) -> String {
    let v = r.cluster.version();
    let minor = v["emulationMinor"]
        .as_str()
        .or(v["minor"].as_str())
        .unwrap_or_default()
        .to_string();
    format!("1.{minor}")
}

#[test]
fn upgrade_fixes_the_removed_api_in_git_moves_the_control_plane_by_terraform_and_ends_ready() {
    let r = at_1_33_with_the_policy();
    let tf = Terraform::applied(&r, "control-plane");
    let head_before = r.revision();

    // The plan first: every step of the hop, nothing changed.
    let dry = upgrade(&r, &tf, &["--dry-run", "-o", "json"]);
    assert_eq!(dry.code, 0, "{}", r.diagnose(&dry));
    let plan = dry.json();
    let steps: Vec<(String, String)> = plan["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["step"].as_str().unwrap().to_string(),
                s["status"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let names: Vec<&str> = steps.iter().map(|(s, _)| s.as_str()).collect();
    assert_eq!(names, crate::upgrade::HOP, "{plan}");
    assert!(
        steps.contains(&("convert".into(), "would-run".into())),
        "{plan}"
    );
    assert!(
        steps.contains(&("control-plane".into(), "would-run".into())),
        "{plan}"
    );
    assert_eq!(r.revision(), head_before, "the dry run pushed nothing");
    assert_eq!(serves(&r), "1.33", "the dry run moved nothing");

    let out = upgrade(&r, &tf, &[]);
    assert_eq!(out.code, 0, "{}", r.diagnose(&out));
    assert_eq!(serves(&r), "1.34");
    assert!(
        out.stdout.contains("committed") && out.stdout.contains("Convert deprecated APIs"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("Kubernetes 1.34 in ")
            && out.stdout.contains("1 commit(s): ")
            && !out.stdout.contains("add-ons:"),
        "the hop's last line: {}",
        out.stdout
    );
    // The fix is in Git, and Flux applied it on the new version.
    let fork_head = r.revision();
    assert_ne!(fork_head, head_before);
    assert_eq!(
        r.assert_all_applied(&fork_head),
        super::fixture::SEED_KUSTOMIZATIONS
    );
    let policy = r.get(&[
        "validatingadmissionpolicies.v1.admissionregistration.k8s.io",
        "replica-limit",
    ]);
    assert_eq!(
        policy["apiVersion"], "admissionregistration.k8s.io/v1",
        "{policy}"
    );
    // The token went to terraform through its environment, never argv:
    // the plan was applied from a saved plan, and the command line is in the log.
    assert!(!out.stdout.contains(crate::world::TOKEN) && !out.stderr.contains(crate::world::TOKEN));

    // Twice: nothing to do.
    let again = upgrade(&r, &tf, &[]);
    assert_eq!(again.code, 0, "{}", r.diagnose(&again));
    assert!(again.stdout.contains("nothing to do"), "{}", again.stdout);
}

#[test]
fn a_hop_by_hand_without_the_fix_leaves_a_failing_kustomization_that_sync_and_status_name() {
    let mut r = at_1_33_with_the_policy();
    r.cluster.restart_apiserver("1.34");
    assert_eq!(serves(&r), "1.34");
    let out = r.w.cmd(&["sync", "--no-push", "--timeout", "180s"]).run();
    assert_ne!(out.code, 0, "{}", r.diagnose(&out));
    let said = format!("{}{}", out.stdout, out.stderr);
    assert!(said.contains("apps"), "{said}");
    assert!(said.contains("ValidatingAdmissionPolicy"), "{said}");
    let status = r.w.cmd(&["status"]).run();
    let shown = format!("{}{}", status.stdout, status.stderr);
    assert!(shown.contains("ValidatingAdmissionPolicy"), "{shown}");
}

#[test]
fn a_terraform_plan_that_also_touches_flux_stops_before_apply_naming_it() {
    let r = at_1_33_with_the_policy();
    let tf = Terraform::applied(&r, "touches-flux");
    let out = upgrade(&r, &tf, &[]);
    assert_eq!(out.code, 7, "{}", r.diagnose(&out));
    assert!(out.stderr.contains("module.flux_v2"), "{}", out.stderr);
    assert_eq!(serves(&r), "1.33", "nothing was applied");
}

#[test]
fn killed_at_each_stage_of_the_hop_resume_ends_as_an_uninterrupted_upgrade() {
    let r = at_1_33_with_the_policy();
    let tf = Terraform::applied(&r, "control-plane");
    let first = upgrade_args(&tf);
    let resume = ["resume", "--yes", "--timeout", "300s"];
    // The conversion written, not committed; the plan about to be applied;
    // the control plane moved, the step not recorded; Flux asked on the new
    // version, its answer not in yet.
    kill_at(&r, &tf, &first, "convert:before-commit");
    kill_at(&r, &tf, &resume, "control-plane:before-apply");
    assert_eq!(serves(&r), "1.33", "killed before the apply");
    kill_at(&r, &tf, &resume, "ran:control-plane");
    assert_eq!(serves(&r), "1.34");
    kill_at(&r, &tf, &resume, "reconcile:watching");
    let out = with_terraform(&r, &tf, &resume).run();
    assert_eq!(out.code, 0, "{}", r.diagnose(&out));
    assert_eq!(serves(&r), "1.34");
    let head = r.revision();
    assert_eq!(
        r.assert_all_applied(&head),
        super::fixture::SEED_KUSTOMIZATIONS
    );
    let subjects = crate::support::git(
        &r.forge.repo_dir(crate::world::LOGIN, crate::world::NAME),
        &["log", "--format=%s", "main"],
    );
    assert_eq!(
        subjects.matches("Convert deprecated APIs").count(),
        1,
        "one conversion commit: {subjects}"
    );
    let again = upgrade(&r, &tf, &[]);
    assert_eq!(again.code, 0, "{}", r.diagnose(&again));
    assert!(again.stdout.contains("nothing to do"), "{}", again.stdout);
}
