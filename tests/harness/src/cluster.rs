//! A real Kubernetes control plane for tests: etcd and kube-apiserver (and, on
//! request, the real Flux source-, kustomize- and helm-controller), run as child
//! processes on loopback from binaries `tests/rig/build.sh` built.
//!
//! ```no_run
//! use eks_workshop_harness::cluster::{Options, RealCluster};
//! let cluster = RealCluster::start(Options { flux: true, ..Options::default() });
//! // KUBECONFIG=cluster.kubeconfig(): admin (system:masters)
//! // cluster.narrow_kubeconfig(): read-only in one namespace, so writes get 403
//! // cluster.wrong_kubeconfig(): a token the server does not know (401)
//! ```
//!
//! What is real: the API server (discovery, OpenAPI, CRD validation, server-side
//! apply, RBAC, admission), etcd, the three Flux controllers and, on request,
//! kube-controller-manager's disruption controller. What is not there: kubelet,
//! scheduler, the other controllers. So no Pod ever runs, no Deployment gets a
//! ReplicaSet, no namespace finishes deleting, no garbage collection of owned
//! objects, and no `default` ServiceAccount appears in new namespaces.
//! [`RealCluster::fake_flux_install`] writes the Flux Deployments a tool looks
//! for, with a status that says they are available.
//!
//! A control-plane upgrade is real too: [`RealCluster::restart_apiserver`]
//! restarts kube-apiserver at a higher `--emulated-version` on the same etcd,
//! and [`RealCluster::upgrade_command`] is a command line that does the same
//! from any process (terraform's `local-exec`).
//!
//! Dropping the cluster (also while a test panics) kills every child's process
//! group and removes the temp dir; on a panic it first prints each log's tail.

mod control_plane;
mod controller_manager;
mod flux;
pub mod helmrepo;
mod kube_apiserver;
mod kubectl;
pub(crate) mod pki;
mod procs;
mod rig;
mod tofu;
mod upgrade;

use crate::port::ReservedPort;
use kube_apiserver::KubeApiserver;
use procs::Procs;
use serde_json::Value;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};
use upgrade::UpgradeEndpoint;

pub use controller_manager::CONTROLLERS;
pub use flux::{FLUX_CONTROLLERS, FLUX_NAMESPACE};
pub use rig::Rig;

/// The user behind [`RealCluster::narrow_token`].
pub const NARROW_USER: &str = "narrow";

/// How [`RealCluster::start`] sets the cluster up.
#[derive(Debug, Clone)]
pub struct Options {
    /// Install the Flux CRDs and start the three controllers once the API is ready.
    pub flux: bool,
    /// Where the narrow user may read (get, list, watch everything); it may
    /// write nowhere and read nothing elsewhere.
    pub narrow_namespace: String,
    /// Bound on each wait (etcd health, `/readyz`, controllers' health).
    pub timeout: Duration,
    /// Have kube-apiserver write an audit log (every request at level
    /// Metadata, JSON lines) to [`RealCluster::audit_log`].
    pub audit: bool,
    /// The Kubernetes version the API server serves, `Some("1.33")` for
    /// `--emulated-version=kube=1.33` (1.33 to 1.36; `None`: 1.36, the
    /// binary's own): the APIs, defaults and feature gates of that release.
    pub emulated_version: Option<String>,
    /// `--runtime-config` entries, joined with commas; e.g.
    /// `admissionregistration.k8s.io/v1beta1=true` serves
    /// ValidatingAdmissionPolicy v1beta1 at 1.33, where it is off by default.
    /// Kept on restart: kube-apiserver accepts one for an API the new
    /// version removed, and serves nothing for it.
    pub runtime_config: Vec<String>,
    /// Run kube-controller-manager with only [`CONTROLLERS`] (PodDisruptionBudget
    /// status, so evictions are allowed and refused as on a real cluster).
    pub controller_manager: bool,
    /// More of kube-controller-manager's controllers (with
    /// `controller_manager`): `namespace` finishes a namespace's deletion,
    /// `garbagecollector` deletes what an owner's deletion leaves.
    pub more_controllers: Vec<&'static str>,
    /// The Flux controllers' `--requeue-dependency`: how long a
    /// Kustomization or HelmRelease whose `dependsOn` is not ready waits
    /// before it is tried again. `None`: Flux's default (30 s), as on a
    /// participant's cluster; 2 s by default, so tests need not wait.
    pub requeue_dependency: Option<Duration>,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            flux: false,
            narrow_namespace: "default".into(),
            timeout: Duration::from_secs(120),
            audit: false,
            emulated_version: None,
            runtime_config: Vec::new(),
            controller_manager: false,
            more_controllers: Vec::new(),
            requeue_dependency: Some(Duration::from_secs(2)),
        }
    }
}

/// A running control plane; see the module docs.
pub struct RealCluster {
    rig: Rig,
    opts: Options,
    // Before `api` and `procs`: its thread holds the API server until joined.
    upgrade: UpgradeEndpoint,
    api: Arc<KubeApiserver>,
    procs: Procs,
    server: String,
    admin_token: String,
    narrow_token: String,
    ca_pem: Vec<u8>,
    kubeconfig: PathBuf,
    artifact_addr: Option<String>,
    // The ports etcd and kube-apiserver share (see [`crate::port`]).
    _ports: Vec<ReservedPort>,
    // Last, so every process has stopped before its files go.
    dir: tempfile::TempDir,
}

/// 32 hex characters from the kernel's random source.
fn random_token() -> String {
    let mut buf = [0u8; 16];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut buf))
        .expect("cluster: read /dev/urandom");
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

impl RealCluster {
    /// Starts etcd and kube-apiserver in a fresh temp dir and waits for
    /// `/readyz`; with `opts.flux`, also installs the Flux CRDs and starts the
    /// controllers; with `opts.controller_manager`, kube-controller-manager.
    /// Panics (saying to run `tests/setup.sh`) when the rig lacks a binary.
    pub fn start(opts: Options) -> RealCluster {
        let started = Instant::now();
        let rig = Rig::locate();
        let (etcd, apiserver) = (rig.bin("etcd"), rig.bin("kube-apiserver"));
        if opts.flux {
            for c in FLUX_CONTROLLERS {
                rig.bin(c);
            }
            rig.flux_crds();
        }
        if opts.controller_manager {
            rig.bin(controller_manager::NAME);
        }
        let dir = tempfile::Builder::new()
            .prefix("eks-rig-")
            .tempdir()
            .expect("cluster: create temp dir");
        let procs = Procs::new(&dir.path().join("logs"));
        let pki = pki::generate(&dir.path().join("pki"));

        let (etcd_url, mut ports) =
            control_plane::start_etcd(&procs, &etcd, dir.path(), opts.timeout);
        let (admin_token, narrow_token) = (random_token(), random_token());
        let tokens = dir.path().join("tokens.csv");
        let lines = format!(
            "{admin_token},admin,uid-admin,\"system:masters\"\n{narrow_token},{NARROW_USER},uid-narrow\n"
        );
        std::fs::write(&tokens, lines).expect("cluster: write tokens.csv");

        let reserved = ReservedPort::new();
        let port = reserved.port();
        ports.push(reserved);
        let mut args = control_plane::apiserver_args(&etcd_url, port, dir.path(), &pki);
        args.push(format!("--token-auth-file={}", tokens.display()));
        if opts.audit {
            args.extend(control_plane::audit_args(dir.path()));
        }
        if !opts.runtime_config.is_empty() {
            args.push(format!(
                "--runtime-config={}",
                opts.runtime_config.join(",")
            ));
        }

        let ca_pem = std::fs::read(&pki.ca_cert).expect("cluster: read ca.crt");
        let server = format!("https://127.0.0.1:{port}");
        let kubeconfig = kubectl::kubeconfig_path(dir.path(), "admin");
        kubectl::write_kubeconfig(&kubeconfig, "rig-admin", &server, &ca_pem, &admin_token);
        let api = Arc::new(KubeApiserver::start(
            apiserver,
            args,
            opts.emulated_version.as_deref(),
            kubeconfig.clone(),
            opts.timeout,
            procs.clone(),
        ));
        let upgrade = UpgradeEndpoint::start(api.clone(), dir.path(), opts.timeout);
        let mut cluster = RealCluster {
            rig,
            opts,
            upgrade,
            api,
            procs,
            server,
            admin_token,
            narrow_token,
            ca_pem,
            kubeconfig,
            artifact_addr: None,
            _ports: ports,
            dir,
        };
        cluster.bind_narrow_user();
        if cluster.opts.flux {
            cluster.install_flux_crds();
            cluster.start_flux_controllers();
        }
        if cluster.opts.controller_manager {
            cluster.start_controller_manager();
        }
        eprintln!(
            "cluster: {} ready in {:.1}s (logs in {})",
            cluster.server,
            started.elapsed().as_secs_f64(),
            cluster.log_dir().display()
        );
        cluster
    }

    /// Stops kube-apiserver and starts it again at `emulated` (`"1.34"`),
    /// with every other flag as before (port, certificates, etcd, tokens,
    /// runtime config), and waits for `/readyz`: a control-plane upgrade
    /// when `emulated` is higher. Objects in etcd stay; Flux controllers
    /// and kube-controller-manager keep running and reconnect by
    /// themselves. Panics with the log's end if it does not come back.
    pub fn restart_apiserver(&mut self, emulated: &str) {
        self.api
            .restart(emulated)
            .unwrap_or_else(|e| panic!("cluster: {e}"));
    }

    /// The Kubernetes version the API server serves now (`1.34`): its
    /// emulated version, or the binary's own.
    pub fn emulated_version(&self) -> String {
        self.api.emulated()
    }

    /// `GET /version` (`gitVersion` is the binary's, v1.36.3;
    /// `emulationMajor`/`emulationMinor` what it serves).
    pub fn version(&self) -> Value {
        self.api
            .version()
            .unwrap_or_else(|e| panic!("cluster: {e}"))
    }

    /// An executable that upgrades this cluster's control plane from any
    /// process, while the cluster lives: `upgrade-control-plane 1.N`
    /// restarts kube-apiserver at emulated 1.N and exits 0 once `/readyz` is
    /// ok; at 1.N already it exits 0 at once; more than one minor up, or
    /// down, exits 1 saying why (usage errors: 2). Needs curl. See
    /// `cluster/upgrade.rs`.
    pub fn upgrade_command(&self) -> PathBuf {
        self.upgrade.script().to_path_buf()
    }

    /// A read-only ClusterRole bound to [`NARROW_USER`] in the narrow namespace.
    fn bind_narrow_user(&self) {
        let ns = &self.opts.narrow_namespace;
        let yaml = format!(
            "apiVersion: v1\nkind: Namespace\nmetadata: {{name: {ns}}}\n---\n\
             apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\n\
             metadata: {{name: rig-read-only}}\n\
             rules: [{{apiGroups: ['*'], resources: ['*'], verbs: [get, list, watch]}}]\n---\n\
             apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\n\
             metadata: {{name: rig-narrow-read-only, namespace: {ns}}}\n\
             roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: rig-read-only}}\n\
             subjects: [{{apiGroup: rbac.authorization.k8s.io, kind: User, name: {NARROW_USER}}}]\n"
        );
        self.apply_yaml(&yaml);
    }

    /// `https://127.0.0.1:PORT`.
    pub fn server_url(&self) -> &str {
        &self.server
    }

    /// The admin kubeconfig (token in group `system:masters`; context `rig-admin`).
    pub fn kubeconfig(&self) -> &Path {
        &self.kubeconfig
    }

    /// A kubeconfig for any bearer token (context `rig-<name>`), written under the temp dir.
    pub fn kubeconfig_for(&self, name: &str, token: &str) -> PathBuf {
        let path = kubectl::kubeconfig_path(self.dir.path(), name);
        let context = format!("rig-{name}");
        kubectl::write_kubeconfig(&path, &context, &self.server, &self.ca_pem, token);
        path
    }

    /// A kubeconfig for [`NARROW_USER`]: reads in the narrow namespace only.
    pub fn narrow_kubeconfig(&self) -> PathBuf {
        self.kubeconfig_for("narrow", &self.narrow_token)
    }

    /// A kubeconfig whose token the server does not know: every call gets 401.
    pub fn wrong_kubeconfig(&self) -> PathBuf {
        self.kubeconfig_for("wrong", "not-a-token-this-server-knows")
    }

    pub fn admin_token(&self) -> &str {
        &self.admin_token
    }

    pub fn narrow_token(&self) -> &str {
        &self.narrow_token
    }

    pub fn narrow_namespace(&self) -> &str {
        &self.opts.narrow_namespace
    }

    /// The PEM of the CA that signed the serving certificate.
    pub fn ca_pem(&self) -> &[u8] {
        &self.ca_pem
    }

    /// The temp dir holding data, certificates, kubeconfigs and logs.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// `<dir>/logs`, one `<process>.log` each.
    pub fn log_dir(&self) -> PathBuf {
        self.dir.path().join("logs")
    }

    /// The log file of `process` (`etcd`, `kube-apiserver`, `source-controller`, ...).
    pub fn log(&self, process: &str) -> PathBuf {
        self.log_dir().join(format!("{process}.log"))
    }

    /// The last `n` lines of every process's log, headed by its name.
    pub fn log_tails(&self, n: usize) -> String {
        self.procs
            .logs()
            .iter()
            .map(|(name, log)| format!("--- {name}:\n{}\n", procs::tail(log, n)))
            .collect()
    }

    /// kube-apiserver's audit log (one JSON event a line), when started with
    /// [`Options::audit`].
    pub fn audit_log(&self) -> Option<PathBuf> {
        self.opts
            .audit
            .then(|| control_plane::audit_log_path(self.dir.path()))
    }

    /// Where the rig's binaries and CRDs are.
    pub fn rig(&self) -> &Rig {
        &self.rig
    }

    /// `127.0.0.1:PORT` of source-controller's artifact server, once started.
    pub fn artifact_addr(&self) -> Option<&str> {
        self.artifact_addr.as_deref()
    }

    /// The pid of every running child (each leads its own process group).
    pub fn pids(&self) -> Vec<u32> {
        self.procs.pids()
    }

    /// Panics, with the log's tail, if any child process has exited.
    pub fn assert_running(&mut self) {
        self.procs.assert_running();
    }
}
