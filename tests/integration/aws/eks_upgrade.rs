//! `upgrade --driver eks` through the real aws CLI against moto (with the
//! update routes of `tests/rig/moto_eks.py`): the control plane's update,
//! the managed add-on moved to the new version's default, the node group
//! updated; a failed update named with its errors; a resumed run waiting
//! for the update already in progress instead of starting a second.

use super::moto::{Cluster, Moto, clean_aws_env, offered, path_with};
use crate::world::{Env, env};

fn catalog() -> serde_json::Value {
    serde_json::json!({
        "vpc-cni": [
            offered("v1.19.0-eksbuild.1", &["1.33", "1.34"], &["1.33"]),
            offered("v1.20.0-eksbuild.1", &["1.34"], &["1.34"]),
        ],
    })
}

/// The world (forge, stand-in API server and Flux) set up with the moto
/// cluster's values, and moto's cluster at 1.33.
fn world(moto: &Moto, name: &str) -> (Env, Cluster) {
    let cluster = Cluster::create(
        moto,
        name,
        "1.33",
        false,
        &[("ng", "1.33")],
        &[("vpc-cni", "v1.19.0-eksbuild.1")],
    );
    let e = env(true);
    let values = cluster.values(e.w.dir());
    e.w.cmd(&e.args(values.to_str().unwrap(), &["--region", super::moto::REGION]))
        .run()
        .success();
    e.flux_labelled("v2.9.5");
    (e, cluster)
}

fn run(e: &Env, moto: &Moto, args: &[&str], extra: &[(&str, &str)]) -> crate::support::Outcome {
    let mut cmd = e.w.cmd(args);
    clean_aws_env(&mut cmd.command);
    for (k, v) in moto.env() {
        cmd.command.env(k, v);
    }
    cmd.command
        .env("PATH", path_with(&moto.bin))
        .env("EKS_WORKSHOP_POLL_MS", "20");
    for (k, v) in extra {
        cmd.command.env(k, v);
    }
    cmd.run()
}

const UPGRADE: &[&str] = &[
    "upgrade",
    "--to",
    "1.34",
    "--driver",
    "eks",
    "--region",
    "us-west-2",
    "--yes",
    "--timeout",
    "120s",
];

#[test]
fn the_eks_driver_moves_the_control_plane_its_add_ons_and_node_groups() {
    let moto = Moto::start(&catalog());
    let (e, cluster) = world(&moto, "ws-eks");
    let out = run(&e, &moto, UPGRADE, &[]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    let described = moto.aws(&["eks", "describe-cluster", "--name", &cluster.name]);
    assert_eq!(described["cluster"]["version"], "1.34", "{described}");
    let addon = moto.aws(&[
        "eks",
        "describe-addon",
        "--cluster-name",
        &cluster.name,
        "--addon-name",
        "vpc-cni",
    ]);
    assert_eq!(
        addon["addon"]["addonVersion"], "v1.20.0-eksbuild.1",
        "{addon}"
    );
    let ng = moto.aws(&[
        "eks",
        "describe-nodegroup",
        "--cluster-name",
        &cluster.name,
        "--nodegroup-name",
        "ng",
    ]);
    assert_eq!(ng["nodegroup"]["version"], "1.34", "{ng}");
    assert!(
        out.stdout
            .contains("vpc-cni v1.19.0-eksbuild.1 → v1.20.0-eksbuild.1"),
        "{}",
        out.stdout
    );
    // Twice: nothing to do.
    let again = run(&e, &moto, UPGRADE, &[]);
    assert_eq!(again.code, 0, "{}\n{}", again.stdout, again.stderr);
    assert!(again.stdout.contains("nothing to do"), "{}", again.stdout);
}

#[test]
fn a_failed_update_stops_the_upgrade_with_every_error_eks_gave() {
    let updates = serde_json::json!({"polls": 1, "outcomes": {"cluster": {"status": "Failed", "errors": [
        {"errorCode": "SubnetNotFound", "errorMessage": "subnet-0abc is gone", "resourceIds": ["subnet-0abc"]}
    ]}}});
    let moto = Moto::start_with(&catalog(), &updates);
    let (e, cluster) = world(&moto, "ws-failed");
    let out = run(&e, &moto, UPGRADE, &[]);
    assert_eq!(out.code, 1, "{}\n{}", out.stdout, out.stderr);
    assert!(
        out.stderr.contains("SubnetNotFound") && out.stderr.contains("subnet-0abc is gone"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("help:"), "{}", out.stderr);
    let described = moto.aws(&["eks", "describe-cluster", "--name", &cluster.name]);
    assert_eq!(described["cluster"]["version"], "1.33", "{described}");
}

#[test]
fn a_run_killed_while_the_update_runs_is_resumed_by_waiting_for_that_same_update() {
    // Slow enough that the update is still in progress when resumed.
    let updates = serde_json::json!({"polls": 6});
    let moto = Moto::start_with(&catalog(), &updates);
    let (e, cluster) = world(&moto, "ws-resumed");
    let point = "control-plane:update-started";
    let mut cmd = e.w.cmd(UPGRADE);
    clean_aws_env(&mut cmd.command);
    for (k, v) in moto.env() {
        cmd.command.env(k, v);
    }
    cmd.command
        .env("PATH", path_with(&moto.bin))
        .env("EKS_WORKSHOP_POLL_MS", "20")
        .env("EKS_WORKSHOP_PAUSE_AT", point)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped());
    let mut child = cmd.command.spawn().unwrap();
    let stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    let paused = std::io::BufRead::lines(stderr)
        .map_while(Result::ok)
        .any(|line| line == format!("paused at {point}"));
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(paused, "never reached {point}");
    assert_eq!(moto.calls("UpdateClusterVersion"), 1);
    let out = run(&e, &moto, &["resume", "--yes", "--timeout", "120s"], &[]);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    assert_eq!(
        moto.calls("UpdateClusterVersion"),
        1,
        "one update, never two"
    );
    assert!(out.stdout.contains("already in progress"), "{}", out.stdout);
    let described = moto.aws(&["eks", "describe-cluster", "--name", &cluster.name]);
    assert_eq!(described["cluster"]["version"], "1.34", "{described}");
}
