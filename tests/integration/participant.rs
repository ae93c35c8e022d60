//! The fork belongs to the participant: the tool owns the values it rendered,
//! never whole files, and no command commits over a change they made.

use std::path::Path;

use harness::forge::Forge;

use crate::support::{Workshop, example_values, git, repo_root};
use crate::world::{LOGIN, NAME, TOKEN, UP_OWNER};

const KARPENTER: &str = "gitops/add-ons/02-karpenter.yaml";
const APP: &str = "gitops/applications/01-sample-app.yaml";

/// The participant's own commit: a chart bump in a rendered file and an edit
/// to a file the tool never renders, pushed to their fork.
fn participant_commits(w: &Workshop) {
    let clone = w.clone_dir();
    let edit = |rel: &str, from: &str, to: &str| {
        let path = clone.join(rel);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "{rel} has {from}");
        std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
    };
    edit(KARPENTER, "version: v0.27.3", "version: v0.31.0");
    edit(APP, "replicas: 3", "replicas: 5");
    commit_as_participant(w, "Bump karpenter; five replicas");
    w.git(&["push", "-q", "origin", "main"]);
}

/// `git commit -am` in the clone, as the participant would.
fn commit_as_participant(w: &Workshop, message: &str) {
    w.git(&[
        "-c",
        "user.name=p",
        "-c",
        "user.email=p@example.com",
        "commit",
        "-qam",
        message,
    ]);
}

fn assert_theirs_kept(w: &Workshop, after: &str) {
    let remote = w
        .dir()
        .join(".eks-workshop/remote/eks-cluster-upgrades-workshop.git");
    for (rel, theirs) in [(KARPENTER, "version: v0.31.0"), (APP, "replicas: 5")] {
        let local = w.git(&["show", &format!("HEAD:{rel}")]);
        assert!(
            local.contains(theirs),
            "after {after}: {rel} lost `{theirs}` in HEAD"
        );
        let pushed = git(&remote, &["show", &format!("main:{rel}")]);
        assert!(
            pushed.contains(theirs),
            "after {after}: {rel} lost `{theirs}` on the fork"
        );
    }
}

#[test]
fn a_participants_commits_survive_every_command() {
    let w = Workshop::new();
    w.setup_offline();
    participant_commits(&w);
    let values = example_values();
    let values = values.to_str().unwrap();
    // Every one exits 0: the only API 1.26 removes (the HPA) is not applied,
    // and --fix converts it; Karpenter's deprecated APIs are only warnings.
    let runs: &[(&str, &[&str], &str)] = &[
        (
            "enable-addon",
            &["enable-addon", "karpenter", "argo-workflows"],
            "addons — argo-workflows enabled, karpenter enabled",
        ),
        (
            "disable-addon",
            &["disable-addon", "argo-workflows"],
            "addons — argo-workflows disabled",
        ),
        (
            "verify --fix",
            &["verify", "--target-version", "1.26", "--fix"],
            "converted gitops/applications/deprecated-manifests/02-deprecated-hpa.yaml",
        ),
        (
            "setup",
            &["setup", "--offline", "--yes", "--values", values],
            "nothing to do, everything was already done",
        ),
        (
            "resume",
            &["resume"],
            "nothing to do, everything was already done",
        ),
    ];
    for (name, args, says) in runs {
        eprintln!("running {name}");
        w.cmd(args).run().success().stdout_has(says);
        assert_theirs_kept(&w, name);
    }
    // setup again: karpenter stays as the participant's commits left it.
    let enabled = w.git(&["show", "HEAD:gitops/add-ons/kustomization.yaml"]);
    assert!(enabled.contains("\n  - 02-karpenter.yaml"), "{enabled}");
    assert_eq!(w.git(&["status", "--porcelain"]), "");
}

#[test]
fn a_changed_value_is_rendered_where_ours_stands_and_their_own_is_kept() {
    let w = Workshop::new();
    w.setup_offline();
    let example = std::fs::read_to_string(example_values()).unwrap();
    let irsa = "arn:aws:iam::111122223333:role/karpenter-controller-eks-upgrades-workshop";
    // The participant sets their own role ARN by hand, and commits it.
    let path = w.clone_dir().join(KARPENTER);
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        text.replace(
            &format!("\"{irsa}\""),
            "arn:aws:iam::999988887777:role/mine",
        ),
    )
    .unwrap();
    commit_as_participant(&w, "My own role");
    // New values: a new endpoint, and a new role ARN.
    let new_endpoint = "https://NEWENDPOINT.gr7.us-west-2.eks.amazonaws.com";
    let changed = example
        .replace(
            "https://4E6C1F0A9B2D7E3C5A8F1B0D2C4E6A8F.gr7.us-west-2.eks.amazonaws.com",
            new_endpoint,
        )
        .replace(irsa, "arn:aws:iam::111122223333:role/karpenter-new");
    let file = w.dir().join("new-values.yaml");
    std::fs::write(&file, changed).unwrap();
    let out = w
        .cmd(&[
            "setup",
            "--offline",
            "--yes",
            "--values",
            file.to_str().unwrap(),
        ])
        .run()
        .success();
    let committed = w.git(&["show", &format!("HEAD:{KARPENTER}")]);
    assert!(
        committed.contains(&format!("clusterEndpoint: \"{new_endpoint}\" # Replace")),
        "{committed}"
    );
    assert!(
        committed.contains("role-arn: arn:aws:iam::999988887777:role/mine # Replace"),
        "{committed}"
    );
    assert!(!committed.contains("karpenter-new"));
    assert!(
        out.stderr.contains("holds your own value") && out.stderr.contains("karpenter_irsa"),
        "{}",
        out.stderr
    );
    let log = w.git(&["log", "--format=%s", "-3"]);
    assert!(log.starts_with("Render workshop manifests"), "{log}");
}

/// The real upstream's shape on the local forge: `setup --until push` changes
/// only the 13 placeholder lines, adds and deletes no file, leaves no placeholder.
#[test]
fn on_the_upstream_shaped_fork_only_placeholder_lines_change() {
    let forge = Forge::start_blocking();
    forge.add_user(LOGIN, TOKEN);
    let fixture = repo_root().join("tests/fixtures/upstream");
    forge.seed_repo(UP_OWNER, NAME, &fixture, "main");
    let w = Workshop::new()
        .env("GITHUB_API_URL", &forge.api_url())
        .env("GITHUB_TOKEN", TOKEN)
        .env("EKS_WORKSHOP_RETRY_BASE_MS", "2");
    let values = example_values();
    w.cmd(&[
        "setup",
        "--yes",
        "--values",
        values.to_str().unwrap(),
        "--until",
        "push",
    ])
    .run()
    .success();
    let tree = |rev: &str| -> Vec<String> {
        w.git(&["ls-tree", "-r", "--name-only", rev])
            .lines()
            .map(str::to_string)
            .collect()
    };
    let (before, after) = (tree("HEAD~1"), tree("HEAD"));
    assert_eq!(before, after, "no file added or deleted");
    let mut changed_lines = 0;
    for rel in &after {
        let old = w.git(&["show", &format!("HEAD~1:{rel}")]);
        let new = w.git(&["show", &format!("HEAD:{rel}")]);
        let (old, new): (Vec<&str>, Vec<&str>) = (old.lines().collect(), new.lines().collect());
        assert_eq!(old.len(), new.len(), "{rel}: line count");
        for (a, b) in old.iter().zip(&new) {
            if a != b {
                changed_lines += 1;
                assert_eq!(
                    indent_and_key(a),
                    indent_and_key(b),
                    "{rel}: only the value changes:\n{a}\n{b}"
                );
                assert!(!has_token(b), "{rel}: placeholder left: {b}");
            }
        }
    }
    assert_eq!(changed_lines, 13);
    // Byte-exact outside those lines: the missing final newline stays missing.
    let k = std::fs::read(w.clone_dir().join("gitops/add-ons/kustomization.yaml")).unwrap();
    assert!(!k.ends_with(b"\n"));
    let fixture_k = std::fs::read(fixture.join("gitops/add-ons/kustomization.yaml")).unwrap();
    assert_eq!(k, fixture_k);
    // The fork's branch is the clone's HEAD: pushed.
    assert_eq!(
        forge.branch_head(LOGIN, NAME, "main").unwrap(),
        w.git(&["rev-parse", "HEAD"])
    );
    // Argo's own expressions and the boolean label are untouched (that is migrate's job).
    let wf = w.git(&[
        "show",
        "HEAD:upgrades-workflows/upgrade-validate-workflow.yaml",
    ]);
    assert!(wf.contains("{{inputs.parameters.AWS_REGION}}") && wf.contains("- name: AWS_REGION"));
    assert_eq!(w.git(&["status", "--porcelain"]), "");
    assert_no_second_provisioner_kustomization(&w.clone_dir());
}

fn indent_and_key(line: &str) -> &str {
    line.split_once(": ").map_or(line, |(k, _)| k)
}

fn has_token(line: &str) -> bool {
    [
        "KARPENTER_IRSA",
        "CLUSTER_ENDPOINT",
        "ARGO_WORKFLOWS",
        "REGION_AWS",
        "AWS_VPC_ID",
        "SECURITY_GROUP_ID",
        "IAM_ROLE_NAME",
        "INSTANCE_PROFILE",
    ]
    .iter()
    .any(|t| line.contains(&format!(": {t}")))
}

fn assert_no_second_provisioner_kustomization(clone: &Path) {
    let count = walk(clone)
        .iter()
        .filter(|text| {
            text.contains("name: karpenter-provisioner")
                && text.contains("kind: Kustomization\nmetadata")
        })
        .count();
    assert_eq!(count, 1, "one Flux Kustomization owns the provisioner");
}

fn walk(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.file_name().is_some_and(|n| n == ".git") {
            continue;
        }
        if path.is_dir() {
            out.extend(walk(&path));
        } else if let Ok(text) = std::fs::read_to_string(&path) {
            out.push(text);
        }
    }
    out
}

#[test]
fn each_value_key_refuses_a_malformed_value_before_anything_is_written() {
    let example = std::fs::read_to_string(example_values()).unwrap();
    let bad = [
        ("aws_region", "arn:aws:iam::111122223333:role/x"),
        ("aws_vpc_id", "eu-west-1"),
        ("cluster_endpoint", "vpc-123"),
        ("karpenter_irsa", "karpenter"),
        ("argo_workflows_irsa", "arn:aws:s3:::bucket"),
        ("argo_workflows_bucket_name", "Not_A_Bucket"),
        ("argo_workflows_bucket_arn", "arn:aws:s3:::another-bucket"),
        ("cluster_primary_security_group_id", "vpc-0a1b2c3d"),
        ("cluster_iam_role_name", "has spaces"),
        ("karpenter_instance_profile", "a:b"),
        ("cluster_name", "-x"),
    ];
    for (key, value) in bad {
        let w = Workshop::new();
        let lines: Vec<String> = example
            .lines()
            .map(|l| {
                if l.starts_with(&format!("{key}:")) {
                    format!("{key}: \"{value}\"")
                } else {
                    l.to_string()
                }
            })
            .collect();
        let file = w.dir().join("values.yaml");
        std::fs::write(&file, lines.join("\n")).unwrap();
        w.cmd(&[
            "setup",
            "--offline",
            "--yes",
            "--values",
            file.to_str().unwrap(),
        ])
        .run()
        .bad(2, &format!("`{key}`"))
        .stderr_has(value);
        assert!(!w.clone_dir().exists(), "{key}: nothing cloned");
        // The same value from the environment or a flag is refused the same way.
        if key == "aws_region" {
            w.cmd(&[
                "setup",
                "--offline",
                "--yes",
                "--values",
                example_values().to_str().unwrap(),
            ])
            .env("AWS_REGION", value)
            .run()
            .bad(2, "`aws_region`");
        }
    }
}

#[test]
fn a_terraform_state_is_read_without_terraform_and_found_where_the_workshop_puts_it() {
    let example = crate::support::example_values();
    let values: serde_yaml::Value =
        serde_yaml::from_str(&std::fs::read_to_string(example).unwrap()).unwrap();
    let outputs: serde_json::Map<String, serde_json::Value> = values
        .as_mapping()
        .unwrap()
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().unwrap().to_string(),
                serde_json::json!({"value": v.as_str().unwrap(), "type": "string"}),
            )
        })
        .collect();
    let state = serde_json::json!({"version": 4, "terraform_version": "1.5.7", "outputs": outputs});
    // No terraform on PATH: only the rig's kubectl and git's directory.
    let path = &format!("{}:/usr/bin:/bin", crate::support::rig_bin().display());
    let w = Workshop::new();
    let file = w.dir().join("given.tfstate");
    std::fs::write(&file, state.to_string()).unwrap();
    w.cmd(&[
        "setup",
        "--offline",
        "--yes",
        "--terraform-state",
        file.to_str().unwrap(),
    ])
    .env("PATH", path)
    .run()
    .success();
    // Found in ~/environment (HOME is the test's dir), and said so.
    let w = Workshop::new();
    std::fs::create_dir_all(w.dir().join("environment")).unwrap();
    std::fs::write(
        w.dir().join("environment/terraform.tfstate"),
        state.to_string(),
    )
    .unwrap();
    let out = w
        .cmd(&["setup", "--offline", "--yes"])
        .env("PATH", path)
        .run()
        .success();
    let said = format!("{}{}", out.stdout, out.stderr);
    assert!(
        said.contains("values from the terraform state")
            && said.contains("environment/terraform.tfstate"),
        "{said}"
    );
    let karpenter = w.git(&["show", &format!("HEAD:{KARPENTER}")]);
    assert!(
        karpenter
            .contains("arn:aws:iam::111122223333:role/karpenter-controller-eks-upgrades-workshop")
    );
}

/// In a terminal (a pty from `script`), the plan is shown and asked about
/// first; then a malformed answer is refused with the reason and asked again.
#[test]
fn a_prompt_asks_again_until_the_value_has_its_shape() {
    let w = Workshop::new();
    let example = std::fs::read_to_string(example_values()).unwrap();
    let partial: String = example
        .lines()
        .filter(|l| !l.starts_with("aws_vpc_id:"))
        .map(|l| format!("{l}\n"))
        .collect();
    let file = w.dir().join("partial.yaml");
    std::fs::write(&file, partial).unwrap();
    let out = w
        .cmd(&["setup", "--offline", "--values", file.to_str().unwrap()])
        .in_pty(b"yeu-west-1\rvpc-0a1b2c3d\r");
    let screen = &out.stdout;
    assert_eq!(out.code, 0, "{screen}");
    assert!(screen.contains("`eu-west-1` is not a VPC ID"), "{screen}");
    let plan = screen.find("the plan:").expect("the plan is shown");
    let asked = screen.find("Run this plan?").expect("and asked about");
    let value = screen.find("is not a VPC ID").unwrap();
    assert!(plan < asked && asked < value, "{screen}");
    assert!(screen.contains("fork          would-run"), "{screen}");
    let workflow = w.git(&[
        "show",
        "HEAD:upgrades-workflows/upgrade-validate-workflow.yaml",
    ]);
    assert!(workflow.contains("value: \"vpc-0a1b2c3d\""), "{workflow}");
}

/// Declined at the plan's question: nothing is made (no state, no clone,
/// no remote), and the message says how to run without asking.
#[test]
fn a_plan_declined_in_a_terminal_changes_nothing() {
    let w = Workshop::new();
    let values = example_values();
    let out = w
        .cmd(&["setup", "--offline", "--values", values.to_str().unwrap()])
        .in_pty(b"n");
    let screen = &out.stdout;
    assert_eq!(out.code, 0, "{screen}");
    assert!(screen.contains("Run this plan?"), "{screen}");
    assert!(
        screen.contains("nothing was changed (--yes runs the plan without asking)"),
        "{screen}"
    );
    let work = w.dir().join(".eks-workshop");
    assert!(!work.join("state.json").exists(), "no state");
    assert!(!work.join("remote").exists(), "no local remote");
    assert!(!w.clone_dir().exists(), "no clone");
}
