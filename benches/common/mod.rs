//! What the benches share: the real `eks-workshop` binary run in a temp dir
//! with a clean environment, and the online world (a forge with alice's
//! upstream, the local API server with Flux installed, the Flux stand-in).
//! The tests have their own (`tests/integration/support.rs`, `world.rs`);
//! the parts that need no binary are shared through `harness::fixtures`.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use harness::apiserver::ApiServer;
use harness::flux::{FluxApis, FluxStandIn};
use harness::forge::Forge;
use serde_json::Value;

pub const BIN: &str = env!("CARGO_BIN_EXE_eks-workshop");

pub const UP_OWNER: &str = "aws-samples";
pub const NAME: &str = "eks-cluster-upgrades-workshop";
pub const LOGIN: &str = "alice";
pub const TOKEN: &str = "ghp_fluxTok3n_51d2c9e8a7b6";
const CONTEXT: &str = "workshop";
const KUBE_TOKEN: &str = "kube-admin-7f3e91c2d4";
pub const KS_API: &str = "kustomize.toolkit.fluxcd.io/v1";
pub const GIT_API: &str = "source.toolkit.fluxcd.io/v1";
pub const HELM_API: &str = "helm.toolkit.fluxcd.io/v2";
pub const FS: &str = "flux-system";

/// The repository root (for `templates/values.example.yaml`, `workshop/`).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn example_values() -> PathBuf {
    repo_root().join("templates/values.example.yaml")
}

/// A temp working dir (`--dir`) and the environment every command there gets.
pub struct Workshop {
    tmp: tempfile::TempDir,
    env: Vec<(String, String)>,
}

impl Workshop {
    pub fn new() -> Workshop {
        Workshop {
            tmp: tempfile::tempdir().expect("tempdir"),
            env: Vec::new(),
        }
    }

    pub fn dir(&self) -> &Path {
        self.tmp.path()
    }

    /// The clone: `DIR/<repo name>` for the default upstream.
    pub fn clone_dir(&self) -> PathBuf {
        self.dir().join(NAME)
    }

    /// Set an environment variable for every later command.
    pub fn env(mut self, key: &str, value: &str) -> Workshop {
        self.env.push((key.into(), value.into()));
        self
    }

    /// `eks-workshop --dir DIR <args>`, with no GITHUB_*, GH_*, AWS_* or
    /// KUBECONFIG from the developer's shell, and the rig's kubectl on PATH.
    pub fn cmd(&self, args: &[&str]) -> Cmd {
        let mut command = Command::new(BIN);
        command.arg("--dir").arg(self.dir()).args(args);
        harness::fixtures::isolate(&mut command, self.dir());
        command
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null());
        Cmd { command }
    }

    /// `git -C <clone> <args>`, stdout trimmed.
    pub fn git(&self, args: &[&str]) -> String {
        git(&self.clone_dir(), args)
    }
}

/// Run the git CLI in `dir`; panics with stderr on failure.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim_end().to_string()
}

pub struct Cmd {
    pub command: Command,
}

impl Cmd {
    pub fn env(mut self, key: &str, value: &str) -> Cmd {
        self.command.env(key, value);
        self
    }

    pub fn run(mut self) -> Outcome {
        let out = self.command.output().expect("eks-workshop runs");
        Outcome {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

#[derive(Debug)]
pub struct Outcome {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Outcome {
    /// Assert it succeeded, showing the output when not.
    pub fn success(self) -> Outcome {
        assert_eq!(
            self.code, 0,
            "exit code\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }
}

/// A forge with alice's upstream, an API server with Flux installed, the
/// Flux stand-in, and a workshop dir pointing at them all.
pub struct Env {
    pub forge: Forge,
    pub api: ApiServer,
    pub flux: FluxStandIn,
    pub w: Workshop,
    pub kubeconfig: PathBuf,
}

pub fn env() -> Env {
    let forge = Forge::start_blocking();
    forge.add_user(LOGIN, TOKEN);
    forge.seed_repo(UP_OWNER, NAME, &repo_root().join("workshop"), "main");
    let api = ApiServer::start_blocking();
    api.require_token(Some(KUBE_TOKEN));
    FluxStandIn::install_crds_for(&api, FluxApis::Legacy);
    let flux = FluxStandIn::start(&api);
    flux.add_chart(&harness::fixtures::karpenter_chart());
    let w = Workshop::new();
    let kubeconfig = w.dir().join("kube").join("config");
    api.write_kubeconfig(&kubeconfig, CONTEXT, Some(KUBE_TOKEN));
    let w = w
        .env("GITHUB_API_URL", &forge.api_url())
        .env("GITHUB_TOKEN", TOKEN)
        .env("EKS_WORKSHOP_RETRY_BASE_MS", "2")
        .env("KUBECONFIG", kubeconfig.to_str().unwrap());
    Env {
        forge,
        api,
        flux,
        w,
        kubeconfig,
    }
}

impl Env {
    /// `setup --yes --values <example> --timeout 60s <extra>`.
    pub fn setup(&self, extra: &[&str]) -> Outcome {
        let values = example_values();
        let mut args = vec!["setup", "--yes", "--values", values.to_str().unwrap()];
        args.extend_from_slice(&["--timeout", "60s"]);
        args.extend_from_slice(extra);
        self.w.cmd(&args).run()
    }

    pub fn get(&self, api_version: &str, kind: &str, name: &str) -> Value {
        self.api
            .store()
            .get(api_version, kind, Some(FS), name)
            .unwrap_or_else(|| panic!("{kind} {FS}/{name} exists"))
    }

    pub fn head(&self) -> String {
        self.forge
            .branch_head(LOGIN, NAME, "main")
            .expect("fork has main")
    }

    pub fn revision(&self) -> String {
        format!("main@sha1:{}", self.head())
    }
}

/// Lets kubectl in: client-go sends no bearer token over plain HTTP, and the
/// stand-in serves plain HTTP.
pub fn admit_kubectl(api: &ApiServer) {
    api.require_token(None);
}
