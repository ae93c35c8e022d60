//! Crash anywhere, resume: kill `setup` with SIGKILL at every step boundary
//! and at points inside steps, then `resume` (or `setup` again) must reach the
//! same end state as an uninterrupted run.

use std::io::{BufRead, BufReader};
use std::process::Stdio;

use crate::support::{Workshop, example_values, git};

/// Where the offline path can be stopped (see src/pause.rs).
const POINTS: &[&str] = &[
    "before:prerequisites",
    "before:fork",
    "ran:fork",
    "before:clone",
    "clone:before-rename",
    "ran:clone",
    "before:render",
    "render:mid",
    "ran:render",
    "before:addons",
    "ran:addons",
    "before:push",
    "push:after-commit",
    "push:after-push",
    "ran:push",
    "before:flux",
];

/// Start `eks-workshop <args>` paused at `point`, wait until it gets there,
/// and kill it with SIGKILL. Returns false if it finished without pausing.
pub fn kill_at(w: &Workshop, args: &[&str], point: &str) -> bool {
    let mut cmd = w.cmd(args).env("EKS_WORKSHOP_PAUSE_AT", point).command;
    cmd.stdout(Stdio::null()).stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn");
    let stderr = child.stderr.take().unwrap();
    let paused = BufReader::new(stderr)
        .lines()
        .map_while(Result::ok)
        .any(|line| line == format!("paused at {point}"));
    child.kill().expect("SIGKILL"); // std's kill is SIGKILL on Unix
    child.wait().unwrap();
    paused
}

/// The end state that matters: the remote branch's tree and commit subjects,
/// the clone's HEAD and cleanliness, a readable state file.
fn end_state(w: &Workshop) -> (String, Vec<String>, String) {
    let remote = w
        .dir()
        .join(".eks-workshop/remote/eks-cluster-upgrades-workshop.git");
    let tree = git(&remote, &["rev-parse", "main^{tree}"]);
    let subjects = git(&remote, &["log", "--format=%s", "main"])
        .lines()
        .map(str::to_string)
        .collect();
    assert_eq!(
        w.git(&["rev-parse", "HEAD"]),
        git(&remote, &["rev-parse", "main"]),
        "clone at the remote"
    );
    let status = w.git(&["status", "--porcelain"]);
    (tree, subjects, status)
}

fn setup_args(values: &str) -> Vec<&str> {
    vec![
        "setup",
        "--offline",
        "--yes",
        "--values",
        values,
        "--addons",
        "karpenter",
    ]
}

/// Whether the killed run left work for the next one: no state file yet, or
/// a step of the plan not recorded as done or skipped.
fn left_work(w: &Workshop) -> bool {
    let out = w.cmd(&["status", "--recorded", "-o", "json"]).run();
    if out.code != 0 {
        return true;
    }
    let state = out.json();
    let steps = state["steps"].as_array().expect("steps");
    steps
        .iter()
        .any(|s| s["status"] != "done" && s["status"] != "skipped")
}

/// Kill at `point` and finish with `finish`: `Ok` only for a real recovery
/// (the kill left work, the finish did it and ended as `expected` with no
/// step failed); `Err` says what happened instead.
fn crash_and_finish(
    values: &str,
    point: &str,
    finish: &str,
    expected: &(String, Vec<String>, String),
) -> Result<(), String> {
    let w = Workshop::new();
    if !kill_at(&w, &setup_args(values), point) {
        return Err(format!("never reached {point}"));
    }
    if !left_work(&w) {
        return Err(format!("a kill at {point} left nothing to recover"));
    }
    let out = if finish == "resume" {
        w.cmd(&["--yes", "resume"]).run()
    } else {
        w.cmd(&setup_args(values)).run()
    };
    if out.code != 0 {
        return Err(format!(
            "{finish} after a kill at {point}: exit {}\n{}\n{}",
            out.code, out.stdout, out.stderr
        ));
    }
    let ended = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let got = end_state(&w);
        w.assert_no_failed_step();
        got
    }))
    .map_err(|_| format!("{finish} after a kill at {point}: end state assertions failed"))?;
    if &ended != expected {
        return Err(format!(
            "{finish} after a kill at {point}:\n got {ended:?}\nwant {expected:?}"
        ));
    }
    Ok(())
}

#[test]
fn killed_anywhere_then_resumed_ends_like_an_uninterrupted_run() {
    let values = example_values();
    let values = values.to_str().unwrap();
    let reference = Workshop::new();
    reference.cmd(&setup_args(values)).run().success();
    let expected = end_state(&reference);
    assert_eq!(expected.1.len(), 2, "seed + one commit: {:?}", expected.1);
    assert!(
        !left_work(&reference),
        "an uninterrupted run leaves no work"
    );

    let mut recovered = 0;
    let mut failures = Vec::new();
    for point in POINTS {
        for finish in ["resume", "setup"] {
            match crash_and_finish(values, point, finish, &expected) {
                Ok(()) => recovered += 1,
                Err(why) => failures.push(why),
            }
        }
    }
    let tried = POINTS.len() * 2;
    eprintln!("kill points tried: {tried}, recovered: {recovered}");
    assert_eq!(
        recovered,
        tried,
        "{} of {tried} did not recover:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

#[test]
fn the_participants_edits_survive_a_kill_and_resume() {
    let values = example_values();
    let values = values.to_str().unwrap();
    let w = Workshop::new();
    w.cmd(&["setup", "--offline", "--yes", "--values", values])
        .run()
        .success();
    std::fs::write(w.clone_dir().join("notes.txt"), "mine\n").unwrap();
    assert!(kill_at(
        &w,
        &["enable-addon", "karpenter"],
        "push:after-commit"
    ));
    w.cmd(&["resume"]).run().success();
    assert_eq!(
        std::fs::read_to_string(w.clone_dir().join("notes.txt")).unwrap(),
        "mine\n"
    );
    let status = w.git(&["status", "--porcelain"]);
    assert_eq!(status, "?? notes.txt");
    let remote = w
        .dir()
        .join(".eks-workshop/remote/eks-cluster-upgrades-workshop.git");
    let log = git(&remote, &["log", "--format=%s", "main"]);
    assert_eq!(log.matches("Enable karpenter add-on").count(), 1, "{log}");
}

/// Start `eks-workshop <args>` paused at `point`; returns the child once it is there.
fn start_paused(
    w: &Workshop,
    args: &[&str],
    point: &str,
) -> (std::process::Child, BufReader<std::process::ChildStderr>) {
    let mut cmd = w.cmd(args).env("EKS_WORKSHOP_PAUSE_AT", point).command;
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn");
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let name = point.trim_end_matches('!');
    let mut line = String::new();
    let reached = loop {
        line.clear();
        if stderr.read_line(&mut line).unwrap() == 0 {
            break false;
        }
        if line.trim_end() == format!("paused at {name}") {
            break true;
        }
    };
    if !reached {
        child.wait().unwrap();
        panic!("exited before reaching {point}");
    }
    (child, stderr)
}

fn sigint(child: &std::process::Child) {
    let ok = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(ok.success());
}

/// Bound on a wait for the child that only a hang reaches.
const WATCHDOG: std::time::Duration = std::time::Duration::from_secs(60);

/// The child's stderr, line by line, read on a thread so a wait for a line
/// can give up.
fn lines_of(stderr: BufReader<std::process::ChildStderr>) -> std::sync::mpsc::Receiver<String> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in stderr.lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

/// Waits (within [`WATCHDOG`]) for a stderr line containing `what`; returns
/// the lines up to it. Kills the child and fails the test past the bound or
/// when stderr ends first.
fn wait_for_line(
    child: &mut std::process::Child,
    lines: &std::sync::mpsc::Receiver<String>,
    what: &str,
) -> Vec<String> {
    let deadline = std::time::Instant::now() + WATCHDOG;
    let mut seen = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        match lines.recv_timeout(left) {
            Ok(line) => {
                let found = line.contains(what);
                seen.push(line);
                if found {
                    return seen;
                }
            }
            Err(e) => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("no {what:?} on stderr ({e}); it said:\n{}", seen.join("\n"));
            }
        }
    }
}

/// The child's exit status; kills it and fails the test if it runs past `limit`.
fn wait_within(
    child: &mut std::process::Child,
    limit: std::time::Duration,
) -> std::process::ExitStatus {
    let deadline = std::time::Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("still running {limit:?} after the signal: killed (a missed signal hangs here)");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

fn rest(mut stderr: BufReader<std::process::ChildStderr>) -> String {
    let mut text = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut text).unwrap();
    text
}

#[test]
fn ctrl_c_stops_at_a_safe_point_saves_state_and_says_how_to_resume() {
    let values = example_values();
    let w = Workshop::new();
    let (mut child, stderr) = start_paused(&w, &setup_args(values.to_str().unwrap()), "ran:render");
    sigint(&child);
    let status = wait_within(&mut child, WATCHDOG);
    let mut stdout = String::new();
    std::io::Read::read_to_string(child.stdout.as_mut().unwrap(), &mut stdout).unwrap();
    let stderr = rest(stderr);
    assert_eq!(status.code(), Some(130), "{stdout}\n{stderr}");
    assert!(
        stderr.contains("stopping at the next safe point"),
        "{stderr}"
    );
    assert!(
        stdout.contains("eks-workshop resume") || stderr.contains("eks-workshop resume"),
        "{stdout}\n{stderr}"
    );
    // The step in flight finished and was recorded; nothing after it ran.
    let state = w.cmd(&["status", "-o", "json"]).run().success().json();
    let of = |id: &str| {
        state["steps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["step"] == id)
            .unwrap()["status"]
            .clone()
    };
    assert_eq!(of("render"), "done");
    assert_eq!(of("addons"), "pending");
    w.cmd(&["resume"]).run().success();
    let remote = w
        .dir()
        .join(".eks-workshop/remote/eks-cluster-upgrades-workshop.git");
    assert_eq!(git(&remote, &["rev-list", "--count", "main"]), "2");
}

#[test]
fn a_second_ctrl_c_aborts_at_once() {
    let values = example_values();
    let w = Workshop::new();
    let (mut child, stderr) = start_paused(
        &w,
        &setup_args(values.to_str().unwrap()),
        "push:after-commit!",
    );
    let lines = lines_of(stderr);
    sigint(&child);
    // The second Ctrl-C only once the first was taken: the run says so.
    let mut seen = wait_for_line(&mut child, &lines, "stopping at the next safe point");
    sigint(&child);
    let status = wait_within(&mut child, WATCHDOG);
    seen.extend(lines.iter());
    let stderr = seen.join("\n");
    assert_eq!(status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("aborted"), "{stderr}");
    w.cmd(&["resume"]).run().success();
    let remote = w
        .dir()
        .join(".eks-workshop/remote/eks-cluster-upgrades-workshop.git");
    assert_eq!(
        git(&remote, &["rev-list", "--count", "main"]),
        "2",
        "exactly one commit after the abort"
    );
}

#[test]
fn two_runs_at_once_one_proceeds_the_other_exits_5_at_once() {
    let values = example_values();
    let values = values.to_str().unwrap();
    let w = Workshop::new();
    let (mut first, _stderr) = start_paused(&w, &setup_args(values), "before:clone");
    // The first run holds the lock for as long as it is paused: a second
    // run that waited for it instead of exiting would hang, and the
    // watchdog would say so.
    w.cmd(&setup_args(values))
        .run_within(WATCHDOG)
        .0
        .bad(5, "another eks-workshop run");
    first.kill().unwrap();
    first.wait().unwrap();
    w.cmd(&["resume"]).run().success();
    w.assert_no_failed_step();
}

/// SIGKILL inside `fsx::write_atomic`, after the new state is written to its
/// temp file and before the rename: the state file is the previous one,
/// whole and readable, and the command run again finishes.
#[test]
fn a_kill_while_the_state_file_is_written_leaves_the_previous_state() {
    use std::os::unix::fs::PermissionsExt;
    let w = Workshop::new();
    w.setup_offline();
    let dir = w.dir().join(".eks-workshop");
    let before = std::fs::read_to_string(dir.join("state.json")).unwrap();
    let args = ["enable-addon", "karpenter"];
    assert!(
        kill_at(&w, &args, "write:state.json"),
        "paused in the write"
    );
    // The kill came between the two halves: the new state is in the temp file.
    let temps: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with(".state.json.tmp")
        })
        .collect();
    let [temp] = temps.as_slice() else {
        panic!("one temp file: {temps:?}")
    };
    let new = std::fs::read_to_string(temp).unwrap();
    assert_ne!(new, before, "the temp file holds the new state");
    serde_json::from_str::<serde_json::Value>(&new).expect("written whole");
    let mode = std::fs::metadata(temp).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "the temp file is private too");
    assert_eq!(
        std::fs::read_to_string(dir.join("state.json")).unwrap(),
        before,
        "the previous state, untouched"
    );
    w.cmd(&["status", "-o", "json"]).run().success();
    w.cmd(&args).run().success();
    let enabled = w.git(&["show", "HEAD:gitops/add-ons/kustomization.yaml"]);
    assert!(enabled.contains("\n  - 02-karpenter.yaml"), "{enabled}");
    assert_ne!(
        std::fs::read_to_string(dir.join("state.json")).unwrap(),
        before
    );
}
