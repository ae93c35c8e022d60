//! The log of every run: under `DIR/.eks-workshop/logs/`, mode 0600, with the
//! command line, each step's check and run, each HTTP request (method, URL,
//! status, duration) and the error chain; never the token.

use std::path::{Path, PathBuf};

use crate::support::Workshop;
use crate::world::{FS, TOKEN, env};

/// The run logs in `dir`, oldest first.
pub(crate) fn logs(dir: &Path) -> Vec<PathBuf> {
    let mut logs: Vec<PathBuf> = std::fs::read_dir(dir.join(".eks-workshop/logs"))
        .map(|d| d.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    logs.sort();
    logs
}

fn last_log(dir: &Path) -> String {
    let path = logs(dir).pop().expect("a log was written");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{}", path.display());
    }
    std::fs::read_to_string(path).unwrap()
}

#[test]
fn an_offline_setup_logs_its_command_line_and_every_step() {
    let w = Workshop::new();
    w.setup_offline();
    let log = last_log(w.dir());
    assert!(log.contains("command  eks-workshop --dir "), "{log}");
    assert!(log.contains(" setup --offline"), "{log}");
    assert!(log.contains("version  0.1.0 ("), "{log}");
    for step in [
        "prerequisites",
        "fork",
        "clone",
        "render",
        "addons",
        "migrate",
        "push",
    ] {
        assert!(
            log.contains(&format!("step     {step} check -> ")),
            "{step}: {log}"
        );
    }
    assert!(
        log.contains("step     clone run -> ran: cloned into"),
        "{log}"
    );
    assert!(log.contains("git      clone "), "{log}");
    assert!(log.trim_end().ends_with("exit     0"), "{log}");
    // Read-only commands and dry runs keep no log.
    let before = logs(w.dir()).len();
    w.cmd(&["status"]).run().success();
    w.cmd(&["setup", "--dry-run"]).run().success();
    assert_eq!(logs(w.dir()).len(), before);
    // -v prints the same lines on stderr.
    let out = w.cmd(&["-v", "resume"]).run().success();
    assert!(
        out.stderr.contains("step     push check -> done"),
        "{}",
        out.stderr
    );
    assert_eq!(logs(w.dir()).len(), before + 1);
}

#[test]
fn a_bad_token_leaves_a_log_naming_the_refused_request_and_not_the_token() {
    let e = env(true);
    e.setup(&[]).success();
    let wrong = "ghp_wrongT0ken_9f8e7d6c5b4a";
    let out =
        e.w.cmd(&["enable-addon", "karpenter", "--yes", "--timeout", "60s"])
            .env("GITHUB_TOKEN", wrong)
            .run()
            .code(3);
    assert!(out.stderr.contains("log of this run: "), "{}", out.stderr);
    let log = last_log(e.w.dir());
    // The login is remembered: the first request to fail is git's.
    assert!(
        log.contains("git      ls-remote http://127.0.0.1:")
            && log.contains("-> failed: the server rejected the credentials"),
        "{log}"
    );
    assert!(log.contains("error    "), "{log}");
    assert!(log.contains("help: "), "{log}");
    assert!(log.trim_end().ends_with("exit     3"), "{log}");
    for secret in [wrong, TOKEN, crate::world::KUBE_TOKEN] {
        assert!(!log.contains(secret), "the log holds a secret");
    }
}

#[test]
fn a_flux_failure_leaves_a_log_naming_the_object_and_the_api_requests() {
    let e = env(true);
    e.flux.fail(
        "Kustomization",
        FS,
        "apps",
        "Deployment/default/sample-app dry-run failed: boom",
    );
    e.setup(&[]).bad(1, "Kustomization flux-system/apps failed");
    let log = last_log(e.w.dir());
    assert!(
        log.contains("Kustomization flux-system/apps failed"),
        "{log}"
    );
    assert!(log.contains("boom"), "{log}");
    assert!(
        log.contains("http     PATCH http://127.0.0.1:")
            && log.contains(
                "/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/flux-system/kustomizations/"
            ),
        "{log}"
    );
    assert!(
        log.contains("?watch=true") || log.contains("&watch=true"),
        "{log}"
    );
    for secret in [TOKEN, crate::world::KUBE_TOKEN] {
        assert!(!log.contains(secret), "the log holds a secret");
    }
}
