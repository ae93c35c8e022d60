//! How fast the reconcile wait notices Flux is done: the latency from the
//! store event that completed what the wait waits for to (a) the
//! `✔ reconcile` line (the watch returned and the step's re-check passed)
//! and (b) the process exit. That event is the latest of: the GitRepository
//! and each Kustomization turning Ready *at the pushed revision* (the event
//! from which it stays so), each HelmRelease turning Ready, or being deleted
//! (`disable-addon`). Events that change nothing the wait judges (the tool's
//! own reconcile-request patch, a status rewrite at the same revision) are
//! not counted. Runs `enable-addon`/`disable-addon karpenter` in turn
//! against the local forge, API server and stand-in. Aim: under 100 ms.
//! `cargo bench --bench wait [-- ROUNDS]`

#[path = "common/stats.rs"]
mod stats;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use harness::apiserver::{ApiServer, EventType};
use harness::flux::FluxStandIn;
use harness::forge::Forge;
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_eks-workshop");
const TOKEN: &str = "ghp_benchToken_0001";

fn ready(obj: &Value) -> bool {
    obj.pointer("/status/conditions")
        .and_then(Value::as_array)
        .is_some_and(|cs| {
            cs.iter()
                .any(|c| c["type"] == "Ready" && c["status"] == "True")
        })
}

/// One store event on a Flux object, as the wait would judge it.
struct Seen {
    at: Instant,
    kind: String,
    key: String,
    added: bool,
    deleted: bool,
    ready: bool,
    /// GitRepository: the artifact's revision; Kustomization: the last applied one.
    revision: String,
}

/// Every store event on a Flux object, recorded off the store as it happens.
fn record_flux_events(api: &ApiServer) -> Arc<Mutex<Vec<Seen>>> {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let mut rx = api.store().subscribe();
    let out = seen.clone();
    std::thread::spawn(move || {
        loop {
            match rx.blocking_recv() {
                Ok(e) if e.group.ends_with("toolkit.fluxcd.io") => {
                    let revision = ["/status/artifact/revision", "/status/lastAppliedRevision"]
                        .iter()
                        .find_map(|p| e.object.pointer(p).and_then(Value::as_str))
                        .unwrap_or_default()
                        .to_string();
                    out.lock().unwrap().push(Seen {
                        at: Instant::now(),
                        key: format!("{} {:?}/{}", e.kind, e.namespace, e.name),
                        kind: e.kind.clone(),
                        added: matches!(e.event_type, EventType::Added),
                        deleted: matches!(e.event_type, EventType::Deleted),
                        ready: ready(&e.object),
                        revision,
                    });
                }
                Ok(_) => {}
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                    panic!("the recorder fell behind the store")
                }
                Err(_) => return,
            }
        }
    });
    seen
}

/// When what the wait waits for was complete, from the events up to `until`.
fn completed_at(seen: &[Seen], revision: &str, until: Instant) -> Instant {
    let mut keys: Vec<&str> = seen.iter().map(|s| s.key.as_str()).collect();
    keys.sort();
    keys.dedup();
    let mut last = None;
    for key in keys {
        let events: Vec<&Seen> = seen
            .iter()
            .filter(|s| s.key == key && s.at <= until)
            .collect();
        let Some(end) = events.last() else { continue };
        // Done: Ready (a source or Kustomization at the revision); or, once
        // it was, reconciling again at that revision (Flux's own next
        // reconcile, which the wait counts as there, src/flux/synced.rs).
        let mut reached = false;
        let done: Vec<bool> = (events.iter())
            .map(|s| match s.kind.as_str() {
                "GitRepository" | "Kustomization" => {
                    let at_revision = s.revision == revision;
                    reached |= at_revision && s.ready;
                    at_revision && reached
                }
                _ => s.ready,
            })
            .collect();
        let at = if end.deleted {
            end.at
        } else {
            assert!(done[done.len() - 1], "{key} is not done at {revision}");
            // The event from which it stays done: the one that made it so.
            match done.iter().rposition(|d| !d) {
                Some(i) => events[i + 1].at,
                // Created done in this run; or done before it began, and
                // this run's events (our own patch) changed nothing judged.
                None if events[0].added => events[0].at,
                None => continue,
            }
        };
        last = last.max(Some(at));
    }
    last.expect("the stand-in wrote Flux objects")
}

struct Run {
    to_line: Duration,
    to_exit: Duration,
}

fn command(dir: &Path, kubeconfig: &Path, api_url: &str, args: &[&str]) -> Command {
    let mut c = Command::new(BIN);
    c.arg("--dir")
        .arg(dir)
        .args(args)
        .env("NO_COLOR", "1")
        .env("HOME", dir)
        .env("GITHUB_TOKEN", TOKEN)
        .env("GITHUB_API_URL", api_url)
        .env("KUBECONFIG", kubeconfig)
        .env("EKS_WORKSHOP_RETRY_BASE_MS", "2")
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .stdout(Stdio::piped());
    c
}

fn timed(mut c: Command, seen: &Mutex<Vec<Seen>>, forge: &Forge) -> Run {
    seen.lock().unwrap().clear();
    let mut child = c.spawn().expect("eks-workshop runs");
    let mut line_at = None;
    for line in BufReader::new(child.stdout.take().unwrap()).lines() {
        let line = line.unwrap();
        if line.starts_with("✔ reconcile") {
            line_at = Some(Instant::now());
        }
    }
    let status = child.wait().unwrap();
    let exit_at = Instant::now();
    assert!(status.success(), "eks-workshop failed");
    let line_at = line_at.expect("the reconcile step finished");
    let head = forge
        .branch_head("alice", "eks-cluster-upgrades-workshop", "main")
        .expect("the fork has main");
    let done = completed_at(&seen.lock().unwrap(), &format!("main@sha1:{head}"), line_at);
    Run {
        to_line: line_at - done,
        to_exit: exit_at - done,
    }
}

use stats::{Spread, row};

fn ms(d: Duration) -> String {
    format!("{:7.1} ms", d.as_secs_f64() * 1000.0)
}

fn summary(name: &str, mut xs: Vec<Duration>) {
    xs.sort();
    let pick = |q: f64| xs[((xs.len() - 1) as f64 * q).round() as usize];
    println!(
        "{name:<34} min {}  median {}  p90 {}  max {}",
        ms(xs[0]),
        ms(pick(0.5)),
        ms(pick(0.9)),
        ms(xs[xs.len() - 1])
    );
}

fn main() {
    let rounds: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(10);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let forge = Forge::start_blocking();
    forge.add_user("alice", TOKEN);
    forge.seed_repo(
        "aws-samples",
        "eks-cluster-upgrades-workshop",
        &root.join("workshop"),
        "main",
    );
    let api = ApiServer::start_blocking();
    FluxStandIn::install_crds(&api);
    let flux = FluxStandIn::start(&api);
    // The chart whose CRDs the karpenter-provisioner Kustomization needs.
    flux.add_chart(&harness::fixtures::karpenter_chart());
    flux.set_delay(Duration::from_millis(20));
    let tmp = tempfile::tempdir().unwrap();
    let kubeconfig = tmp.path().join("kubeconfig");
    api.write_kubeconfig(&kubeconfig, "bench", None);
    let values = root.join("templates/values.example.yaml");
    let seen = record_flux_events(&api);
    let setup = ["setup", "--yes", "--values", values.to_str().unwrap()];
    let first = timed(
        command(tmp.path(), &kubeconfig, &forge.api_url(), &setup),
        &seen,
        &forge,
    );
    let (mut to_line, mut to_exit) = (vec![first.to_line], vec![first.to_exit]);
    for i in 0..rounds {
        let verb = if i % 2 == 0 {
            "enable-addon"
        } else {
            "disable-addon"
        };
        let run = timed(
            command(
                tmp.path(),
                &kubeconfig,
                &forge.api_url(),
                &[verb, "karpenter", "--yes"],
            ),
            &seen,
            &forge,
        );
        to_line.push(run.to_line);
        to_exit.push(run.to_exit);
    }
    println!(
        "wait latency after the event that completed the wait at the pushed revision ({} runs):",
        to_line.len()
    );
    let runs = to_line.len();
    let (line, exit) = (Spread::of_times(&to_line), Spread::of_times(&to_exit));
    summary("to the `✔ reconcile` line", to_line);
    summary("to the process exit", to_exit);
    row(
        "wait latency on the stand-in: the event that completed the wait → `✔ reconcile` / → exit",
        &format!("{} / {}", line.secs(), exit.secs()),
        "",
        "",
        &format!(
            "`benches/wait.rs`: {runs} runs (setup, then enable-/disable-addon karpenter in turn); the Flux stand-in answers after 20 ms"
        ),
    );
}
