//! Bad input, one test per row of the README's table: each checks the exit
//! code, that the message names what was wrong and says what to do (`help:`),
//! and that nothing was lost or half-written.

use std::path::Path;

use crate::support::{Workshop, example_values, git};

/// After a refused first run: no clone, no remote, no state (or a valid one).
fn nothing_written(w: &Workshop) {
    assert!(!w.clone_dir().exists(), "a clone was made");
    assert!(
        !w.dir().join(".eks-workshop/remote").exists(),
        "a remote was made"
    );
    let state = w.dir().join(".eks-workshop/state.json");
    if state.exists() {
        let text = std::fs::read_to_string(&state).unwrap();
        serde_json::from_str::<serde_json::Value>(&text).expect("state file is valid JSON");
    }
    assert!(!w.dir().join(".eks-workshop/partial-clone").exists());
}

fn setup_with_values(w: &Workshop, values: &Path) -> crate::support::Outcome {
    w.cmd(&[
        "setup",
        "--offline",
        "--yes",
        "--values",
        values.to_str().unwrap(),
    ])
    .run()
}

fn write(w: &Workshop, name: &str, text: &str) -> std::path::PathBuf {
    let path = w.dir().join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn values_file_missing() {
    let w = Workshop::new();
    setup_with_values(&w, &w.dir().join("nope.yaml")).bad(2, "nope.yaml");
    nothing_written(&w);
}

#[test]
fn values_file_not_yaml() {
    let w = Workshop::new();
    let v = write(&w, "v.yaml", "karpenter_irsa: [unclosed\n");
    setup_with_values(&w, &v).bad(2, "v.yaml");
    nothing_written(&w);
}

#[test]
fn values_file_with_an_unknown_key() {
    let w = Workshop::new();
    let v = write(&w, "v.yaml", "karpenter_irsaa: arn:aws:iam::1:role/x\n");
    setup_with_values(&w, &v).bad(2, "karpenter_irsaa");
    nothing_written(&w);
}

#[test]
fn values_file_nested_but_not_terraform_json() {
    let w = Workshop::new();
    let v = write(&w, "v.json", r#"{"karpenter_irsa": {"arn": "x"}}"#);
    setup_with_values(&w, &v).bad(2, "v.json");
    nothing_written(&w);
}

#[test]
fn values_missing_a_key_under_yes() {
    let w = Workshop::new();
    let full = std::fs::read_to_string(example_values()).unwrap();
    let text: String = full
        .lines()
        .filter(|l| !l.starts_with("cluster_endpoint:"))
        .map(|l| format!("{l}\n"))
        .collect();
    let v = write(&w, "v.yaml", &text);
    setup_with_values(&w, &v).bad(2, "cluster_endpoint");
    assert_eq!(
        w.git(&["status", "--porcelain"]),
        "",
        "nothing half-rendered"
    );
}

#[test]
fn terraform_dir_without_terraform_installed() {
    let w = Workshop::new();
    let tf = w.dir().join("tf");
    std::fs::create_dir(&tf).unwrap();
    w.cmd(&[
        "setup",
        "--offline",
        "--yes",
        "--terraform-dir",
        tf.to_str().unwrap(),
    ])
    .env("PATH", "/nonexistent")
    .run()
    .bad(2, "terraform");
    nothing_written(&w);
}

#[test]
fn malformed_addons_kustomization() {
    let w = Workshop::new();
    w.setup_offline();
    let path = w.clone_dir().join("gitops/add-ons/kustomization.yaml");
    let broken = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n";
    std::fs::write(&path, broken).unwrap();
    let head = w.git(&["rev-parse", "HEAD"]);
    w.cmd(&["enable-addon", "karpenter"])
        .run()
        .bad(2, "kustomization.yaml");
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        broken,
        "their file untouched"
    );
    assert_eq!(w.git(&["rev-parse", "HEAD"]), head, "no commit");
}

/// `BIN --dir DIR setup --offline ...` (no token, no terminal), started as
/// `program` with `before` ahead of the binary's path when given.
fn setup_in(dir: &Path, wrapper: Option<(&str, &[&std::ffi::OsStr])>) -> crate::support::Cmd {
    let mut c = match wrapper {
        Some((program, before)) => {
            let mut c = std::process::Command::new(program);
            c.args(before).arg(crate::support::BIN);
            c
        }
        None => std::process::Command::new(crate::support::BIN),
    };
    let values = example_values();
    c.arg("--dir")
        .arg(dir)
        .args(["setup", "--offline", "--yes", "--values"])
        .arg(values);
    c.env("NO_COLOR", "1")
        .env_remove("GITHUB_TOKEN")
        .stdin(std::process::Stdio::null());
    crate::support::Cmd { command: c }
}

#[test]
fn dir_not_writable() {
    let w = Workshop::new();
    let dir = w.dir().join("read-only");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("mine.txt"), "x").unwrap();
    // Root ignores permission bits: there the binary runs in a mount
    // namespace of its own (`unshare -m`, util-linux) where the directory is
    // a read-only bind mount of itself; nothing outside sees the mount.
    // Anyone else: mode 0555 does it.
    let root = unsafe { libc::geteuid() } == 0;
    let out = if root {
        let script =
            r#"mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" "$1" && shift && exec "$@""#;
        let before = ["-m", "sh", "-c", script, "sh"].map(std::ffi::OsStr::new);
        let before = [&before[..], &[dir.as_os_str()]].concat();
        setup_in(&dir, Some(("unshare", &before))).run()
    } else {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o555)).unwrap();
        setup_in(&dir, None).run()
    };
    let out = out.bad(2, "cannot write to --dir");
    assert!(
        out.stderr.contains(&dir.display().to_string()),
        "{}",
        out.stderr
    );
    let left: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, ["mine.txt"], "nothing written in --dir");
    if !root {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
}

#[test]
fn dir_is_a_regular_file() {
    let w = Workshop::new();
    let file = write(&w, "a-file", "x");
    let out = setup_in(&file, None).run().bad(2, "cannot write to --dir");
    assert!(out.stderr.contains("a-file"));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "x");
}

#[test]
fn clone_dir_occupied_by_something_else() {
    let w = Workshop::new();
    std::fs::create_dir(w.clone_dir()).unwrap();
    std::fs::write(w.clone_dir().join("mine.txt"), "precious").unwrap();
    setup_with_values(&w, &example_values())
        .bad(2, "is not a clone of")
        .stderr_has("not a git repository");
    assert_eq!(
        std::fs::read_to_string(w.clone_dir().join("mine.txt")).unwrap(),
        "precious"
    );
}

#[test]
fn clone_dir_is_a_clone_of_another_repository() {
    let w = Workshop::new();
    let other = w.dir().join("other.git");
    git(w.dir(), &["init", "-q", "--bare", other.to_str().unwrap()]);
    git(w.dir(), &["init", "-q", w.clone_dir().to_str().unwrap()]);
    w.git(&["remote", "add", "origin", other.to_str().unwrap()]);
    setup_with_values(&w, &example_values())
        .bad(2, "its origin is")
        .stderr_has("other.git");
    assert_eq!(
        w.git(&["remote", "get-url", "origin"]),
        other.to_str().unwrap()
    );
}

#[test]
fn clone_on_another_branch() {
    let w = Workshop::new();
    w.setup_offline();
    w.git(&["checkout", "-q", "-b", "experiment"]);
    w.cmd(&["enable-addon", "karpenter"])
        .run()
        .bad(2, "on branch experiment, not on main")
        .stderr_has("git -C");
    assert_eq!(w.git(&["branch", "--show-current"]), "experiment");
}

#[test]
fn invalid_upstream() {
    let w = Workshop::new();
    w.cmd(&["setup", "--offline", "--yes", "--upstream", "not a repo"])
        .run()
        .bad(2, "`not a repo` is not a repository name")
        .stderr_has("OWNER/REPO");
    nothing_written(&w);
}

#[test]
fn invalid_branch_name() {
    let w = Workshop::new();
    w.cmd(&["setup", "--offline", "--yes", "--branch", "bad..name"])
        .run()
        .bad(2, "not a valid branch name");
    nothing_written(&w);
}

#[test]
fn branch_missing_upstream() {
    let w = Workshop::new();
    w.setup_offline();
    let values = example_values();
    w.cmd(&[
        "setup",
        "--yes",
        "--branch",
        "feature",
        "--values",
        values.to_str().unwrap(),
    ])
    .run()
    .bad(2, "feature")
    .stderr_has("it has: main");
}

#[test]
fn invalid_github_api_url() {
    let w = Workshop::new();
    w.cmd(&["setup", "--yes", "--github-api-url", "not a url"])
        .run()
        .bad(2, "is not a URL")
        .stderr_has("api/v3");
    nothing_written(&w);
}

#[test]
fn invalid_timeout() {
    let w = Workshop::new();
    w.cmd(&["setup", "--timeout", "soon"])
        .run()
        .bad(2, "--timeout");
    nothing_written(&w);
}

#[test]
fn unknown_step_for_until() {
    let w = Workshop::new();
    w.cmd(&["setup", "--until", "deploy"])
        .run()
        .bad(2, "unknown step `deploy`");
    nothing_written(&w);
}

#[test]
fn non_interactive_run_needing_the_token() {
    let w = Workshop::new();
    let values = example_values();
    w.cmd(&["setup", "--yes", "--values", values.to_str().unwrap()])
        .run()
        .bad(2, "no value for `GITHUB_TOKEN`")
        .stderr_has("--yes forbids prompts")
        .stderr_has("help: set GITHUB_TOKEN");
    nothing_written(&w);
}

#[test]
fn stdin_not_a_terminal_for_the_token_prompt() {
    let w = Workshop::new();
    let values = example_values();
    w.cmd(&["setup", "--values", values.to_str().unwrap()])
        .run()
        .bad(2, "GITHUB_TOKEN")
        .stderr_has("standard input is not a terminal");
    nothing_written(&w);
}

#[test]
fn empty_token_is_the_same_as_none() {
    let w = Workshop::new();
    let values = example_values();
    w.cmd(&["setup", "--yes", "--values", values.to_str().unwrap()])
        .env("GITHUB_TOKEN", "  ")
        .run()
        .bad(2, "GITHUB_TOKEN");
    nothing_written(&w);
}

#[test]
fn another_run_holds_the_lock() {
    let w = Workshop::new();
    std::fs::create_dir_all(w.dir().join(".eks-workshop")).unwrap();
    let lock = std::fs::File::create(w.dir().join(".eks-workshop/lock")).unwrap();
    lock.lock().unwrap();
    setup_with_values(&w, &example_values()).bad(5, "another eks-workshop run");
    nothing_written(&w);
}

#[test]
fn truncated_state_file() {
    let w = Workshop::new();
    w.setup_offline();
    let state = w.dir().join(".eks-workshop/state.json");
    let text = std::fs::read_to_string(&state).unwrap();
    std::fs::write(&state, &text[..text.len() / 2]).unwrap();
    w.cmd(&["resume"])
        .run()
        .bad(1, "state file")
        .stderr_has("setup --restart");
    assert_eq!(
        std::fs::read_to_string(&state).unwrap(),
        text[..text.len() / 2],
        "left for the user to inspect"
    );
}

#[test]
fn hand_edited_state_with_a_wrong_type() {
    let w = Workshop::new();
    w.setup_offline();
    let state = w.dir().join(".eks-workshop/state.json");
    let mut json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&state).unwrap()).unwrap();
    json["settings"]["branch"] = serde_json::json!(42);
    std::fs::write(&state, json.to_string()).unwrap();
    w.cmd(&["status"]).run().bad(1, "state file");
}

#[test]
fn resume_with_nothing_to_resume() {
    let w = Workshop::new();
    w.cmd(&["resume"])
        .run()
        .bad(2, "run `eks-workshop setup` first");
    nothing_written(&w);
}
