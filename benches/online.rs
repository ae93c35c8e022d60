//! Online figures against the local forge, API server and Flux stand-in:
//! (a) a no-op re-run of a finished `setup`: wall time (median) and the HTTP
//!     requests it makes to each server, by kind (reads only, no writes);
//! (b) a full `setup --addons karpenter` versus a shell script doing
//!     install.sh's work by hand (curl fork, git clone with a credential
//!     helper, sed placeholders, uncomment, commit, push, kubectl apply), both
//!     waiting for the same end state: the GitRepository at the pushed commit,
//!     every Kustomization Ready at it, the karpenter HelmRelease Ready. The
//!     Flux stand-in answers at once (no delay) and the script polls every
//!     0.1 s, so the figure is mostly process start-up and local I/O (the
//!     script starts dozens of short-lived git, sed, curl and kubectl
//!     processes), not waiting.
//! `cargo bench --bench online [-- ROUNDS]`

#[allow(dead_code)]
mod common;

use std::collections::BTreeMap;
use std::process::Command;
use std::time::{Duration, Instant};

#[path = "common/stats.rs"]
mod stats;

use stats::{Spread, row};

use common::{Env, LOGIN, NAME, TOKEN, UP_OWNER, env};
use harness::fixtures::ready;

fn median(v: Vec<Duration>) -> Duration {
    Duration::from_secs_f64(Spread::of_times(&v).median)
}

fn ms(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1000.0)
}

fn world() -> Env {
    let e = env();
    e.flux.set_delay(Duration::ZERO);
    e
}

fn full_setup(e: &Env) -> Duration {
    let started = Instant::now();
    e.setup(&["--addons", "karpenter"]).success();
    let elapsed = started.elapsed();
    assert_end_state(e);
    elapsed
}

/// (a) The re-run: median wall time, and the requests of the last round.
fn no_op(rounds: usize) {
    let e = world();
    full_setup(&e);
    let mut times = Vec::new();
    for _ in 0..rounds {
        e.forge.reset_requests();
        e.api.clear_requests();
        let started = Instant::now();
        let out = e.setup(&["--addons", "karpenter"]).success();
        times.push(started.elapsed());
        assert!(out.stdout.contains("nothing to do"), "{}", out.stdout);
    }
    let mut forge: BTreeMap<String, usize> = BTreeMap::new();
    for r in e.forge.requests() {
        *forge.entry(format!("{:?}", r.kind)).or_default() += 1;
    }
    let mut api: BTreeMap<String, usize> = BTreeMap::new();
    for (method, path, _) in e.api.requests() {
        let watch = path.contains("watch=");
        let kind = match method.as_str() {
            "GET" if watch => "watch",
            "GET" => "read",
            _ => "write",
        };
        *api.entry(kind.to_string()).or_default() += 1;
    }
    println!("(a) no-op re-run of a finished setup ({rounds} rounds)");
    let wall = Spread::of_times(&times);
    println!("    wall time, median: {}", wall.secs());
    row(
        "no-op re-run of a finished online `setup --addons karpenter` (stand-ins: local forge + API server)",
        &format!("{}; API server: {api:?}; forge: {forge:?}", wall.secs()),
        "",
        "",
        &format!("`benches/online.rs` (a): {rounds} rounds; requests of all rounds by kind"),
    );
    println!("    forge requests: {forge:?}");
    println!("    API server requests: {api:?}");
    let writes = forge.get("ApiWrite").unwrap_or(&0)
        + forge.get("GitWrite").unwrap_or(&0)
        + api.get("write").unwrap_or(&0);
    assert_eq!(writes, 0, "a no-op re-run writes nothing");
}

/// install.sh's work, as a person would type it.
const SCRIPT: &str = r#"set -eu
cd "$WORK"
curl -fsS -X POST -H "Authorization: Bearer $GITHUB_TOKEN" "$API/repos/$UPSTREAM/forks" >/dev/null
helper='!f() { echo username=alice; echo "password=$GITHUB_TOKEN"; }; f'
until git -c credential.helper="$helper" clone -q "$URL" repo 2>/dev/null; do sleep 1; done
cd repo
while IFS=': ' read -r key value; do
  case "$key" in ''|\#*) continue ;; esac
  upper=$(echo "$key" | tr a-z A-Z)
  grep -rl "$upper" gitops | xargs -r sed -i "s|$upper|$value|g"
done < "$VALUES"
sed -i 's|# - 02-karpenter.yaml|- 02-karpenter.yaml|' gitops/add-ons/kustomization.yaml
git add -A
git -c user.name=alice -c user.email=alice@example.com commit -qm "workshop values; karpenter"
git -c credential.helper="$helper" push -q origin main
kubectl create secret generic flux-system -n flux-system --from-literal=username=alice \
  --from-literal=password="$GITHUB_TOKEN" --dry-run=client -o yaml | kubectl apply -f - >/dev/null
cat <<EOF | kubectl apply -f - >/dev/null
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {name: flux-system, namespace: flux-system}
spec: {interval: 1m, ref: {branch: main}, secretRef: {name: flux-system}, url: "$URL"}
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: flux-system, namespace: flux-system}
spec: {interval: 10m, path: ./gitops/clusters/cluster-demo, prune: true, sourceRef: {kind: GitRepository, name: flux-system}}
EOF
want="main@sha1:$(git rev-parse HEAD)"
# The end state setup waits for: the source at the commit, every
# Kustomization Ready at it, the enabled add-on's HelmRelease Ready.
ready='{.status.conditions[?(@.type=="Ready")].status}'
done_yet() {
  [ "$(kubectl get gitrepository flux-system -n flux-system -o jsonpath='{.status.artifact.revision}')" = "$want" ] || return 1
  ks=$(kubectl get kustomizations -n flux-system -o jsonpath="{range .items[*]}{.status.lastAppliedRevision} $ready{'\n'}{end}")
  [ -n "$ks" ] || return 1
  echo "$ks" | grep -qv "^$want True\$" && return 1
  [ "$(kubectl get helmrelease karpenter -n flux-system -o jsonpath="$ready" 2>/dev/null)" = True ]
}
until done_yet; do
  sleep 0.1
done
"#;

/// What both runs must end with: the same end state setup waits for.
fn assert_end_state(e: &Env) {
    let rev = e.revision();
    assert_eq!(
        e.get(common::GIT_API, "GitRepository", common::FS)["status"]["artifact"]["revision"],
        rev.as_str()
    );
    let all = e.api.store().list(common::KS_API, "Kustomization", None);
    assert!(all.len() >= 4, "{all:?}");
    for k in &all {
        assert_eq!(k["status"]["lastAppliedRevision"], rev.as_str(), "{k}");
        assert!(ready(k), "{k}");
    }
    assert!(ready(&e.get(common::HELM_API, "HelmRelease", "karpenter")));
}

fn by_hand(e: &Env) -> Duration {
    // kubectl sends no token to the plain-HTTP stand-in (see world.rs).
    common::admit_kubectl(&e.api);
    let work = e.w.dir().join("by-hand");
    std::fs::create_dir_all(&work).unwrap();
    let started = Instant::now();
    let out = Command::new("sh")
        .args(["-c", SCRIPT])
        .env("WORK", &work)
        .env("API", e.forge.api_url())
        .env("UPSTREAM", format!("{UP_OWNER}/{NAME}"))
        .env("URL", e.forge.clone_url(LOGIN, NAME))
        .env("VALUES", common::example_values())
        .env("GITHUB_TOKEN", TOKEN)
        .env("KUBECONFIG", &e.kubeconfig)
        .env("HOME", e.w.dir())
        .env("PATH", harness::fixtures::path_with_rig(&[])) // the rig's kubectl, as the tool gets
        .output()
        .expect("sh runs");
    let elapsed = started.elapsed();
    assert!(
        out.status.success(),
        "script: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_end_state(e);
    elapsed
}

fn main() {
    let rounds = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(5);
    no_op(rounds);
    let ours: Vec<Duration> = (0..rounds).map(|_| full_setup(&world())).collect();
    let script: Vec<Duration> = (0..rounds).map(|_| by_hand(&world())).collect();
    let (o, sc) = (Spread::of_times(&ours), Spread::of_times(&script));
    row(
        "full online `setup --addons karpenter` vs a shell script doing install.sh's git + sed + kubectl work (stand-ins)",
        &o.secs(),
        &sc.secs(),
        &stats::ratio(&o, &sc, true),
        &format!(
            "`benches/online.rs` (b): {rounds} fresh worlds each; both end at the same state (Flux stand-in without delay; the script polls every 0.1 s): mostly process start-up"
        ),
    );
    let (ours, script) = (median(ours), median(script));
    println!("(b) full setup versus install.sh's work by hand ({rounds} rounds, medians)");
    println!("    eks-workshop setup: {}", ms(ours));
    println!(
        "    shell script (same end state, polls every 0.1 s): {}",
        ms(script)
    );
    println!(
        "    ratio script / setup: {:.1}x",
        script.as_secs_f64() / ours.as_secs_f64()
    );
}
