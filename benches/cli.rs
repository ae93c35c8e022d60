//! Start-up and offline figures for the real binary: `--help`, `status`, a
//! full offline `setup`, its no-op re-run, and the binary's size. Prints a
//! table; run with `cargo bench --bench cli`.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[path = "common/stats.rs"]
mod stats;

use stats::{Spread, row};

const BIN: &str = env!("CARGO_BIN_EXE_eks-workshop");

fn run(dir: &Path, args: &[&str]) -> Duration {
    let started = Instant::now();
    let status = Command::new(BIN)
        .arg("--dir")
        .arg(dir)
        .args(args)
        .env("NO_COLOR", "1")
        .env_remove("GITHUB_TOKEN")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("eks-workshop runs");
    assert!(status.success(), "eks-workshop {args:?} failed");
    started.elapsed()
}

/// `n` runs, made by `f`.
fn median(n: usize, mut f: impl FnMut() -> Duration) -> Spread {
    let times: Vec<_> = (0..n).map(|_| f()).collect();
    Spread::of_times(&times)
}

fn ms(s: &Spread) -> String {
    format!("{:.1} ms", s.median * 1000.0)
}

fn main() {
    let values = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/values.example.yaml");
    let values = values.to_str().unwrap();
    let setup = ["setup", "--offline", "--yes", "--values", values];
    let scratch = tempfile::tempdir().unwrap();

    let help = median(21, || run(scratch.path(), &["--help"]));
    let full = median(11, || {
        let dir = tempfile::tempdir().unwrap();
        run(dir.path(), &setup)
    });
    let done = tempfile::tempdir().unwrap();
    run(done.path(), &setup);
    let noop = median(11, || run(done.path(), &setup));
    let status = median(21, || run(done.path(), &["status"]));
    let size = std::fs::metadata(BIN).map(|m| m.len()).unwrap_or(0);

    println!("eks-workshop (offline, median)");
    println!("  --help                 {}", ms(&help));
    println!("  status                 {}", ms(&status));
    println!("  setup --offline        {}", ms(&full));
    println!("  setup again (no-op)    {}", ms(&noop));
    let how = |n: usize| format!("`benches/cli.rs`: {n} process runs, start to exit");
    row("`eks-workshop --help`", &help.secs(), "", "", &how(21));
    row(
        "`status` (offline workshop)",
        &status.secs(),
        "",
        "",
        &how(21),
    );
    row(
        "`setup --offline` (the README's first command)",
        &full.secs(),
        "",
        "",
        &how(11),
    );
    row("its no-op re-run", &noop.secs(), "", "", &how(11));
    row(
        "release binary",
        &format!("{:.1} MiB", size as f64 / (1024.0 * 1024.0)),
        "",
        "",
        "size of the bench build's `eks-workshop`",
    );
    println!(
        "  binary size            {:.1} MiB",
        size as f64 / (1024.0 * 1024.0)
    );
}
