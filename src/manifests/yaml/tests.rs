use super::*;

fn fast_or_serde(doc: &str) -> (Option<Head<'_>>, Result<Value, serde_yaml::Error>) {
    (fast::head(doc), serde_yaml::from_str::<Value>(doc))
}

/// The fast reader's promise: if it reads a document, serde_yaml reads it too
/// and finds the same fields.
pub(super) fn assert_agrees(doc: &str) {
    let (fast, serde) = fast_or_serde(doc);
    if let Some(head) = fast {
        let value = serde.unwrap_or_else(|e| {
            panic!("fast reader accepted what serde_yaml refuses ({e}):\n{doc}")
        });
        assert_eq!(head, head_of(&value), "fields differ for:\n{doc}");
    }
}

fn accepted(doc: &str) -> Head<'_> {
    assert_agrees(doc);
    fast::head(doc).unwrap_or_else(|| panic!("fast reader declined:\n{doc}"))
}

fn declined(doc: &str) {
    assert_agrees(doc);
    assert!(fast::head(doc).is_none(), "fast reader accepted:\n{doc}");
}

#[test]
fn reads_ordinary_manifests() {
    let doc = "\
# leading comment
apiVersion: apps/v1   # trailing
kind: \"Deployment\"
metadata:
  labels:
    app: web
    name: not-this-one
  name: 'web'
  annotations:
    note: |
      name: nor-this
      namespace: x
  namespace: prod
spec:
  replicas: 3
  selector: {}
  template:
    spec:
      containers:
      - name: app
        image: nginx:1.25
        args: [\"--a\", b, 'c']
        env:
          - name: X
            value: \"1\"
";
    let head = accepted(doc);
    assert_eq!(head.gvk(), Some(("apps/v1", "Deployment")));
    assert_eq!(head.name.as_deref(), Some("web"));
    assert_eq!(head.namespace.as_deref(), Some("prod"));
}

#[test]
fn non_string_fields_are_absent_or_declined() {
    assert_eq!(
        accepted("apiVersion: v1\nkind: null\nmetadata:\n  name: ~\n").kind,
        None
    );
    assert_eq!(
        accepted("apiVersion: v1\nkind: X\nmetadata: []\n").name,
        None
    );
    assert_eq!(
        accepted("apiVersion: v1\nkind: X\nmetadata:\n- name: a\n").name,
        None
    );
    assert_eq!(accepted("apiVersion: v1\nkind: X\nmetadata:\n").name, None);
    declined("apiVersion: v1\nkind: X\nmetadata:\n  name: 123\n");
    declined("apiVersion: v1\nkind: X\nmetadata:\n  name: \"a\\tb\"\n");
    declined("apiVersion: v1\nkind: |\n  X\n");
}

#[test]
fn declines_what_it_does_not_model() {
    for doc in [
        "apiVersion: v1\nkind: X\nmetadata: {name: a}\n",
        "apiVersion: &v v1\nkind: X\n",
        "base: &b {}\nkind: *b\n",
        "apiVersion: !!str v1\n",
        "a:\n  b: \"x\nc: 1\"\n",
        "a:\n  b: 'x\nc: 1'\n",
        "a:\n  b: [1,\nc, 2]\n",
        "a:\n    b: x\n     y\nc: 1\n",
        "kind: x\n  y\n",
        "- a\n- b\n",
        "  apiVersion: v1\n",
        "? a\n: b\n",
        "apiVersion: v1\r\nkind: X\r\n",
        "apiVersion: v1\nkind:\tX\n",
        "\"apiVersion\" : v1\n",
        "apiVersion: v1\nkind: List\nitems: []\n",
        "a: |2\n   x\n",
        "a: [a: b]\n",
        "a:\n- x\n  - y\n",
    ] {
        declined(doc);
    }
}

#[test]
fn invalid_documents_are_never_accepted() {
    for doc in [
        "a: 1\na: 2\n",
        "metadata:\n  name: x\n  name: y\n",
        "a:\n  b: 1\n c: 2\n",
        "a: b: c\n",
        "a:\n  - b\n  c: 1\n",
        "a: x\n  # c\n  y\n",
        "a: \"x\"y\n",
        "a: 'x' y\n",
        "a: [1] x\n",
        "a: @x\n",
        "a: x\ny\n",
        "a: \"\\q\"\n",
        "a: \"\\ud800\"\n",
        "a: - b\n",
        "a: |\n      \n  b\n",
        "~: a\nnull: b\n",
        "true: 1\nTrue: 2\n",
        "a: {x: 1, x: 2}\n",
        "a: {x, x}\n",
        "a: [*x]\n",
    ] {
        assert!(
            serde_yaml::from_str::<Value>(doc).is_err(),
            "serde_yaml accepts:\n{doc}"
        );
        declined(doc);
    }
}

#[test]
fn documents_split_at_markers_with_their_lines() {
    let text = "# c\n---\na: 1\n---\n\n# only a comment\n--- # x\nb: 2\n...\nc: 3\n--- {d: 4}\n";
    let docs = split_docs(text).unwrap();
    let got: Vec<(usize, usize, &str)> = docs
        .iter()
        .map(|d| (d.start_line, d.content_line, d.text))
        .collect();
    assert_eq!(
        got,
        vec![
            (3, 3, "a: 1\n"),
            (8, 8, "b: 2\n"),
            (10, 10, "c: 3\n"),
            (11, 11, "--- {d: 4}\n")
        ]
    );
    assert!(split_docs("%YAML 1.2\n---\na: 1\n").is_none());
}

/// (line, apiVersion, kind/name, read by the fast reader)
type Found = Vec<(usize, String, String, bool)>;

fn objects(text: &str) -> (Found, Vec<SyntaxError>) {
    let mut found = Vec::new();
    let errors = read_yaml(text, &mut |m| {
        let (a, k) = m.head.gvk().unwrap();
        found.push((
            m.line,
            a.to_owned(),
            format!("{k}/{}", m.head.name.as_deref().unwrap_or("")),
            m.block_style,
        ));
    });
    (found, errors)
}

#[test]
fn multi_document_files_keep_going_after_invalid_documents() {
    let text = "\
apiVersion: v1
kind: A
metadata: {name: flow}
---
apiVersion: v1
kind: B
  bad: indentation
---
# comment first
apiVersion: v1
kind: C
metadata:
  name: c
";
    let (found, errors) = objects(text);
    assert_eq!(
        found,
        vec![
            (1, "v1".into(), "A/flow".into(), false),
            (10, "v1".into(), "C/c".into(), true)
        ]
    );
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].0, 7, "{errors:?}");
    assert!(errors[0].1.starts_with("invalid YAML"));
}

#[test]
fn list_items_are_objects_with_their_lines() {
    let text = "\
apiVersion: v1
kind: List
items:
- apiVersion: batch/v1beta1
  kind: CronJob
  metadata:
    name: one
- {apiVersion: policy/v1beta1, kind: PodDisruptionBudget, metadata: {name: two}}
";
    let (found, errors) = objects(text);
    assert!(errors.is_empty());
    assert_eq!(
        found,
        vec![
            (4, "batch/v1beta1".into(), "CronJob/one".into(), false),
            (
                8,
                "policy/v1beta1".into(),
                "PodDisruptionBudget/two".into(),
                false
            )
        ]
    );
}

#[test]
fn json_manifests_and_lists() {
    let mut found = Vec::new();
    let text = "\n{\"apiVersion\": \"v1\", \"kind\": \"List\", \"items\": [\n {\"apiVersion\": \"batch/v1beta1\", \"kind\": \"CronJob\", \"metadata\": {\"name\": \"j\"}}]}";
    let errors = read_json(text, &mut |m| {
        found.push((m.line, m.head.kind.unwrap().into_owned()))
    });
    assert!(errors.is_empty());
    assert_eq!(found, vec![(2, "CronJob".to_owned())]);
    let errors = read_json("{\n\"a\": }", &mut |_| panic!());
    assert_eq!(errors[0].0, 2);
}

#[test]
fn flux_kustomizations_carry_their_path() {
    let text = "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nspec:\n  path: ./gitops/apps\n---\n\
                apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nspec:\n  prune: true\n";
    let mut paths = Vec::new();
    read_yaml(text, &mut |m| paths.push(m.flux_path));
    // Without a path, Flux applies the source's root.
    assert_eq!(
        paths,
        vec![Some("./gitops/apps".to_owned()), Some("./".to_owned())]
    );
}

#[test]
fn only_kustomizations_built_from_the_fork_carry_a_path() {
    let ks = |source: &str| {
        format!(
            "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: k\n  namespace: flux-system\nspec:\n  path: ./p\n  sourceRef:\n{source}\n"
        )
    };
    let path = |text: &str| {
        let mut paths = Vec::new();
        read_yaml(text, &mut |m| paths.push(m.flux_path));
        paths.remove(0)
    };
    let ours = "    kind: GitRepository\n    name: flux-system";
    assert_eq!(path(&ks(ours)), Some("./p".to_owned()));
    assert_eq!(
        path(&ks(&format!("{ours}\n    namespace: flux-system"))),
        Some("./p".to_owned())
    );
    for other in [
        "    kind: GitRepository\n    name: broken-src",
        "    kind: OCIRepository\n    name: flux-system",
        "    kind: GitRepository\n    name: flux-system\n    namespace: team-a",
    ] {
        assert_eq!(path(&ks(other)), None, "{other}");
    }
    // Its own namespace is the source's when the sourceRef names none.
    let elsewhere = ks(ours).replace("namespace: flux-system", "namespace: team-a");
    assert_eq!(path(&elsewhere), None);
    // The JSON reader agrees.
    let json = r#"{"apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
        "metadata": {"name": "k"}, "spec": {"path": "./p",
        "sourceRef": {"kind": "GitRepository", "name": "broken-src"}}}"#;
    let mut paths = Vec::new();
    read_json(json, &mut |m| paths.push(m.flux_path));
    assert_eq!(paths, vec![None]);
}

#[test]
fn an_empty_api_version_or_kind_is_not_an_object() {
    for text in [
        "apiVersion: ''\nkind: X\n",
        "apiVersion: v1\nkind: ''\n",
        "apiVersion: ''\nkind: ''\n",
        "apiVersion: v1\nkind: \"\"\nother: {a: [1]}\n",
    ] {
        assert_eq!(objects(text), (vec![], vec![]), "{text}");
    }
}

#[test]
fn items_of_a_kind_that_is_not_a_list_are_not_objects() {
    let text = "\
apiVersion: example.com/v1
kind: Inventory
items:
- apiVersion: v1
  kind: ConfigMap
";
    let (found, errors) = objects(text);
    assert!(errors.is_empty());
    assert_eq!(
        found,
        vec![(1, "example.com/v1".into(), "Inventory/".into(), false)]
    );
    let mut kinds = Vec::new();
    let json = r#"{"apiVersion": "example.com/v1", "kind": "Inventory", "items": [{"apiVersion": "v1", "kind": "ConfigMap"}]}"#;
    read_json(json, &mut |m| kinds.push(m.head.kind.unwrap().into_owned()));
    assert_eq!(kinds, ["Inventory"]);
}

#[test]
fn list_items_get_their_lines_past_nested_lists_blank_lines_and_later_keys() {
    let text = "\
apiVersion: v1

kind: List
items:
  -
    apiVersion: v1
    kind: ConfigMap
    metadata:
      name: one
  - apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: two
    spec:
      template:
        spec:
          containers:
          - name: a
          - name: b
metadata:
  finalizers:
  - example.com/keep
";
    let (found, errors) = objects(text);
    assert!(errors.is_empty());
    assert_eq!(
        found,
        vec![
            (5, "v1".into(), "ConfigMap/one".into(), false),
            (10, "apps/v1".into(), "Deployment/two".into(), false)
        ]
    );
}

#[test]
fn items_in_flow_style_get_the_documents_line() {
    // The `- ` on line 5 is inside a quoted name, not an entry of `items`.
    let text = "\
apiVersion: v1
kind: List
items:
  [{apiVersion: v1, kind: ConfigMap, metadata: {name: \"a
  - b\"}}]
";
    let (found, errors) = objects(text);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(
        found,
        vec![(1, "v1".into(), "ConfigMap/a - b".into(), false)]
    );
}

#[test]
fn a_stream_with_directives_reports_its_syntax_error_and_stops() {
    let text = "%YAML 1.1\n---\napiVersion: v1\nkind: A\n---\napiVersion: [v1\nkind: B\n";
    let (found, errors) = objects(text);
    assert_eq!(found, vec![(1, "v1".into(), "A/".into(), false)]);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(
        errors[0].0, 7,
        "counted from the file's first line: {errors:?}"
    );
    assert!(errors[0].1.starts_with("invalid YAML: "), "{errors:?}");
    let (found, errors) = objects("%YAML 1.1\n---\napiVersion: v1\nkind: A\n");
    assert_eq!((found.len(), errors), (1, vec![]));
}

#[test]
fn metadata_fields_after_a_list_in_metadata_are_read() {
    let head = accepted("apiVersion: v1\nkind: X\nmetadata:\n  finalizers:\n  - a\n  name: x\n");
    assert_eq!(head.name.as_deref(), Some("x"));
}

#[test]
fn a_top_level_key_after_an_indentless_top_level_list_is_read() {
    let head = accepted("apiVersion: v1\nfinalizers:\n- a\nkind: X\n");
    assert_eq!(head.gvk(), Some(("v1", "X")));
}

#[test]
fn a_blank_line_as_indented_as_the_block_scalars_content_is_read() {
    let head = accepted("apiVersion: v1\nkind: X\ndata: |\n  \n  text\nmetadata:\n  name: x\n");
    assert_eq!(head.name.as_deref(), Some("x"));
}

#[test]
fn non_ascii_text_libyaml_allows_is_read() {
    // One character from each range libyaml prints: U+00A0..U+D7FF,
    // U+E000..U+FFFD, and past U+FFFF.
    let head = accepted(
        "apiVersion: v1\nkind: X\nmetadata:\n  name: café\n  namespace: ＡＢ\ndata:\n  a: 😀\n",
    );
    assert_eq!(head.name.as_deref(), Some("café"));
    assert_eq!(head.namespace.as_deref(), Some("ＡＢ"));
    // A C1 control character is refused by libyaml; NEL and LS are line
    // breaks to it.
    for doc in ["a: \u{80}\n", "a: x\u{85}y\n", "a: x\u{2028}y\n"] {
        declined(doc);
    }
    assert!(serde_yaml::from_str::<Value>("a: \u{80}\n").is_err());
}

#[test]
fn quoted_keys_are_read() {
    let head = accepted("\"apiVersion\": v1\n'kind': X\n\"metadata\":\n  name: x\n");
    assert_eq!(head.gvk(), Some(("v1", "X")));
    assert_eq!(head.name.as_deref(), Some("x"));
}

#[test]
fn keys_up_to_libyamls_length_limit_are_read() {
    let long = format!("apiVersion: v1\nkind: X\n{}: 1\n", "k".repeat(1000));
    accepted(&long);
    let too_long = format!("apiVersion: v1\nkind: X\n{}: 1\n", "k".repeat(1100));
    assert!(serde_yaml::from_str::<Value>(&too_long).is_err());
    declined(&too_long);
}

#[test]
fn values_of_each_plain_and_quoted_form_are_read() {
    let doc = "\
apiVersion: \"v1\" #no space after the hash
kind: X
metadata:
  name: x
data:
  flag: -v
  args: [-v, --verbose]
  selector: {app: web, tier: 'db', \"x\": y}
  strip: |-
    text
  keep: >+
    text

  hex: \"\\x41\"
  bmp: \"\\u00e9\"
  astral: \"\\U0001F600\"
  simple: \"\\n and \\t\"
  late: \"ab\\n\"
  quote: 'abc''d'
";
    let head = accepted(doc);
    assert_eq!(head.gvk(), Some(("v1", "X")));
    assert_eq!(head.name.as_deref(), Some("x"));
}

#[test]
fn first_error_names_the_line_of_a_tab_indent_and_passes_a_good_stream() {
    let good = "a: 1\n---\nb:\n  - c\n";
    assert_eq!(first_error(good, false), None);
    let (line, why) = first_error("a: 1\n---\nb:\n\tc: 2\n", false).unwrap();
    assert_eq!(line, 4, "{why}");
    assert!(why.starts_with("invalid YAML"), "{why}");
    assert_eq!(first_error("{\"a\": 1}", true), None);
    assert_eq!(first_error("{\"a\":\n 1,}", true).unwrap().0, 2);
}
