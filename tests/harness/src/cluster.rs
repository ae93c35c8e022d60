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
//! apply, RBAC, admission), etcd, and the three Flux controllers. What is not
//! there: kubelet, kube-controller-manager, scheduler. So no Pod ever runs, no
//! Deployment gets a ReplicaSet, no namespace finishes deleting, no garbage
//! collection of owned objects, and no `default` ServiceAccount appears in new
//! namespaces. [`RealCluster::fake_flux_install`] writes the Flux Deployments a
//! tool looks for, with a status that says they are available.
//!
//! Dropping the cluster (also while a test panics) kills every child's process
//! group and removes the temp dir; on a panic it first prints each log's tail.

mod control_plane;
mod flux;
pub mod helmrepo;
mod kubectl;
pub(crate) mod pki;
mod procs;
mod rig;

use crate::port::ReservedPort;
use procs::Procs;
use serde_json::Value;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

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
}

impl Default for Options {
    fn default() -> Options {
        Options {
            flux: false,
            narrow_namespace: "default".into(),
            timeout: Duration::from_secs(120),
            audit: false,
        }
    }
}

/// A running control plane; see the module docs.
pub struct RealCluster {
    rig: Rig,
    opts: Options,
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
    /// controllers. Panics (saying to run `tests/rig/build.sh`) when the rig
    /// lacks a binary.
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
        let dir = tempfile::Builder::new()
            .prefix("eks-rig-")
            .tempdir()
            .expect("cluster: create temp dir");
        let mut procs = Procs::new(&dir.path().join("logs"));
        let pki = pki::generate(&dir.path().join("pki"));

        let (etcd_url, mut ports) =
            control_plane::start_etcd(&mut procs, &etcd, dir.path(), opts.timeout);
        let (admin_token, narrow_token) = (random_token(), random_token());
        let tokens = dir.path().join("tokens.csv");
        let lines = format!(
            "{admin_token},admin,uid-admin,\"system:masters\"\n{narrow_token},{NARROW_USER},uid-narrow\n"
        );
        std::fs::write(&tokens, lines).expect("cluster: write tokens.csv");

        let reserved = ReservedPort::new();
        let port = reserved.port();
        ports.push(reserved);
        let mut cmd = Command::new(&apiserver);
        cmd.args(control_plane::apiserver_args(
            &etcd_url,
            port,
            dir.path(),
            &pki,
        ))
        .arg(format!("--token-auth-file={}", tokens.display()));
        if opts.audit {
            cmd.args(control_plane::audit_args(dir.path()));
        }
        procs.spawn("kube-apiserver", cmd);

        let ca_pem = std::fs::read(&pki.ca_cert).expect("cluster: read ca.crt");
        let server = format!("https://127.0.0.1:{port}");
        let kubeconfig = kubectl::kubeconfig_path(dir.path(), "admin");
        kubectl::write_kubeconfig(&kubeconfig, "rig-admin", &server, &ca_pem, &admin_token);
        let mut cluster = RealCluster {
            rig,
            opts,
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
        cluster.wait_ready();
        cluster.bind_narrow_user();
        if cluster.opts.flux {
            cluster.install_flux_crds();
            cluster.start_flux_controllers();
        }
        eprintln!(
            "cluster: {} ready in {:.1}s (logs in {})",
            cluster.server,
            started.elapsed().as_secs_f64(),
            cluster.log_dir().display()
        );
        cluster
    }

    /// Waits for `/readyz` to answer `ok`, failing early if kube-apiserver exits.
    fn wait_ready(&mut self) {
        let kubeconfig = self.kubeconfig.clone();
        let procs = &mut self.procs;
        kubectl::wait_until(
            "kube-apiserver /readyz",
            self.opts.timeout,
            || {
                procs.assert_running();
                let out = kubectl::run(&kubeconfig, &["get", "--raw", "/readyz"], None);
                (out.status.success() && out.stdout.starts_with(b"ok")).then_some(())
            },
            || {
                let out = kubectl::run(&kubeconfig, &["get", "--raw", "/readyz?verbose"], None);
                String::from_utf8_lossy(&out.stdout).into_owned()
                    + &String::from_utf8_lossy(&out.stderr)
            },
        );
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
            .iter()
            .map(|p| format!("--- {}:\n{}\n", p.name, procs::tail(&p.log, n)))
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
        self.procs.iter().map(|p| p.pid()).collect()
    }

    /// Panics, with the log's tail, if any child process has exited.
    pub fn assert_running(&mut self) {
        self.procs.assert_running();
    }

    /// Runs `kubectl` as admin.
    pub fn kubectl(&self, args: &[&str]) -> Output {
        kubectl::run(&self.kubeconfig, args, None)
    }

    /// Runs `kubectl` as admin; panics with its stderr unless it succeeded.
    pub fn kubectl_ok(&self, args: &[&str]) -> String {
        kubectl::ok(&self.kubeconfig, args, None)
    }

    /// `kubectl apply --server-side --force-conflicts -f -` as admin.
    pub fn apply_yaml(&self, yaml: &str) -> String {
        let args = [
            "apply",
            "--server-side",
            "--force-conflicts",
            "--field-manager=rig",
            "-f",
            "-",
        ];
        kubectl::ok(&self.kubeconfig, &args, Some(yaml.as_bytes()))
    }

    /// `kubectl get <args> -o json` as admin; `None` when not found.
    pub fn get_json(&self, args: &[&str]) -> Option<Value> {
        kubectl::get_json(&self.kubeconfig, args)
    }

    /// Polls `check` until it returns `Some` (within `timeout`); on a timeout,
    /// panics with `what` and the tail of every log.
    pub fn wait_for<T>(
        &self,
        what: &str,
        timeout: Duration,
        check: impl FnMut() -> Option<T>,
    ) -> T {
        kubectl::wait_until(what, timeout, check, || {
            format!("the logs' ends:\n{}", self.log_tails(15))
        })
    }

    /// Waits until `kind/name` in `namespace` has condition `Ready=True` and
    /// its status has seen its generation; returns
    /// the object. Panics with its conditions and the logs on a timeout.
    pub fn wait_ready_condition(&self, kind: &str, namespace: &str, name: &str) -> Value {
        let last = std::cell::RefCell::new(Value::Null);
        let what = format!("{kind} {namespace}/{name} to be Ready");
        kubectl::wait_until(
            &what,
            self.opts.timeout,
            || {
                let obj = self.get_json(&[kind, "-n", namespace, name])?;
                let ready = obj["status"]["conditions"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|c| c["type"] == "Ready" && c["status"] == "True");
                // Real Flux patches Ready=True a moment before it records
                // `observedGeneration` (and `lastAppliedRevision`): seen
                // Ready with observedGeneration -1. Done is both.
                let seen = obj["status"]["observedGeneration"].as_i64()
                    >= obj["metadata"]["generation"].as_i64();
                *last.borrow_mut() = obj.clone();
                (ready && seen).then_some(obj)
            },
            || {
                format!(
                    "its status: {}\nthe logs' ends:\n{}",
                    last.borrow()["status"],
                    self.log_tails(15)
                )
            },
        )
    }
}
