//! The REST subset: users, repos, forks, auth errors, unknown routes.

use std::time::Duration;

use harness::forge::Forge;
use serde_json::Value;

use crate::util::{basic, bearer, content_dir, http};

const UPSTREAM: (&str, &str) = ("aws-samples", "eks-cluster-upgrades-workshop");

fn setup() -> (Forge, String, tempfile::TempDir) {
    let tmp = tempfile::tempdir().expect("tmp");
    let forge = Forge::start_blocking();
    forge.add_user("alice", "tok-alice");
    forge.add_user("bob", "tok-bob");
    let sha = forge.seed_repo(UPSTREAM.0, UPSTREAM.1, &content_dir(tmp.path()), "main");
    (forge, sha, tmp)
}

fn fork(forge: &Forge, token: &str, body: &str) -> crate::util::Reply {
    let path = format!("/repos/{}/{}/forks", UPSTREAM.0, UPSTREAM.1);
    let auth = bearer(token);
    http(
        forge.addr(),
        "POST",
        &path,
        &[
            ("Authorization", &auth),
            ("Content-Type", "application/json"),
        ],
        body.as_bytes(),
    )
}

fn assert_github_error(v: &Value, message: &str, status: &str) {
    assert_eq!(v["message"], message, "{v}");
    assert_eq!(
        v["documentation_url"], "https://docs.github.com/rest",
        "{v}"
    );
    assert_eq!(v["status"], status, "{v}");
}

#[test]
fn get_user_returns_the_tokens_user_and_rate_limit_headers() {
    let (forge, _, _tmp) = setup();
    for auth in [bearer("tok-bob"), "token tok-bob".to_string()] {
        let r = http(
            forge.addr(),
            "GET",
            "/user",
            &[("Authorization", &auth)],
            b"",
        );
        assert_eq!(r.status, 200);
        let v = r.json();
        assert_eq!(
            (v["login"].as_str(), v["type"].as_str()),
            (Some("bob"), Some("User"))
        );
        assert!(
            v["id"].as_u64().is_some() && v["html_url"].is_string() && v["site_admin"] == false
        );
        assert_eq!(r.header("x-ratelimit-limit"), "5000");
        assert!(
            r.header("x-ratelimit-remaining")
                .parse::<u64>()
                .expect("remaining")
                < 5000
        );
        assert!(r.header("x-ratelimit-reset").parse::<u64>().is_ok());
    }
}

#[test]
fn a_classic_tokens_scopes_come_with_every_answer_and_other_tokens_have_none() {
    let (forge, _, _tmp) = setup();
    forge.set_token_scopes("tok-alice", &["read:user", "gist"]);
    forge.set_token_scopes("tok-bob", &[]);
    let get =
        |path: &str, auth: &str| http(forge.addr(), "GET", path, &[("Authorization", auth)], b"");
    let repo = format!("/repos/{}/{}", UPSTREAM.0, UPSTREAM.1);
    for path in ["/user", repo.as_str(), "/nope"] {
        let r = get(path, &bearer("tok-alice"));
        assert_eq!(r.header("x-oauth-scopes"), "read:user, gist", "{path}");
        // A classic token with no scope says so with an empty header.
        let r = get(path, &bearer("tok-bob"));
        assert!(r.headers.contains_key("x-oauth-scopes"), "{path}");
        assert_eq!(r.header("x-oauth-scopes"), "", "{path}");
    }
    forge.add_user("carol", "tok-carol");
    for (path, auth) in [
        ("/user", bearer("tok-carol")),
        ("/user", bearer("tok-nobody")),
    ] {
        let r = get(path, &auth);
        assert!(!r.headers.contains_key("x-oauth-scopes"), "{path} {auth}");
    }
}

#[test]
fn bad_or_missing_credentials_get_githubs_401_json() {
    let (forge, _, _tmp) = setup();
    let bad = bearer("tok-nope");
    for path in [
        "/user",
        "/repos/aws-samples/eks-cluster-upgrades-workshop",
        "/nowhere",
    ] {
        let r = http(forge.addr(), "GET", path, &[("Authorization", &bad)], b"");
        assert_eq!(r.status, 401, "{path}");
        assert_github_error(&r.json(), "Bad credentials", "401");
    }
    let r = http(
        forge.addr(),
        "GET",
        "/user",
        &[("Authorization", &basic("alice", "tok-alice"))],
        b"",
    );
    assert_eq!(
        (r.status, r.json()["login"].as_str()),
        (200, Some("alice")),
        "Basic with a token works too"
    );
    let r = http(forge.addr(), "GET", "/user", &[], b"");
    assert_eq!(r.status, 401);
    assert_github_error(&r.json(), "Requires authentication", "401");
    let r = http(
        forge.addr(),
        "POST",
        "/repos/aws-samples/eks-cluster-upgrades-workshop/forks",
        &[],
        b"{}",
    );
    assert_eq!(r.status, 401);
    assert!(
        forge.branch_head("alice", UPSTREAM.1, "main").is_none(),
        "nothing forked"
    );
}

#[test]
fn unknown_routes_and_repos_are_404_json() {
    let (forge, _, _tmp) = setup();
    let auth = bearer("tok-alice");
    let cases = [
        ("GET", "/nope"),
        ("GET", "/repos/a/b/c/d"),
        ("DELETE", "/repos/a/b/c"),
        ("GET", "/repos/alice/missing"),
        ("GET", "/alice/x.git/not-git"),
    ];
    for (method, path) in cases {
        let r = http(forge.addr(), method, path, &[("Authorization", &auth)], b"");
        assert_eq!(r.status, 404, "{method} {path}");
        assert_github_error(&r.json(), "Not Found", "404");
        assert_eq!(r.header("x-ratelimit-limit"), "5000");
    }
    // Deleting a repository one does not own is refused, as GitHub does.
    let path = "/repos/aws-samples/eks-cluster-upgrades-workshop";
    let r = http(
        forge.addr(),
        "DELETE",
        path,
        &[("Authorization", &auth)],
        b"",
    );
    assert_eq!(r.status, 403, "DELETE {path}");
}

#[test]
fn get_repo_describes_upstream_with_viewer_permissions() {
    let (forge, _, _tmp) = setup();
    let r = http(
        forge.addr(),
        "GET",
        "/repos/aws-samples/eks-cluster-upgrades-workshop",
        &[("Authorization", &bearer("tok-alice"))],
        b"",
    );
    assert_eq!(r.status, 200);
    let v = r.json();
    assert_eq!(v["full_name"], "aws-samples/eks-cluster-upgrades-workshop");
    assert_eq!(
        (v["fork"].as_bool(), v["private"].as_bool()),
        (Some(false), Some(false))
    );
    assert_eq!(
        v["owner"]["type"], "Organization",
        "seeded-only owners are orgs"
    );
    assert_eq!(v["default_branch"], "main");
    assert_eq!(v["clone_url"], forge.clone_url(UPSTREAM.0, UPSTREAM.1));
    assert_eq!(
        (
            v["permissions"]["push"].as_bool(),
            v["permissions"]["pull"].as_bool()
        ),
        (Some(false), Some(true))
    );
    assert!(v.get("parent").is_none() && v.get("source").is_none());
    let anon = http(
        forge.addr(),
        "GET",
        "/repos/aws-samples/eks-cluster-upgrades-workshop",
        &[],
        b"",
    )
    .json();
    assert!(
        anon.get("permissions").is_none(),
        "anonymous reads carry no permissions"
    );
}

#[test]
fn fork_creates_a_bare_copy_and_repeats_return_the_same_fork() {
    let (forge, sha, _tmp) = setup();
    let r = fork(&forge, "tok-alice", "{}");
    assert_eq!(r.status, 202);
    let v = r.json();
    assert_eq!(v["full_name"], "alice/eks-cluster-upgrades-workshop");
    assert_eq!(
        (v["fork"].as_bool(), v["owner"]["login"].as_str()),
        (Some(true), Some("alice"))
    );
    assert_eq!(
        v["parent"]["full_name"],
        "aws-samples/eks-cluster-upgrades-workshop"
    );
    assert_eq!(
        v["source"]["full_name"],
        "aws-samples/eks-cluster-upgrades-workshop"
    );
    assert_eq!(v["permissions"]["admin"], true);
    assert_eq!(v["clone_url"], forge.clone_url("alice", UPSTREAM.1));
    assert!(
        forge.repo_dir("alice", UPSTREAM.1).join("HEAD").is_file(),
        "bare repo on disk"
    );
    assert_eq!(
        forge.branch_head("alice", UPSTREAM.1, "main"),
        Some(sha.clone())
    );
    assert_eq!(
        forge
            .file_at("alice", UPSTREAM.1, "main", "README.md")
            .as_deref(),
        Some(&b"# Workshop\n"[..])
    );

    let again = fork(&forge, "tok-alice", "");
    assert_eq!(
        (again.status, again.json()["full_name"].as_str()),
        (202, Some("alice/eks-cluster-upgrades-workshop"))
    );
    let got = http(
        forge.addr(),
        "GET",
        "/repos/alice/eks-cluster-upgrades-workshop",
        &[],
        b"",
    )
    .json();
    assert_eq!(
        (got["fork"].as_bool(), got["parent"]["full_name"].as_str()),
        (
            Some(true),
            Some("aws-samples/eks-cluster-upgrades-workshop")
        )
    );
    let forks = http(
        forge.addr(),
        "GET",
        "/repos/aws-samples/eks-cluster-upgrades-workshop/forks",
        &[],
        b"",
    )
    .json();
    assert_eq!(forks.as_array().map(Vec::len), Some(1));

    // A fork of the fork reports the original as its source.
    let r = http(
        forge.addr(),
        "POST",
        "/repos/alice/eks-cluster-upgrades-workshop/forks",
        &[("Authorization", &bearer("tok-bob"))],
        b"",
    );
    let v = r.json();
    assert_eq!(
        (
            v["parent"]["full_name"].as_str(),
            v["source"]["full_name"].as_str()
        ),
        (
            Some("alice/eks-cluster-upgrades-workshop"),
            Some("aws-samples/eks-cluster-upgrades-workshop")
        )
    );
}

#[test]
fn fork_honours_default_branch_only_name_and_organization() {
    let (forge, sha, _tmp) = setup();
    let upstream =
        git2::Repository::open_bare(forge.repo_dir(UPSTREAM.0, UPSTREAM.1)).expect("open upstream");
    let tip = upstream
        .find_commit(git2::Oid::from_str(&sha).expect("oid"))
        .expect("commit");
    upstream
        .branch("extra", &tip, false)
        .expect("create branch");

    fork(&forge, "tok-alice", r#"{"default_branch_only": true}"#);
    assert!(forge.branch_head("alice", UPSTREAM.1, "main").is_some());
    assert_eq!(forge.branch_head("alice", UPSTREAM.1, "extra"), None);
    let v = fork(
        &forge,
        "tok-bob",
        r#"{"name": "renamed", "organization": "bobs-org"}"#,
    )
    .json();
    assert_eq!(v["full_name"], "bobs-org/renamed");
    assert_eq!(forge.branch_head("bobs-org", "renamed", "extra"), Some(sha));
    assert_eq!(fork(&forge, "tok-bob", "{not json").status, 400);
}

#[test]
fn fork_next_to_a_same_named_plain_repo_gets_a_suffix() {
    let (forge, _, _tmp) = setup();
    forge.add_plain_repo("alice", UPSTREAM.1);
    let plain = http(
        forge.addr(),
        "GET",
        "/repos/alice/eks-cluster-upgrades-workshop",
        &[],
        b"",
    )
    .json();
    assert_eq!(
        (plain["fork"].as_bool(), plain.get("parent")),
        (Some(false), None)
    );
    let v = fork(&forge, "tok-alice", "{}").json();
    assert_eq!(v["full_name"], "alice/eks-cluster-upgrades-workshop-1");
    assert!(
        forge
            .branch_head("alice", "eks-cluster-upgrades-workshop-1", "main")
            .is_some()
    );
    assert_eq!(
        forge.branch_head("alice", UPSTREAM.1, "main"),
        None,
        "plain repo untouched (empty)"
    );
}

#[test]
fn fork_of_a_missing_repo_is_404() {
    let (forge, _, _tmp) = setup();
    let r = http(
        forge.addr(),
        "POST",
        "/repos/nobody/nothing/forks",
        &[("Authorization", &bearer("tok-alice"))],
        b"{}",
    );
    assert_eq!(r.status, 404);
    assert_github_error(&r.json(), "Not Found", "404");
    assert!(!forge.repo_dir("alice", "nothing").exists());
}

#[test]
fn delayed_fork_is_in_the_api_at_once_but_git_404s_until_ready() {
    let (forge, _, _tmp) = setup();
    forge.set_fork_delay(Duration::from_secs(2));
    assert_eq!(fork(&forge, "tok-alice", "{}").status, 202);
    let got = http(
        forge.addr(),
        "GET",
        "/repos/alice/eks-cluster-upgrades-workshop",
        &[],
        b"",
    );
    assert_eq!(got.status, 200);
    let path = "/alice/eks-cluster-upgrades-workshop.git/info/refs?service=git-upload-pack";
    let auth = basic("alice", "tok-alice");
    assert_eq!(
        http(forge.addr(), "GET", path, &[("Authorization", &auth)], b"").status,
        404
    );
    std::thread::sleep(Duration::from_millis(2100));
    assert_eq!(
        http(forge.addr(), "GET", path, &[("Authorization", &auth)], b"").status,
        200
    );
}
