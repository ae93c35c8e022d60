use super::*;

fn k(v: &str) -> KubeVersion {
    KubeVersion::parse(v).unwrap()
}

fn repo(name: &str, chart: &str, version: &str, applied: bool) -> RepoRelease {
    RepoRelease {
        file: format!("gitops/add-ons/{name}.yaml"),
        line: 17,
        namespace: "flux-system".into(),
        name: name.into(),
        chart: chart.into(),
        version: version.into(),
        label: Some(version.into()),
        applied,
    }
}

fn live(name: &str, chart: &str, version: &str, running: Option<&str>) -> LiveRelease {
    LiveRelease {
        namespace: "flux-system".into(),
        name: name.into(),
        chart: chart.into(),
        version: version.into(),
        running: running.map(str::to_string),
        ready: None,
    }
}

fn severities(s: &Section) -> Vec<(Severity, &str)> {
    s.items
        .iter()
        .map(|i| (i.severity, i.message.as_str()))
        .collect()
}

#[test]
fn the_workshops_repo_at_1_33_offline() {
    let releases = [
        repo("metrics-server", "metrics-server", "3.12.1", true),
        repo("karpenter", "karpenter", "v0.27.3", false),
        repo("argo-workflows", "argo-workflows", "0.28.2", false),
    ];
    let s = build(&releases, None, k("1.33"));
    let table = s.table.as_ref().unwrap();
    assert_eq!(table.header[4], "SUPPORTS 1.33");
    let rows: Vec<Vec<&str>> = table
        .rows
        .iter()
        .map(|r| r.iter().map(String::as_str).collect())
        .collect();
    assert_eq!(
        rows,
        [
            [
                "flux-system/metrics-server",
                "metrics-server",
                "3.12.1",
                "not checked",
                "yes (1.27 and later)",
                "3.5.0",
                "gitops/add-ons/metrics-server.yaml:17"
            ],
            [
                "flux-system/karpenter",
                "karpenter",
                "v0.27.3",
                "not checked",
                "no (up to 1.25)",
                "1.5.0",
                "gitops/add-ons/karpenter.yaml:17"
            ],
            [
                "flux-system/argo-workflows",
                "argo-workflows",
                "0.28.2",
                "not checked",
                "unknown",
                "0.45.21",
                "gitops/add-ons/argo-workflows.yaml:17"
            ],
        ]
    );
    let sev: Vec<Severity> = s.items.iter().map(|i| i.severity).collect();
    // Karpenter is not enabled yet: to do, not blocking.
    assert_eq!(sev, [Severity::Fine, Severity::ToDo, Severity::ToDo]);
    assert!(
        s.items[1].fix.contains("1.5.0 or later"),
        "{:?}",
        s.items[1]
    );
    assert!(s.items[1].message.contains("not enabled"));
    assert_eq!(s.blocking().count(), 0);
}

#[test]
fn an_applied_release_that_does_not_support_the_target_blocks() {
    let s = build(
        &[repo("karpenter", "karpenter", "v0.27.3", true)],
        None,
        k("1.33"),
    );
    assert_eq!(s.blocking().count(), 1, "{:?}", severities(&s));
    assert!(
        s.items[0]
            .subject
            .contains("flux-system/karpenter (gitops/add-ons/karpenter.yaml:17)")
    );
}

#[test]
fn live_releases_show_what_runs_and_the_cluster_only_ones_too() {
    let releases = [repo("karpenter", "karpenter", "1.5.0", true)];
    let live = [
        live("karpenter", "karpenter", "1.5.0", Some("0.27.3")),
        live("podinfo", "podinfo", "6.0.0", Some("6.0.0")),
    ];
    let s = build(&releases, Some(&live), k("1.33"));
    let rows = &s.table.as_ref().unwrap().rows;
    assert_eq!(rows[0][3], "0.27.3");
    assert_eq!(rows[1][0], "flux-system/podinfo");
    assert_eq!(rows[1][4], "unknown");
    // Fine in the repo, but the cluster still runs a version that does not support 1.33.
    let sev = severities(&s);
    assert_eq!(sev[0].0, Severity::Fine);
    assert_eq!(sev[1].0, Severity::Blocking, "{sev:?}");
    assert!(sev[1].1.contains("the cluster runs 0.27.3"));
    assert_eq!(sev[2].0, Severity::ToDo);
    assert!(
        sev[2]
            .1
            .contains("chart `podinfo` is not in eks-workshop's compatibility table"),
        "{sev:?}"
    );
}

#[test]
fn a_label_that_disagrees_with_the_chart_version_is_to_do() {
    let mut r = repo("metrics-server", "metrics-server", "3.12.1", true);
    r.label = Some("3.11.0".into());
    let s = build(&[r], None, k("1.33"));
    assert_eq!(s.items.len(), 2);
    assert_eq!(s.items[1].severity, Severity::ToDo);
    assert!(s.items[1].message.contains("label says 3.11.0"));
}
