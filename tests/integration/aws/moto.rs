//! The AWS tests' fixture: moto (with the EKS add-on routes of
//! `tests/rig/moto_eks.py`) from the rig's venv, the aws CLI beside it, and
//! one workshop cluster's resources created in it.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

use crate::support::{example_values, repo_root};

pub const REGION: &str = "us-west-2";

/// The venv tests/rig/aws.sh installs.
pub fn venv() -> PathBuf {
    let rig = std::env::var_os("EKS_WORKSHOP_RIG")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").expect("HOME")).join(".cache/eks-workshop-rig")
        });
    let venv = rig.join("aws/venv");
    for bin in ["aws", "moto_server", "python"] {
        assert!(
            venv.join("bin").join(bin).is_file(),
            "{} is missing: run tests/rig/aws.sh (tests/rig/build.sh runs it) to install the pinned aws CLI and moto there",
            venv.join("bin").join(bin).display()
        );
    }
    venv
}

/// moto (with the add-on routes) on 127.0.0.1, killed on drop.
pub struct Moto {
    child: std::process::Child,
    url: String,
    pub bin: PathBuf,
    home: tempfile::TempDir,
}

impl Moto {
    /// Start it with `catalog` as the add-on versions EKS offers.
    pub fn start(catalog: &Value) -> Moto {
        Moto::start_with(catalog, &serde_json::json!({}))
    }

    /// [`Moto::start`], with `updates` telling how the updates it is asked
    /// for end (`MOTO_EKS_UPDATES`: see `tests/rig/moto_eks.py`).
    pub fn start_with(catalog: &Value, updates: &Value) -> Moto {
        Moto::start_all(catalog, updates, &serde_json::json!({}))
    }

    /// [`Moto::start_with`], with `insights` the EKS upgrade insights of each
    /// cluster (`MOTO_EKS_INSIGHTS`: see `tests/rig/moto_eks.py`).
    pub fn start_all(catalog: &Value, updates: &Value, insights: &Value) -> Moto {
        let venv = venv();
        let home = tempfile::tempdir().unwrap();
        let insights_file = home.path().join("insights.json");
        std::fs::write(&insights_file, insights.to_string()).unwrap();
        let catalog_file = home.path().join("addon-versions.json");
        std::fs::write(&catalog_file, catalog.to_string()).unwrap();
        let updates_file = home.path().join("updates.json");
        std::fs::write(&updates_file, updates.to_string()).unwrap();
        let mut child = Command::new(venv.join("bin/python"))
            .arg(repo_root().join("tests/rig/moto_eks.py"))
            .env("MOTO_EKS_ADDON_VERSIONS", &catalog_file)
            .env("MOTO_EKS_UPDATES", &updates_file)
            .env("MOTO_EKS_INSIGHTS", &insights_file)
            .env("MOTO_EKS_LOG", home.path().join("calls.log"))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the venv's python starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port: u16 = line
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("moto_eks.py printed {line:?}, not its port"));
        Moto {
            child,
            url: format!("http://127.0.0.1:{port}"),
            bin: venv.join("bin"),
            home,
        }
    }

    /// How many `op` calls (`UpdateClusterVersion`) moto_eks.py served.
    pub fn calls(&self, op: &str) -> usize {
        let log = std::fs::read_to_string(self.home.path().join("calls.log")).unwrap_or_default();
        log.lines()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .filter(|call| call["op"] == op)
            .count()
    }

    /// The environment that points an aws CLI at moto.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("AWS_ENDPOINT_URL", self.url.clone()),
            ("AWS_ACCESS_KEY_ID", "testing".into()),
            ("AWS_SECRET_ACCESS_KEY", "testing".into()),
            ("AWS_DEFAULT_REGION", REGION.into()),
            ("AWS_EC2_METADATA_DISABLED", "true".into()),
        ]
    }

    /// `aws ARGS --output json` against moto, as the test's own hands.
    pub fn aws(&self, args: &[&str]) -> Value {
        let mut command = Command::new(self.bin.join("aws"));
        command.args(args).args(["--output", "json"]);
        clean_aws_env(&mut command);
        command.env("HOME", self.home.path());
        for (k, v) in self.env() {
            command.env(k, v);
        }
        let out = command.output().expect("the venv's aws runs");
        assert!(
            out.status.success(),
            "aws {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap_or(Value::Null)
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// No AWS setting of the developer's shell reaches a command.
pub fn clean_aws_env(command: &mut Command) {
    for key in [
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_CONFIG_FILE",
        "AWS_SHARED_CREDENTIALS_FILE",
        "AWS_ENDPOINT_URL",
        "AWS_DEFAULT_REGION",
        "AWS_REGION",
    ] {
        command.env_remove(key);
    }
}

/// PATH with the venv's bin first, then the rig's kubectl.
pub fn path_with(bin: &Path) -> String {
    crate::support::path_with(&[bin])
}

/// The test PATH (the rig's kubectl first) without any directory holding an `aws`.
pub fn path_without_aws() -> String {
    let path = crate::support::path_with(&[]);
    std::env::split_paths(&path)
        .filter(|dir| !dir.join("aws").exists())
        .map(|dir| dir.display().to_string())
        .collect::<Vec<_>>()
        .join(":")
}

/// A catalog entry: `version` offered at `clusters`, the default at `default_for`.
pub fn offered(version: &str, clusters: &[&str], default_for: &[&str]) -> Value {
    serde_json::json!({"version": version, "clusters": clusters, "default_for": default_for})
}

/// The resources one workshop cluster has, created in moto.
pub struct Cluster {
    pub name: String,
    pub vpc: String,
    pub roomy: String,
    pub tight: Option<String>,
    pub role: String,
    pub security_group: String,
}

impl Cluster {
    /// A VPC with a roomy subnet and, when `full`, a nearly full one (the
    /// cluster's), and a full one the cluster does not use; the
    /// role, the security group, the cluster at `version` with `nodegroups`
    /// (name, version) and `addons` (name, version).
    pub fn create(
        moto: &Moto,
        name: &str,
        version: &str,
        full: bool,
        nodegroups: &[(&str, &str)],
        addons: &[(&str, &str)],
    ) -> Cluster {
        let vpc = moto.aws(&["ec2", "create-vpc", "--cidr-block", "10.0.0.0/16"])["Vpc"]["VpcId"]
            .as_str()
            .unwrap()
            .to_string();
        let subnet = |cidr: &str, zone: &str| {
            moto.aws(&[
                "ec2",
                "create-subnet",
                "--vpc-id",
                &vpc,
                "--cidr-block",
                cidr,
                "--availability-zone",
                zone,
            ])["Subnet"]["SubnetId"]
                .as_str()
                .unwrap()
                .to_string()
        };
        let roomy = subnet("10.0.1.0/24", "us-west-2a");
        let tight = full.then(|| {
            // A /28 has 11 usable addresses; an interface with 8 takes them to 3.
            let tight = subnet("10.0.2.0/28", "us-west-2b");
            moto.aws(&[
                "ec2",
                "create-network-interface",
                "--subnet-id",
                &tight,
                "--secondary-private-ip-address-count",
                "7",
            ]);
            tight
        });
        // A full subnet of the VPC the cluster does not use: EKS cannot put
        // its interfaces there, so verify leaves it out.
        let outside = subnet("10.0.3.0/28", "us-west-2c");
        moto.aws(&[
            "ec2",
            "create-network-interface",
            "--subnet-id",
            &outside,
            "--secondary-private-ip-address-count",
            "9",
        ]);
        let mut cluster_subnets = vec![roomy.clone()];
        cluster_subnets.extend(tight.clone());
        let role = format!("{name}-cluster-role");
        let arn = moto.aws(&[
            "iam", "create-role", "--role-name", &role, "--assume-role-policy-document",
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"eks.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#,
        ])["Role"]["Arn"]
            .as_str()
            .unwrap()
            .to_string();
        let security_group = moto.aws(&[
            "ec2",
            "create-security-group",
            "--group-name",
            &format!("{name}-cluster"),
            "--description",
            "cluster",
            "--vpc-id",
            &vpc,
        ])["GroupId"]
            .as_str()
            .unwrap()
            .to_string();
        moto.aws(&[
            "eks",
            "create-cluster",
            "--name",
            name,
            "--kubernetes-version",
            version,
            "--role-arn",
            &arn,
            "--resources-vpc-config",
            &format!("subnetIds={}", cluster_subnets.join(",")),
        ]);
        for (ng, ng_version) in nodegroups {
            // `--kubernetes-version`: the CLI's own `--version` shadows the API's field.
            moto.aws(&[
                "eks",
                "create-nodegroup",
                "--cluster-name",
                name,
                "--nodegroup-name",
                ng,
                "--subnets",
                &roomy,
                "--node-role",
                &arn,
                "--kubernetes-version",
                ng_version,
            ]);
        }
        for (addon, addon_version) in addons {
            moto.aws(&[
                "eks",
                "create-addon",
                "--cluster-name",
                name,
                "--addon-name",
                addon,
                "--addon-version",
                addon_version,
            ]);
        }
        Cluster {
            name: name.into(),
            vpc,
            roomy,
            tight,
            role,
            security_group,
        }
    }

    /// The example values with this cluster's names and ids, written to `dir`.
    pub fn values(&self, dir: &Path) -> PathBuf {
        let text = std::fs::read_to_string(example_values()).unwrap();
        let mut out = String::new();
        for line in text.lines() {
            let line = match line.split_once(':').map(|(k, _)| k) {
                Some("aws_region") => format!("aws_region: {REGION}"),
                Some("aws_vpc_id") => format!("aws_vpc_id: {}", self.vpc),
                Some("cluster_name") => format!("cluster_name: {}", self.name),
                Some("cluster_iam_role_name") => format!("cluster_iam_role_name: {}", self.role),
                Some("cluster_primary_security_group_id") => {
                    format!("cluster_primary_security_group_id: {}", self.security_group)
                }
                _ => line.to_string(),
            };
            out.push_str(&line);
            out.push('\n');
        }
        let path = dir.join(format!("{}.values.yaml", self.name));
        std::fs::write(&path, out).unwrap();
        path
    }
}
