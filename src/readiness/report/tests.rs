use super::*;

pub(crate) fn finding(file: &str, line: usize, removed: bool, reachable: bool) -> Finding {
    Finding {
        file: file.into(),
        line,
        kind: "CronJob".into(),
        namespace: String::new(),
        name: "hello".into(),
        api_version: "batch/v1beta1".into(),
        replacement: "batch/v1".into(),
        deprecated_in: "1.21".into(),
        removed_in: "1.25".into(),
        removed_in_target: removed,
        reachable,
        source: "repo",
        kustomization: String::new(),
        replacement_kind: String::new(),
        replacement_since: "1.21".into(),
    }
}

fn report(findings: Vec<Finding>, problems: Vec<Problem>) -> Report {
    Report {
        target_version: KubeVersion::parse("1.25").unwrap(),
        findings,
        problems,
        not_built: Vec::new(),
    }
}

#[test]
fn json_has_exactly_the_documented_fields() {
    let problem = Problem {
        file: "a.yaml".into(),
        line: 3,
        message: "invalid YAML".into(),
    };
    let r = report(vec![finding("a.yaml", 1, true, true)], vec![problem]);
    let v: serde_json::Value = serde_json::from_str(&r.to_json()).unwrap();
    assert_eq!(v["target_version"], "1.25");
    let keys: Vec<&str> = v["findings"][0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let mut expected = vec![
        "file",
        "line",
        "kind",
        "namespace",
        "name",
        "api_version",
        "replacement",
        "deprecated_in",
        "removed_in",
        "removed_in_target",
        "reachable",
        "source",
    ];
    expected.sort();
    assert_eq!(keys, expected);
    assert_eq!(
        v["problems"][0],
        serde_json::json!({"file": "a.yaml", "line": 3, "message": "invalid YAML"})
    );
}

#[test]
fn failures_count_reachable_removals_and_problems() {
    let problem = Problem {
        file: "a.yaml".into(),
        line: 3,
        message: "x".into(),
    };
    let r = report(
        vec![
            finding("a.yaml", 1, true, true),
            finding("b.yaml", 1, true, false),
            finding("c.yaml", 1, false, true),
        ],
        vec![problem],
    );
    assert_eq!(r.failures(false), 2);
    assert_eq!(r.failures(true), 3);
    for strict in [false, true] {
        assert_eq!(r.failing_problems(strict).len(), r.failures(strict));
    }
    let listed = r.failing_problems(false);
    assert_eq!(listed[1].file, "a.yaml");
    assert_eq!(
        listed[1].message,
        "CronJob hello uses batch/v1beta1, removed in 1.25; use batch/v1"
    );
}

#[test]
fn text_groups_by_removal_and_marks_unreachable() {
    let r = report(
        vec![
            finding("z.yaml", 9, true, false),
            finding("a.yaml", 4, true, true),
            finding("c.yaml", 2, false, true),
        ],
        vec![],
    );
    let text = r.render_text(false);
    let removed = text.find(">>> Removed in 1.25 <<<").unwrap();
    let deprecated = text
        .find(">>> Deprecated APIs (removed in a later version) <<<")
        .unwrap();
    assert!(removed < deprecated);
    let a = text.find("a.yaml:4").unwrap();
    let z = text.find("z.yaml:9 (not applied by Flux)").unwrap();
    assert!(a < z && z < deprecated, "{text}");
    assert!(text.contains("batch/v1 (1.21)"));
    assert!(text.lines().nth(1).unwrap().starts_with("KIND"));
    assert!(!text.contains('\x1b'));
    assert!(r.render_text(true).contains(RED));
}

#[test]
fn text_for_a_clean_repo_says_so() {
    assert!(
        report(vec![], vec![])
            .render_text(false)
            .starts_with("No deprecated")
    );
}
