//! Kubeconfig files for the rig, and the rig's `kubectl` against it.

use super::{RealCluster, kubectl};
use base64::Engine;
use serde_json::{Value, json};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// A kubeconfig with one cluster, user and context, all named `context`, whose
/// CA is embedded (`certificate-authority-data`) so the file stands alone.
pub(crate) fn write_kubeconfig(
    path: &Path,
    context: &str,
    server: &str,
    ca_pem: &[u8],
    token: &str,
) {
    let ca = base64::engine::general_purpose::STANDARD.encode(ca_pem);
    let doc = json!({
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": context, "cluster": {"server": server, "certificate-authority-data": ca}}],
        "users": [{"name": context, "user": {"token": token}}],
        "contexts": [{"name": context, "context": {"cluster": context, "user": context, "namespace": "default"}}],
        "current-context": context,
    });
    let text = serde_yaml::to_string(&doc).expect("kubeconfig to yaml");
    std::fs::write(path, text).unwrap_or_else(|e| panic!("cluster: write {path:?}: {e}"));
}

/// Runs the rig's kubectl with this kubeconfig; `stdin` is piped in when given.
pub(crate) fn run(kubeconfig: &Path, args: &[&str], stdin: Option<&[u8]>) -> Output {
    let kubectl = super::Rig::locate().kubectl();
    let mut cmd = Command::new(&kubectl);
    cmd.arg("--kubeconfig")
        .arg(kubeconfig)
        .arg("--cache-dir")
        .arg(cache_dir(kubeconfig))
        .arg("--request-timeout=30s")
        .args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("cluster: run {}: {e}", kubectl.display()));
    if let Some(input) = stdin {
        let mut pipe = child.stdin.take().expect("piped stdin");
        pipe.write_all(input).expect("cluster: write kubectl stdin");
    }
    child.wait_with_output().expect("cluster: wait for kubectl")
}

/// [`run`], panicking with kubectl's stderr unless it succeeded; returns stdout.
pub(crate) fn ok(kubeconfig: &Path, args: &[&str], stdin: Option<&[u8]>) -> String {
    let out = run(kubeconfig, args, stdin);
    assert!(
        out.status.success(),
        "cluster: kubectl {} failed: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `kubectl get -o json`; `None` when the object does not exist.
pub(crate) fn get_json(kubeconfig: &Path, args: &[&str]) -> Option<Value> {
    let mut all = vec!["get", "-o", "json", "--ignore-not-found"];
    all.extend_from_slice(args);
    let text = ok(kubeconfig, &all, None);
    if text.trim().is_empty() {
        return None;
    }
    Some(serde_json::from_str(&text).expect("kubectl printed JSON"))
}

/// Calls `check` every 250 ms until it returns `Some`, or panics after `timeout`
/// with `what` and `describe()` (the last thing seen, say).
pub(crate) fn wait_until<T>(
    what: &str,
    timeout: Duration,
    mut check: impl FnMut() -> Option<T>,
    describe: impl Fn() -> String,
) -> T {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(v) = check() {
            return v;
        }
        if Instant::now() >= deadline {
            panic!(
                "cluster: timed out after {timeout:?} waiting for {what}; {}",
                describe()
            );
        }
        std::thread::sleep(Duration::from_millis(250));
    }
}

/// kubectl's discovery cache for the cluster whose kubeconfig this is: beside
/// it, so it never goes stale across clusters that reused a port (the default,
/// `~/.kube/cache`, is keyed by host and port only).
pub(crate) fn cache_dir(kubeconfig: &Path) -> PathBuf {
    kubeconfig
        .parent()
        .unwrap_or(Path::new("."))
        .join("kube-cache")
}

/// A fresh file name under `dir` for a kubeconfig.
pub(crate) fn kubeconfig_path(dir: &Path, name: &str) -> PathBuf {
    dir.join(format!("kubeconfig-{name}"))
}

/// kubectl as the cluster's admin, and waits on what it reads.
impl RealCluster {
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
