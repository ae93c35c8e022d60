//! The rig's control-plane upgrade as a command line, for what tests run
//! through other programs: terraform's `local-exec` provisioner runs
//! `upgrade-control-plane 1.34` as a child of a child of the test.
//!
//! The restart itself must happen in the harness, not in that command: a
//! kube-apiserver started by a short-lived script would outlive a panicking
//! test (or die with the script, `PR_SET_PDEATHSIG`). So the harness serves a
//! loopback HTTP endpoint from a thread of its own, and the command is a
//! small shell script (written to `<cluster dir>/bin/upgrade-control-plane`)
//! that asks it with curl and waits for the answer. The endpoint restarts
//! kube-apiserver through the same [`KubeApiserver`] the test's thread uses,
//! so the new process is one of the cluster's children like the old one.
//!
//! Like EKS's UpdateClusterVersion, it goes one minor version at a time and
//! never down; unlike it, asking for the version already running is no error
//! (so a terraform resource that runs it at creation is harmless).

use super::kube_apiserver::KubeApiserver;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The endpoint's thread and the script that calls it; dropping it stops the
/// thread (after any upgrade under way).
pub(super) struct UpgradeEndpoint {
    addr: SocketAddr,
    script: PathBuf,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

/// What an upgrade request asks for, judged against the running version.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Step {
    AlreadyThere,
    Restart,
}

/// `1.N` as (1, N).
fn parse(v: &str) -> Option<(u32, u32)> {
    let (major, minor) = v.split_once('.')?;
    Some((major.parse().ok()?, minor.parse().ok()?))
}

/// Whether going from `current` to `wanted` is nothing to do, a restart, or
/// refused (the message says why, in EKS's words where it has some).
pub(super) fn judge(current: &str, wanted: &str) -> Result<Step, String> {
    let (Some(have), Some(want)) = (parse(current), parse(wanted)) else {
        return Err(format!("'{wanted}' is not a Kubernetes version like 1.34"));
    };
    if want == have {
        return Ok(Step::AlreadyThere);
    }
    if want.0 != have.0 || want.1 != have.1 + 1 {
        return Err(format!(
            "Unsupported Kubernetes minor version update from {current} to {wanted} \
             (one minor version up at a time)"
        ));
    }
    Ok(Step::Restart)
}

impl UpgradeEndpoint {
    /// Binds `127.0.0.1:0`, writes the script under `dir/bin` and serves
    /// requests one at a time (a second caller waits, then finds the version
    /// already there).
    pub fn start(api: Arc<KubeApiserver>, dir: &Path, timeout: Duration) -> UpgradeEndpoint {
        let listener = TcpListener::bind("127.0.0.1:0").expect("cluster: bind upgrade endpoint");
        let addr = listener
            .local_addr()
            .expect("cluster: upgrade endpoint address");
        // Only the script knows the path: another user's process on this
        // machine cannot restart the test's API server.
        let token = super::random_token();
        let script = write_script(dir, addr, &token, timeout);
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = stop.clone();
        let thread = std::thread::Builder::new()
            .name("cluster-upgrade".into())
            .spawn(move || {
                for conn in listener.incoming() {
                    if stopping.load(Ordering::SeqCst) {
                        break;
                    }
                    if let Ok(conn) = conn {
                        serve(conn, &api, &token);
                    }
                }
            })
            .expect("cluster: start upgrade endpoint thread");
        UpgradeEndpoint {
            addr,
            script,
            stop,
            thread: Some(thread),
        }
    }

    pub fn script(&self) -> &Path {
        &self.script
    }
}

impl Drop for UpgradeEndpoint {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the accept; the thread sees the flag and ends.
        let _ = TcpStream::connect(self.addr);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// One request: `POST /upgrade/<token>/<version>`; answers 200 when the
/// control plane is at that version, else 4xx/5xx with why, as plain text.
fn serve(mut conn: TcpStream, api: &KubeApiserver, token: &str) {
    let _ = conn.set_read_timeout(Some(Duration::from_secs(10)));
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 16 * 1024 {
        match conn.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    }
    let head = String::from_utf8_lossy(&head);
    let line = head.lines().next().unwrap_or("");
    let prefix = format!("POST /upgrade/{token}/");
    let (status, body) = match line
        .strip_prefix(&prefix)
        .and_then(|rest| rest.split(' ').next())
    {
        None => ("404 Not Found", "not an upgrade request\n".to_string()),
        Some(wanted) => upgrade(api, wanted),
    };
    let reply = format!(
        "HTTP/1.0 {status}\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let _ = conn.write_all(reply.as_bytes());
}

fn upgrade(api: &KubeApiserver, wanted: &str) -> (&'static str, String) {
    let current = api.emulated();
    match judge(&current, wanted) {
        Err(why) => ("409 Conflict", format!("{why}\n")),
        Ok(Step::AlreadyThere) => ("200 OK", format!("control plane already at {wanted}\n")),
        Ok(Step::Restart) => {
            let started = Instant::now();
            match api.restart(wanted) {
                Ok(()) => (
                    "200 OK",
                    format!(
                        "control plane upgraded from {current} to {wanted} in {:.1}s\n",
                        started.elapsed().as_secs_f64()
                    ),
                ),
                Err(e) => ("500 Internal Server Error", format!("{e}\n")),
            }
        }
    }
}

/// The script: usage check, then curl, its answer on stdout (200) or stderr.
fn write_script(dir: &Path, addr: SocketAddr, token: &str, timeout: Duration) -> PathBuf {
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).expect("cluster: create bin dir");
    let path = bin.join("upgrade-control-plane");
    // Stopping takes up to 3 s, starting up to the cluster's timeout.
    let max = timeout.as_secs() + 30;
    let text = format!(
        r#"#!/bin/sh
# Upgrades the control plane of one eks-workshop test-rig cluster (written by
# the test harness, working only while that cluster runs): restarts its
# kube-apiserver at emulated version 1.N on the same etcd, and exits 0 once
# /readyz is ok. At 1.N already: exits 0 at once. Like EKS, one minor version
# up at a time. Needs curl.
#
#   upgrade-control-plane 1.N
set -u
if [ $# -ne 1 ]; then
  echo "usage: upgrade-control-plane 1.N (the Kubernetes version to upgrade to)" >&2
  exit 2
fi
out=$(curl -sS --fail-with-body --noproxy '*' --max-time {max} -X POST "http://{addr}/upgrade/{token}/$1") &&
  {{ printf '%s\n' "$out"; exit 0; }}
rc=$?
printf 'upgrade-control-plane: %s\n' "${{out:-no answer from the test harness (curl exit $rc): has its cluster stopped?}}" >&2
exit 1
"#
    );
    std::fs::write(&path, text).expect("cluster: write upgrade-control-plane");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o700))
        .expect("cluster: chmod upgrade-control-plane");
    path
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_minor_up_restarts_the_same_is_nothing_and_others_are_refused() {
        assert_eq!(judge("1.33", "1.34"), Ok(Step::Restart));
        assert_eq!(judge("1.34", "1.34"), Ok(Step::AlreadyThere));
        let skip = judge("1.33", "1.35").unwrap_err();
        assert!(skip.contains("from 1.33 to 1.35"), "{skip}");
        assert!(judge("1.34", "1.33").is_err());
        assert!(judge("1.34", "2.0").is_err());
        assert!(judge("1.34", "latest").unwrap_err().contains("'latest'"));
        assert!(judge("1.34", "1.35; rm -rf /").is_err());
    }
}
