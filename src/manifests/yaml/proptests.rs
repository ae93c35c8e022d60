//! Generated documents: the fast reader against serde_yaml.

use super::*;
use proptest::prelude::*;
use tests::assert_agrees;

#[derive(Debug, Clone)]
pub(crate) enum Node {
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

pub(crate) fn root() -> impl Strategy<Value = Node> {
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

pub(crate) fn document(root: &Node, style: Vec<u8>) -> String {
    let mut out = String::new();
    render(root, 0, &mut Style(style, 0), &mut out);
    out.trim_start_matches('\n').to_owned()
}

/// Edits that tend to break YAML in the ways people do.
pub(crate) fn mutate(doc: &str, at: usize, how: u8, ch: char) -> String {
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
pub(crate) fn cases() -> u32 {
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
