//! One small builder that runs the real `eks-workshop` binary in a temp dir,
//! with a clean environment (no GITHUB_* or AWS_* from the developer's shell).

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub const BIN: &str = env!("CARGO_BIN_EXE_eks-workshop");

/// The repository root (for `templates/values.example.yaml`, `workshop/`).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn example_values() -> PathBuf {
    repo_root().join("templates/values.example.yaml")
}

/// The rig's `bin/`, holding the kubectl tests/setup.sh built from the same
/// Kubernetes as the rig's API server; panics, naming that script, when
/// kubectl is not there. What the binary under test finds on PATH changes
/// what it checks (`verify` and the push preflight build kustomizations
/// with kubectl), so tests never leave that to the machine.
pub fn rig_bin() -> PathBuf {
    let kubectl = harness::cluster::Rig::locate().kubectl();
    kubectl.parent().expect("kubectl is in bin/").to_path_buf()
}

/// A PATH for the binary under test: `first` (stubs), the rig's `bin/`, then
/// this process's PATH (git, sh, ...).
pub fn path_with(first: &[&Path]) -> String {
    harness::fixtures::path_with_rig(first)
}

/// A temp working dir (`--dir`) and the environment every command there gets.
pub struct Workshop {
    pub tmp: tempfile::TempDir,
    env: Vec<(String, String)>,
}

impl Workshop {
    pub fn new() -> Workshop {
        Workshop {
            tmp: tempfile::tempdir().expect("tempdir"),
            env: Vec::new(),
        }
    }

    pub fn dir(&self) -> &Path {
        self.tmp.path()
    }

    /// The clone: `DIR/<repo name>` for the default upstream.
    pub fn clone_dir(&self) -> PathBuf {
        self.dir().join("eks-cluster-upgrades-workshop")
    }

    /// Set an environment variable for every later command.
    pub fn env(mut self, key: &str, value: &str) -> Workshop {
        self.env.push((key.into(), value.into()));
        self
    }

    /// `eks-workshop --dir DIR <args>`.
    pub fn cmd(&self, args: &[&str]) -> Cmd {
        let mut command = Command::new(BIN);
        command.arg("--dir").arg(self.dir()).args(args);
        harness::fixtures::isolate(&mut command, self.dir());
        for (k, v) in &self.env {
            command.env(k, v);
        }
        command.stdin(Stdio::null());
        Cmd { command }
    }

    /// `setup --offline --yes --values <example> <extra>`.
    pub fn setup_offline_with(&self, extra: &[&str]) -> Outcome {
        let values = example_values();
        let mut args = vec![
            "setup",
            "--offline",
            "--yes",
            "--values",
            values.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        self.cmd(&args).run()
    }

    /// `setup --offline --yes --values <example>` and assert it succeeded.
    pub fn setup_offline(&self) -> Outcome {
        self.setup_offline_with(&[]).success()
    }

    /// `status -o json`, asserting that no step is recorded as failed.
    pub fn assert_no_failed_step(&self) {
        let state = self.cmd(&["status", "-o", "json"]).run().success().json();
        let steps = state["steps"].as_array().expect("steps");
        assert!(steps.iter().all(|s| s["status"] != "failed"), "{state}");
    }

    /// `git -C <clone> <args>`, stdout trimmed.
    pub fn git(&self, args: &[&str]) -> String {
        git(&self.clone_dir(), args)
    }
}

/// Run the git CLI in `dir`; panics with stderr on failure. Only the end is
/// trimmed: `status --porcelain` lines start with a meaningful space.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim_end().to_string()
}

pub struct Cmd {
    pub command: Command,
}

impl Cmd {
    pub fn env(mut self, key: &str, value: &str) -> Cmd {
        self.command.env(key, value);
        self
    }

    /// Run it in a terminal (a pty from `script`, util-linux) with `input`
    /// typed ahead; `stdout` is the screen (escapes left in), `stderr` empty.
    pub fn in_pty(self, input: &[u8]) -> Outcome {
        use std::io::Write;
        let quote =
            |s: &std::ffi::OsStr| format!("'{}'", s.to_string_lossy().replace('\'', "'\\''"));
        let line: Vec<String> = std::iter::once(self.command.get_program())
            .chain(self.command.get_args())
            .map(quote)
            .collect();
        let mut script = Command::new("script");
        script.args(["-qec", &line.join(" "), "/dev/null"]);
        for (key, value) in self.command.get_envs() {
            match value {
                Some(value) => script.env(key, value),
                None => script.env_remove(key),
            };
        }
        let mut child = script
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("`script` (util-linux) runs the command in a pty");
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(input).unwrap();
        // Keep the pty's input open until the run is done.
        let out = child.wait_with_output().unwrap();
        drop(stdin);
        Outcome::of(out)
    }

    pub fn run(mut self) -> Outcome {
        Outcome::of(self.command.output().expect("eks-workshop runs"))
    }

    /// Run it with a watchdog: killed (and the test failed) past `limit`, so
    /// a hang is a failure with a message, not a stuck suite. Also returns
    /// the program's peak resident memory in KiB: the kernel's high-water
    /// mark of its own address space (`VmHWM`), read until it exits; the
    /// rusage figure would count the test process's pages the child
    /// inherited between fork and exec.
    // The child is reaped by `waitpid` below, not by std's `wait`, so that
    // its /proc entry can be read up to its exit.
    #[allow(clippy::zombie_processes)]
    pub fn run_within(mut self, limit: std::time::Duration) -> (Outcome, u64) {
        use std::io::Read;
        let mut child = self
            .command
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("eks-workshop runs");
        let drain = |pipe: Option<Box<dyn Read + Send>>| {
            std::thread::spawn(move || {
                let mut buf = Vec::new();
                if let Some(mut p) = pipe {
                    let _ = p.read_to_end(&mut buf);
                }
                buf
            })
        };
        let out = drain(
            child
                .stdout
                .take()
                .map(|p| Box::new(p) as Box<dyn Read + Send>),
        );
        let err = drain(
            child
                .stderr
                .take()
                .map(|p| Box::new(p) as Box<dyn Read + Send>),
        );
        let pid = child.id() as libc::pid_t;
        let started = std::time::Instant::now();
        let high_water = || {
            let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
            let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
            line.split_whitespace().nth(1)?.parse::<u64>().ok()
        };
        let mut peak = 0;
        let status = loop {
            peak = peak.max(high_water().unwrap_or(0));
            let mut status = 0;
            // SAFETY: waitpid reaps only our own child.
            let got = unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) };
            if got == pid {
                break status;
            }
            if started.elapsed() > limit {
                let _ = child.kill();
                let _ = child.wait(); // reaped, not left a zombie
                panic!("{:?} still ran after {limit:?}: it hangs", self.command);
            }
            std::thread::sleep(std::time::Duration::from_millis(5));
        };
        let code = if libc::WIFEXITED(status) {
            libc::WEXITSTATUS(status)
        } else {
            -1
        };
        let outcome = Outcome {
            code,
            stdout: String::from_utf8_lossy(&out.join().unwrap()).into_owned(),
            stderr: String::from_utf8_lossy(&err.join().unwrap()).into_owned(),
        };
        (outcome, peak)
    }
}

#[derive(Debug)]
pub struct Outcome {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Outcome {
    fn of(out: Output) -> Outcome {
        Outcome {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    pub fn success(self) -> Outcome {
        self.code(0)
    }

    /// Assert the exit code, showing the output when it differs.
    pub fn code(self, expected: i32) -> Outcome {
        assert_eq!(
            self.code, expected,
            "exit code\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }

    /// Every bad-input test goes through here: exit `code`, an `error:` line,
    /// stderr naming `needle`, and a message that ends with a `help:` line
    /// saying what to do (not empty, and after the error).
    pub fn bad(self, code: i32, needle: &str) -> Outcome {
        let out = self.code(code).stderr_has(needle);
        let lines: Vec<&str> = out
            .stderr
            .lines()
            .filter(|l| !l.trim().is_empty())
            .collect();
        let error = lines.iter().position(|l| l.starts_with("error: "));
        let last = lines.last().copied().unwrap_or_default();
        assert!(
            error.is_some_and(|at| at + 1 < lines.len()),
            "no `error:` line followed by more:\n{}",
            out.stderr
        );
        let help = last.strip_prefix("help: ").map(str::trim);
        assert!(
            help.is_some_and(|h| !h.is_empty()),
            "the message does not end with a `help:` line:\n{}",
            out.stderr
        );
        out
    }

    pub fn stderr_has(self, needle: &str) -> Outcome {
        assert!(
            self.stderr.contains(needle),
            "stderr lacks {needle:?}:\n{}",
            self.stderr
        );
        self
    }

    pub fn stdout_has(self, needle: &str) -> Outcome {
        assert!(
            self.stdout.contains(needle),
            "stdout lacks {needle:?}:\n{}",
            self.stdout
        );
        self
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(self.stdout.trim())
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }
}
