//! The driver with the real `aws` CLI against moto and
//! `tests/rig/moto_eks.py` (which serves the update calls moto lacks); the
//! reading of each reply is tested in `eks/replies.rs`. These need the venv
//! `tests/rig/aws.sh` installs into the rig; without it they say so and pass.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use serde_json::{Value, json};

use super::poll::{POLL_START, poll_from};
use super::*;
use crate::child::Child;

#[test]
fn the_poll_start_is_overridable() {
    assert_eq!(poll_from(None), POLL_START);
    assert_eq!(poll_from(Some(" 5 ")), Duration::from_millis(5));
    assert_eq!(poll_from(Some("soon")), POLL_START);
}

// ---- against moto ----

const REGION: &str = "us-west-2";

/// moto with `tests/rig/moto_eks.py`'s routes on 127.0.0.1, killed on drop;
/// an `aws` wrapper pointing the venv's CLI at it.
struct Moto {
    child: std::process::Child,
    dir: tempfile::TempDir,
    aws: Aws,
}

impl Moto {
    /// `None` (having said why) when the rig has no aws venv.
    fn start(catalog: Value, updates: Value) -> Option<Moto> {
        let venv = harness::cluster::Rig::locate().root().join("aws/venv");
        if !venv.join("bin/aws").is_file() || !venv.join("bin/python").is_file() {
            eprintln!(
                "skipped: no aws venv at {} (tests/rig/aws.sh installs it)",
                venv.display()
            );
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let file = |name: &str, value: &Value| {
            let path = dir.path().join(name);
            std::fs::write(&path, value.to_string()).unwrap();
            path
        };
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/rig/moto_eks.py");
        let mut child = std::process::Command::new(venv.join("bin/python"))
            .arg(script)
            .env("MOTO_EKS_ADDON_VERSIONS", file("catalog.json", &catalog))
            .env("MOTO_EKS_UPDATES", file("updates.json", &updates))
            .env("MOTO_EKS_LOG", dir.path().join("calls.jsonl"))
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        std::io::BufRead::read_line(
            &mut std::io::BufReader::new(child.stdout.take().unwrap()),
            &mut line,
        )
        .unwrap();
        let port: u16 = line.trim().parse().expect("moto_eks.py prints its port");
        // No AWS setting of the developer's shell reaches the CLI.
        let wrapper = format!(
            "#!/bin/sh\n\
             unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_SESSION_TOKEN AWS_CONFIG_FILE \
             AWS_SHARED_CREDENTIALS_FILE AWS_REGION AWS_DEFAULT_REGION\n\
             export AWS_ENDPOINT_URL=http://127.0.0.1:{port} AWS_ACCESS_KEY_ID=testing \
             AWS_SECRET_ACCESS_KEY=testing AWS_EC2_METADATA_DISABLED=true HOME='{home}'\n\
             exec '{aws}' \"$@\"\n",
            home = dir.path().display(),
            aws = venv.join("bin/aws").display(),
        );
        let aws = dir.path().join("aws");
        std::fs::write(&aws, wrapper).unwrap();
        let mut perms = std::fs::metadata(&aws).unwrap().permissions();
        std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
        std::fs::set_permissions(&aws, perms).unwrap();
        let aws = Child::at(&aws).named("aws");
        let aws = Aws::with_child(aws, REGION, Arc::new(AtomicBool::new(false))).unwrap();
        Some(Moto { child, dir, aws })
    }

    /// The driver of cluster `name`, polling without waiting.
    fn eks(&self, name: &str) -> Eks {
        Eks::new(self.aws.clone(), name).polling_from(Duration::from_millis(1))
    }

    /// `aws ARGS`, as the test's own hands.
    fn cli(&self, args: &[&str]) -> Value {
        let reply = self.aws.call(args).unwrap();
        json(&reply).unwrap_or_else(|e| panic!("{}: {e}", reply.call))
    }

    /// A cluster at `version`, with `nodegroups` and `addons` (name, version).
    fn cluster(
        &self,
        name: &str,
        version: &str,
        nodegroups: &[(&str, &str)],
        addons: &[(&str, &str)],
    ) {
        // moto checks only the role ARN's form.
        let role = format!("arn:aws:iam::123456789012:role/{name}-role");
        self.cli(&[
            "eks",
            "create-cluster",
            "--name",
            name,
            "--kubernetes-version",
            version,
            "--role-arn",
            &role,
            "--resources-vpc-config",
            "subnetIds=subnet-1",
        ]);
        for (ng, v) in nodegroups {
            self.cli(&[
                "eks",
                "create-nodegroup",
                "--cluster-name",
                name,
                "--nodegroup-name",
                ng,
                "--subnets",
                "subnet-1",
                "--node-role",
                &role,
                "--kubernetes-version",
                v,
            ]);
        }
        for (addon, v) in addons {
            self.cli(&[
                "eks",
                "create-addon",
                "--cluster-name",
                name,
                "--addon-name",
                addon,
                "--addon-version",
                v,
            ]);
        }
    }

    /// The calls moto_eks.py served, as logged.
    fn calls(&self, op: &str) -> Vec<Value> {
        let log = std::fs::read_to_string(self.dir.path().join("calls.jsonl")).unwrap_or_default();
        log.lines()
            .map(|l| serde_json::from_str::<Value>(l).unwrap())
            .filter(|c| c["op"] == op)
            .collect()
    }

    fn updates_file(&self) -> PathBuf {
        self.dir.path().join("updates.json")
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn limits() -> Limits {
    Limits::new(Duration::from_secs(300), Arc::new(AtomicBool::new(false)))
}

/// `wait_update`, and every progress line it gave.
async fn wait(
    eks: &Eks,
    id: &str,
    what: &str,
    nodegroup: Option<&str>,
    addon: Option<&str>,
) -> (Result<()>, Vec<String>) {
    let heard = std::sync::Mutex::new(Vec::new());
    let progress = |line: &str| heard.lock().unwrap().push(line.to_string());
    let out = eks
        .wait_update(id, what, nodegroup, addon, &limits(), &progress)
        .await;
    (out, heard.into_inner().unwrap())
}

#[tokio::test]
async fn the_control_plane_update_runs_to_success() {
    let Some(moto) = Moto::start(json!({}), json!({"polls": 3})) else {
        return;
    };
    moto.cluster("ws", "1.29", &[], &[]);
    let eks = moto.eks("ws");
    assert_eq!(eks.version().unwrap(), "1.29");
    assert_eq!(eks.version_update_in_progress().unwrap(), None);
    let id = eks.start_version_update("1.30").unwrap();
    // Two of the three polls it stays in progress for.
    assert_eq!(
        eks.update_status(&id, None, None).unwrap(),
        UpdateStatus::InProgress
    );
    assert_eq!(eks.version_update_in_progress().unwrap(), Some(id.clone()));
    assert_eq!(eks.version().unwrap(), "1.29");
    let (out, heard) = wait(&eks, &id, "the control plane's update to 1.30", None, None).await;
    out.unwrap();
    assert_eq!(heard.len(), 1, "{heard:?}");
    assert!(
        heard[0].starts_with("the control plane's update to 1.30: in progress after "),
        "{heard:?}"
    );
    assert_eq!(
        eks.update_status(&id, None, None).unwrap(),
        UpdateStatus::Successful
    );
    assert_eq!(eks.version().unwrap(), "1.30");
    assert_eq!(eks.version_update_in_progress().unwrap(), None);
}

#[tokio::test]
async fn a_failed_update_is_reported_with_its_errors() {
    let errors = json!([
        {"errorCode": "AccessDenied", "errorMessage": "The cluster role lacks eks:UpdateClusterVersion", "resourceIds": ["ws-role"]},
        {"errorCode": "Unknown", "errorMessage": "the control plane stayed at 1.29"},
    ]);
    let updates =
        json!({"polls": 1, "outcomes": {"cluster": {"status": "Failed", "errors": errors}}});
    let Some(moto) = Moto::start(json!({}), updates) else {
        return;
    };
    moto.cluster("ws", "1.29", &[], &[]);
    let eks = moto.eks("ws");
    let id = eks.start_version_update("1.30").unwrap();
    let (out, heard) = wait(&eks, &id, "the control plane's update to 1.30", None, None).await;
    assert_eq!(heard.len(), 1, "{heard:?}");
    let err = out.unwrap_err();
    let Error::UpdateFailed { what, errors, help } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(what, "the control plane's update to 1.30");
    assert_eq!(
        errors,
        &[
            "AccessDenied: The cluster role lacks eks:UpdateClusterVersion (ws-role)",
            "Unknown: the control plane stayed at 1.29",
        ]
    );
    assert!(help.contains(&format!("--update-id {id}")), "{help}");
    let message = err.to_string();
    assert!(
        message.contains("The cluster role lacks eks:UpdateClusterVersion"),
        "{message}"
    );
    assert!(
        message.contains("the control plane stayed at 1.29"),
        "{message}"
    );
    assert_eq!(err.exit_code(), crate::error::exit::FAILURE);
    assert_eq!(eks.version().unwrap(), "1.29");
}

#[tokio::test]
async fn an_update_in_progress_is_attached_to_not_started_again() {
    let Some(moto) = Moto::start(json!({}), json!({"polls": 2})) else {
        return;
    };
    moto.cluster("ws", "1.29", &[], &[]);
    // A run that started the update and was stopped.
    let started = moto.cli(&[
        "eks",
        "update-cluster-version",
        "--name",
        "ws",
        "--kubernetes-version",
        "1.30",
    ]);
    let started = started["update"]["id"].as_str().unwrap();
    let eks = moto.eks("ws");
    let id = match eks.version_update_in_progress().unwrap() {
        Some(id) => id,
        None => eks.start_version_update("1.30").unwrap(),
    };
    assert_eq!(id, started);
    let (out, _) = wait(&eks, &id, "the control plane's update to 1.30", None, None).await;
    out.unwrap();
    assert_eq!(eks.version().unwrap(), "1.30");
    assert_eq!(moto.calls("UpdateClusterVersion").len(), 1);
}

#[tokio::test]
async fn add_ons_move_to_the_targets_default() {
    let offered = |v: &str, clusters: &[&str], default_for: &[&str]| json!({"version": v, "clusters": clusters, "default_for": default_for});
    let catalog = json!({
        "vpc-cni": [
            offered("v1.16.0-eksbuild.1", &["1.29"], &["1.29"]),
            offered("v1.18.3-eksbuild.2", &["1.29", "1.30"], &["1.30"]),
        ],
        "coredns": [offered("v1.11.1-eksbuild.9", &["1.29", "1.30"], &["1.29", "1.30"])],
        "kube-proxy": [
            offered("v1.30.0-eksbuild.3", &["1.30"], &["1.30"]),
            offered("v1.30.6-eksbuild.1", &["1.30"], &[]),
        ],
        "aws-ebs-csi-driver": [offered("v1.30.0-eksbuild.1", &["1.29"], &["1.29"])],
    });
    let Some(moto) = Moto::start(catalog, json!({"polls": 1})) else {
        return;
    };
    // The control plane runs the target already.
    moto.cluster(
        "ws",
        "1.30",
        &[],
        &[
            ("vpc-cni", "v1.16.0-eksbuild.1"),
            ("coredns", "v1.11.1-eksbuild.9"),
            ("kube-proxy", "v1.30.6-eksbuild.1"),
            ("aws-ebs-csi-driver", "v1.30.0-eksbuild.1"),
        ],
    );
    let eks = moto.eks("ws");
    let moves = eks.addon_moves("1.30").unwrap();
    // At the default, past it, or with no default at 1.30: they stay.
    let vpc_cni = AddonMove {
        name: "vpc-cni".into(),
        from: "v1.16.0-eksbuild.1".into(),
        to: "v1.18.3-eksbuild.2".into(),
    };
    assert_eq!(moves, [vpc_cni]);
    assert_eq!(eks.addon_update_in_progress("vpc-cni").unwrap(), None);
    let id = eks.update_addon("vpc-cni", &moves[0].to).unwrap();
    assert_eq!(
        eks.addon_update_in_progress("vpc-cni").unwrap(),
        Some(id.clone())
    );
    let (out, _) = wait(&eks, &id, "add-on vpc-cni", None, Some("vpc-cni")).await;
    out.unwrap();
    let updates = moto.calls("UpdateAddon");
    assert_eq!(updates.len(), 1);
    assert_eq!(updates[0]["version"], "v1.18.3-eksbuild.2");
    assert_eq!(updates[0]["resolveConflicts"], "PRESERVE");
    let installed = moto.cli(&[
        "eks",
        "describe-addon",
        "--cluster-name",
        "ws",
        "--addon-name",
        "vpc-cni",
    ]);
    assert_eq!(installed["addon"]["addonVersion"], "v1.18.3-eksbuild.2");
    assert_eq!(eks.addon_moves("1.30").unwrap(), []);
}

#[tokio::test]
async fn node_groups_older_than_the_target_are_updated() {
    let Some(moto) = Moto::start(json!({}), json!({"polls": 1})) else {
        return;
    };
    moto.cluster("ws", "1.30", &[("old", "1.29"), ("current", "1.30")], &[]);
    let eks = moto.eks("ws");
    assert_eq!(
        eks.nodegroups_older("1.30").unwrap(),
        [("old".to_string(), "1.29".to_string())]
    );
    assert_eq!(eks.nodegroup_update_in_progress("old").unwrap(), None);
    let id = eks.update_nodegroup("old", "1.30").unwrap();
    assert_eq!(
        eks.nodegroup_update_in_progress("old").unwrap(),
        Some(id.clone())
    );
    let (out, _) = wait(&eks, &id, "node group old", Some("old"), None).await;
    out.unwrap();
    assert_eq!(eks.nodegroups_older("1.30").unwrap(), []);
    // A cancelled update is a failure that says so.
    std::fs::write(
        moto.updates_file(),
        json!({"polls": 0, "outcomes": {"nodegroup:current": {"status": "Cancelled"}}}).to_string(),
    )
    .unwrap();
    let id = eks.update_nodegroup("current", "1.30").unwrap();
    let (out, heard) = wait(&eks, &id, "node group current", Some("current"), None).await;
    assert!(heard.is_empty(), "{heard:?}");
    match out {
        Err(Error::UpdateFailed { errors, .. }) => assert_eq!(errors, ["EKS cancelled it"]),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn the_deadline_ends_a_wait_with_a_timeout() {
    let Some(moto) = Moto::start(json!({}), json!({"polls": 1000})) else {
        return;
    };
    moto.cluster("ws", "1.29", &[], &[]);
    let eks = moto.eks("ws");
    let id = eks.start_version_update("1.30").unwrap();
    let limits = Limits::new(Duration::ZERO, Arc::new(AtomicBool::new(false)));
    let out = eks
        .wait_update(
            &id,
            "the control plane's update",
            None,
            None,
            &limits,
            &|_| {},
        )
        .await;
    match out {
        Err(Error::Timeout { what, detail, .. }) => {
            assert_eq!(what, "the control plane's update");
            assert!(
                detail.starts_with(&format!("EKS update {id}: ")),
                "{detail}"
            );
        }
        other => panic!("{other:?}"),
    }
    let stopped = Limits::new(Duration::from_secs(60), Arc::new(AtomicBool::new(true)));
    let out = eks
        .wait_update(
            &id,
            "the control plane's update",
            None,
            None,
            &stopped,
            &|_| {},
        )
        .await;
    assert!(matches!(out, Err(Error::Interrupted)), "{out:?}");
}

/// One `describe-update`, for the tests' look between polls.
impl Eks {
    /// `describe-update` (with `--nodegroup-name` / `--addon-name` when given).
    fn update_status(
        &self,
        id: &str,
        nodegroup: Option<&str>,
        addon: Option<&str>,
    ) -> Result<UpdateStatus> {
        let reply = self
            .aws
            .call(&self.describe_update(id, Of::new(nodegroup, addon)))?;
        update_status(&reply, &json(&reply)?)
    }
}
