//! The rig's control plane upgraded by terraform, as the workshop's is:
//! OpenTofu (the rig's `bin/tofu`) applies `tests/fixtures/terraform/`
//! configurations whose `local-exec` provisioner runs the rig's
//! `upgrade-control-plane`. Offline throughout: `Rig::tofu_env`.

use std::path::{Path, PathBuf};
use std::process::Output;

use harness::cluster::RealCluster;
use serde_json::Value;

use crate::real_cluster::watchdog;
use crate::rig_upgrade::{at_1_33, serving};
use crate::support::repo_root;

/// A configuration copied from the fixtures, and tofu's scratch beside it.
struct Workdir {
    _tmp: tempfile::TempDir,
    work: PathBuf,
    scratch: PathBuf,
    /// The upgrade command's directory first: local-exec finds it there.
    path: String,
}

impl Workdir {
    fn new(cluster: &RealCluster, fixture: &str) -> Workdir {
        let tmp = tempfile::tempdir().unwrap();
        let work = tmp.path().join(fixture);
        harness::fixtures::copy_dir(
            &repo_root().join("tests/fixtures/terraform").join(fixture),
            &work,
        );
        let scratch = tmp.path().join("tofu");
        let bin = cluster.upgrade_command().parent().unwrap().to_path_buf();
        let inherited = std::env::var_os("PATH").unwrap_or_default();
        let dirs = std::iter::once(bin).chain(std::env::split_paths(&inherited));
        let path = std::env::join_paths(dirs).unwrap().into_string().unwrap();
        Workdir {
            _tmp: tmp,
            work,
            scratch,
            path,
        }
    }

    /// `tofu <args>` in the configuration, offline, with `git_password`.
    fn tofu(&self, cluster: &RealCluster, password: &str, args: &[&str]) -> Output {
        let mut cmd = cluster.rig().tofu_command(&self.scratch);
        cmd.arg(format!("-chdir={}", self.work.display()))
            .args(args)
            .env("PATH", &self.path)
            .env("TF_VAR_git_password", password);
        cmd.output().expect("run tofu")
    }

    /// [`Workdir::tofu`], panicking with its output unless it succeeded;
    /// returns stdout.
    fn ok(&self, cluster: &RealCluster, password: &str, args: &[&str]) -> String {
        let out = self.tofu(cluster, password, args);
        assert!(
            out.status.success(),
            "tofu {}: exit {:?}\n{}\n{}",
            args.join(" "),
            out.status.code(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// `tofu plan -out=<name>` with `vars`, then `tofu show -json <name>`.
    fn plan(&self, cluster: &RealCluster, password: &str, name: &str, vars: &[&str]) -> Value {
        let mut args = vec!["plan", "-no-color", "-input=false"];
        let out = format!("-out={name}");
        args.push(&out);
        args.extend_from_slice(vars);
        self.ok(cluster, password, &args);
        let json = self.ok(cluster, password, &["show", "-json", name]);
        serde_json::from_str(&json).expect("tofu show -json prints JSON")
    }

    fn init(&self, cluster: &RealCluster) {
        let out = self.ok(cluster, "", &["init", "-no-color", "-input=false"]);
        assert!(
            out.contains("OpenTofu has been successfully initialized"),
            "{out}"
        );
        assert!(
            out.contains("terraform.io/builtin/terraform is built in"),
            "{out}"
        );
        // Nothing was downloaded: no provider in the cache or the work dir.
        assert!(!self.work.join(".terraform/providers").exists());
        assert!(is_empty(&self.scratch.join("plugin-cache")));
    }
}

fn is_empty(dir: &Path) -> bool {
    std::fs::read_dir(dir)
        .map(|mut d| d.next().is_none())
        .unwrap_or(true)
}

/// Each resource change that does something: (address, actions).
fn changes(plan: &Value) -> Vec<(String, Vec<String>)> {
    plan["resource_changes"]
        .as_array()
        .expect("resource_changes")
        .iter()
        .map(|rc| {
            let actions = rc["change"]["actions"].as_array().unwrap();
            let actions = actions
                .iter()
                .map(|a| a.as_str().unwrap().to_string())
                .collect();
            (rc["address"].as_str().unwrap().to_string(), actions)
        })
        .filter(|(_, a): &(String, Vec<String>)| a != &["no-op"])
        .collect()
}

fn replace(address: &str) -> (String, Vec<String>) {
    (address.into(), vec!["delete".into(), "create".into()])
}

/// init offline; a first apply at 1.33 runs the command, which finds 1.33
/// already; a plan at 1.34 replaces `terraform_data.control_plane`
/// (`tofu show -json`); applying that plan upgrades the API server.
#[test]
fn tofu_apply_of_a_new_cluster_version_upgrades_the_control_plane() {
    let _w = watchdog();
    let cluster = at_1_33();
    let w = Workdir::new(&cluster, "control-plane");
    w.init(&cluster);
    let version = w.ok(&cluster, "", &["version"]);
    assert!(version.starts_with("OpenTofu v1.12.6"), "{version}");

    let out = w.ok(
        &cluster,
        "pw",
        &["apply", "-auto-approve", "-no-color", "-input=false"],
    );
    assert!(out.contains("control plane already at 1.33"), "{out}");
    assert_eq!(serving(&cluster).0, "1.33");

    let plan = w.plan(
        &cluster,
        "pw",
        "upgrade.tfplan",
        &["-var", "cluster_version=1.34"],
    );
    assert_eq!(plan["terraform_version"], "1.12.6");
    assert_eq!(
        changes(&plan),
        vec![replace("terraform_data.control_plane")]
    );
    let rc = &plan["resource_changes"][0];
    assert_eq!(rc["action_reason"], "replace_because_cannot_update", "{rc}");
    assert_eq!(
        rc["change"]["replace_paths"],
        serde_json::json!([["triggers_replace"]])
    );
    assert_eq!(rc["change"]["before"]["triggers_replace"], "1.33");
    assert_eq!(rc["change"]["after"]["triggers_replace"], "1.34");

    let out = w.ok(
        &cluster,
        "pw",
        &["apply", "-no-color", "-input=false", "upgrade.tfplan"],
    );
    eprintln!("tofu apply:\n{out}");
    assert!(
        out.contains("control plane upgraded from 1.33 to 1.34"),
        "{out}"
    );
    assert_eq!(serving(&cluster).0, "1.34");
    assert_eq!(
        w.ok(&cluster, "pw", &["output", "-raw", "cluster_version"]),
        "1.34"
    );

    let again = w.plan(
        &cluster,
        "pw",
        "again.tfplan",
        &["-var", "cluster_version=1.34"],
    );
    assert_eq!(changes(&again), vec![]);
}

/// With the workshop's Flux module beside the control plane: a new git
/// password changes only `module.flux_v2.terraform_data.flux`; a new
/// version changes both, and applying it upgrades the control plane before
/// Flux's resource is replaced. The plan's JSON carries the sensitive
/// password in clear (marked only in `after_sensitive`).
#[test]
fn a_plan_shows_when_it_touches_the_flux_module() {
    let _w = watchdog();
    let cluster = at_1_33();
    let w = Workdir::new(&cluster, "touches-flux");
    w.init(&cluster);
    w.ok(
        &cluster,
        "first-token",
        &["apply", "-auto-approve", "-no-color", "-input=false"],
    );

    const FLUX: &str = "module.flux_v2.terraform_data.flux";
    let plan = w.plan(&cluster, "second-token", "password.tfplan", &[]);
    assert_eq!(changes(&plan), vec![replace(FLUX)]);
    let rc = plan["resource_changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|rc| rc["address"] == FLUX)
        .unwrap();
    assert_eq!(rc["module_address"], "module.flux_v2");
    assert_eq!(
        rc["change"]["after_sensitive"]["triggers_replace"]["git_password"],
        true
    );
    assert_eq!(
        rc["change"]["after"]["triggers_replace"]["git_password"],
        "second-token"
    );
    assert_eq!(plan["variables"]["git_password"]["value"], "second-token");

    let plan = w.plan(
        &cluster,
        "first-token",
        "version.tfplan",
        &["-var", "cluster_version=1.34"],
    );
    let mut got = changes(&plan);
    got.sort();
    assert_eq!(
        got,
        vec![replace(FLUX), replace("terraform_data.control_plane")]
    );
    let out = w.ok(
        &cluster,
        "first-token",
        &["apply", "-no-color", "-input=false", "version.tfplan"],
    );
    let upgraded = out
        .find("control plane upgraded from 1.33 to 1.34")
        .expect(&out);
    let flux = out.find(&format!("{FLUX}: Creating...")).expect(&out);
    assert!(upgraded < flux, "the control plane first:\n{out}");
    assert_eq!(serving(&cluster).0, "1.34");
}
