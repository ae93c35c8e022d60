//! Pure text edits of a `kustomization.yaml`: list the entries of its
//! `resources:` block and comment one in or out.
//!
//! The workshop enables an add-on by uncommenting its line (`sed -i "5s/^#//g"`),
//! and participants read the diff, so we edit the text rather than parse and
//! re-serialize the YAML: only the one matching line changes, and every other
//! byte (indentation, comments, CRLF, a missing final newline) is kept.

/// One line of the file, split into its text and its line ending.
struct Line<'a> {
    text: &'a str,
    ending: &'a str,
}

/// A list item found in the `resources:` block.
struct Entry<'a> {
    /// Index of the line in the file.
    line: usize,
    /// Leading whitespace before `-` (or before `#` when commented out).
    indent: &'a str,
    /// Everything after the `-`: the space, the value, any trailing comment.
    after_dash: &'a str,
    /// The resource itself, without quotes or trailing comment.
    value: &'a str,
    enabled: bool,
}

/// Whether `resource` is listed, uncommented, in the kustomization `text`.
pub(crate) fn is_enabled(text: &str, resource: &str) -> bool {
    entries(text).is_ok_and(|all| all.iter().any(|(name, on)| name == resource && *on))
}

/// Every resource of the `resources:` list, in file order, with whether it is
/// enabled (`true`) or commented out (`false`).
pub(crate) fn entries(text: &str) -> Result<Vec<(String, bool)>, String> {
    let lines = split_lines(text);
    Ok(resource_entries(&lines)?
        .into_iter()
        .map(|e| (e.value.to_string(), e.enabled))
        .collect())
}

/// Comment `resource` in (`enabled`) or out of the `resources:` list.
///
/// `Ok(None)` means it already is in that state and nothing changes.
/// `Err(reason)` when there is no `resources:` list, or `resource` is not
/// listed there at all (neither enabled nor commented out).
pub(crate) fn set_enabled(
    text: &str,
    resource: &str,
    enabled: bool,
) -> Result<Option<String>, String> {
    let lines = split_lines(text);
    let found = resource_entries(&lines)?;
    let matching: Vec<&Entry> = found.iter().filter(|e| e.value == resource).collect();
    if matching.is_empty() {
        return Err(format!(
            "`{resource}` is not listed under `resources:`, neither enabled nor commented out"
        ));
    }
    let mut replacements = Vec::new();
    if enabled {
        if matching.iter().any(|e| e.enabled) {
            return Ok(None);
        }
        // Line the item up with its enabled siblings; with none, keep the
        // indentation the commented line had before its `#`.
        let indent = found
            .iter()
            .find(|e| e.enabled)
            .map_or(matching[0].indent, |e| e.indent);
        replacements.push((
            matching[0].line,
            format!("{indent}-{}", matching[0].after_dash),
        ));
    } else {
        // Normally one line; a resource listed twice is commented out twice,
        // so that afterwards it really is disabled.
        for entry in matching.iter().filter(|e| e.enabled) {
            replacements.push((
                entry.line,
                format!("{}# -{}", entry.indent, entry.after_dash),
            ));
        }
        if replacements.is_empty() {
            return Ok(None);
        }
    }
    let mut out = String::with_capacity(text.len() + 2);
    let mut replacements = replacements.into_iter().peekable();
    for (index, line) in lines.iter().enumerate() {
        match replacements.peek() {
            Some((at, new)) if *at == index => {
                out.push_str(new);
                replacements.next();
            }
            _ => out.push_str(line.text),
        }
        out.push_str(line.ending);
    }
    Ok(Some(out))
}

fn split_lines(text: &str) -> Vec<Line<'_>> {
    text.split_inclusive('\n')
        .map(|raw| {
            let body = raw.strip_suffix('\n').unwrap_or(raw);
            let body = body.strip_suffix('\r').unwrap_or(body);
            Line {
                text: body,
                ending: &raw[body.len()..],
            }
        })
        .collect()
}

/// The entries of the first top-level `resources:` block.
fn resource_entries<'a>(lines: &[Line<'a>]) -> Result<Vec<Entry<'a>>, String> {
    let header = lines
        .iter()
        .position(|l| is_resources_header(l.text))
        .ok_or_else(|| "there is no `resources:` list".to_string())?;
    let mut entries = Vec::new();
    for (index, line) in lines.iter().enumerate().skip(header + 1) {
        if !in_block(line.text) {
            break;
        }
        if let Some(mut entry) = parse_entry(line.text) {
            entry.line = index;
            entries.push(entry);
        }
    }
    Ok(entries)
}

/// `resources:` at column 0, optionally followed by a comment. A flow list
/// (`resources: [a.yaml]`) has no lines to comment out, so it does not count.
fn is_resources_header(text: &str) -> bool {
    text.strip_prefix("resources:")
        .map(|rest| {
            let rest = rest.trim_start();
            rest.is_empty() || rest.starts_with('#')
        })
        .unwrap_or(false)
}

/// Whether a line after the header still belongs to the block: blank,
/// indented, a comment, or a list item at column 0 (`- a.yaml` is valid YAML
/// right under its key). The next top-level key or `---` ends it.
fn in_block(text: &str) -> bool {
    text.trim().is_empty()
        || text.starts_with([' ', '\t', '#'])
        || text == "-"
        || text.starts_with("- ")
        || text.starts_with("-\t")
}

/// `  - value # comment` (enabled) or `  # - value`, `#- value`,
/// `#  - value` (commented out).
fn parse_entry(text: &str) -> Option<Entry<'_>> {
    let rest = text.trim_start_matches([' ', '\t']);
    let indent = &text[..text.len() - rest.len()];
    let (enabled, item) = match rest.strip_prefix('#') {
        Some(commented) => (false, commented.trim_start_matches([' ', '\t'])),
        None => (true, rest),
    };
    let after_dash = item.strip_prefix('-')?;
    if !(after_dash.is_empty() || after_dash.starts_with([' ', '\t'])) {
        return None;
    }
    let value = scalar(after_dash);
    if value.is_empty() {
        return None;
    }
    Some(Entry {
        line: 0,
        indent,
        after_dash,
        value,
        enabled,
    })
}

/// The scalar after `- `: quoted (`"a.yaml"`, `'a.yaml'`) or plain, where a
/// plain scalar ends at ` #` (a trailing comment).
fn scalar(after_dash: &str) -> &str {
    let item = after_dash.trim_start_matches([' ', '\t']);
    for quote in ['"', '\''] {
        if let Some(quoted) = item.strip_prefix(quote) {
            return quoted.find(quote).map_or("", |end| &quoted[..end]);
        }
    }
    let mut end = item.len();
    for (at, _) in item.match_indices('#') {
        if at > 0 && item[..at].ends_with([' ', '\t']) {
            end = at;
            break;
        }
    }
    item[..end].trim_end()
}

#[cfg(test)]
mod tests {
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
}
