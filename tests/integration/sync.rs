//! The seed's reconciliation flow: after setup, a plain `git push` in the
//! clone works with GITHUB_TOKEN in the environment (eks-workshop is the
//! clone's credential helper), and `eks-workshop sync` waits until Flux has
//! applied the commit and says what changed.

use std::path::Path;
use std::process::{Command, Output};

use crate::support::git;
use crate::world::{Env, FS, GIT_API, LOGIN, NAME, TOKEN, env};

/// git in the clone as the participant runs it: no terminal to prompt on.
fn plain_git(dir: &Path, args: &[&str], token: Option<&str>) -> Output {
    let mut cmd = Command::new("git");
    cmd.arg("-C").arg(dir).args(args);
    cmd.env("GIT_TERMINAL_PROMPT", "0")
        .env_remove("GITHUB_TOKEN")
        .env_remove("GH_TOKEN");
    if let Some(t) = token {
        cmd.env("GITHUB_TOKEN", t);
    }
    cmd.output().expect("git runs")
}

/// The seed's change: rename the sample app's Deployment to nginx-new.
pub(crate) fn rename_the_sample_app(e: &Env) {
    let file =
        e.w.clone_dir()
            .join("gitops/applications/01-sample-app.yaml");
    let text = std::fs::read_to_string(&file).unwrap();
    let renamed = text.replacen("  name: nginx\n", "  name: nginx-new\n", 1);
    assert_ne!(renamed, text);
    std::fs::write(&file, renamed).unwrap();
    e.w.git(&["commit", "-qam", "Rename the sample app"]);
}

#[test]
fn plain_git_push_works_and_sync_shows_what_flux_changed() {
    let e = env(true);
    e.setup(&[]).success();
    // Only an asked reconcile applies a new commit: no periodic poll races the test.
    e.flux.set_interval_scale(1.0);
    let clone = e.w.clone_dir();
    // The helper is in the clone's local config, once; no token there.
    let config = std::fs::read_to_string(clone.join(".git/config")).unwrap();
    assert_eq!(
        config.matches("git-credential --host").count(),
        1,
        "{config}"
    );
    assert!(!config.contains(TOKEN));

    rename_the_sample_app(&e);
    // Without a token in the environment: refused, with what to do.
    let out = plain_git(&clone, &["push", "origin", "main"], None);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no GITHUB_TOKEN (or GH_TOKEN)"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // With one: a plain push goes through.
    let out = plain_git(&clone, &["push", "origin", "main"], Some(TOKEN));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let head = e.w.git(&["rev-parse", "HEAD"]);
    assert_eq!(e.head(), head);
    // And fetch / pull too.
    let out = plain_git(
        &clone,
        &["pull", "--ff-only", "origin", "main"],
        Some(TOKEN),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // status reads the world: the cluster is one commit behind the fork.
    let status = e.w.cmd(&["status", "-o", "json"]).run().success().json();
    assert_eq!(status["cluster"]["at_tip"], false, "{status}");
    assert_eq!(status["cluster"]["behind"], 1, "{status}");
    let out =
        e.w.cmd(&["sync", "--no-push", "--timeout", "60s"])
            .run()
            .success();
    assert!(
        out.stdout
            .contains(&format!("Flux applied main@sha1:{}", &head[..8])),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("Kustomization flux-system/apps:"),
        "{}",
        out.stdout
    );
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
    let store = e.api.store();
    assert!(
        store
            .get("apps/v1", "Deployment", Some("default"), "nginx-new")
            .is_some()
    );
    assert!(
        store
            .get("apps/v1", "Deployment", Some("default"), "nginx")
            .is_none()
    );

    let again = e.w.cmd(&["sync", "--timeout", "60s"]).run().success();
    assert!(
        again.stdout.contains("the cluster already runs"),
        "{}",
        again.stdout
    );
    let status = e.w.cmd(&["status"]).run().success();
    assert!(
        status.stdout.contains("cluster: runs the fork's tip"),
        "{}",
        status.stdout
    );
    // sync's own step is listed, as recorded and as checked now.
    let status = e.w.cmd(&["status", "-o", "json"]).run().success().json();
    let steps = crate::dry_run::statuses(&status);
    assert_eq!(
        steps.get("publish").map(String::as_str),
        Some("done"),
        "{status}"
    );
}

#[test]
fn sync_pushes_fast_forwards_only_and_never_uncommitted_work() {
    let e = env(true);
    e.setup(&[]).success();
    // Only an asked reconcile applies a new commit: no periodic poll races the test.
    e.flux.set_interval_scale(1.0);
    rename_the_sample_app(&e);
    // Uncommitted work beside the commit: pushed is only the commit.
    let readme = e.w.clone_dir().join("README.md");
    std::fs::write(&readme, "my notes\n").unwrap();
    let out =
        e.w.cmd(&["sync", "-o", "json", "--timeout", "60s"])
            .run()
            .success();
    let json = out.json();
    let head = e.w.git(&["rev-parse", "HEAD"]);
    assert_eq!(json["pushed"], head.as_str());
    assert_eq!(e.head(), head);
    let fork = e.forge.repo_dir(LOGIN, NAME);
    assert_ne!(git(&fork, &["show", "main:README.md"]), "my notes");
    let apps = json["kustomizations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kustomization"] == "flux-system/apps")
        .cloned()
        .unwrap();
    assert_eq!(
        apps["created"],
        serde_json::json!(["Deployment default/nginx-new"])
    );
    assert_eq!(
        apps["pruned"],
        serde_json::json!(["Deployment default/nginx"])
    );
    // The commands after it take the synced commit as the world: nothing to do.
    let out = e.w.cmd(&["--yes", "resume", "--timeout", "30s"]).run();
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("nothing to do"), "{}", out.stdout);
    // The fork moved on without the clone: refused, nothing overwritten.
    e.w.git(&["checkout", "-q", "--", "README.md"]);
    e.w.git(&["reset", "-q", "--hard", "HEAD~1"]);
    std::fs::write(e.w.clone_dir().join("notes.txt"), "x\n").unwrap();
    e.w.git(&["add", "notes.txt"]);
    e.w.git(&["commit", "-qm", "Diverge"]);
    let out = e.w.cmd(&["sync", "--timeout", "60s"]).run();
    assert_eq!(out.code, 1, "{}\n{}", out.stdout, out.stderr);
    assert!(
        out.stderr.contains("fast-forwards only") && out.stderr.contains("help:"),
        "{}",
        out.stderr
    );
    assert_eq!(e.head(), head, "the fork keeps its commit");
}

/// sync is the engine's plan (`clone, publish, reconcile`): killed right
/// after its push, `resume` finishes the wait, and nothing is pushed twice.
#[test]
fn a_sync_killed_after_its_push_is_finished_by_resume() {
    let e = env(true);
    e.setup(&[]).success();
    rename_the_sample_app(&e);
    let head = e.w.git(&["rev-parse", "HEAD"]);
    let args = ["sync", "--timeout", "60s"];
    assert!(crate::crash::kill_at(&e.w, &args, "publish:after-push"));
    assert_eq!(e.head(), head, "the push was made before the kill");
    let out =
        e.w.cmd(&["--yes", "resume", "--timeout", "60s", "-o", "json"])
            .run()
            .success();
    let steps = crate::dry_run::statuses(&out.json());
    assert_eq!(
        steps.into_iter().collect::<Vec<_>>(),
        [
            ("clone".to_string(), "already-done".to_string()),
            ("publish".into(), "already-done".into()),
            ("reconcile".into(), "done".into()),
        ]
    );
    assert_eq!(e.head(), head);
    assert_eq!(
        e.get(GIT_API, "GitRepository", FS)["status"]["artifact"]["revision"],
        e.revision()
    );
}

/// The `git ls-remote`s of the last run, from its log (the forge also
/// serves the Flux stand-in's fetches).
fn ls_remotes(e: &Env) -> usize {
    let log = crate::logs::logs(e.w.dir())
        .pop()
        .expect("a log was written");
    let log = std::fs::read_to_string(log).unwrap();
    log.lines()
        .filter(|l| l.contains("s git      ls-remote "))
        .count()
}

#[test]
fn sync_asks_the_fork_for_its_head_once() {
    let e = env(true);
    e.setup(&[]).success();
    rename_the_sample_app(&e);
    let out = e.w.cmd(&["sync", "--yes", "--timeout", "60s"]).run();
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    assert_eq!(e.head(), e.w.git(&["rev-parse", "HEAD"]));
    assert_eq!(ls_remotes(&e), 1);
    // Nothing to push: still once.
    let out = e.w.cmd(&["sync", "--yes", "--timeout", "60s"]).run();
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    assert!(
        out.stdout.contains("the cluster already runs"),
        "{}",
        out.stdout
    );
    assert_eq!(ls_remotes(&e), 1);
}

/// kustomize-controller tries a Kustomization whose `dependsOn` had not
/// applied the commit yet again only after `--requeue-dependency` (30 s by
/// default, per level of the chain). Here that is an hour, longer than the
/// run may take: sync returns because it asks each Kustomization as its
/// dependencies get there.
#[test]
fn sync_drives_the_dependency_chain_instead_of_waiting_for_flux_s_retry() {
    let e = env(true);
    e.setup(&[]).success();
    // Only asked reconciles: no periodic poll, no dependency retry.
    e.flux.set_interval_scale(1.0);
    e.flux
        .set_requeue_dependency(Some(std::time::Duration::from_secs(3600)));
    rename_the_sample_app(&e);
    let out = e.w.cmd(&["sync", "--yes", "--timeout", "60s"]).run();
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    let head = e.w.git(&["rev-parse", "HEAD"]);
    assert_eq!(e.head(), head);
    let said = format!("{}{}", out.stdout, out.stderr);
    for name in ["infrastructure", "apps"] {
        assert!(
            said.contains(&format!(
                "Kustomization flux-system/{name}: its dependencies are Ready"
            )),
            "{said}"
        );
    }
    let store = e.api.store();
    let list = store.list("kustomize.toolkit.fluxcd.io/v1", "Kustomization", None);
    assert!(list.len() >= 4, "{list:?}");
    for ks in list {
        let applied = ks["status"]["lastAppliedRevision"].as_str();
        assert_eq!(applied, Some(format!("main@sha1:{head}").as_str()), "{ks}");
    }
}
