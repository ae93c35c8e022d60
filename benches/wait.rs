//! How fast the reconcile wait notices Flux is done: the latency from the
//! Flux stand-in marking the last object Ready to (a) the `✔ reconcile` line
//! (the watch returned and the step's re-check passed) and (b) the process
//! exit. Runs `enable-addon`/`disable-addon karpenter` in turn against the
//! local forge, API server and stand-in. Aim: under 100 ms.
//! `cargo bench --bench wait [-- ROUNDS]`

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use harness::apiserver::ApiServer;
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

/// Instants at which a Flux object was written Ready, recorded off the store.
fn record_ready_events(api: &ApiServer) -> Arc<Mutex<Vec<Instant>>> {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let mut rx = api.store().subscribe();
    let out = seen.clone();
    std::thread::spawn(move || {
        loop {
            match rx.blocking_recv() {
                Ok(e) if e.group.ends_with("toolkit.fluxcd.io") && ready(&e.object) => {
                    out.lock().unwrap().push(Instant::now())
                }
                Ok(_) => {}
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                Err(_) => return,
            }
        }
    });
    seen
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
        .stderr(Stdio::null())
        .stdout(Stdio::piped());
    c
}

fn timed(mut c: Command, seen: &Mutex<Vec<Instant>>) -> Run {
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
    let last_ready = seen
        .lock()
        .unwrap()
        .iter()
        .copied()
        .filter(|t| *t <= line_at)
        .max()
        .expect("the stand-in marked objects Ready");
    Run {
        to_line: line_at - last_ready,
        to_exit: exit_at - last_ready,
    }
}

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
    flux.set_delay(Duration::from_millis(20));
    let tmp = tempfile::tempdir().unwrap();
    let kubeconfig = tmp.path().join("kubeconfig");
    api.write_kubeconfig(&kubeconfig, "bench", None);
    let values = root.join("templates/values.example.yaml");
    let seen = record_ready_events(&api);
    let setup = ["setup", "--yes", "--values", values.to_str().unwrap()];
    let first = timed(
        command(tmp.path(), &kubeconfig, &forge.api_url(), &setup),
        &seen,
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
        );
        to_line.push(run.to_line);
        to_exit.push(run.to_exit);
    }
    println!(
        "wait latency after the last Flux object turned Ready ({} runs):",
        to_line.len()
    );
    summary("to the `✔ reconcile` line", to_line);
    summary("to the process exit", to_exit);
}
