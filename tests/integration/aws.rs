//! `verify`'s AWS checks, with the real aws CLI against moto: subnets, the
//! cluster IAM role and security group, the cluster's and node groups'
//! versions, the EKS managed add-ons; and each honest skip (offline, no
//! `aws` on PATH, no credentials).
//!
//! Both come from the venv `tests/rig/aws.sh` installs into the rig cache
//! (`${EKS_WORKSHOP_RIG:-$HOME/.cache/eks-workshop-rig}/aws/venv`, pinned
//! awscli and moto[server]); the tests use that venv only, never an `aws`
//! or moto found elsewhere, and fail with the fix when it is missing.
//! moto 5.2.1 has no EKS add-on operations or version updates, so the
//! server is `tests/rig/moto_eks.py`: moto's app, plus the add-on calls
//! (answered from memory and from a catalog of versions each test writes)
//! and the updates `upgrade`'s eks driver makes.

mod eks_upgrade;
mod insights;
pub(crate) mod moto;

use serde_json::Value;

use crate::support::{Outcome, Workshop};
use crate::world::env;
use moto::{Cluster, Moto, clean_aws_env, offered, path_with, path_without_aws};

/// The `aws` entry of `verify -o json`'s checks.
fn aws_check(out: &Outcome) -> Value {
    let json = out.json();
    json["checks"]
        .as_array()
        .and_then(|c| c.iter().find(|s| s["name"] == "aws"))
        .cloned()
        .unwrap_or_else(|| panic!("no `aws` check: {json}"))
}

/// The item about `subject`: (severity, message, fix).
fn item<'a>(check: &'a Value, subject: &str) -> &'a Value {
    check["items"]
        .as_array()
        .and_then(|items| items.iter().find(|i| i["subject"] == subject))
        .unwrap_or_else(|| panic!("no item about {subject:?}: {check:#}"))
}

#[test]
fn offline_the_aws_checks_are_skipped_and_say_so() {
    let w = Workshop::new();
    w.setup_offline();
    let out = w
        .cmd(&["verify", "--target-version", "1.26", "-o", "json"])
        .run()
        .success();
    let check = aws_check(&out);
    assert_eq!(check["skipped"], "offline (no AWS account is asked)");
    assert_eq!(check["items"], serde_json::json!([]));
    let out = w
        .cmd(&["verify", "--target-version", "1.26"])
        .run()
        .success();
    assert!(
        out.stdout
            .lines()
            .any(|l| l == "AWS checks skipped: offline (no AWS account is asked)"),
        "{}",
        out.stdout
    );
}

/// One online world (forge, API server, Flux) whose values name moto's
/// resources, and `verify` run against it in every situation the AWS half
/// knows: findings of each severity, a call that fails, and each skip.
#[test]
fn verify_checks_the_aws_side_against_moto() {
    let catalog = serde_json::json!({
        "vpc-cni": [
            offered("v1.16.0-eksbuild.1", &["1.28", "1.29"], &["1.29"]),
            offered("v1.18.3-eksbuild.2", &["1.29", "1.30"], &["1.30"]),
            offered("v1.19.0-eksbuild.1", &["1.30", "1.31"], &["1.31"]),
        ],
        "coredns": [offered("v1.11.1-eksbuild.9", &["1.29", "1.30", "1.31"], &["1.29", "1.30", "1.31"])],
    });
    let moto = Moto::start(&catalog);
    let blocked = Cluster::create(
        &moto,
        "ws-blocked",
        "1.29",
        true,
        &[("current", "1.29"), ("old", "1.26")],
        &[
            ("vpc-cni", "v1.16.0-eksbuild.1"),
            ("coredns", "v1.11.1-eksbuild.9"),
        ],
    );
    let ready = Cluster::create(
        &moto,
        "ws-ready",
        "1.29",
        false,
        &[("nodes", "1.29")],
        &[("vpc-cni", "v1.18.3-eksbuild.2")],
    );
    let e = env(true);
    let values = blocked.values(e.w.dir());
    e.w.cmd(&e.args(values.to_str().unwrap(), &[]))
        .run()
        .success();
    let on_path = path_with(&moto.bin);
    // `verify ARGS` with the venv's aws first on PATH and `env` on top of
    // moto's endpoint and keys (a value of "" removes the variable).
    let verify = |args: &[&str], env: &[(&str, &str)]| {
        let mut cmd = e.w.cmd(&[&["verify"], args].concat());
        clean_aws_env(&mut cmd.command);
        for (k, v) in moto.env() {
            cmd.command.env(k, v);
        }
        cmd.command.env("PATH", &on_path);
        for (k, v) in env {
            if v.is_empty() {
                cmd.command.env_remove(k);
            } else {
                cmd.command.env(k, v);
            }
        }
        cmd.run()
    };

    // Blocking: a node group four minors behind 1.30, an add-on older than
    // any 1.30 supports. To do: a nearly full subnet, a node group one behind.
    // The VPC's full subnet outside the cluster is not listed.
    let out = verify(&["--target-version", "1.30", "-o", "json"], &[]).code(4);
    let check = aws_check(&out);
    assert_eq!(check["skipped"], Value::Null, "{check:#}");
    let (role, group, vpc) = (&blocked.role, &blocked.security_group, &blocked.vpc);
    let tight = blocked.tight.as_ref().unwrap();
    // (subject, severity, the message's start): every item, in order.
    let expected = [
        ("AWS identity".to_string(), "fine", "arn:aws:sts::123456789012:user/moto in us-west-2".to_string()),
        (format!("subnet {} (us-west-2a)", blocked.roomy), "fine", "251 free IP addresses".into()),
        (format!("subnet {tight} (us-west-2b)"), "to-do", "only 3 free IP addresses; ".into()),
        (format!("IAM role {role}"), "fine", format!("exists (arn:aws:iam::123456789012:role/{role})")),
        (format!("security group {group}"), "fine", format!("exists (in {vpc})")),
        ("cluster ws-blocked".into(), "fine", "runs 1.29: 1.30 is one minor ahead, one upgrade".into()),
        ("node group current".into(), "to-do", "runs 1.29, 1 minor behind 1.30: ".into()),
        ("node group old".into(), "blocking", "runs 1.26: 4 minors behind 1.30, more than the 3 the Kubernetes version skew policy allows a kubelet".into()),
        ("add-on coredns".into(), "fine", "v1.11.1-eksbuild.9 is supported at 1.30".into()),
        ("add-on vpc-cni".into(), "blocking", "v1.16.0-eksbuild.1 is older than any version EKS supports at 1.30 (the oldest is v1.18.3-eksbuild.2)".into()),
        ("EKS upgrade insights of cluster ws-blocked".into(), "fine", "none for Kubernetes 1.30".into()),
    ];
    let items = check["items"].as_array().unwrap();
    let got: Vec<(&str, &str, &str)> = items
        .iter()
        .map(|i| {
            (
                i["subject"].as_str().unwrap(),
                i["severity"].as_str().unwrap(),
                i["message"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(got.len(), expected.len(), "{got:#?}");
    for ((subject, severity, message), want) in got.iter().zip(&expected) {
        assert!(
            (*subject, *severity) == (want.0.as_str(), want.1) && message.starts_with(&want.2),
            "got {subject} {severity} {message:?}, want {want:?}"
        );
    }
    let fix = |subject: &str| item(&check, subject)["fix"].as_str().unwrap().to_string();
    assert!(
        fix("node group old").contains("aws eks update-nodegroup-version --cluster-name ws-blocked --nodegroup-name old --kubernetes-version 1.29"),
        "{check:#}"
    );
    assert!(
        fix("add-on vpc-cni").contains("--addon-version v1.18.3-eksbuild.2"),
        "{check:#}"
    );
    assert_eq!(fix("add-on coredns"), "");
    let json = out.json();
    let problems: Vec<&str> = json["problems"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["message"].as_str())
        .filter_map(|m| m.strip_prefix("aws: "))
        .filter_map(|m| m.split(": ").next())
        .collect();
    assert_eq!(
        problems,
        ["node group old", "add-on vpc-cni"],
        "{}",
        out.stdout
    );

    // The same as text: one line per finding, blocking first.
    let out = verify(&["--target-version", "1.30"], &[]).code(4);
    let lines: Vec<&str> = out
        .stdout
        .lines()
        .skip_while(|l| *l != "AWS checks:")
        .collect();
    assert!(lines.len() > 3, "{}", out.stdout);
    assert!(
        lines[1].starts_with("  ✘ blocking") && lines[1].contains("node group old"),
        "{}",
        out.stdout
    );
    assert!(
        lines.iter().any(|l| l.starts_with("  ! to do")
            && l.contains("(us-west-2b)")
            && l.contains("only 3 free IP addresses")),
        "{}",
        out.stdout
    );

    // Two minors ahead: EKS goes one at a time.
    let out = verify(&["--target-version", "1.31", "-o", "json"], &[]).code(4);
    let check = aws_check(&out);
    let cluster = item(&check, "cluster ws-blocked");
    assert_eq!(cluster["severity"], "blocking", "{cluster:#}");
    assert!(
        cluster["fix"]
            .as_str()
            .unwrap()
            .contains("--kubernetes-version 1.30"),
        "{cluster:#}"
    );

    // EKS unreachable while EC2 and IAM answer: each EKS call is an item
    // naming the call and its error, never a silent pass.
    let out = verify(
        &["--target-version", "1.30", "-o", "json"],
        &[
            ("AWS_ENDPOINT_URL_EKS", "http://127.0.0.1:1"),
            ("AWS_MAX_ATTEMPTS", "1"),
        ],
    );
    let check = aws_check(&out);
    let cluster = item(&check, "cluster ws-blocked");
    assert_eq!(cluster["severity"], "to-do", "{cluster:#}");
    let message = cluster["message"].as_str().unwrap();
    assert!(
        message.starts_with(
            "could not read its version: `aws eks describe-cluster --name ws-blocked` failed: "
        ) && message.contains("127.0.0.1:1"),
        "{cluster:#}"
    );
    assert_eq!(
        item(&check, &format!("IAM role {}", blocked.role))["severity"],
        "fine"
    );

    // No aws on PATH, no credentials: skipped, saying which.
    let out = verify(
        &["--target-version", "1.30", "-o", "json"],
        &[("PATH", &path_without_aws())],
    );
    let skipped = aws_check(&out)["skipped"].to_string();
    assert!(
        skipped.starts_with("\"the aws CLI is not on PATH ("),
        "{skipped}"
    );
    let out = verify(
        &["--target-version", "1.30", "-o", "json"],
        &[("AWS_ACCESS_KEY_ID", ""), ("AWS_SECRET_ACCESS_KEY", "")],
    );
    let skipped = aws_check(&out)["skipped"].to_string();
    assert!(
        skipped.starts_with("\"no usable AWS credentials (`aws sts get-caller-identity`: Unable to locate credentials"),
        "{skipped}"
    );
    let out = verify(
        &["--target-version", "1.30"],
        &[("AWS_ACCESS_KEY_ID", ""), ("AWS_SECRET_ACCESS_KEY", "")],
    );
    assert!(
        out.stdout
            .lines()
            .any(|l| l.starts_with("AWS checks skipped: no usable AWS credentials")),
        "{}",
        out.stdout
    );

    // A cluster ready for 1.30: nothing blocks, and the one to do is its
    // node group, to upgrade after the control plane.
    let values = ready.values(e.w.dir());
    let out = verify(
        &[
            "--values",
            values.to_str().unwrap(),
            "--target-version",
            "1.30",
            "-o",
            "json",
        ],
        &[],
    );
    let check = aws_check(&out);
    let blocking = check["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["severity"] == "blocking");
    assert_eq!(blocking.count(), 0, "{check:#}");
    assert_eq!(item(&check, "node group nodes")["severity"], "to-do");
    assert_eq!(
        item(&check, "add-on vpc-cni")["message"],
        "v1.18.3-eksbuild.2 is supported at 1.30"
    );
    out.success();
}
