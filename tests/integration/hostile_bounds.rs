//! A hostile world, one test per row of the README's "Bad input" table from
//! issue 22: inputs that never end, files that are directories, directories
//! that are files, a directory nothing may be written to, a full disk. Each
//! gives a classed exit code and a `help:` line, never a crash or a hang.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::support::{BIN, Cmd, Outcome, Workshop, example_values};

/// `setup --offline --yes --values <values>`.
fn setup_with_values(w: &Workshop, values: &Path) -> Outcome {
    let values = values.to_str().unwrap();
    w.cmd(&["setup", "--offline", "--yes", "--values", values])
        .run()
}

/// `eks-workshop --dir <dir> <args>`: the support's `Workshop::cmd` always
/// passes its own temp dir.
fn cmd_with_dir(w: &Workshop, dir: &Path, args: &[&str]) -> Cmd {
    let mut command = Command::new(BIN);
    command
        .arg("--dir")
        .arg(dir)
        .args(args)
        .env("NO_COLOR", "1")
        .env("HOME", w.dir())
        .env_remove("GITHUB_TOKEN")
        .env_remove("KUBECONFIG")
        .stdin(Stdio::null());
    Cmd { command }
}

/// `cmd` run by `wrapper` (its program and arguments first), with the same
/// environment: for prlimit and unshare.
fn wrapped(cmd: Cmd, wrapper: &[&str]) -> Cmd {
    let inner = &cmd.command;
    let mut command = Command::new(wrapper[0]);
    command
        .args(&wrapper[1..])
        .arg(inner.get_program())
        .args(inner.get_args());
    for (key, value) in inner.get_envs() {
        match value {
            Some(value) => command.env(key, value),
            None => command.env_remove(key),
        };
    }
    command.stdin(Stdio::null());
    Cmd { command }
}

/// After a refused first run: no clone, no remote.
fn nothing_written(w: &Workshop) {
    assert!(!w.clone_dir().exists(), "a clone was made");
    assert!(!w.dir().join(".eks-workshop/remote").exists());
}

/// Under a 1 GiB address-space limit an unbounded read of /dev/zero, or of
/// a 1 GiB (sparse) file, dies of a failed allocation; the bounded reader
/// refuses the device at once and reads at most 4 MiB + 1 byte of the file.
#[test]
fn values_from_dev_zero_are_refused_within_a_memory_limit() {
    let w = Workshop::new();
    let big = w.dir().join("big.yaml");
    std::fs::File::create(&big)
        .unwrap()
        .set_len(1 << 30)
        .unwrap();
    for (values, says) in [
        (
            "/dev/zero",
            "values file /dev/zero: is a device, not a regular file",
        ),
        (big.to_str().unwrap(), "big.yaml: is larger than 4 MiB"),
    ] {
        let cmd = w.cmd(&["setup", "--offline", "--yes", "--values", values]);
        wrapped(cmd, &["prlimit", "--as=1073741824", "--"])
            .run()
            .bad(2, says);
        nothing_written(&w);
    }
}

#[test]
fn a_values_file_that_is_a_directory_is_a_usage_error() {
    let w = Workshop::new();
    let dir = w.dir().join("values.d");
    std::fs::create_dir(&dir).unwrap();
    setup_with_values(&w, &dir).bad(2, "is a directory, not a regular file");
    nothing_written(&w);
}

#[test]
fn a_values_file_of_binary_bytes_is_a_usage_error() {
    let w = Workshop::new();
    let file = w.dir().join("v.yaml");
    std::fs::write(&file, b"aws_region: \xff\xfe\x00us-west-2\n").unwrap();
    setup_with_values(&w, &file).bad(2, "is not UTF-8 text");
    nothing_written(&w);
}

fn state_file(w: &Workshop) -> PathBuf {
    w.dir().join(".eks-workshop/state.json")
}

#[test]
fn a_state_file_of_random_bytes_is_corrupt_not_an_io_error() {
    let w = Workshop::new();
    w.setup_offline();
    let bytes: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    std::fs::write(state_file(&w), &bytes).unwrap();
    w.cmd(&["status"])
        .run()
        .bad(1, "is unreadable: is not UTF-8 text")
        .stderr_has("setup --restart");
    assert_eq!(
        std::fs::read(state_file(&w)).unwrap(),
        bytes,
        "left as it was"
    );
}

#[test]
fn a_state_file_that_is_a_directory_is_corrupt() {
    let w = Workshop::new();
    w.setup_offline();
    std::fs::remove_file(state_file(&w)).unwrap();
    std::fs::create_dir(state_file(&w)).unwrap();
    w.cmd(&["status"])
        .run()
        .bad(1, "is unreadable: is a directory, not a regular file")
        .stderr_has("move ");
}

#[test]
fn a_lock_file_that_is_a_directory_says_to_move_it() {
    let w = Workshop::new();
    w.setup_offline();
    let lock = w.dir().join(".eks-workshop/lock");
    std::fs::remove_file(&lock).unwrap();
    std::fs::create_dir(&lock).unwrap();
    w.setup_offline_with(&[])
        .bad(1, "lock could not be opened")
        .stderr_has("it is a directory: move it away");
}

/// Clears the immutable flag again, so the temp dir can be removed.
struct Immutable(PathBuf);

impl Immutable {
    /// `chattr +i dir`, or None where the filesystem or the user cannot.
    fn set(dir: &Path) -> Option<Immutable> {
        let set = Command::new("chattr").arg("+i").arg(dir).status();
        set.is_ok_and(|s| s.success())
            .then(|| Immutable(dir.to_path_buf()))
    }
}

impl Drop for Immutable {
    fn drop(&mut self) {
        let _ = Command::new("chattr").arg("-i").arg(&self.0).status();
    }
}

/// Root ignores permission bits, so an immutable directory stands for a
/// state dir nothing may be written to.
#[test]
fn an_immutable_state_dir_is_an_error_saying_what_to_check() {
    let w = Workshop::new();
    w.setup_offline();
    let work = w.dir().join(".eks-workshop");
    let Some(_flag) = Immutable::set(&work) else {
        eprintln!("skipped: `chattr +i` is not possible here");
        return;
    };
    w.setup_offline_with(&[])
        .bad(1, "could not be written")
        .stderr_has("lsattr");
}

/// A full disk, made with a 200 KiB tmpfs over --dir in a mount namespace of
/// the run's own (gone when it exits). Skipped where mounting is not allowed.
#[test]
fn a_full_disk_says_to_free_space() {
    let w = Workshop::new();
    let probe = Command::new("unshare")
        .args(["-m", "true"])
        .stderr(Stdio::null())
        .status();
    if !probe.is_ok_and(|s| s.success()) {
        eprintln!("skipped: no mount namespace here (`unshare -m`)");
        return;
    }
    let dir = w.dir().to_str().unwrap().to_string();
    let mount = "mount -t tmpfs -o size=200k tmpfs \"$0\" && exec \"$@\"";
    let values = example_values();
    let values = values.to_str().unwrap();
    let cmd = w.cmd(&["setup", "--offline", "--yes", "--values", values]);
    let out = wrapped(cmd, &["unshare", "-m", "sh", "-c", mount, &dir]).run();
    out.bad(1, "No space left on device")
        .stderr_has("help: free space on");
}

#[test]
fn a_bundle_into_a_missing_directory_is_refused_before_any_work() {
    let w = Workshop::new();
    let file = w.dir().join("no-such-dir/bundle.tar.gz");
    w.cmd(&["doctor", "--bundle", file.to_str().unwrap()])
        .run()
        .bad(2, "does not exist");
    assert!(!file.parent().unwrap().exists());
}

#[test]
fn a_bundle_never_overwrites_an_existing_file() {
    let w = Workshop::new();
    let file = w.dir().join("bundle.tar.gz");
    std::fs::write(&file, "mine").unwrap();
    w.cmd(&["doctor", "--bundle", file.to_str().unwrap()])
        .run()
        .bad(
            2,
            "bundle.tar.gz: the file exists, and is never overwritten",
        );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "mine");
    let left: Vec<_> = std::fs::read_dir(w.dir())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|n| n.to_string_lossy().contains("tmp"))
        .collect();
    assert!(left.is_empty(), "temp files left: {left:?}");
}

#[test]
fn status_with_a_file_as_dir_is_a_usage_error() {
    let w = Workshop::new();
    let file = w.dir().join("a-file");
    std::fs::write(&file, "x").unwrap();
    cmd_with_dir(&w, &file, &["status"])
        .run()
        .bad(2, "is not a directory");
    cmd_with_dir(&w, &file.join("below"), &["status"])
        .run()
        .bad(2, "is not a directory");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "x");
}

#[test]
fn an_upstream_with_path_components_is_refused() {
    for upstream in ["../x", "a/.", "a/..", "./x", "a/.git", "a/b/c"] {
        let w = Workshop::new();
        w.cmd(&["setup", "--offline", "--yes", "--upstream", upstream])
            .run()
            .bad(
                2,
                &format!("--upstream `{upstream}` is not a repository name"),
            )
            .stderr_has("OWNER/REPO");
        nothing_written(&w);
        let parent = w.dir().parent().unwrap();
        assert!(
            !parent.join("x").exists(),
            "{upstream}: wrote outside --dir"
        );
    }
}

#[test]
fn an_endpoint_with_an_empty_dns_label_is_refused() {
    let w = Workshop::new();
    let full = std::fs::read_to_string(example_values()).unwrap();
    let text: String = full
        .lines()
        .map(|l| {
            if l.starts_with("cluster_endpoint:") {
                "cluster_endpoint: https://x..com\n".to_string()
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    let file = w.dir().join("v.yaml");
    std::fs::write(&file, text).unwrap();
    setup_with_values(&w, &file)
        .bad(2, "`cluster_endpoint` is `https://x..com`")
        .stderr_has("help:");
    nothing_written(&w);
}

/// Read when the settings are resolved, before any step, and bounded: an
/// offline setup never installs Flux, yet /dev/zero is refused.
#[test]
fn flux_manifests_that_are_not_a_file_are_refused_before_any_work() {
    let w = Workshop::new();
    let dir = w.dir().join("manifests.d");
    std::fs::create_dir(&dir).unwrap();
    for (manifests, says) in [
        ("/dev/zero", "--flux-manifests /dev/zero is a device"),
        (dir.to_str().unwrap(), "manifests.d is a directory"),
    ] {
        w.setup_offline_with(&["--flux-manifests", manifests])
            .bad(2, says)
            .stderr_has("flux install --export");
        nothing_written(&w);
    }
}
