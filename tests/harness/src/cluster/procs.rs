//! The rig's child processes: each in its own process group, output to a log
//! file, stopped by signalling the whole group.
//!
//! [`Procs`] is a shared handle (clones see the same children): kube-apiserver
//! is restarted from the thread behind the upgrade command
//! (`cluster/upgrade.rs`) while the test's thread waits on terraform, and the
//! restarted process must still be one of the children stopped on drop. The
//! children are stopped when the last handle goes.
//!
//! Children are spawned from one thread that lives exactly as long as the
//! [`Procs`] handle, and each asks the kernel (`PR_SET_PDEATHSIG`) to be killed
//! when that thread ends. So a test process that dies without unwinding (killed
//! by a timeout, `abort`) still leaves nothing behind, while a cluster kept in a
//! `static` and used by several test threads keeps running.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, MutexGuard, mpsc};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How long a process group gets between SIGTERM and SIGKILL.
const GRACE: Duration = Duration::from_secs(3);

type Request = (Command, mpsc::Sender<std::io::Result<Child>>);

/// One running child.
pub(crate) struct Proc {
    pub name: String,
    pub log: PathBuf,
    child: Child,
}

impl Proc {
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// `Some(status)` once the process has exited.
    pub fn exited(&mut self) -> Option<std::process::ExitStatus> {
        self.child.try_wait().ok().flatten()
    }
}

/// Every child of one cluster, and the thread that spawned them; cloning
/// shares them.
#[derive(Clone)]
pub(crate) struct Procs(Arc<Mutex<Inner>>);

struct Inner {
    log_dir: PathBuf,
    running: Vec<Proc>,
    tx: Option<mpsc::Sender<Request>>,
    thread: Option<JoinHandle<()>>,
}

impl Procs {
    /// The children, even when a thread panicked holding them (what is left
    /// must still be stopped).
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn new(log_dir: &Path) -> Procs {
        std::fs::create_dir_all(log_dir).expect("cluster: create log dir");
        let (tx, rx) = mpsc::channel::<Request>();
        let thread = std::thread::Builder::new()
            .name("cluster-spawner".into())
            .spawn(move || {
                for (mut cmd, reply) in rx {
                    let _ = reply.send(cmd.spawn());
                }
            })
            .expect("cluster: start spawner thread");
        Procs(Arc::new(Mutex::new(Inner {
            log_dir: log_dir.to_path_buf(),
            running: Vec::new(),
            tx: Some(tx),
            thread: Some(thread),
        })))
    }

    /// Starts `program args` in a new process group with stdout and stderr
    /// going to a fresh `<log_dir>/<name>.log`; returns its pid. A fresh
    /// log, because readers look for the first line of a kind (a Flux
    /// controller's health address): one started again on another port
    /// must not be found at the old one's.
    pub fn spawn(&self, name: &str, cmd: Command) -> u32 {
        self.start(name, cmd, false)
    }

    /// [`Procs::spawn`], appending to the log: kube-apiserver restarted at
    /// another version continues its log after the old process's lines.
    pub fn respawn(&self, name: &str, cmd: Command) -> u32 {
        self.start(name, cmd, true)
    }

    fn start(&self, name: &str, mut cmd: Command, append: bool) -> u32 {
        let log = self.log_path(name);
        let mut inner = self.lock();
        let out = std::fs::OpenOptions::new()
            .create(true)
            .write(true)
            .append(append)
            .truncate(!append)
            .open(&log)
            .unwrap_or_else(|e| panic!("cluster: open {log:?}: {e}"));
        let err = out.try_clone().expect("cluster: dup log file");
        cmd.stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .process_group(0);
        // SAFETY: prctl is async-signal-safe and touches no memory of the parent.
        unsafe {
            cmd.pre_exec(|| {
                if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let (reply_tx, reply_rx) = mpsc::channel();
        let tx = inner.tx.as_ref().expect("spawner running");
        tx.send((cmd, reply_tx))
            .expect("cluster: spawner thread gone");
        let child = reply_rx
            .recv()
            .expect("cluster: spawner thread gone")
            .unwrap_or_else(|e| panic!("cluster: start {name}: {e}"));
        let pid = child.id();
        inner.running.push(Proc {
            name: name.to_string(),
            log,
            child,
        });
        pid
    }

    /// Where the log of `name` is (or will be), running or not.
    pub fn log_path(&self, name: &str) -> PathBuf {
        self.lock().log_dir.join(format!("{name}.log"))
    }

    /// Each running child's name and log file, oldest first.
    pub fn logs(&self) -> Vec<(String, PathBuf)> {
        let inner = self.lock();
        inner
            .running
            .iter()
            .map(|p| (p.name.clone(), p.log.clone()))
            .collect()
    }

    /// Each running child's pid, oldest first.
    pub fn pids(&self) -> Vec<u32> {
        self.lock().running.iter().map(Proc::pid).collect()
    }

    /// Panics with the log's tail if any child has exited.
    pub fn assert_running(&self) {
        let mut inner = self.lock();
        for p in &mut inner.running {
            if let Some(status) = p.child.try_wait().ok().flatten() {
                panic!(
                    "cluster: {} exited ({status}); the end of {}:\n{}",
                    p.name,
                    p.log.display(),
                    tail(&p.log, 40)
                );
            }
        }
    }

    /// The exit status of `name` and the end of its log, once it has exited.
    pub fn exited(&self, name: &str) -> Option<(std::process::ExitStatus, String)> {
        let mut inner = self.lock();
        let p = inner.running.iter_mut().find(|p| p.name == name)?;
        let status = p.exited()?;
        Some((status, tail(&p.log, 40)))
    }

    /// Stops `name` (if running) and forgets it.
    pub fn stop(&self, name: &str) {
        let mut inner = self.lock();
        let (stopping, kept) = inner.running.drain(..).partition(|p| p.name == name);
        inner.running = kept;
        stop_all(stopping);
    }
}

impl Inner {
    /// Stops every child, newest first and one at a time: kube-apiserver hangs
    /// on SIGTERM when etcd has already gone, so etcd must outlive it.
    fn stop_everything(&mut self) {
        while let Some(p) = self.running.pop() {
            stop_all(vec![p]);
        }
    }
}

fn signal_group(p: &Proc, sig: libc::c_int) {
    // The child leads its own group (process_group(0)), so its pid is the pgid.
    let pgid = p.child.id() as libc::pid_t;
    // SAFETY: plain syscall; a gone group answers ESRCH, which is fine.
    unsafe {
        libc::kill(-pgid, sig);
    }
}

fn stop_all(mut procs: Vec<Proc>) {
    for p in &procs {
        signal_group(p, libc::SIGTERM);
    }
    let deadline = Instant::now() + GRACE;
    while Instant::now() < deadline && procs.iter_mut().any(|p| p.exited().is_none()) {
        std::thread::sleep(Duration::from_millis(50));
    }
    for p in &mut procs {
        // Even an exited leader may have left group members behind.
        signal_group(p, libc::SIGKILL);
        let _ = p.child.wait();
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        if std::thread::panicking() {
            for p in &self.running {
                eprintln!("--- {} ({}), last lines:", p.name, p.log.display());
                eprintln!("{}", tail(&p.log, 25));
            }
        }
        self.stop_everything();
        // Closing the channel ends the spawner thread.
        self.tx.take();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// The last `n` lines of a file (empty if unreadable).
pub(crate) fn tail(path: &Path, n: usize) -> String {
    let Ok(f) = File::open(path) else {
        return String::new();
    };
    let lines: Vec<String> = BufReader::new(f).lines().map_while(Result::ok).collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}
