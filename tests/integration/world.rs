//! The online test world: a forge with alice's upstream, the local Kubernetes
//! API server, the Flux stand-in, and a workshop dir pointing at them all.
//! Shared by the Flux, online-crash and secret-audit tests. (The benches
//! build the same world in `benches/common`.)

use std::path::{Path, PathBuf};

use harness::apiserver::ApiServer;
use harness::fixtures::karpenter_chart;
use harness::flux::{FluxApis, FluxStandIn};
use harness::forge::Forge;
use serde_json::Value;

use crate::support::{Outcome, Workshop, example_values, repo_root};

pub const UP_OWNER: &str = "aws-samples";
pub const NAME: &str = "eks-cluster-upgrades-workshop";
pub const LOGIN: &str = "alice";
pub const TOKEN: &str = "ghp_fluxTok3n_51d2c9e8a7b6";
pub const CONTEXT: &str = "workshop";
/// The bearer token the stand-in API server requires, and the world's
/// kubeconfig carries: every online test proves the tool sends it.
pub const KUBE_TOKEN: &str = "kube-admin-7f3e91c2d4";
pub const KS_API: &str = "kustomize.toolkit.fluxcd.io/v1";
pub const GIT_API: &str = "source.toolkit.fluxcd.io/v1";
pub const HELM_API: &str = "helm.toolkit.fluxcd.io/v2";
pub const FS: &str = "flux-system";

/// A forge with alice's upstream, an API server (with Flux installed unless
/// asked otherwise), the Flux stand-in, and a workshop dir pointing at both.
pub struct Env {
    pub forge: Forge,
    pub api: ApiServer,
    pub flux: FluxStandIn,
    pub w: Workshop,
    pub kubeconfig: PathBuf,
}

pub fn env(flux_installed: bool) -> Env {
    env_with(flux_installed, &[])
}

pub fn env_with(flux_installed: bool, extra_env: &[(&str, &str)]) -> Env {
    let apis = flux_installed.then_some(FluxApis::Legacy);
    env_on(&repo_root().join("workshop"), apis, extra_env)
}

/// The world with `upstream` as alice's upstream, and Flux installed serving
/// `apis` (none: not installed).
pub fn env_on(upstream: &Path, apis: Option<FluxApis>, extra_env: &[(&str, &str)]) -> Env {
    let forge = Forge::start_blocking();
    forge.add_user(LOGIN, TOKEN);
    forge.seed_repo(UP_OWNER, NAME, upstream, "main");
    let api = ApiServer::start_blocking();
    api.require_token(Some(KUBE_TOKEN));
    if let Some(apis) = apis {
        FluxStandIn::install_crds_for(&api, apis);
    }
    let flux = FluxStandIn::start(&api);
    flux.add_chart(&karpenter_chart());
    let w = Workshop::new();
    let kubeconfig = w.dir().join("kube").join("config");
    api.write_kubeconfig(&kubeconfig, CONTEXT, Some(KUBE_TOKEN));
    let mut w = w
        .env("GITHUB_API_URL", &forge.api_url())
        .env("GITHUB_TOKEN", TOKEN)
        .env("EKS_WORKSHOP_RETRY_BASE_MS", "2")
        .env("KUBECONFIG", kubeconfig.to_str().unwrap());
    for (k, v) in extra_env {
        w = w.env(k, v);
    }
    Env {
        forge,
        api,
        flux,
        w,
        kubeconfig,
    }
}

impl Env {
    /// Flux's controllers relabelled as release `version` (the stand-in's
    /// are v2.6.0, tested on Kubernetes 1.31-1.33): an upgrade to 1.34 not
    /// about Flux starts from one that supports it.
    pub fn flux_labelled(&self, version: &str) {
        let store = self.api.store();
        for name in harness::flux::FluxStandIn::controller_names() {
            let patch =
                serde_json::json!({"metadata": {"labels": {"app.kubernetes.io/version": version}}});
            store
                .merge_patch("apps/v1", "Deployment", Some("flux-system"), name, patch)
                .unwrap();
        }
    }

    pub fn args<'a>(&self, values: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
        let mut args = vec!["setup", "--yes", "--values", values, "--timeout", "60s"];
        args.extend_from_slice(extra);
        args
    }

    pub fn setup(&self, extra: &[&str]) -> Outcome {
        let values = example_values();
        self.w
            .cmd(&self.args(values.to_str().unwrap(), extra))
            .run()
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

    /// resourceVersions of the four objects the flux step owns.
    pub fn owned_versions(&self) -> Vec<String> {
        let store = self.api.store();
        let rv = |v: Option<Value>| {
            v.unwrap()["metadata"]["resourceVersion"]
                .as_str()
                .unwrap()
                .to_string()
        };
        vec![
            rv(store.get("v1", "Namespace", None, FS)),
            rv(store.get("v1", "Secret", Some(FS), FS)),
            rv(store.get(GIT_API, "GitRepository", Some(FS), FS)),
            rv(store.get(KS_API, "Kustomization", Some(FS), FS)),
        ]
    }

    /// Put a stub `flux` first on PATH, then the rig's kubectl.
    pub fn path_with(&self, bin: &Path) -> String {
        crate::support::path_with(&[bin])
    }
}

pub use harness::fixtures::ready;

/// Lets kubectl in: client-go sends no bearer token over plain HTTP (seen
/// with kubectl 1.32: the Authorization header is left out), and the
/// stand-in serves plain HTTP, so a test whose stubs run kubectl against it
/// stops requiring the token. Every other online test still proves it.
pub fn admit_kubectl(api: &ApiServer) {
    api.require_token(None);
}

/// A stub `flux` that records its arguments and environment, then installs the
/// stand-in's components with kubectl (see [`admit_kubectl`]).
pub fn stub_flux(dir: &Path, kubectl_installs: bool) -> PathBuf {
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let manifest = dir.join("components.yaml");
    std::fs::write(&manifest, FluxStandIn::components_manifest()).unwrap();
    let apply = if kubectl_installs {
        format!(
            "kubectl apply --server-side --force-conflicts -f {} >/dev/null",
            manifest.display()
        )
    } else {
        String::new()
    };
    let script = format!(
        "#!/bin/sh\necho \"$@\" > {args}\nenv | grep -c GITHUB_TOKEN > {envs}\n{apply}\n",
        args = dir.join("flux-args").display(),
        envs = dir.join("flux-env").display(),
    );
    let path = bin.join("flux");
    std::fs::write(&path, script).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    bin
}
