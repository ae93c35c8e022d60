//! The seed's reconciliation flow on real Flux: a plain `git push` in the
//! clone (eks-workshop answers git's credential request with GITHUB_TOKEN),
//! then `sync --no-push` returns once the real kustomize-controller has
//! applied the commit, naming the Deployment created and the one pruned.

use std::process::Command;

use super::fixture::{Real, SEED_KUSTOMIZATIONS};
use crate::world::TOKEN;

#[test]
fn a_plain_git_push_then_sync_shows_what_real_flux_created_and_pruned() {
    let mut r = Real::start();
    r.set_up();
    let clone = r.w.clone_dir();
    let file = clone.join("gitops/applications/01-sample-app.yaml");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(
        &file,
        text.replacen("  name: nginx\n", "  name: nginx-new\n", 1),
    )
    .unwrap();
    r.w.git(&[
        "-c",
        "user.name=p",
        "-c",
        "user.email=p@example.com",
        "commit",
        "-qam",
        "Rename the sample app",
    ]);
    let out = Command::new("git")
        .arg("-C")
        .arg(&clone)
        .args(["push", "origin", "main"])
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GITHUB_TOKEN", TOKEN)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = r.w.cmd(&["sync", "--no-push", "--timeout", "120s"]).run();
    assert_eq!(out.code, 0, "{}", r.diagnose(&out));
    assert!(
        out.stdout
            .contains("+ Deployment default/nginx-new created"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("- Deployment default/nginx pruned"),
        "{}",
        out.stdout
    );
    assert_eq!(r.assert_all_applied(&r.revision()), SEED_KUSTOMIZATIONS);
    assert!(r.find(&["-n", "default", "deployment", "nginx"]).is_none());
    assert!(
        r.find(&["-n", "default", "deployment", "nginx-new"])
            .is_some()
    );
    let again = r.w.cmd(&["sync", "--timeout", "60s"]).run();
    assert_eq!(again.code, 0, "{}", r.diagnose(&again));
    assert!(
        again.stdout.contains("the cluster already runs"),
        "{}",
        again.stdout
    );
}
