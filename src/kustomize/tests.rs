use super::*;
use proptest::prelude::*;

const ADDONS: &str = "apiVersion: kustomize.config.k8s.io/v1beta1\n\
    kind: Kustomization\n\
    resources:\n  \
      - 01-metrics-server.yaml\n  \
      # - 02-karpenter.yaml\n  \
      # - 03-argo-workflows.yaml\n";

/// Found by cargo-mutants (`is_enabled` had no test of its own).
#[test]
fn is_enabled_means_listed_and_uncommented() {
    assert!(is_enabled(ADDONS, "01-metrics-server.yaml"));
    assert!(!is_enabled(ADDONS, "02-karpenter.yaml"), "commented out");
    assert!(!is_enabled(ADDONS, "04-unknown.yaml"), "not listed");
    assert!(!is_enabled(
        "kind: Kustomization\n",
        "01-metrics-server.yaml"
    ));
}

/// Found by cargo-mutants: a `#` inside a name is not a comment; only
/// ` #` after the value is. (`at > 0` vs `at >= 0` there is an
/// equivalent mutant: at 0 nothing precedes the `#`.)
#[test]
fn a_hash_inside_a_name_is_part_of_it() {
    let text = "resources:\n  - file#1.yaml # a note\n";
    assert_eq!(
        entries(text).unwrap(),
        vec![("file#1.yaml".to_string(), true)]
    );
}

#[test]
fn lists_enabled_and_commented_entries() {
    assert_eq!(
        entries(ADDONS).unwrap(),
        vec![
            ("01-metrics-server.yaml".to_string(), true),
            ("02-karpenter.yaml".to_string(), false),
            ("03-argo-workflows.yaml".to_string(), false),
        ]
    );
}

#[test]
fn uncomments_only_the_matching_line() {
    let out = set_enabled(ADDONS, "02-karpenter.yaml", true)
        .unwrap()
        .unwrap();
    assert_eq!(
        out,
        ADDONS.replace("  # - 02-karpenter.yaml", "  - 02-karpenter.yaml")
    );
}

#[test]
fn comments_out_canonically() {
    let out = set_enabled(ADDONS, "01-metrics-server.yaml", false)
        .unwrap()
        .unwrap();
    assert_eq!(out, ADDONS.replace("  - 01-metrics", "  # - 01-metrics"));
}

#[test]
fn already_in_state_is_no_change() {
    assert_eq!(
        set_enabled(ADDONS, "01-metrics-server.yaml", true),
        Ok(None)
    );
    assert_eq!(set_enabled(ADDONS, "02-karpenter.yaml", false), Ok(None));
}

#[test]
fn accepts_other_comment_shapes() {
    for line in [
        "#- 02-karpenter.yaml",
        "#  - 02-karpenter.yaml",
        "  #- 02-karpenter.yaml",
    ] {
        let text = format!("resources:\n  - a.yaml\n{line}\n");
        let out = set_enabled(&text, "02-karpenter.yaml", true)
            .unwrap()
            .unwrap();
        assert_eq!(
            out, "resources:\n  - a.yaml\n  - 02-karpenter.yaml\n",
            "from {line:?}"
        );
    }
}

#[test]
fn matches_the_exact_resource_only() {
    let text = "resources:\n  # - 02-karpenter.yaml.bak\n  # - 02-karpenter.yaml\n";
    let out = set_enabled(text, "02-karpenter.yaml", true)
        .unwrap()
        .unwrap();
    assert_eq!(
        out,
        "resources:\n  # - 02-karpenter.yaml.bak\n  - 02-karpenter.yaml\n"
    );
    let only_bak = "resources:\n  # - 02-karpenter.yaml.bak\n";
    assert!(set_enabled(only_bak, "02-karpenter.yaml", true).is_err());
}

#[test]
fn keeps_crlf_trailing_comments_and_missing_final_newline() {
    let text = "resources:\r\n  - a.yaml\r\n  # - b.yaml # needs IRSA\r\nnamespace: x";
    let out = set_enabled(text, "b.yaml", true).unwrap().unwrap();
    assert_eq!(
        out,
        "resources:\r\n  - a.yaml\r\n  - b.yaml # needs IRSA\r\nnamespace: x"
    );
    assert_eq!(set_enabled(&out, "b.yaml", false).unwrap().unwrap(), text);
}

#[test]
fn quoted_entries_and_column_zero_items() {
    let text = "resources:\n- \"a.yaml\"\n# - 'b.yaml'\n";
    assert_eq!(
        entries(text).unwrap(),
        vec![("a.yaml".to_string(), true), ("b.yaml".to_string(), false)]
    );
    let out = set_enabled(text, "b.yaml", true).unwrap().unwrap();
    assert_eq!(out, "resources:\n- \"a.yaml\"\n- 'b.yaml'\n");
}

#[test]
fn only_edits_inside_the_resources_block() {
    let text = "# - a.yaml\nresources:\n  - b.yaml\npatches:\n  # - a.yaml\n";
    let err = set_enabled(text, "a.yaml", true).unwrap_err();
    assert!(err.contains("not listed"), "{err}");
    assert_eq!(entries(text).unwrap(), vec![("b.yaml".to_string(), true)]);
}

#[test]
fn no_resources_list_is_an_error() {
    assert!(entries("kind: Kustomization\n").is_err());
    assert!(set_enabled("resources: [a.yaml]\n", "a.yaml", false).is_err());
    assert!(entries("").is_err());
}

fn name() -> impl Strategy<Value = String> {
    "[a-z0-9][a-z0-9-]{0,12}(\\.yaml)?"
}

/// A canonical file: a header, entries at a common indent, commented out
/// as `<indent># - x`, a trailing key; random line endings.
fn canonical() -> impl Strategy<Value = (String, Vec<String>)> {
    (
        prop::collection::btree_set(name(), 1..8),
        prop::collection::vec(any::<bool>(), 8),
        prop_oneof![Just(""), Just("  "), Just("    ")],
        prop_oneof![Just("\n"), Just("\r\n")],
        any::<bool>(),
    )
        .prop_map(|(names, enabled, indent, eol, final_newline)| {
            let names: Vec<String> = names.into_iter().collect();
            let mut text =
                format!("apiVersion: kustomize.config.k8s.io/v1beta1{eol}resources:{eol}");
            for (name, on) in names.iter().zip(&enabled) {
                let hash = if *on { "" } else { "# " };
                text.push_str(&format!("{indent}{hash}- {name}{eol}"));
            }
            text.push_str("namespace: demo");
            if final_newline {
                text.push_str(eol);
            }
            (text, names)
        })
}

fn changed_lines(a: &str, b: &str) -> Vec<usize> {
    let (a, b) = (split_lines(a), split_lines(b));
    assert_eq!(a.len(), b.len(), "line count changed");
    (0..a.len())
        .filter(|&i| a[i].text != b[i].text || a[i].ending != b[i].ending)
        .collect()
}

proptest! {
    #[test]
    fn toggling_round_trips((text, names) in canonical(), pick in any::<prop::sample::Index>()) {
        let name = pick.get(&names);
        let enabled = entries(&text).unwrap().iter().any(|(n, on)| n == name && *on);
        let toggled = set_enabled(&text, name, !enabled).unwrap().unwrap();
        prop_assert_eq!(changed_lines(&text, &toggled).len(), 1);
        let back = set_enabled(&toggled, name, enabled).unwrap().unwrap();
        prop_assert_eq!(back, text);
    }

    #[test]
    fn edits_touch_only_the_matching_lines(
        text in "(resources:\n)?([ #-]{0,4}[a-z.]{0,6}( #x)?\r?\n){0,8}",
        resource in "[a-z.]{1,4}",
        on in any::<bool>(),
    ) {
        if let Ok(Some(out)) = set_enabled(&text, &resource, on) {
            let before = entries(&text).unwrap();
            let expected = if on {
                1
            } else {
                before.iter().filter(|(n, e)| n == &resource && *e).count()
            };
            prop_assert_eq!(changed_lines(&text, &out).len(), expected);
            let after = entries(&out).unwrap();
            prop_assert!(after.iter().any(|(n, e)| n == &resource && *e == on));
            prop_assert_eq!(before.len(), after.len());
        }
    }

    #[test]
    fn never_panics(text in any::<String>(), resource in any::<String>(), on in any::<bool>()) {
        let _ = entries(&text);
        let _ = set_enabled(&text, &resource, on);
    }
}
