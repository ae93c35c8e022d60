//! The rig's `upgrade-control-plane` command, run the way terraform's
//! `local-exec` runs it: a shell that runs it, started by the test, so the
//! restart is asked for by a grandchild while the harness does it.

use std::process::{Command, Output};
use std::time::{Duration, Instant};

use harness::cluster::RealCluster;

use crate::real_cluster::watchdog;
use crate::rig_upgrade::{at_1_33, serving};

/// `sh -c '<command> <args>'`: the command as a grandchild of the test.
fn run(cluster: &RealCluster, args: &str) -> (Output, Duration) {
    let started = Instant::now();
    let line = format!("'{}' {args}", cluster.upgrade_command().display());
    let out = Command::new("sh")
        .args(["-c", &line])
        .output()
        .expect("run sh");
    (out, started.elapsed())
}

fn text(out: &Output) -> String {
    format!(
        "exit {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// One minor up restarts and waits for `/readyz`; the same version again
/// returns at once; skipping a minor, going down or no argument is refused.
#[test]
fn the_upgrade_command_upgrades_once_and_is_idempotent() {
    let _w = watchdog();
    let cluster = at_1_33();
    let script = cluster.upgrade_command();
    assert!(script.starts_with(cluster.dir()), "{}", script.display());

    let (out, took) = run(&cluster, "1.34");
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("upgraded from 1.33 to 1.34"),
        "{}",
        text(&out)
    );
    // It returned once the server was ready: no waiting needed here.
    assert_eq!(serving(&cluster).0, "1.34");
    assert_eq!(cluster.emulated_version(), "1.34");
    eprintln!("upgrade-control-plane 1.34: {:.1}s", took.as_secs_f64());

    let (out, took) = run(&cluster, "1.34");
    assert!(out.status.success(), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("already at 1.34"));
    assert!(took < Duration::from_secs(2), "at once, not {took:?}");

    let (out, _) = run(&cluster, "1.36");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("Unsupported Kubernetes minor version update from 1.34 to 1.36"),
        "{err}"
    );
    let (out, _) = run(&cluster, "1.33");
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let (out, _) = run(&cluster, "");
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("usage: upgrade-control-plane 1.N"));
    assert_eq!(serving(&cluster).0, "1.34", "refusals changed nothing");
}

fn alive(pid: u32) -> bool {
    // A zombie still has a /proc entry; its state letter is Z.
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|s| {
            !s.rsplit(')')
                .next()
                .unwrap_or("")
                .trim_start()
                .starts_with('Z')
        })
        .unwrap_or(false)
}

/// A test that panics after the command restarted kube-apiserver leaves
/// nothing running: the restarted process is the cluster's child like the
/// first, and the command's endpoint stops with the cluster.
#[test]
fn a_panic_after_an_upgrade_leaves_nothing_running() {
    let _w = watchdog();
    let (tx, rx) = std::sync::mpsc::channel();
    let failed = std::thread::spawn(move || {
        let cluster = at_1_33();
        let before = cluster.pids();
        let (out, _) = run(&cluster, "1.34");
        assert!(out.status.success(), "{}", text(&out));
        let after = cluster.pids();
        assert!(
            after.iter().any(|p| !before.contains(p)),
            "a new kube-apiserver"
        );
        tx.send((after, cluster.upgrade_command())).unwrap();
        panic!("on purpose, with the upgraded cluster alive");
    })
    .join();
    assert!(failed.is_err(), "the thread panicked");
    let (pids, script) = rx.recv().expect("pids sent before the panic");
    let left: Vec<u32> = pids.into_iter().filter(|p| alive(*p)).collect();
    assert!(left.is_empty(), "still running: {left:?}");
    // The script went with the cluster's directory.
    assert!(!script.exists(), "{}", script.display());
}
