//! The command lines of etcd and kube-apiserver.

use super::{Procs, ReservedPort, kubectl, pki};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// Starts etcd on two reserved loopback ports and waits for `/health`;
/// returns its client URL and the reservations, which etcd shares
/// (`--socket-reuse-port`) and the caller keeps while etcd runs.
pub(super) fn start_etcd(
    procs: &Procs,
    etcd: &Path,
    dir: &Path,
    timeout: Duration,
) -> (String, Vec<ReservedPort>) {
    let ports = vec![ReservedPort::new(), ReservedPort::new()];
    let (client, peer) = (ports[0].port(), ports[1].port());
    let client_url = format!("http://127.0.0.1:{client}");
    let peer_url = format!("http://127.0.0.1:{peer}");
    let mut cmd = Command::new(etcd);
    cmd.arg("--name=rig")
        .arg(format!("--data-dir={}", dir.join("etcd").display()))
        .arg(format!("--listen-client-urls={client_url}"))
        .arg(format!("--advertise-client-urls={client_url}"))
        .arg(format!("--listen-peer-urls={peer_url}"))
        .arg(format!("--initial-advertise-peer-urls={peer_url}"))
        .arg(format!("--initial-cluster=rig={peer_url}"))
        // A throwaway store: durability buys nothing and fsync costs seconds.
        .arg("--unsafe-no-fsync")
        .arg("--socket-reuse-port=true")
        .arg("--log-level=warn");
    procs.spawn("etcd", cmd);
    kubectl::wait_until(
        "etcd /health",
        timeout,
        || {
            procs.assert_running();
            let r =
                crate::apiserver::client::request(&client_url, "GET", "/health", &[], b"").ok()?;
            (r.status == 200 && r.body.windows(6).any(|w| w == b"\"true\"")).then_some(())
        },
        String::new,
    );
    (client_url, ports)
}

pub(super) fn apiserver_args(etcd_url: &str, port: u16, dir: &Path, pki: &pki::Pki) -> Vec<String> {
    let p = |p: &Path| p.display().to_string();
    vec![
        format!("--etcd-servers={etcd_url}"),
        "--bind-address=127.0.0.1".into(),
        "--advertise-address=127.0.0.1".into(),
        format!("--secure-port={port}"),
        // The port is reserved by the harness (crate::port) and shared.
        "--permit-port-sharing=true".into(),
        format!("--cert-dir={}", p(&dir.join("apiserver-certs"))),
        format!("--tls-cert-file={}", p(&pki.server_cert)),
        format!("--tls-private-key-file={}", p(&pki.server_key)),
        "--authorization-mode=RBAC".into(),
        format!("--service-account-key-file={}", p(&pki.sa_pub)),
        format!("--service-account-signing-key-file={}", p(&pki.sa_key)),
        "--service-account-issuer=https://kubernetes.default.svc.cluster.local".into(),
        "--service-cluster-ip-range=10.0.0.0/24".into(),
        // The `kubernetes` Endpoints may not hold a loopback address; write none.
        "--endpoint-reconciler-type=none".into(),
        // Stop at once on SIGTERM instead of draining for a load balancer.
        "--shutdown-delay-duration=0s".into(),
        "--profiling=false".into(),
    ]
}

/// Every request at level Metadata (who, verb, object, status; no bodies),
/// once it completed: no `RequestReceived` events. The status writes of
/// Flux's GitRepositories and Kustomizations also carry the object written
/// (level RequestResponse), so a bench can tell the write that made one
/// Ready at a revision.
const AUDIT_POLICY: &str = "apiVersion: audit.k8s.io/v1\nkind: Policy\n\
                            omitStages: [RequestReceived]\nrules:\n\
                            \x20 - level: RequestResponse\n\
                            \x20   verbs: [update, patch]\n\
                            \x20   resources:\n\
                            \x20     - group: source.toolkit.fluxcd.io\n\
                            \x20       resources: [gitrepositories/status]\n\
                            \x20     - group: kustomize.toolkit.fluxcd.io\n\
                            \x20       resources: [kustomizations/status]\n\
                            \x20 - level: Metadata\n";

pub(super) fn audit_log_path(dir: &Path) -> PathBuf {
    dir.join("logs").join("audit.log")
}

/// The flags of an audit log at [`audit_log_path`], writing its policy file.
pub(super) fn audit_args(dir: &Path) -> Vec<String> {
    let policy = dir.join("audit-policy.yaml");
    std::fs::write(&policy, AUDIT_POLICY).expect("cluster: write audit-policy.yaml");
    vec![
        format!("--audit-policy-file={}", policy.display()),
        format!("--audit-log-path={}", audit_log_path(dir).display()),
        "--audit-log-format=json".into(),
        // Written before the response goes out, so a finished client's
        // requests are all in the file.
        "--audit-log-mode=blocking".into(),
    ]
}
