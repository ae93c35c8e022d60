use super::*;

fn k(v: &str) -> KubeVersion {
    KubeVersion::parse(v).unwrap()
}

fn v(t: &str) -> ChartVersion {
    ChartVersion::parse(t).unwrap()
}

#[test]
fn the_table_parses_and_its_rows_neither_overlap_nor_run_backwards() {
    let table = parse(TABLE).unwrap();
    assert_eq!(
        table.keys().map(String::as_str).collect::<Vec<_>>(),
        ["argo-workflows", "karpenter", "metrics-server"]
    );
    for (chart, rows) in &table {
        for pair in rows.windows(2) {
            assert!(pair[0].from < pair[0].until, "{chart}: {:?}", pair[0]);
            assert!(pair[0].until <= pair[1].from, "{chart}: rows overlap");
        }
        for row in rows {
            assert!(row.source.starts_with("https://"), "{chart}: {row:?}");
        }
    }
}

#[test]
fn versions_compare_as_numbers_with_or_without_v() {
    assert_eq!(v("v0.27.3"), ChartVersion(0, 27, 3));
    assert_eq!(v("\"3.12.1\""), ChartVersion(3, 12, 1));
    assert_eq!(v("0.46.00"), ChartVersion(0, 46, 0));
    assert_eq!(v("1.5"), ChartVersion(1, 5, 0));
    assert_eq!(v("1.5.0-rc.1"), ChartVersion(1, 5, 0));
    assert!(v("0.9.0") < v("0.10.0"));
    for bad in ["", "latest", "1", "1.x", ">=1.0.0", "1.2.3.4", "+1.2.3"] {
        assert_eq!(ChartVersion::parse(bad), None, "{bad}");
    }
}

#[test]
fn the_workshops_add_ons_at_1_33() {
    // Karpenter's matrix: 1.33 needs >= 1.5.
    let (support, app) = support("karpenter", "v0.27.3", k("1.33"));
    assert!(
        matches!(support, Support::No { ref range, .. } if range == "up to 1.25"),
        "{support:?}"
    );
    assert_eq!(app.as_deref(), Some("0.25-0.27"));
    assert_eq!(lowest_supporting("karpenter", k("1.33")), Some(v("1.5.0")));
    assert!(matches!(
        support_of("karpenter", "1.5.0", "1.33"),
        Support::Yes { .. }
    ));
    assert!(matches!(
        support_of("karpenter", "1.4.9", "1.33"),
        Support::No { .. }
    ));
    // metrics-server 0.7.x: 1.27+.
    assert!(matches!(
        support_of("metrics-server", "3.12.1", "1.33"),
        Support::Yes { .. }
    ));
    // Below a release's documented floor: unknown, not "no".
    assert!(matches!(
        support_of("metrics-server", "3.12.1", "1.26"),
        Support::Unknown { .. }
    ));
    assert!(matches!(
        support_of("karpenter", "1.6.0", "1.28"),
        Support::Unknown { .. }
    ));
    assert_eq!(
        lowest_supporting("metrics-server", k("1.33")),
        Some(v("3.5.0"))
    );
    // Argo Workflows 3.4 was tested up to 1.27: unknown after, never "no".
    let argo = support_of("argo-workflows", "0.28.2", "1.33");
    assert!(
        matches!(argo, Support::Unknown { ref why } if why.contains("3.4") && why.contains("1.21 to 1.27")),
        "{argo:?}"
    );
    assert!(matches!(
        support_of("argo-workflows", "0.28.2", "1.27"),
        Support::Yes { .. }
    ));
    assert_eq!(
        lowest_supporting("argo-workflows", k("1.33")),
        Some(v("0.45.21"))
    );
}

fn support_of(chart: &str, version: &str, target: &str) -> Support {
    support(chart, version, k(target)).0
}

#[test]
fn what_the_table_does_not_cover_is_unknown() {
    for (chart, version) in [
        ("cert-manager", "1.0.0"),
        ("karpenter", "0.20.0"),
        ("karpenter", "9.0.0"),
        ("karpenter", "latest"),
    ] {
        assert!(
            matches!(support_of(chart, version, "1.33"), Support::Unknown { .. }),
            "{chart} {version}"
        );
    }
    // The newest Karpenter row is open-ended to later Kubernetes: unknown there.
    assert!(matches!(
        support_of("karpenter", "1.11.1", "1.36"),
        Support::Unknown { .. }
    ));
    assert!(matches!(
        support_of("karpenter", "1.8.0", "1.35"),
        Support::No { .. }
    ));
    assert_eq!(lowest_supporting("karpenter", k("1.40")), None);
    assert_eq!(lowest_supporting("cert-manager", k("1.33")), None);
}

#[test]
fn a_bad_table_is_refused_naming_the_chart() {
    let bad = "karpenter:\n  - { from: 1.0.0, until: 1.1.0, app: x, kubernetes: \"1.30\", outside: unknown, source: s }\n";
    assert!(parse(bad).unwrap_err().contains("karpenter: bad range"));
    let bad = "karpenter:\n  - { from: one, until: 1.1.0, app: x, kubernetes: \"1.30+\", outside: unknown, source: s }\n";
    assert!(parse(bad).unwrap_err().contains("bad chart version one"));
}
