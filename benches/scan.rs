//! `cargo bench --bench scan`: `eks-workshop verify --offline` over a
//! generated repository of 10,000 manifests (~50 MB) in a workshop's clone,
//! as a participant runs it (a process, start to exit), next to `cat`
//! reading the same manifests and to pluto (FairwindsOps/pluto v5.24.1,
//! `detect-files`) scanning the same tree. The aims: at most 1.5× `cat`,
//! and at least 10× faster than pluto.
//!
//! Each round runs the three in turn, the order rotating, `SCAN_BENCH_ROUNDS`
//! rounds (default 5); figures are true medians with min and max. The
//! in-process read and API scan (`Tree::read`, the one read of the
//! manifests that every check of `verify` shares, then the scan) is timed
//! too, to show where the process's time goes.
//!
//! pluto is the binary tests/rig/build.sh puts at
//! `${EKS_WORKSHOP_RIG:-$HOME/.cache/eks-workshop-rig}/bin/pluto`; without it
//! the bench says so and times the rest. `verify` builds each kustomization
//! with `kubectl kustomize` when kubectl is on PATH: the process runs with
//! a PATH without kubectl (one build of this tree's 25 MB top kustomization
//! ran over 10 minutes), and says so in its row. `SCAN_BENCH_DIR=DIR`
//! sets the workshop up in DIR and keeps it, to profile `verify` there.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[path = "common/stats.rs"]
mod stats;

use stats::{Spread, ratio, row};

const BIN: &str = env!("CARGO_BIN_EXE_eks-workshop");
const DIRS: usize = 100;
const FILES_PER_DIR: usize = 100;
/// Directories 0..KUSTOMIZED have a kustomization.yaml; the rest are applied whole.
const KUSTOMIZED: usize = 50;
/// Every 50th application carries a batch/v1beta1 CronJob and every 50th
/// (another) a policy/v1beta1 PodDisruptionBudget, both removed in 1.25:
/// exactly this many findings at target 1.26.
const EXPECTED: usize = 2 * DIRS * FILES_PER_DIR / 50;

fn main() {
    // `SCAN_BENCH_DIR=DIR` keeps the workshop (to profile `verify` in it).
    let kept = std::env::var_os("SCAN_BENCH_DIR").map(PathBuf::from);
    let work = tempfile::tempdir().expect("temp dir");
    let work = kept.unwrap_or_else(|| work.path().to_path_buf());
    let clone = offline_workshop(&work);
    // The workshop's own manifests make way for the generated ones.
    fs::remove_dir_all(clone.join("gitops")).expect("clear gitops/");
    let (files, bytes) = generate(&clone);
    println!(
        "scan bench: {} manifests, {:.1} MB in {DIRS} directories ({KUSTOMIZED} with a kustomization.yaml), in an offline workshop's clone",
        files.len(),
        bytes as f64 / 1e6
    );
    let rounds = env_rounds("SCAN_BENCH_ROUNDS", 5);
    let cat = || {
        let status = Command::new("cat")
            .args(&files)
            .current_dir(&clone)
            .stdout(Stdio::null())
            .status()
            .expect("cat runs");
        assert!(status.success());
    };
    let verify = || verify_offline(&work);
    let root = clone.as_path();
    let pluto = pluto().map(|bin| move || run_pluto(&bin, root));
    cat(); // warm the page cache
    verify();
    let mut times: [Vec<Duration>; 3] = Default::default();
    for round in 0..rounds {
        for k in 0..3 {
            let which = (round + k) % 3;
            let started = Instant::now();
            match which {
                0 => cat(),
                1 => verify(),
                _ => match &pluto {
                    Some(run) => run(),
                    None => continue,
                },
            }
            times[which].push(started.elapsed());
        }
    }
    let t_cat = Spread::of_times(&times[0]);
    let t_verify = Spread::of_times(&times[1]);
    // The manifests' part of verify, in-process.
    let scan = (0..rounds)
        .map(|_| {
            let started = Instant::now();
            let report = eks_workshop::manifests::bench_scan(
                &clone,
                "1.26",
                "gitops/clusters/cluster-demo",
                None,
            )
            .expect("scan works");
            assert_eq!(report.findings.len(), EXPECTED);
            started.elapsed()
        })
        .collect::<Vec<_>>();
    let t_scan = Spread::of_times(&scan);
    println!("{rounds} interleaved rounds; medians (min–max)");
    println!("cat (all manifests to /dev/null):      {}", t_cat.secs());
    println!(
        "verify --offline (process):            {}   {}",
        t_verify.secs(),
        ratio(&t_verify, &t_cat, true)
    );
    println!(
        "  of which the read and API scan (in-process): {}",
        t_scan.secs()
    );
    let tree = format!("{} manifests, {:.0} MB", files.len(), bytes as f64 / 1e6);
    let how = format!(
        "`benches/scan.rs`: {rounds} interleaved rounds, a process each, page cache warm, PATH without kubectl (no kustomize builds); {EXPECTED} findings asserted"
    );
    row(
        &format!("`verify --offline` over {tree} vs `cat` of them"),
        &t_verify.secs(),
        &t_cat.secs(),
        &ratio(&t_verify, &t_cat, true),
        &how,
    );
    if times[2].is_empty() {
        println!("pluto: not found (run tests/rig/build.sh to build it); not timed");
        return;
    }
    let t_pluto = Spread::of_times(&times[2]);
    println!(
        "pluto detect-files:                    {}   verify is {}",
        t_pluto.secs(),
        ratio(&t_verify, &t_pluto, true)
    );
    row(
        &format!("`verify --offline` vs pluto v5.24.1 `detect-files` over the same {tree}"),
        &t_verify.secs(),
        &t_pluto.secs(),
        &ratio(&t_verify, &t_pluto, true),
        &how,
    );
}

/// `setup --offline` in `dir`; the clone's path.
fn offline_workshop(dir: &Path) -> PathBuf {
    let values = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/values.example.yaml");
    let out = eks_workshop_cmd(dir)
        .args(["setup", "--offline", "--yes", "--values"])
        .arg(values)
        .output()
        .expect("eks-workshop runs");
    assert!(
        out.status.success(),
        "setup --offline: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    dir.join("eks-cluster-upgrades-workshop")
}

/// The binary in `dir`, with a PATH that has git and nothing else (no
/// kubectl: see the top of this file).
fn eks_workshop_cmd(dir: &Path) -> Command {
    let tools = dir.join(".bench-path");
    if !tools.exists() {
        fs::create_dir_all(&tools).expect("a PATH dir");
        let git = which("git").expect("git on PATH");
        std::os::unix::fs::symlink(git, tools.join("git")).expect("git linked");
    }
    let mut cmd = Command::new(BIN);
    cmd.arg("--dir")
        .arg(dir)
        .env("NO_COLOR", "1")
        .env("PATH", &tools)
        .env_remove("GITHUB_TOKEN")
        .env_remove("KUBECONFIG")
        .stdin(Stdio::null());
    cmd
}

/// `verify --offline --target-version 1.26 -o json`: exit 4 (the removed
/// APIs found), with the findings the generator planted.
fn verify_offline(dir: &Path) {
    let out = eks_workshop_cmd(dir)
        .args([
            "verify",
            "--offline",
            "--target-version",
            "1.26",
            "-o",
            "json",
        ])
        .stderr(Stdio::null())
        .output()
        .expect("eks-workshop runs");
    assert_eq!(out.status.code(), Some(4), "verify --offline");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let removed = json["findings"].as_array().map_or(0, |f| {
        f.iter().filter(|f| f["removed_in_target"] == true).count()
    });
    assert_eq!(removed, EXPECTED, "findings the generator implies");
}

/// The first `name` on PATH.
fn which(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

fn run_pluto(pluto: &Path, root: &Path) {
    let status = Command::new(pluto)
        .args([
            "detect-files",
            "-o",
            "json",
            "--target-versions",
            "k8s=v1.26.0",
            "-d",
        ])
        .arg(root.join("gitops"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("pluto runs");
    // 2/3/4: deprecated/removed APIs found (4: replacement not yet available).
    assert!(
        matches!(status.code(), Some(0 | 2 | 3 | 4)),
        "pluto: {status}"
    );
}

/// The pluto binary tests/rig/build.sh builds, if it is there.
fn pluto() -> Option<std::path::PathBuf> {
    let rig = std::env::var_os("EKS_WORKSHOP_RIG")
        .map(std::path::PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME").map(|h| Path::new(&h).join(".cache/eks-workshop-rig"))
        })?;
    let bin = rig.join("bin/pluto");
    bin.is_file().then_some(bin)
}

fn env_rounds(var: &str, default: usize) -> usize {
    std::env::var(var)
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|n| *n > 0)
        .unwrap_or(default)
}

/// Write the repository; returns the manifest paths (relative) and their size.
fn generate(root: &Path) -> (Vec<String>, usize) {
    let write = |rel: &str, text: &str| {
        let path = root.join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    };
    write(
        "gitops/clusters/cluster-demo/flux.yaml",
        &["applications", "add-ons"]
            .map(|d| {
                format!(
                    "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: {d}\n  namespace: flux-system\nspec:\n  interval: 1m0s\n  path: ./gitops/{d}\n  prune: true\n  sourceRef:\n    kind: GitRepository\n    name: flux-system\n"
                )
            })
            .join("---\n"),
    );
    let mut apps = String::from(
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n",
    );
    let mut files = Vec::new();
    let mut bytes = 0;
    for d in 0..DIRS {
        let dir = if d < KUSTOMIZED {
            format!("gitops/applications/team-{d:02}")
        } else {
            format!("gitops/add-ons/team-{d:02}")
        };
        let mut kustomization = String::from("resources:\n");
        for f in 0..FILES_PER_DIR {
            let n = d * FILES_PER_DIR + f;
            let rel = format!("{dir}/{f:03}-app-{n}.yaml");
            let text = manifest(n);
            bytes += text.len();
            write(&rel, &text);
            let _ = writeln!(kustomization, "  - {f:03}-app-{n}.yaml");
            files.push(rel);
        }
        if d < KUSTOMIZED {
            write(&format!("{dir}/kustomization.yaml"), &kustomization);
            let _ = writeln!(apps, "  - team-{d:02}");
        }
    }
    write("gitops/applications/kustomization.yaml", &apps);
    (files, bytes)
}

/// One application: a Deployment, a Service and a ConfigMap (or, now and then,
/// a deprecated CronJob or PodDisruptionBudget), about 5 KB.
fn manifest(n: usize) -> String {
    let mut out = String::with_capacity(6000);
    let _ = write!(
        out,
        r#"# Application {n}: generated for the scan benchmark.
apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-{n}
  namespace: team-{ns}
  labels:
    app.kubernetes.io/name: app-{n}
    app.kubernetes.io/part-of: "workshop"
  annotations:
    description: 'A sample application, number {n}.'
spec:
  replicas: 2
  revisionHistoryLimit: 3
  selector:
    matchLabels:
      app.kubernetes.io/name: app-{n}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: app-{n}
    spec:
      serviceAccountName: app-{n}
      securityContext: {{}}
      containers:
        - name: app
          image: "public.ecr.aws/nginx/nginx:1.25.{patch}"
          imagePullPolicy: IfNotPresent
          args: ["--port", "8080", --verbose]
          ports:
            - name: http
              containerPort: 8080
              protocol: TCP
          env:
"#,
        ns = n % 17,
        patch = n % 9,
    );
    for e in 0..12 {
        let _ = write!(
            out,
            "            - name: SETTING_{e}\n              value: \"value-{e}-{n}\"\n"
        );
    }
    out.push_str(
        r#"          resources:
            requests:
              cpu: 100m
              memory: 128Mi
            limits:
              memory: 256Mi
          readinessProbe:
            httpGet:
              path: /healthz
              port: http
            periodSeconds: 10
          livenessProbe:
            httpGet: {path: /livez, port: http}
---
apiVersion: v1
kind: Service
metadata:
"#,
    );
    let _ = write!(
        out,
        "  name: app-{n}\n  namespace: team-{}\nspec:\n  selector:\n    app.kubernetes.io/name: app-{n}\n  ports:\n  - port: 80\n    targetPort: http\n---\n",
        n % 17
    );
    match n % 50 {
        7 => {
            let _ = write!(
                out,
                "apiVersion: batch/v1beta1\nkind: CronJob\nmetadata:\n  name: job-{n}\nspec:\n  schedule: \"*/5 * * * *\"\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          restartPolicy: OnFailure\n          containers:\n          - name: job\n            image: busybox\n"
            );
        }
        21 => {
            let _ = write!(
                out,
                "apiVersion: policy/v1beta1\nkind: PodDisruptionBudget\nmetadata:\n  name: pdb-{n}\nspec:\n  minAvailable: 1\n  selector:\n    matchLabels:\n      app.kubernetes.io/name: app-{n}\n"
            );
        }
        _ => {}
    }
    let _ = write!(
        out,
        "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app-{n}-config\ndata:\n  app.conf: |\n"
    );
    while out.len() < 5000 {
        let _ = write!(
            out,
            "    # setting for app {n}\n    key_{len} = \"some value with: colons and 'quotes'\"\n",
            len = out.len()
        );
    }
    out
}
