use super::*;
use proptest::prelude::*;

fn fast_or_serde(doc: &str) -> (Option<Head<'_>>, Result<Value, serde_yaml::Error>) {
    (fast::head(doc), serde_yaml::from_str::<Value>(doc))
}

/// The fast reader's promise: if it reads a document, serde_yaml reads it too
/// and finds the same fields.
fn assert_agrees(doc: &str) {
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

fn objects(text: &str) -> (Vec<(usize, String, String, bool)>, Vec<SyntaxError>) {
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
    let text = "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nspec:\n  path: ./gitops/apps\n";
    let mut paths = Vec::new();
    read_yaml(text, &mut |m| paths.push(m.flux_path));
    assert_eq!(paths, vec![Some("./gitops/apps".to_owned())]);
}

// ---- generated documents ----

#[derive(Debug, Clone)]
enum Node {
    Scalar(&'static str),
    Map(Vec<(&'static str, Node)>),
    Seq(Vec<Node>),
    Block(Vec<&'static str>),
}

/// Scalars the fast reader reads.
const SCALARS: &[&str] = &[
    "v1",
    "apps/v1",
    "batch/v1beta1",
    "Deployment",
    "web",
    "a b",
    "a:b",
    "http://x/y",
    "80",
    "-1",
    "0x1F",
    ".5",
    "1e3",
    "true",
    "False",
    "null",
    "~",
    "yes",
    "''",
    "\"\"",
    "'it''s'",
    "\"a\\\"b\"",
    "\"x\"",
    "'y'",
    "\"\\u00e9\"",
    "[a, b]",
    "[]",
    "{}",
    "[\"a\", 'b']",
    "a # comment",
    "\"q\" # c",
    "-x",
    "é",
    "x#y",
    "$(VAR)",
    "{{ x }}",
    "{a: 1}",
    "{app: web, \"b\": 'x'}",
    "[/bin/sh, -c, date]",
    "[-]",
    "[a, ]",
    "{ a: [b] }",
];
/// Scalars it declines, and broken ones.
const TRICKY: &[&str] = &[
    "{a: 1, a: 2}",
    "{a: b: c}",
    "{a:b}",
    "{a}",
    "{-: x}",
    "[a, [b]]",
    "&anchor v",
    "*alias",
    "!!str 1",
    "\"multi\nline\"",
    "'multi\nline'",
    "plain\n  more",
    "- a",
    ": x",
    "|",
    "a: b",
    "\"\\q\"",
    "@x",
    "`x`",
    "%x",
    "[a,\n b]",
    "\"a\nb: c\"",
];
const KEYS: &[&str] = &[
    "apiVersion",
    "kind",
    "metadata",
    "name",
    "namespace",
    "spec",
    "a",
    "b",
    "\"a\"",
    "a b",
    "labels",
];
const TRICKY_KEYS: &[&str] = &[
    "'q'", "1", "true", "items", "<<", "x:y", "-k", "&a k", "? k", "a #b", "\"k\" ",
];

fn key() -> impl Strategy<Value = &'static str> {
    prop_oneof![12 => prop::sample::select(KEYS), 1 => prop::sample::select(TRICKY_KEYS)]
}

fn node() -> impl Strategy<Value = Node> {
    let leaf = prop_oneof![
        16 => prop::sample::select(SCALARS).prop_map(Node::Scalar),
        1 => prop::sample::select(TRICKY).prop_map(Node::Scalar),
        1 => prop::collection::vec(prop::sample::select(&["x", "  y", "", "name: z", "# c", "\tt"][..]), 1..4)
            .prop_map(Node::Block),
    ];
    leaf.prop_recursive(4, 40, 5, |inner| {
        prop_oneof![
            prop::collection::vec((key(), inner.clone()), 1..5).prop_map(Node::Map),
            prop::collection::vec(inner, 1..4).prop_map(Node::Seq),
        ]
    })
}

fn root() -> impl Strategy<Value = Node> {
    let head = (
        prop::sample::select(&["v1", "apps/v1", "\"batch/v1\"", "'x/v1'", "1", "~"][..]),
        prop::sample::select(&["Deployment", "CronJob", "\"Pod\"", "null"][..]),
        prop::collection::vec(
            (
                prop::sample::select(&["name", "namespace", "labels", "name"][..]),
                node(),
            ),
            0..4,
        ),
        prop::collection::vec((key(), node()), 0..3),
    );
    head.prop_map(|(api, kind, meta, rest)| {
        let mut entries = vec![
            ("apiVersion", Node::Scalar(api)),
            ("kind", Node::Scalar(kind)),
        ];
        entries.push(("metadata", Node::Map(meta)));
        entries.extend(rest);
        Node::Map(entries)
    })
}

/// Style choices taken in turn while rendering.
struct Style(Vec<u8>, usize);

impl Style {
    fn pick(&mut self, n: u8) -> u8 {
        self.1 += 1;
        self.0[self.1 % self.0.len()] % n
    }
}

fn render(node: &Node, indent: usize, style: &mut Style, out: &mut String) {
    let pad = " ".repeat(indent);
    match node {
        Node::Scalar(s) => {
            out.push(' ');
            out.push_str(s);
            out.push('\n');
        }
        Node::Block(lines) => {
            out.push_str(if style.pick(2) == 0 { " |\n" } else { " >-\n" });
            for l in lines {
                out.push_str(&" ".repeat(indent + 2));
                out.push_str(l);
                out.push('\n');
            }
        }
        Node::Map(entries) if entries.is_empty() => out.push_str(" {}\n"),
        Node::Seq(items) if items.is_empty() => out.push_str(" []\n"),
        Node::Map(entries) => {
            out.push('\n');
            for (key, value) in entries {
                if style.pick(6) == 0 {
                    out.push_str(&pad);
                    out.push_str("# comment\n");
                }
                out.push_str(&pad);
                out.push_str(key);
                out.push(':');
                let step = match (value, style.pick(4)) {
                    (Node::Seq(_), 0) => 0, // an indentless sequence
                    (_, n) => 1 + n as usize,
                };
                render(value, indent + step, style, out);
            }
        }
        Node::Seq(items) => {
            out.push('\n');
            for item in items {
                out.push_str(&pad);
                out.push('-');
                render(item, indent + 2, style, out);
            }
        }
    }
}

fn document(root: &Node, style: Vec<u8>) -> String {
    let mut out = String::new();
    render(root, 0, &mut Style(style, 0), &mut out);
    out.trim_start_matches('\n').to_owned()
}

/// Edits that tend to break YAML in the ways people do.
fn mutate(doc: &str, at: usize, how: u8, ch: char) -> String {
    let mut lines: Vec<String> = doc.lines().map(str::to_owned).collect();
    if lines.is_empty() {
        return doc.to_owned();
    }
    let i = at % lines.len();
    match how % 5 {
        0 => lines[i].insert(0, ' '),
        1 => {
            if lines[i].starts_with(' ') {
                lines[i].remove(0);
            }
        }
        2 => {
            let line = lines[i].clone();
            lines.insert(i, line);
        }
        3 => {
            let pos = at % (lines[i].len() + 1);
            let pos = (0..=pos)
                .rev()
                .find(|&p| lines[i].is_char_boundary(p))
                .unwrap_or(0);
            lines[i].insert(pos, ch);
        }
        _ => {
            lines.remove(i);
        }
    }
    lines.join("\n") + "\n"
}

/// 2000 by default; `PROPTEST_CASES` for longer runs.
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(2000)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn fast_reader_agrees_with_serde_yaml(root in root(), style in prop::collection::vec(any::<u8>(), 1..16)) {
        assert_agrees(&document(&root, style));
    }

    #[test]
    fn fast_reader_agrees_on_broken_documents(
        root in root(),
        style in prop::collection::vec(any::<u8>(), 1..16),
        at in any::<usize>(),
        how in any::<u8>(),
        ch in prop::sample::select(&[':', '-', ' ', '"', '\'', '#', '[', '{', '\t', '&', '|', '\n', 'é', '\u{85}'][..]),
    ) {
        assert_agrees(&mutate(&document(&root, style), at, how, ch));
    }

    #[test]
    fn no_input_panics(text in "(?s).{0,300}") {
        let _ = read_yaml(&text, &mut |_| {});
        let _ = read_json(&text, &mut |_| {});
        let _ = fast::head(&text);
        assert_agrees(&text);
    }

    #[test]
    fn no_yaml_like_input_panics(text in "[a-z:\\-\\[\\]{}\"'#&*!|> \n.]{0,200}") {
        let _ = read_yaml(&text, &mut |_| {});
        assert_agrees(&text);
    }
}

#[test]
fn generated_documents_are_mostly_read_by_the_fast_reader() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let (mut fast_count, total) = (0, 500);
    for _ in 0..total {
        let root = root().new_tree(&mut runner).unwrap().current();
        let doc = document(&root, vec![1, 2, 3, 5, 7]);
        fast_count += fast::head(&doc).is_some() as usize;
    }
    // The generator is full of constructs the fast reader declines on purpose;
    // it must still read a fair share, or the agreement tests test nothing.
    assert!(
        fast_count > total / 10,
        "fast reader read only {fast_count} of {total}"
    );
}
