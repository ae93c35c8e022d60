//! Against the real cluster of `tests/rig/build.sh` (kube-apiserver, etcd and
//! Flux 2.9.5's controllers, with Flux's default flags: `--requeue-dependency`
//! is 30 s), the local forge and a loopback Helm repository:
//! (1) push → the cluster runs the commit. After a full setup, each round the
//!     participant edits a Deployment's label under `gitops/applications` and
//!     commits; then, in turn (which goes first alternates by round), (a)
//!     `eks-workshop sync --yes` (pushes the commit, asks Flux to reconcile,
//!     drives the Kustomizations' dependency chain, returns once every one
//!     applied it) and (b) what a participant types: `git push`, `flux
//!     reconcile ks flux-system --with-source`, then `kubectl wait` until
//!     every Kustomization is Ready at the commit. Medians (the mean of the
//!     two middle rounds when even), min and max.
//! (2) a no-op re-run of `setup`: its requests to kube-apiserver by verb and
//!     resource, from the API server's audit log (the tool's User-Agent only;
//!     the Flux controllers' requests are not counted). Twice, to show it is
//!     stable.
//! (3) wait latency: after a participant's commit, `sync --yes`; from the
//!     status write that made the last of Flux's objects Ready at the
//!     commit (kube-apiserver's audit log carries the objects of Flux's
//!     status writes) to the process's exit. `LATENCY_ROUNDS` rounds
//!     (default 10); p50 and p95.
//! `cargo bench --bench real_cluster [-- ROUNDS]` (default 5)

#[allow(dead_code)]
mod common;
#[path = "common/stats.rs"]
mod stats;

use std::collections::BTreeMap;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant, SystemTime};

use stats::{Spread, row};

use harness::cluster::helmrepo::{Chart, HelmRepo};
use harness::cluster::{Options, RealCluster};
use harness::forge::Forge;
use serde_json::Value;

use common::{LOGIN, NAME, Outcome, TOKEN, UP_OWNER, Workshop, example_values};
use harness::fixtures::{flux_manifests, upstream_for};

/// The whole bench's bound: past it the process aborts, and the rig's
/// children die with it.
const WHOLE_BENCH: Duration = Duration::from_secs(900);
/// What the tool sends (src/kube/connect.rs).
const TOOL_AGENT: &str = "eks-workshop/";
const WRITES: [&str; 5] = ["create", "update", "patch", "delete", "deletecollection"];
/// The participant's file and the label each round sets in it.
const EDITED: &str = "gitops/applications/01-sample-app.yaml";
const LABEL: &str = "bench-round";

/// What a participant types after a commit: push with the token in a header
/// (from the environment, never in argv or the remote URL), ask Flux to
/// fetch and apply now, then wait until every Kustomization is Ready at the
/// commit.
const BY_HAND: &str = r#"set -eu
cd "$CLONE"
auth=$(printf '%s:%s' "$LOGIN" "$GITHUB_TOKEN" | base64 -w0)
GIT_TERMINAL_PROMPT=0 GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=http.extraHeader \
  GIT_CONFIG_VALUE_0="Authorization: Basic $auth" git push -q origin main
flux reconcile ks flux-system --with-source -n flux-system --timeout 5m >/dev/null
kubectl wait --for=jsonpath='{.status.lastAppliedRevision}'="main@sha1:$(git rev-parse HEAD)" \
  kustomization --all -n flux-system --timeout=5m >/dev/null
kubectl wait --for=condition=Ready kustomization --all -n flux-system --timeout=5m >/dev/null
"#;

struct Bench {
    forge: Forge,
    _helm: HelmRepo,
    cluster: RealCluster,
    w: Workshop,
    _upstream: tempfile::TempDir,
}

impl Bench {
    /// The world of `tests/integration/real_cluster.rs`, with an audit log.
    fn start() -> Bench {
        let helm = HelmRepo::start();
        for (chart, version, configmap) in [
            ("metrics-server", "3.12.1", "metrics-server-installed"),
            ("argo-workflows", "0.28.2", "argo-installed"),
            ("karpenter", "v0.27.3", "karpenter-installed"),
        ] {
            let data = [("by", "helm-controller")];
            helm.add(&Chart::configmap(chart, version, configmap, &data));
        }
        let upstream = tempfile::tempdir().unwrap();
        upstream_for(
            &helm,
            &common::repo_root().join("workshop"),
            upstream.path(),
        );
        let forge = Forge::start_blocking();
        forge.add_user(LOGIN, TOKEN);
        forge.seed_repo(UP_OWNER, NAME, upstream.path(), "main");
        let cluster = RealCluster::start(Options {
            audit: true,
            // Flux's default flags, as on a participant's cluster.
            requeue_dependency: None,
            ..Options::default()
        });
        let w = Workshop::new()
            .env("GITHUB_API_URL", &forge.api_url())
            .env("GITHUB_TOKEN", TOKEN)
            .env("EKS_WORKSHOP_RETRY_BASE_MS", "20")
            .env("KUBECONFIG", cluster.kubeconfig().to_str().unwrap());
        Bench {
            forge,
            _helm: helm,
            cluster,
            w,
            _upstream: upstream,
        }
    }

    fn run(&self, args: &[&str]) -> Outcome {
        let out = self.w.cmd(args).run();
        assert_eq!(
            out.code,
            0,
            "{args:?}\n{}\n{}\n--- rig logs ---\n{}",
            out.stdout,
            out.stderr,
            self.cluster.log_tails(30)
        );
        out
    }

    fn setup(&self, extra: &[&str]) -> Outcome {
        let values = example_values();
        let mut args = vec!["setup", "--yes", "--values", values.to_str().unwrap()];
        args.extend_from_slice(&["--timeout", "180s"]);
        args.extend_from_slice(extra);
        self.run(&args)
    }

    fn get(&self, args: &[&str]) -> Value {
        self.cluster
            .get_json(args)
            .unwrap_or_else(|| panic!("kubectl get {args:?}"))
    }

    /// Every Kustomization applied `main@sha1:<sha>` and is Ready, and the
    /// fork holds it.
    fn assert_applied(&self, sha: &str) {
        assert_eq!(self.forge.branch_head(LOGIN, NAME, "main").unwrap(), sha);
        let want = format!("main@sha1:{sha}");
        let list = self.get(&["kustomizations", "-A"]);
        let items = list["items"].as_array().unwrap();
        assert!(items.len() >= 4, "{list}");
        for ks in items {
            let name = &ks["metadata"]["name"];
            assert_eq!(ks["status"]["lastAppliedRevision"], want.as_str(), "{name}");
        }
        // Ready too; outside the timed part, and a Kustomization's periodic
        // reconcile (`interval: 1m0s`) shows Ready=Unknown for a moment.
        let args = ["wait", "--for=condition=Ready", "kustomization", "--all"];
        let args = [&args[..], &["-n", "flux-system", "--timeout=60s"]].concat();
        let out = Command::new(self.cluster.rig().kubectl())
            .args(&args)
            .env("KUBECONFIG", self.cluster.kubeconfig())
            .output()
            .expect("kubectl runs");
        assert!(
            out.status.success(),
            "not every Kustomization is Ready: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// The participant's edit: the round's label on the sample Deployment, committed.
fn edit_and_commit(w: &Workshop, round: &str) -> String {
    let path = w.clone_dir().join(EDITED);
    let text = std::fs::read_to_string(&path).unwrap();
    let kept: String = text
        .lines()
        .filter(|l| !l.trim_start().starts_with(&format!("{LABEL}:")))
        .map(|l| format!("{l}\n"))
        .collect();
    let anchor = "metadata:\n  labels:\n";
    assert!(kept.contains(anchor), "{EDITED} has no metadata.labels");
    let edited = kept.replacen(anchor, &format!("{anchor}    {LABEL}: \"{round}\"\n"), 1);
    std::fs::write(&path, edited).unwrap();
    w.git(&["add", EDITED]);
    let message = format!("sample app: {LABEL} {round}");
    w.git(&[
        "-c",
        "user.name=alice",
        "-c",
        "user.email=alice@example.com",
        "commit",
        "-qm",
        &message,
    ]);
    w.git(&["rev-parse", "HEAD"])
}

/// (a) `eks-workshop sync --yes`: how long it took, and how long after its
/// push returned it asked Flux (from its run log).
fn by_tool(b: &Bench) -> (Duration, Duration) {
    let started = Instant::now();
    b.run(&["sync", "--yes", "--timeout", "180s"]);
    let took = started.elapsed();
    (took, push_to_ask(&b.w))
}

/// From the last run's log (`   1.234s kind     text` lines): the time from
/// the line of the finished `git push` to that of the finished request to
/// the GitRepository.
fn push_to_ask(w: &Workshop) -> Duration {
    let logs = w.dir().join(".eks-workshop/logs");
    let mut files: Vec<_> = std::fs::read_dir(&logs)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let log = std::fs::read_to_string(files.last().expect("a run log")).unwrap();
    let at = |wanted: &dyn Fn(&str) -> bool| {
        log.lines()
            .find(|l| wanted(l))
            .and_then(|l| l.trim_start().split_once('s'))
            .and_then(|(t, _)| t.parse::<f64>().ok())
            .unwrap_or_else(|| panic!("not in the run log:\n{log}"))
    };
    let pushed = at(&|l| l.contains(" git ") && l.contains(" push "));
    let asked = at(&|l| l.contains("PATCH ") && l.contains("/gitrepositories/"));
    Duration::from_secs_f64((asked - pushed).max(0.0))
}

/// (b) `git push`, `flux reconcile --with-source`, `kubectl wait`.
fn by_hand(b: &Bench) -> Duration {
    let flux = b.cluster.rig().peer("flux");
    let peers = flux.parent().expect("flux is in peers/");
    let started = Instant::now();
    let out = Command::new("sh")
        .args(["-c", BY_HAND])
        .env("CLONE", b.w.clone_dir())
        .env("LOGIN", LOGIN)
        .env("GITHUB_TOKEN", TOKEN)
        .env("KUBECONFIG", b.cluster.kubeconfig())
        .env("HOME", b.w.dir())
        .env("PATH", harness::fixtures::path_with_rig(&[peers]))
        .output()
        .expect("sh runs");
    let elapsed = started.elapsed();
    assert!(
        out.status.success(),
        "script: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    elapsed
}

fn secs(d: Duration) -> String {
    format!("{:.1} s", d.as_secs_f64())
}

/// The median (of an even count, the mean of the two middle values), min, max.
fn spread(mut v: Vec<Duration>) -> (Duration, Duration, Duration) {
    v.sort();
    let n = v.len();
    let median = if n.is_multiple_of(2) {
        (v[n / 2 - 1] + v[n / 2]) / 2
    } else {
        v[n / 2]
    };
    (median, v[0], v[n - 1])
}

fn push_to_cluster(b: &Bench, rounds: usize) {
    let list = b.get(&["kustomizations", "-n", "flux-system"]);
    let chain: Vec<String> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| {
            let deps: Vec<&str> = k["spec"]["dependsOn"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|d| d["name"].as_str())
                .collect();
            match deps.as_slice() {
                [] => k["metadata"]["name"].to_string(),
                deps => format!("{} (after {})", k["metadata"]["name"], deps.join(", ")),
            }
        })
        .collect();
    println!("(1) push → every Kustomization Ready at the commit ({rounds} rounds, interleaved)");
    println!("    Kustomizations: {}", chain.join(", "));
    println!("    Flux's controllers run with their default --requeue-dependency (30 s)");
    let (mut tool, mut hand, mut asks) = (Vec::new(), Vec::new(), Vec::new());
    let (mut tool_all, mut hand_all) = (Vec::new(), Vec::new());
    for round in 1..=rounds {
        let tool_round = || {
            let sha = edit_and_commit(&b.w, &format!("{round}a"));
            let took = by_tool(b);
            b.assert_applied(&sha);
            took
        };
        let hand_round = || {
            let sha = edit_and_commit(&b.w, &format!("{round}b"));
            let took = by_hand(b);
            b.assert_applied(&sha);
            took
        };
        let ((a, ask), h) = if round % 2 == 1 {
            let a = tool_round();
            (a, hand_round())
        } else {
            let h = hand_round();
            (tool_round(), h)
        };
        tool.push(a);
        hand.push(h);
        tool_all.push(a);
        hand_all.push(h);
        asks.push(ask);
        println!(
            "    round {round}: eks-workshop sync --yes {} (Flux asked {} ms after the push returned)   \
             git push + flux reconcile --with-source + kubectl wait {}",
            secs(a),
            ask.as_millis(),
            secs(h)
        );
    }
    let (ask, ask_min, ask_max) = spread(asks);
    println!(
        "    sync asked Flux after its push returned: median {} ms (min {}, max {})",
        ask.as_millis(),
        ask_min.as_millis(),
        ask_max.as_millis()
    );
    let (t, t_min, t_max) = spread(tool);
    let (h, h_min, h_max) = spread(hand);
    println!(
        "    eks-workshop sync --yes: median {} (min {}, max {})",
        secs(t),
        secs(t_min),
        secs(t_max)
    );
    println!(
        "    git push + flux reconcile ks flux-system --with-source + kubectl wait: median {} (min {}, max {})",
        secs(h),
        secs(h_min),
        secs(h_max)
    );
    println!("    medians: {:.1}x", h.as_secs_f64() / t.as_secs_f64());
    let of = |v: &[Duration]| Spread::of_times(v);
    let (tool, hand) = (of(&tool_all), of(&hand_all));
    row(
        "push → every Kustomization Ready at the commit, real Flux with its default flags: `sync --yes` vs `git push` + `flux reconcile ks flux-system --with-source` + `kubectl wait`",
        &tool.secs(),
        &hand.secs(),
        &stats::ratio(&tool, &hand, true),
        &format!(
            "`benches/real_cluster.rs` (1): {rounds} interleaved rounds, a one-file commit each on the sources → infrastructure → apps chain, both end states asserted; the flux CLI v2.9.5 built from its Go module; Flux asked {} ms (median) after sync's push returned",
            ask.as_millis()
        ),
    );
}

/// The audit events appended to `log` since byte `offset`, once complete.
fn audit_since(log: &Path, offset: u64) -> Vec<Value> {
    let mut file = std::fs::File::open(log).unwrap();
    file.seek(SeekFrom::Start(offset)).unwrap();
    let mut text = String::new();
    file.read_to_string(&mut text).unwrap();
    text.lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|e| e["stage"] == "ResponseComplete")
        .collect()
}

/// `verb resource[/subresource]`, or `verb /path` for a non-resource URL.
fn what(event: &Value) -> String {
    let verb = event["verb"].as_str().unwrap_or("?");
    let object = &event["objectRef"];
    match object["resource"].as_str() {
        Some(resource) => match object["subresource"].as_str() {
            Some(sub) => format!("{verb} {resource}/{sub}"),
            None => format!("{verb} {resource}"),
        },
        None => {
            let uri = event["requestURI"].as_str().unwrap_or("?");
            format!("{verb} {}", uri.split('?').next().unwrap_or(uri))
        }
    }
}

/// One no-op `setup`; prints its requests and returns how many there were
/// and how many were writes.
fn no_op_requests(b: &Bench, log: &Path, run: usize) -> (usize, usize) {
    let offset = std::fs::metadata(log).unwrap().len();
    let started = Instant::now();
    let out = b.setup(&[]);
    let elapsed = started.elapsed();
    assert!(out.stdout.contains("nothing to do"), "{}", out.stdout);
    let events = audit_since(log, offset);
    let (mut ours, mut others) = (BTreeMap::new(), BTreeMap::new());
    for e in &events {
        let agent = e["userAgent"].as_str().unwrap_or("");
        if agent.starts_with(TOOL_AGENT) {
            *ours.entry(what(e)).or_insert(0usize) += 1;
        } else {
            let client = agent.split('/').next().unwrap_or("").to_string();
            *others.entry(client).or_insert(0usize) += 1;
        }
    }
    let total: usize = ours.values().sum();
    let writes: usize = ours
        .iter()
        .filter(|(k, _)| WRITES.iter().any(|w| k.starts_with(&format!("{w} "))))
        .map(|(_, n)| n)
        .sum();
    println!(
        "    run {run}: {} wall, {total} requests, {writes} writes",
        secs(elapsed)
    );
    for (k, n) in &ours {
        println!("      {n:>3}  {k}");
    }
    println!("      (not counted, other clients meanwhile: {others:?})");
    (total, writes)
}

/// (3) After a commit, `sync --yes`: from the status write that made the
/// last GitRepository or Kustomization Ready at the commit to the exit.
fn wait_latency(b: &Bench, log: &Path, rounds: usize) {
    println!(
        "(3) wait latency on real Flux: the last status write making an object Ready at the commit → sync's exit ({rounds} rounds)"
    );
    let mut latencies = Vec::new();
    for round in 1..=rounds {
        let sha = edit_and_commit(&b.w, &format!("{round}w"));
        let offset = std::fs::metadata(log).unwrap().len();
        b.run(&["sync", "--yes", "--timeout", "180s"]);
        let exited = SystemTime::now();
        b.assert_applied(&sha);
        let ready = last_ready(&audit_since(log, offset), &sha).unwrap_or_else(|| {
            panic!("round {round}: no status write made an object Ready at {sha}")
        });
        let latency = exited
            .duration_since(ready)
            .unwrap_or_else(|_| panic!("round {round}: Ready after the exit"));
        println!("    round {round}: {} ms", latency.as_millis());
        latencies.push(latency.as_secs_f64() * 1e3);
    }
    latencies.sort_by(f64::total_cmp);
    let spread = Spread::of(&latencies);
    let p95 =
        latencies[((latencies.len() as f64 * 0.95).ceil() as usize).clamp(1, latencies.len()) - 1];
    println!(
        "    p50 {:.0} ms, p95 {p95:.0} ms (min {:.0}, max {:.0})",
        spread.median, spread.min, spread.max
    );
    row(
        "wait latency on real Flux: the status write that made the last object Ready at the commit → `sync` exits",
        &format!(
            "p50 {:.0} ms, p95 {p95:.0} ms ({:.0}–{:.0})",
            spread.median, spread.min, spread.max
        ),
        "",
        "",
        &format!(
            "`benches/real_cluster.rs` (3): {rounds} rounds of a commit then `sync --yes`; the write's time from kube-apiserver's audit log (Flux's status writes logged with their objects), the exit's from the bench"
        ),
    );
}

/// When the last of the GitRepository and the Kustomizations turned Ready
/// at `sha`: per object, the first status write whose object is Ready for
/// its generation at that revision; the latest of those.
fn last_ready(events: &[Value], sha: &str) -> Option<SystemTime> {
    let mut first: BTreeMap<String, SystemTime> = BTreeMap::new();
    for e in events {
        let Some(obj) = e.get("responseObject") else {
            continue;
        };
        if e["objectRef"]["subresource"] != "status" {
            continue;
        }
        let revision = match e["objectRef"]["resource"].as_str() {
            Some("gitrepositories") => &obj["status"]["artifact"]["revision"],
            Some("kustomizations") => &obj["status"]["lastAppliedRevision"],
            _ => continue,
        };
        let at_commit = revision.as_str().is_some_and(|r| r.ends_with(sha));
        let ready = obj["status"]["conditions"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|c| c["type"] == "Ready" && c["status"] == "True");
        let seen = obj["status"]["observedGeneration"] == obj["metadata"]["generation"];
        if !(at_commit && ready && seen) {
            continue;
        }
        let key = format!(
            "{}/{}/{}",
            e["objectRef"]["resource"], e["objectRef"]["namespace"], e["objectRef"]["name"]
        );
        let at = e["stageTimestamp"]
            .as_str()
            .and_then(|t| humantime::parse_rfc3339_weak(t).ok())?;
        first.entry(key).or_insert(at);
    }
    first.into_values().max()
}

/// Every completed request in the audit log, counted by the User-Agent's product.
fn clients(log: &Path) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for e in audit_since(log, 0) {
        let agent = e["userAgent"].as_str().unwrap_or("");
        let product = agent.split('/').next().unwrap_or("").to_string();
        *out.entry(product).or_insert(0) += 1;
    }
    out
}

fn main() {
    let rounds: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(5);
    std::thread::spawn(|| {
        std::thread::sleep(WHOLE_BENCH);
        eprintln!("real_cluster bench still running after {WHOLE_BENCH:?}; aborting");
        std::process::abort();
    });
    let started = Instant::now();
    let mut b = Bench::start();
    let manifests = flux_manifests(&b.cluster, b.w.dir());
    b.setup(&[
        "--until",
        "flux",
        "--flux-manifests",
        manifests.to_str().unwrap(),
    ]);
    // No kubelet: the controllers run as processes once their CRDs exist.
    b.cluster.start_flux_controllers();
    let first = Instant::now();
    b.setup(&[]);
    b.assert_applied(&b.w.git(&["rev-parse", "HEAD"]));
    println!(
        "full setup on the real cluster, from Flux's controllers starting: {}",
        secs(first.elapsed())
    );
    let log = b.cluster.audit_log().expect("started with an audit log");
    println!("(2) no-op re-run of setup: requests to kube-apiserver (audit log, {TOOL_AGENT}*)");
    let (first, writes_1) = no_op_requests(&b, &log, 1);
    let (second, writes_2) = no_op_requests(&b, &log, 2);
    let writes = writes_1 + writes_2;
    row(
        "no-op re-run of `setup` on the real cluster: API requests (writes)",
        &format!("{first} ({writes_1}), then {second} ({writes_2})"),
        "",
        "",
        "`benches/real_cluster.rs` (2): kube-apiserver's audit log, the tool's User-Agent, two runs; ≤ 12 and 0 writes is also a test (`real_cluster/requests.rs`)",
    );
    push_to_cluster(&b, rounds);
    let latency_rounds = std::env::var("LATENCY_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10);
    wait_latency(&b, &log, latency_rounds);
    println!("audit log overall, requests by client: {:?}", clients(&log));
    println!("whole bench: {}", secs(started.elapsed()));
    assert_eq!(writes, 0, "a no-op re-run writes nothing to the cluster");
}
