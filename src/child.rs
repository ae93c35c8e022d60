//! Every child process eks-workshop starts (terraform, kubectl, flux, aws,
//! the tools `doctor` asks for their version) goes through [`Child`]: found
//! on PATH, no secret in its environment, stdin closed, a timeout, Ctrl-C
//! honoured, and failures turned into our errors.

use std::ffi::OsString;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use crate::error::{Error, Result};

const DEFAULT_TIMEOUT: Duration = Duration::from_secs(120);
const POLL: Duration = Duration::from_millis(10);
/// The address space a child may take: a kustomize build of a YAML "billion
/// laughs" from the fork stops here instead of taking the machine. Go's
/// runtime reserves address space generously, so this is well above what
/// kubectl, terraform or aws use.
const DEFAULT_MEMORY: u64 = 4 << 30;
/// What is kept of a child's stdout and of its stderr; the rest is read and
/// dropped, so the child never blocks on a full pipe.
const OUTPUT_CAP: usize = 16 << 20;

/// A command to run.
#[derive(Clone, Debug)]
pub(crate) struct Child {
    program: PathBuf,
    /// How messages name it: `terraform`, not `/usr/bin/terraform`.
    name: String,
    args: Vec<OsString>,
    dir: Option<PathBuf>,
    timeout: Duration,
    memory: u64,
    interrupted: Option<Arc<AtomicBool>>,
    /// Variables handed to this child on purpose (terraform's `TF_VAR_*`):
    /// values, secret ones too, go through the environment, never argv.
    env: Vars,
}

/// Environment variables given on purpose; `Debug` shows their names only.
#[derive(Clone, Default)]
struct Vars(Vec<(String, String)>);

impl std::fmt::Debug for Vars {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.0.iter().map(|(k, _)| k))
            .finish()
    }
}

/// What a finished child printed.
#[derive(Debug)]
pub(crate) struct Output {
    pub(crate) status: ExitStatus,
    pub(crate) stdout: Vec<u8>,
    pub(crate) stderr: Vec<u8>,
}

impl Child {
    /// `tool` from PATH, or [`Error::ToolMissing`] saying what it is for.
    pub(crate) fn find(tool: &'static str, needed_for: &str) -> Result<Child> {
        let path = which::which(tool).map_err(|_| Error::ToolMissing {
            tool,
            needed_for: needed_for.into(),
        })?;
        Ok(Child::at(&path).named(tool))
    }

    /// The program at `path`.
    pub(crate) fn at(path: &Path) -> Child {
        let name = path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        Child {
            program: path.to_path_buf(),
            name,
            args: Vec::new(),
            dir: None,
            timeout: DEFAULT_TIMEOUT,
            memory: DEFAULT_MEMORY,
            interrupted: None,
            env: Vars::default(),
        }
    }

    /// How messages name it, when the path says something else.
    pub(crate) fn named(mut self, name: &str) -> Child {
        self.name = name.into();
        self
    }

    pub(crate) fn args<I, S>(mut self, args: I) -> Child
    where
        I: IntoIterator<Item = S>,
        S: Into<OsString>,
    {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    pub(crate) fn dir(mut self, dir: &Path) -> Child {
        self.dir = Some(dir.to_path_buf());
        self
    }

    pub(crate) fn timeout(mut self, timeout: Duration) -> Child {
        self.timeout = timeout;
        self
    }

    /// The most address space it may take (`RLIMIT_AS`).
    pub(crate) fn memory(mut self, bytes: u64) -> Child {
        self.memory = bytes;
        self
    }

    /// Give the child `key=value` in its environment (never on its command
    /// line, where `ps` shows it).
    pub(crate) fn env(mut self, key: &str, value: &str) -> Child {
        self.env.0.push((key.to_string(), value.to_string()));
        self
    }

    /// Stop (and kill the child) when this flag is set by Ctrl-C.
    pub(crate) fn interrupted(mut self, flag: Arc<AtomicBool>) -> Child {
        self.interrupted = Some(flag);
        self
    }

    /// The command line as messages show it.
    pub(crate) fn shown(&self) -> String {
        let mut out = self.name.clone();
        for arg in &self.args {
            out.push(' ');
            out.push_str(&arg.to_string_lossy());
        }
        out
    }

    /// Run it to the end, whatever its exit status. Not starting, the
    /// timeout and Ctrl-C are errors (the child is killed).
    pub(crate) fn output(&self) -> Result<Output> {
        let mut command = Command::new(&self.program);
        command
            .args(&self.args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for var in crate::secrets::VARS {
            command.env_remove(var);
        }
        for (key, value) in &self.env.0 {
            command.env(key, value);
        }
        if let Some(dir) = &self.dir {
            command.current_dir(dir);
        }
        limit_memory(&mut command, self.memory);
        let failed = |message: String| Error::Command {
            command: self.shown(),
            message,
        };
        let started = Instant::now();
        let out = self.output_unlogged(command, failed);
        let outcome = match &out {
            Ok(o) => o.status.to_string(),
            Err(e) => format!("failed: {e}"),
        };
        crate::log::timed("child", &self.shown(), started.elapsed(), &outcome);
        out
    }

    fn output_unlogged(
        &self,
        mut command: Command,
        failed: impl Fn(String) -> Error,
    ) -> Result<Output> {
        let mut child = command.spawn().map_err(|e| failed(e.to_string()))?;
        let stdout = drain(child.stdout.take());
        let stderr = drain(child.stderr.take());
        let deadline = Instant::now() + self.timeout;
        let status = loop {
            if let Some(status) = child.try_wait().map_err(|e| failed(e.to_string()))? {
                break status;
            }
            let stopped = match &self.interrupted {
                Some(flag) => crate::error::check_interrupt(flag),
                None => Ok(()),
            };
            if stopped.is_err() || Instant::now() >= deadline {
                let _ = child.kill();
                let _ = child.wait();
                stopped?;
                return Err(Error::Timeout {
                    what: format!("`{}`", self.shown()),
                    detail: "it did not finish".into(),
                    after: self.timeout,
                });
            }
            std::thread::sleep(POLL);
        };
        Ok(Output {
            status,
            stdout: stdout.join().unwrap_or_default(),
            stderr: stderr.join().unwrap_or_default(),
        })
    }

    /// [`Child::output`], and a non-zero exit is an error quoting the end of
    /// its stderr.
    pub(crate) fn run(&self) -> Result<Output> {
        let out = self.output()?;
        if out.status.success() {
            return Ok(out);
        }
        let stderr = String::from_utf8_lossy(&out.stderr);
        let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
        let tail = crate::outside::one_line(&lines[lines.len().saturating_sub(5)..].join(" / "));
        let mut message = out.status.to_string();
        if let Some(dir) = &self.dir {
            message.push_str(&format!(" in {}", dir.display()));
        }
        if !tail.is_empty() {
            message.push_str(&format!(": {tail}"));
        }
        Err(Error::Command {
            command: self.shown(),
            message,
        })
    }
}

/// Read a pipe to its end on a thread, so a chatty child never blocks;
/// keep the first [`OUTPUT_CAP`] bytes.
fn drain<R: Read + Send + 'static>(pipe: Option<R>) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(pipe) = pipe {
            let mut pipe = pipe.take(OUTPUT_CAP as u64);
            let _ = pipe.read_to_end(&mut buf);
            let _ = std::io::copy(pipe.get_mut(), &mut std::io::sink());
        }
        buf
    })
}

/// `RLIMIT_AS` for the child, set between fork and exec.
#[cfg(unix)]
fn limit_memory(command: &mut Command, bytes: u64) {
    use std::os::unix::process::CommandExt;
    let limit = libc::rlimit {
        rlim_cur: bytes as libc::rlim_t,
        rlim_max: bytes as libc::rlim_t,
    };
    // SAFETY: setrlimit is async-signal-safe and touches only the child.
    unsafe {
        command.pre_exec(move || {
            if libc::setrlimit(libc::RLIMIT_AS, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
}

#[cfg(not(unix))]
fn limit_memory(_command: &mut Command, _bytes: u64) {}

#[cfg(test)]
mod tests {
    use super::*;

    fn sh(script: &str) -> Child {
        Child::at(Path::new("/bin/sh")).args(["-c", script])
    }

    #[test]
    fn the_child_gets_no_secret_and_no_stdin() {
        // SAFETY: tests in this module are the only ones touching these vars.
        unsafe { std::env::set_var("GH_TOKEN", "ghp_secret") };
        let out = sh("echo \"[${GITHUB_TOKEN-unset}][${GH_TOKEN-unset}]\"; cat")
            .run()
            .unwrap();
        assert_eq!(String::from_utf8_lossy(&out.stdout), "[unset][unset]\n");
    }

    #[test]
    fn a_failure_names_the_command_and_quotes_stderr() {
        let err = sh("echo one >&2; echo two >&2; exit 3").run().unwrap_err();
        let text = err.to_string();
        assert!(text.contains("sh -c"), "{text}");
        assert!(text.contains("3") && text.contains("one / two"), "{text}");
        // `output` leaves the status to the caller.
        assert!(!sh("exit 3").output().unwrap().status.success());
    }

    #[test]
    fn a_child_past_its_timeout_is_killed_and_is_a_timeout() {
        let started = Instant::now();
        let err = sh("sleep 600")
            .timeout(Duration::from_millis(100))
            .run()
            .unwrap_err();
        assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
        // Only a child left to sleep its ten minutes out gets near this.
        assert!(started.elapsed() < Duration::from_secs(300), "not killed");
    }

    #[test]
    fn a_child_gets_a_memory_limit_and_its_output_is_bounded() {
        let out = sh("ulimit -v").memory(256 << 20).run().unwrap();
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "262144");
        let out = sh("head -c 40000000 /dev/zero").run().unwrap();
        assert_eq!(out.stdout.len(), OUTPUT_CAP);
    }

    #[test]
    fn ctrl_c_stops_the_child() {
        let flag = Arc::new(AtomicBool::new(true));
        let err = sh("sleep 30").interrupted(flag).run().unwrap_err();
        assert!(matches!(err, Error::Interrupted), "{err:?}");
    }

    #[test]
    fn a_missing_tool_says_what_it_is_needed_for() {
        let err = Child::find("eks-workshop-no-such-tool", "testing").unwrap_err();
        assert!(matches!(err, Error::ToolMissing { needed_for, .. } if needed_for == "testing"));
    }
}
