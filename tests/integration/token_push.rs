//! A token that cannot push is found before anything is written: a classic
//! token's scopes (GitHub's `X-OAuth-Scopes`) before the fork is made, and
//! GitHub's `permissions.push` on the fork before the push.

use harness::forge::{Fault, Forge, RequestKind, Target};

use crate::support::{Outcome, Workshop, example_values, repo_root};

const UP_OWNER: &str = "aws-samples";
const NAME: &str = "eks-cluster-upgrades-workshop";
const LOGIN: &str = "alice";
const TOKEN: &str = "ghp_scopedTok3n_4b7d1e9a";

fn online() -> (Forge, Workshop) {
    let forge = Forge::start_blocking();
    forge.add_user(LOGIN, TOKEN);
    forge.seed_repo(UP_OWNER, NAME, &repo_root().join("workshop"), "main");
    let w = Workshop::new()
        .env("GITHUB_API_URL", &forge.api_url())
        .env("GITHUB_TOKEN", TOKEN)
        .env("EKS_WORKSHOP_RETRY_BASE_MS", "2");
    (forge, w)
}

fn setup(w: &Workshop, until: &str) -> Outcome {
    let values = example_values();
    w.cmd(&[
        "setup",
        "--until",
        until,
        "--yes",
        "--values",
        values.to_str().unwrap(),
    ])
    .run()
}

fn fork_requests(forge: &Forge) -> usize {
    forge
        .requests()
        .iter()
        .filter(|r| r.method == "POST" && r.path.ends_with("/forks"))
        .count()
}

#[test]
fn a_classic_token_without_public_repo_stops_setup_before_the_fork() {
    let (forge, w) = online();
    forge.set_token_scopes(TOKEN, &["read:user"]);
    setup(&w, "push")
        .bad(3, "a classic one with the scopes read:user")
        .stderr_has("needs `public_repo` (or `repo`); nothing was forked")
        .stderr_has("help: give the token the `public_repo` scope");
    assert_eq!(fork_requests(&forge), 0, "the forge saw a fork request");
    assert!(!forge.repo_dir(LOGIN, NAME).exists());
    assert!(forge.branch_head(LOGIN, NAME, "main").is_none());

    // The same token given the scope: forked and pushed.
    forge.set_token_scopes(TOKEN, &["read:user", "public_repo"]);
    setup(&w, "push").success();
    assert_eq!(fork_requests(&forge), 1);
    let pushed = forge.commits(LOGIN, NAME, "main");
    assert!(
        pushed
            .iter()
            .any(|(_, s)| s.contains("Render workshop manifests")),
        "{pushed:?}"
    );
}

#[test]
fn a_classic_token_without_public_repo_stops_setup_before_pushing_to_an_existing_fork() {
    let (forge, w) = online();
    setup(&w, "fork").success();
    let head = forge.branch_head(LOGIN, NAME, "main");
    // The login is remembered now; the scopes are asked all the same.
    forge.set_token_scopes(TOKEN, &[]);
    setup(&w, "push")
        .bad(3, "a classic one with no scopes")
        .stderr_has(&format!("nothing was pushed to {LOGIN}/{NAME}"))
        .stderr_has("help: give the token the `public_repo` scope");
    assert_eq!(forge.branch_head(LOGIN, NAME, "main"), head);
    assert!(
        !forge
            .requests()
            .iter()
            .any(|r| r.kind == RequestKind::GitWrite),
        "a push was tried"
    );
}

#[test]
fn a_fork_github_says_the_token_may_not_push_to_stops_before_the_push() {
    // A token without scopes (fine-grained): nothing to read before the fork.
    let (forge, w) = online();
    setup(&w, "fork").success();
    let head = forge.branch_head(LOGIN, NAME, "main");
    // The fork as GitHub describes it to a token without Contents write.
    let fork = serde_json::json!({
        "full_name": format!("{LOGIN}/{NAME}"),
        "clone_url": forge.clone_url(LOGIN, NAME),
        "default_branch": "main",
        "fork": true,
        "parent": {"full_name": format!("{UP_OWNER}/{NAME}")},
        "source": {"full_name": format!("{UP_OWNER}/{NAME}")},
        "permissions": {"admin": false, "push": false, "pull": true},
    });
    forge.reset_requests();
    forge.fail_next(
        1,
        Fault::Reply {
            status: 200,
            headers: vec![("content-type".into(), "application/json".into())],
            body: fork.to_string().into_bytes(),
        },
        Target::Api,
    );
    setup(&w, "push")
        .bad(
            3,
            &format!("GitHub says the token may not push to {LOGIN}/{NAME}; nothing was pushed"),
        )
        .stderr_has("Contents: Read and write");
    assert_eq!(forge.branch_head(LOGIN, NAME, "main"), head);
    assert_eq!(forge.faults_queued(), 0, "the fork's JSON was asked for");
}

/// The `github token` check of `verify -o json`.
fn token_check(stdout: &str) -> serde_json::Value {
    let json: serde_json::Value = serde_json::from_str(stdout).expect("one JSON object");
    json["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "github token")
        .cloned()
        .expect("the token check is in the report")
}

#[test]
fn verify_says_whether_the_token_can_push_and_a_token_that_cannot_blocks() {
    let e = crate::world::env(true);
    e.forge.set_token_scopes(crate::world::TOKEN, &["repo"]);
    e.setup(&[]).success();
    let verify = || {
        e.w.cmd(&["verify", "--target-version", "1.25", "-o", "json"])
            .run()
    };
    let check = token_check(&verify().success().stdout);
    assert_eq!(check["items"][0]["severity"], "fine", "{check}");
    assert_eq!(check["items"][0]["scopes"], serde_json::json!(["repo"]));

    e.forge
        .set_token_scopes(crate::world::TOKEN, &["read:user"]);
    let out = verify().code(4);
    let check = token_check(&out.stdout);
    let item = &check["items"][0];
    assert_eq!(item["severity"], "blocking", "{check}");
    assert!(
        item["message"]
            .as_str()
            .unwrap()
            .contains("needs `public_repo` (or `repo`); nothing was pushed to alice/"),
        "{item}"
    );
    assert!(
        item["fix"]
            .as_str()
            .unwrap()
            .contains("`public_repo` scope")
    );
    let text =
        e.w.cmd(&["verify", "--target-version", "1.25"])
            .run()
            .code(4)
            .stdout;
    assert!(text.contains("GitHub token:"), "{text}");
}
