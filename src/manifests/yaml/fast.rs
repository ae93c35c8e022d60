//! The fast reader: a line-by-line reader of block-style YAML documents.
//!
//! It checks the document's block structure (indentation, keys, sequence
//! entries, block scalars, duplicate keys) over every line, reads the values of
//! `apiVersion`, `kind`, `metadata.name` and `metadata.namespace`, and declines
//! (`None`) whenever it meets something outside the subset it models: flow
//! collections other than one-line lists of scalars, anchors, aliases, tags,
//! quoted scalars spanning lines, plain scalars continued on the next line,
//! complex keys, tabs, non-printable characters, `items:` (Lists). Declining is
//! always safe: serde_yaml then reads the document.
//!
//! The promise, held by property tests: when it returns `Some(head)`,
//! serde_yaml parses the document and [`super::head_of`] of the result equals
//! `head`.
//!
//! The same walk, with a different [`Sink`], gives the fixer the line of every
//! key (see `fix.rs`).

use std::borrow::Cow;

use super::Head;
// The scalar types live beside the code that reads them; the walker only
// passes them on.
pub(crate) use super::scalar::Scalar;
use super::scalar::{BlockScalar, plain_characters, split_key, value};

/// Structure events of an accepted document, in line order.
pub(crate) trait Sink<'a> {
    /// A mapping key at `depth` (0 = the document's top level); `line` is the
    /// 0-based line within the document, `col` the key's column.
    fn key(&mut self, depth: usize, line: usize, col: usize, key: &'a str, value: &Scalar<'a>);
    /// A sequence entry (`- `) at `depth`; `col` is the dash's column.
    fn item(&mut self, depth: usize, line: usize, col: usize, value: &Scalar<'a>);
}

/// Read the head of a document, or `None` if the reader is unsure of it.
pub(crate) fn head(doc: &str) -> Option<Head<'_>> {
    let mut sink = HeadSink::default();
    walk(doc, &mut sink)?;
    sink.head()
}

/// One walk into two sinks: the head, and `other` (a tree).
pub(crate) fn head_and<'a>(doc: &'a str, other: &mut impl Sink<'a>) -> Option<Option<Head<'a>>> {
    let mut sinks = (HeadSink::default(), other);
    walk(doc, &mut sinks)?;
    Some(sinks.0.head())
}

/// No sink: the walk alone.
impl<'a> Sink<'a> for () {
    fn key(&mut self, _: usize, _: usize, _: usize, _: &'a str, _: &Scalar<'a>) {}
    fn item(&mut self, _: usize, _: usize, _: usize, _: &Scalar<'a>) {}
}

impl<'a, S: Sink<'a>> Sink<'a> for (HeadSink<'a>, &mut S) {
    fn key(&mut self, depth: usize, line: usize, col: usize, key: &'a str, value: &Scalar<'a>) {
        self.0.key(depth, line, col, key, value);
        self.1.key(depth, line, col, key, value);
    }

    fn item(&mut self, depth: usize, line: usize, col: usize, value: &Scalar<'a>) {
        self.0.item(depth, line, col, value);
        self.1.item(depth, line, col, value);
    }
}

impl<'a> HeadSink<'a> {
    /// The head read, or `None` if the reader is unsure of it.
    fn head(&self) -> Option<Head<'a>> {
        if self.declined {
            return None;
        }
        fn s(v: Option<&str>) -> Option<Cow<'_, str>> {
            v.map(Cow::Borrowed)
        }
        Some(Head {
            api_version: s(self.api_version?),
            kind: s(self.kind?),
            name: s(self.name?),
            namespace: s(self.namespace?),
        })
    }
}

/// Collects the four fields; each is `Some(None)` when absent or not a
/// string, and `None` (decline) when its value is a string the reader cannot
/// reproduce exactly.
struct HeadSink<'a> {
    api_version: Option<Option<&'a str>>,
    kind: Option<Option<&'a str>>,
    name: Option<Option<&'a str>>,
    namespace: Option<Option<&'a str>>,
    /// Depth-1 keys belong to `metadata` while the last top-level key was it.
    in_metadata: bool,
    /// `metadata: {name: x}`: its fields are not read.
    declined: bool,
}

impl Default for HeadSink<'_> {
    fn default() -> Self {
        HeadSink {
            api_version: Some(None),
            kind: Some(None),
            name: Some(None),
            namespace: Some(None),
            in_metadata: false,
            declined: false,
        }
    }
}

impl<'a> Sink<'a> for HeadSink<'a> {
    fn key(&mut self, depth: usize, _: usize, _: usize, key: &'a str, value: &Scalar<'a>) {
        let slot = match (depth, key) {
            (0, _) => {
                self.in_metadata = key == "metadata";
                self.declined |= self.in_metadata && *value == Scalar::FlowMap;
                match key {
                    "apiVersion" => &mut self.api_version,
                    "kind" => &mut self.kind,
                    _ => return,
                }
            }
            (1, "name") if self.in_metadata => &mut self.name,
            (1, "namespace") if self.in_metadata => &mut self.namespace,
            _ => return,
        };
        *slot = match value {
            Scalar::Str(s) => Some(Some(s)),
            Scalar::Block | Scalar::Other | Scalar::FlowMap => Some(None),
            Scalar::MaybeNumber(_) | Scalar::Cooked => None,
        };
    }

    fn item(&mut self, depth: usize, _: usize, _: usize, _: &Scalar<'a>) {
        // `metadata:` followed by a sequence: metadata is not a mapping.
        if depth == 1 {
            self.in_metadata = false;
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Map,
    Seq,
}

struct Frame {
    indent: usize,
    kind: Kind,
    /// Where this mapping's keys start in the walker's key list.
    keys_from: usize,
}

/// A key or entry whose value is on the following lines.
struct Pending {
    indent: usize,
    from_key: bool,
}

/// Deeper than this and serde_yaml's recursion limit could differ from ours.
const MAX_DEPTH: usize = 64;

/// Walk an accepted document's structure into `sink`; `None` = declined.
pub(crate) fn walk<'a>(doc: &'a str, sink: &mut impl Sink<'a>) -> Option<()> {
    if !plain_characters(doc) {
        return None;
    }
    let mut frames: Vec<Frame> = Vec::with_capacity(16);
    let mut keys: Vec<&'a str> = Vec::with_capacity(64);
    let mut pending: Option<Pending> = None;
    let mut block: Option<BlockScalar> = None;
    for (line_no, line) in lines(doc).enumerate() {
        let spaces = line.len() - line.trim_start_matches(' ').len();
        let rest = &line[spaces..];
        if let Some(bs) = &mut block {
            if rest.is_empty() {
                if bs.content_indent.is_none() {
                    bs.leading_blank = bs.leading_blank.max(spaces);
                }
                continue;
            }
            match bs.content_indent {
                None if spaces > bs.parent_indent => {
                    if bs.leading_blank > spaces {
                        return None;
                    }
                    bs.content_indent = Some(spaces);
                    continue;
                }
                Some(n) if spaces >= n => continue,
                _ => block = None,
            }
        }
        if rest.is_empty() || rest.starts_with('#') {
            continue;
        }
        if spaces == 0 && (rest.starts_with("---") || rest.starts_with("...")) {
            return None;
        }
        let is_item = rest == "-" || rest.starts_with("- ");

        // Place the line: a new collection under the pending key or entry, or
        // a sibling in an open one.
        let opens = match pending.take() {
            Some(p) => spaces > p.indent || (p.from_key && is_item && spaces == p.indent),
            None => frames.is_empty(),
        };
        if opens {
            if frames.is_empty() && (spaces != 0 || is_item) {
                return None; // not a mapping at the top: leave it to serde_yaml
            }
            if frames.len() >= MAX_DEPTH {
                return None;
            }
            let kind = if is_item { Kind::Seq } else { Kind::Map };
            frames.push(Frame {
                indent: spaces,
                kind,
                keys_from: keys.len(),
            });
        } else {
            while frames.last().is_some_and(|f| f.indent > spaces) {
                pop(&mut frames, &mut keys);
            }
            // A key back at the indent of an indentless `- ` list under a key.
            let n = frames.len();
            if !is_item
                && n >= 2
                && frames[n - 1].kind == Kind::Seq
                && frames[n - 1].indent == spaces
                && frames[n - 2].kind == Kind::Map
                && frames[n - 2].indent == spaces
            {
                pop(&mut frames, &mut keys);
            }
            let top = frames.last()?;
            let expected = if is_item { Kind::Seq } else { Kind::Map };
            if top.indent != spaces || top.kind != expected {
                return None;
            }
        }

        let depth = frames.len() - 1;
        let (col, text) = if is_item {
            let after = &rest[1..];
            let gap = after.len() - after.trim_start_matches(' ').len();
            let content = &after[gap..];
            if content.is_empty() || content.starts_with('#') {
                sink.item(depth, line_no, spaces, &Scalar::Block);
                pending = Some(Pending {
                    indent: spaces,
                    from_key: false,
                });
                continue;
            }
            if content == "-" || content.starts_with("- ") {
                return None; // `- - x`
            }
            if split_key(content)?.is_none() {
                let value = value(content, spaces, &mut block)?;
                sink.item(depth, line_no, spaces, &value);
                continue;
            }
            // `- key: value` opens a mapping at the key's column.
            sink.item(depth, line_no, spaces, &Scalar::Block);
            if frames.len() >= MAX_DEPTH {
                return None;
            }
            let col = spaces + 1 + gap;
            frames.push(Frame {
                indent: col,
                kind: Kind::Map,
                keys_from: keys.len(),
            });
            (col, content)
        } else {
            (spaces, rest)
        };

        let (key, after) = split_key(text)??;
        let frame = frames.last()?;
        if keys[frame.keys_from..].contains(&key) {
            return None; // serde_yaml refuses duplicate keys
        }
        keys.push(key);
        if key == "items" && frames.len() == 1 {
            return None; // a List: its items are read from serde_yaml's value
        }
        let depth = frames.len() - 1;
        let after = after.trim_start_matches(' ');
        if after.is_empty() || after.starts_with('#') {
            sink.key(depth, line_no, col, key, &Scalar::Block);
            pending = Some(Pending {
                indent: col,
                from_key: true,
            });
        } else {
            let value = value(after, col, &mut block)?;
            sink.key(depth, line_no, col, key, &value);
        }
    }
    Some(())
}

/// `doc.split('\n')`, by memchr (the walk's hottest loop).
fn lines(doc: &str) -> impl Iterator<Item = &str> {
    let ends = memchr::memchr_iter(b'\n', doc.as_bytes()).chain(std::iter::once(doc.len()));
    let mut start = 0;
    ends.map(move |end| {
        let line = &doc[start..end];
        start = end + 1;
        line
    })
}

fn pop(frames: &mut Vec<Frame>, keys: &mut Vec<&str>) {
    if let Some(f) = frames.pop() {
        keys.truncate(f.keys_from);
    }
}

#[cfg(test)]
mod line_tests {
    #[test]
    fn lines_are_split_at_each_newline() {
        for text in ["", "\n", "a", "a\n", "a\nb", "a\n\nb\n", "\n\n"] {
            let ours: Vec<&str> = super::lines(text).collect();
            let std: Vec<&str> = text.split('\n').collect();
            assert_eq!(ours, std, "{text:?}");
        }
    }
}
