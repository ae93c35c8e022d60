//! kube-apiserver as a process the rig can restart: the same flags, port,
//! certificates and etcd, another `--emulated-version`. kube-apiserver 1.36
//! emulates 1.33 to 1.36 (it refuses others at start: "emulation version 1.32
//! is not between [1.33, 1.36.0]"), so restarting it one minor higher on the
//! same etcd is a real control-plane upgrade: the served APIs change, the
//! stored objects stay.
//!
//! Shared (`Arc`) between the test's thread ([`super::RealCluster::restart_apiserver`])
//! and the thread behind the upgrade command (`upgrade.rs`), which restarts it
//! while the test waits on terraform. The process is always one of
//! [`Procs`]'s children, so dropping the cluster (or the test process dying)
//! stops the restarted one too.

use super::kubectl;
use super::procs::{Procs, tail};
use serde_json::Value;
use std::io::Write;
use std::path::PathBuf;
use std::process::Command;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// The process (and log) name.
pub(super) const NAME: &str = "kube-apiserver";

pub(super) struct KubeApiserver {
    bin: PathBuf,
    /// Every flag but `--emulated-version`: etcd, port, certificates, tokens,
    /// audit, `--runtime-config` (kept on restart: see the README).
    args: Vec<String>,
    kubeconfig: PathBuf,
    timeout: Duration,
    procs: Procs,
    /// The Kubernetes minor it serves (`1.34`). Held while restarting, so
    /// restarts from two threads happen one after the other.
    emulated: Mutex<String>,
}

impl KubeApiserver {
    /// Starts it (at `emulated`, or the binary's own version) and waits for
    /// `/readyz`; panics with its log's end when it exits or times out.
    pub fn start(
        bin: PathBuf,
        args: Vec<String>,
        emulated: Option<&str>,
        kubeconfig: PathBuf,
        timeout: Duration,
        procs: Procs,
    ) -> KubeApiserver {
        let api = KubeApiserver {
            bin,
            args,
            kubeconfig,
            timeout,
            procs,
            emulated: Mutex::new(String::new()),
        };
        api.procs.spawn(NAME, api.command(emulated));
        api.wait_ready().unwrap_or_else(|e| panic!("cluster: {e}"));
        // Without the flag it serves its own version; /version says which.
        let version = api.version().unwrap_or_else(|e| panic!("cluster: {e}"));
        *api.lock() = emulation_of(&version).expect("cluster: /version has emulationMinor");
        api
    }

    fn lock(&self) -> MutexGuard<'_, String> {
        self.emulated.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The minor version it serves now, `1.N`.
    pub fn emulated(&self) -> String {
        self.lock().clone()
    }

    fn command(&self, emulated: Option<&str>) -> Command {
        let mut cmd = Command::new(&self.bin);
        cmd.args(&self.args);
        if let Some(v) = emulated {
            cmd.arg(format!("--emulated-version=kube={v}"));
        }
        cmd
    }

    /// Stops it (SIGTERM, SIGKILL after 3 s) and starts it again at
    /// `emulated`, with every other flag as before; returns once `/readyz` is
    /// ok, or the end of its log when it exits or does not get ready.
    pub fn restart(&self, emulated: &str) -> Result<(), String> {
        let mut current = self.lock();
        let started = Instant::now();
        self.procs.stop(NAME);
        self.mark_log(&format!(
            "restarting at emulated version {emulated} (was {current})"
        ));
        self.procs.respawn(NAME, self.command(Some(emulated)));
        self.wait_ready()?;
        let version = self.version()?;
        let now = emulation_of(&version).unwrap_or_default();
        if now != emulated {
            return Err(format!(
                "{NAME} restarted but /version says emulation {now}, not {emulated}: {version}"
            ));
        }
        eprintln!(
            "cluster: {NAME} restarted at {emulated} (was {current}) in {:.1}s",
            started.elapsed().as_secs_f64()
        );
        *current = now;
        Ok(())
    }

    /// A line in its log between the old process's output and the new one's.
    fn mark_log(&self, what: &str) {
        let log = self.log();
        if let Ok(mut f) = std::fs::OpenOptions::new().append(true).open(&log) {
            let _ = writeln!(f, "===== rig: {what} =====");
        }
    }

    fn log(&self) -> PathBuf {
        self.procs.log_path(NAME)
    }

    /// Polls `/readyz` until it says `ok`; an error when the process exits
    /// or the timeout passes, with what it last said.
    fn wait_ready(&self) -> Result<(), String> {
        let deadline = Instant::now() + self.timeout;
        loop {
            if let Some((status, log)) = self.procs.exited(NAME) {
                return Err(format!(
                    "{NAME} exited ({status}); the end of its log:\n{log}"
                ));
            }
            let out = kubectl::run(&self.kubeconfig, &["get", "--raw", "/readyz"], None);
            if out.status.success() && out.stdout.starts_with(b"ok") {
                return Ok(());
            }
            if Instant::now() >= deadline {
                let out =
                    kubectl::run(&self.kubeconfig, &["get", "--raw", "/readyz?verbose"], None);
                return Err(format!(
                    "timed out after {:?} waiting for {NAME} /readyz: {}{}\nthe end of its log:\n{}",
                    self.timeout,
                    String::from_utf8_lossy(&out.stdout),
                    String::from_utf8_lossy(&out.stderr),
                    tail(&self.log(), 20)
                ));
            }
            std::thread::sleep(Duration::from_millis(250));
        }
    }

    /// `GET /version`.
    pub fn version(&self) -> Result<Value, String> {
        let out = kubectl::run(&self.kubeconfig, &["get", "--raw", "/version"], None);
        if !out.status.success() {
            return Err(format!(
                "GET /version: {}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        serde_json::from_slice(&out.stdout).map_err(|e| format!("GET /version: {e}"))
    }
}

/// `1.N` from `/version`'s `emulationMajor`/`emulationMinor` (the binary's
/// own `major`/`minor` when it emulates nothing).
pub(super) fn emulation_of(version: &Value) -> Option<String> {
    let field = |emulated: &str, own: &str| {
        version[emulated]
            .as_str()
            .or_else(|| version[own].as_str())
            .map(str::to_string)
    };
    Some(format!(
        "{}.{}",
        field("emulationMajor", "major")?,
        field("emulationMinor", "minor")?
    ))
}
