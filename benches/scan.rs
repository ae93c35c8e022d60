//! `cargo bench --bench scan`: the deprecated-API scan over a generated
//! repository of 10,000 manifests (~50 MB), next to `cat` reading the same
//! bytes and to pluto (FairwindsOps/pluto v5.24.1, `detect-files`) scanning
//! the same tree. The aims: at most 1x `cat` (the scan reads files on every
//! core), and at least 10x faster than pluto.
//!
//! pluto is the binary tests/rig/build.sh puts at
//! `${EKS_WORKSHOP_RIG:-$HOME/.cache/eks-workshop-rig}/bin/pluto`; without it
//! the bench says so and times the rest.
//!
//! `verify` builds each kustomization with `kubectl kustomize` whenever
//! kubectl is on PATH, so the scan is timed both ways: without the builds
//! (the scanner alone) and with them (what `verify` does on a machine with
//! kubectl; here the rig's, from tests/setup.sh). Figures are medians: of `SCAN_BENCH_ROUNDS` runs (default 5)
//! for cat and the scan, `SCAN_BENCH_SLOW_ROUNDS` (default 3) for pluto, and
//! `SCAN_BENCH_KUBECTL_ROUNDS` for the scan with the builds (default 0,
//! skipped: one `kubectl kustomize` of the 25 MB top kustomization ran for
//! over 10 minutes on the 2-core machine without finishing).

use std::fmt::Write as _;
use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const DIRS: usize = 100;
const FILES_PER_DIR: usize = 100;
/// Directories 0..KUSTOMIZED have a kustomization.yaml; the rest are applied whole.
const KUSTOMIZED: usize = 50;

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    let (files, bytes) = generate(root);
    println!(
        "scan bench: {} manifests, {:.1} MB in {DIRS} directories ({KUSTOMIZED} with a kustomization.yaml)",
        files.len(),
        bytes as f64 / 1e6
    );

    let cat = || {
        let status = Command::new("cat")
            .args(&files)
            .current_dir(root)
            .stdout(Stdio::null())
            .status()
            .expect("cat runs");
        assert!(status.success());
    };
    let rounds = env_rounds("SCAN_BENCH_ROUNDS", 5);
    let slow_rounds = env_rounds("SCAN_BENCH_SLOW_ROUNDS", 3);
    let kubectl_rounds = std::env::var("SCAN_BENCH_KUBECTL_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    // Every 50th application carries a batch/v1beta1 CronJob and every 50th
    // (another) a policy/v1beta1 PodDisruptionBudget, both removed in 1.25:
    // exactly this many findings at target 1.26, with or without the builds.
    let expected = 2 * DIRS * FILES_PER_DIR / 50;
    let scan = |kubectl: Option<&Path>| {
        let report = eks_workshop::manifests::bench_scan(
            root,
            "1.26",
            "gitops/clusters/cluster-demo",
            kubectl,
        )
        .expect("scan works");
        assert_eq!(
            report.findings.len(),
            expected,
            "findings the generator implies"
        );
        report
    };
    cat(); // warm the page cache
    let t_cat = median_of(rounds, cat);
    let t_scan = median_of(rounds, || {
        scan(None);
    });
    let report = scan(None);
    let ratio = t_scan.as_secs_f64() / t_cat.as_secs_f64();
    println!("medians of {rounds} runs ({slow_rounds} for pluto, {kubectl_rounds} with kubectl)");
    println!(
        "cat (one process, all files to /dev/null): {:>8.3} s",
        t_cat.as_secs_f64()
    );
    println!(
        "scan_repo (without kubectl kustomize):      {:>8.3} s   {ratio:.2}x cat",
        t_scan.as_secs_f64()
    );
    println!(
        "  findings: {} (as generated), problems: {}",
        report.findings.len(),
        report.problems.len()
    );
    if kubectl_rounds == 0 {
        println!(
            "scan with kubectl kustomize: skipped (over 10 min on this tree; SCAN_BENCH_KUBECTL_ROUNDS=1 times it)"
        );
    } else {
        // The rig's kubectl, as `verify` runs it in the tests; missing, this
        // panics naming tests/setup.sh.
        let kubectl = harness::cluster::Rig::locate().kubectl();
        let t_kubectl = median_of(kubectl_rounds, || {
            scan(Some(&kubectl));
        });
        println!(
            "scan_repo (with kubectl kustomize, {} builds): {:>8.3} s   {:.2}x cat",
            KUSTOMIZED + 1,
            t_kubectl.as_secs_f64(),
            t_kubectl.as_secs_f64() / t_cat.as_secs_f64()
        );
    }
    match pluto() {
        Some(pluto) => {
            let run = || {
                let status = Command::new(&pluto)
                    .args([
                        "detect-files",
                        "-o",
                        "json",
                        "--target-versions",
                        "k8s=v1.26.0",
                        "-d",
                    ])
                    .arg(root)
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .status()
                    .expect("pluto runs");
                // 2/3/4: deprecated/removed APIs found (4: replacement not yet available).
                assert!(
                    matches!(status.code(), Some(0 | 2 | 3 | 4)),
                    "pluto: {status}"
                );
            };
            let t_pluto = median_of(slow_rounds, run);
            println!(
                "pluto detect-files:                         {:>8.3} s   scan is {:.1}x faster",
                t_pluto.as_secs_f64(),
                t_pluto.as_secs_f64() / t_scan.as_secs_f64()
            );
            if t_pluto.as_secs_f64() < 10.0 * t_scan.as_secs_f64() {
                println!("WARNING: the scan is less than 10x faster than pluto");
            }
        }
        None => println!("pluto: not found (run tests/rig/build.sh to build it); not timed"),
    }
    if ratio > 1.0 {
        println!("WARNING: the scan is slower than cat");
    }
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

/// The median wall time of `n` runs.
fn median_of(n: usize, mut f: impl FnMut()) -> Duration {
    let mut times: Vec<Duration> = (0..n)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    times.sort();
    times[times.len() / 2]
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
