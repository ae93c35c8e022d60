//! A block-style document as a tree of keys and entries that point into its
//! text, and text edits made against it.

use std::ops::Range;

use crate::manifests::yaml::Head;
use crate::manifests::yaml::fast::{self, Scalar, Sink};

pub(crate) struct Node<'a> {
    /// 0-based line within the document.
    pub(crate) line: usize,
    pub(crate) col: usize,
    /// `None` for a sequence entry.
    pub(crate) key: Option<&'a str>,
    pub(crate) value: Scalar<'a>,
    pub(crate) children: Vec<usize>,
    /// Its children were left out: they are deeper than the tree was read
    /// to (see [`Dom::parse_headed_to`]).
    pub(crate) pruned: bool,
}

/// The tree of a document the fast reader accepts; `None` otherwise.
pub(crate) struct Dom<'a> {
    pub(crate) text: &'a str,
    pub(crate) nodes: Vec<Node<'a>>,
    pub(crate) roots: Vec<usize>,
    /// Byte offset of each line's start.
    line_starts: Vec<usize>,
}

struct Builder<'a> {
    nodes: Vec<Node<'a>>,
    roots: Vec<usize>,
    /// The last node seen at each depth.
    path: Vec<usize>,
    /// Nodes deeper than this are left out (their parent marked `pruned`).
    max_depth: usize,
}

impl<'a> Builder<'a> {
    fn new(max_depth: usize) -> Self {
        Builder {
            nodes: Vec::new(),
            roots: Vec::new(),
            path: Vec::new(),
            max_depth,
        }
    }

    fn add(&mut self, depth: usize, node: Node<'a>) {
        if depth > self.max_depth {
            // The last node at the deepest depth kept is its ancestor.
            if let Some(&parent) = self.path.get(self.max_depth) {
                self.nodes[parent].pruned = true;
            }
            return;
        }
        let id = self.nodes.len();
        self.nodes.push(node);
        self.path.truncate(depth);
        match depth.checked_sub(1).and_then(|d| self.path.get(d)) {
            Some(&parent) => self.nodes[parent].children.push(id),
            None => self.roots.push(id),
        }
        self.path.push(id);
    }
}

impl<'a> Sink<'a> for Builder<'a> {
    fn key(&mut self, depth: usize, line: usize, col: usize, key: &'a str, value: &Scalar<'a>) {
        let node = Node {
            line,
            col,
            key: Some(key),
            value: value.clone(),
            children: Vec::new(),
            pruned: false,
        };
        self.add(depth, node);
    }

    fn item(&mut self, depth: usize, line: usize, col: usize, value: &Scalar<'a>) {
        let node = Node {
            line,
            col,
            key: None,
            value: value.clone(),
            children: Vec::new(),
            pruned: false,
        };
        self.add(depth, node);
    }
}

/// A [`Sink`] that builds a [`Dom`]: to build one in a walk that feeds
/// other sinks too.
pub(crate) struct DomSink<'a>(Builder<'a>);

impl<'a> DomSink<'a> {
    /// Keeping the nodes down to `max_depth`, as [`Dom::parse_headed_to`].
    pub(crate) fn new(max_depth: usize) -> Self {
        DomSink(Builder::new(max_depth))
    }

    /// The tree of `text`, the document walked.
    pub(crate) fn dom(self, text: &'a str) -> Dom<'a> {
        Dom::built(text, self.0)
    }
}

impl<'a> Sink<'a> for DomSink<'a> {
    fn key(&mut self, depth: usize, line: usize, col: usize, key: &'a str, value: &Scalar<'a>) {
        self.0.key(depth, line, col, key, value);
    }

    fn item(&mut self, depth: usize, line: usize, col: usize, value: &Scalar<'a>) {
        self.0.item(depth, line, col, value);
    }
}

impl<'a> Dom<'a> {
    pub(crate) fn parse(text: &'a str) -> Option<Dom<'a>> {
        let mut b = Builder::new(usize::MAX);
        fast::walk(text, &mut b)?;
        Some(Dom::built(text, b))
    }

    /// [`Dom::parse`], with the document's head read in the same walk
    /// (`None` when the reader is unsure of the head).
    pub(crate) fn parse_headed(text: &'a str) -> Option<(Dom<'a>, Option<Head<'a>>)> {
        Dom::parse_headed_to(text, usize::MAX)
    }

    /// [`Dom::parse_headed`], keeping only the nodes down to `max_depth` (0:
    /// the top-level keys): a reader that looks no deeper builds less. A
    /// node whose children were left out is marked `pruned`, so a reader
    /// that does look deeper can tell it does not know.
    pub(crate) fn parse_headed_to(
        text: &'a str,
        max_depth: usize,
    ) -> Option<(Dom<'a>, Option<Head<'a>>)> {
        let mut b = Builder::new(max_depth);
        let head = fast::head_and(text, &mut b)?;
        Some((Dom::built(text, b), head))
    }

    fn built(text: &'a str, b: Builder<'a>) -> Dom<'a> {
        let line_starts = std::iter::once(0)
            .chain(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1))
            .collect();
        Dom {
            text,
            nodes: b.nodes,
            roots: b.roots,
            line_starts,
        }
    }

    pub(crate) fn root(&self, key: &str) -> Option<usize> {
        self.roots
            .iter()
            .copied()
            .find(|&i| self.nodes[i].key == Some(key))
    }

    pub(crate) fn child(&self, node: usize, key: &str) -> Option<usize> {
        self.nodes[node]
            .children
            .iter()
            .copied()
            .find(|&i| self.nodes[i].key == Some(key))
    }

    /// `node.a.b...`
    pub(crate) fn path(&self, node: usize, keys: &[&str]) -> Option<usize> {
        keys.iter().try_fold(node, |n, k| self.child(n, k))
    }

    /// The entries of a sequence value.
    pub(crate) fn items(&self, node: usize) -> impl Iterator<Item = usize> + '_ {
        self.nodes[node]
            .children
            .iter()
            .copied()
            .filter(|&i| self.nodes[i].key.is_none())
    }

    /// The last line of a node and everything under it.
    pub(crate) fn last_line(&self, node: usize) -> usize {
        let n = &self.nodes[node];
        n.children
            .iter()
            .map(|&c| self.last_line(c))
            .max()
            .unwrap_or(n.line)
            .max(n.line)
    }

    /// The byte range of line `line`, newline included.
    pub(crate) fn line_range(&self, line: usize) -> Range<usize> {
        let start = self.line_starts[line];
        let end = self
            .line_starts
            .get(line + 1)
            .copied()
            .unwrap_or(self.text.len());
        start..end
    }

    /// The bytes of `node`'s whole lines, from its first to its last child's.
    pub(crate) fn node_lines(&self, node: usize) -> Range<usize> {
        self.line_range(self.nodes[node].line).start..self.line_range(self.last_line(node)).end
    }

    /// Where `part` (a slice of the document) sits in it.
    pub(crate) fn span(&self, part: &str) -> Range<usize> {
        let start = part.as_ptr() as usize - self.text.as_ptr() as usize;
        start..start + part.len()
    }

    /// The value text as written (with its quotes) and what follows it on the
    /// line (a comment), for a key or entry with a one-line scalar.
    pub(crate) fn raw_value(&self, node: usize) -> Option<(&'a str, &'a str)> {
        let value = match self.nodes[node].value {
            Scalar::Str(s) | Scalar::MaybeNumber(s) => s,
            _ => return None,
        };
        let mut span = self.span(value);
        let bytes = self.text.as_bytes();
        if span.start > 0 && matches!(bytes[span.start - 1], b'"' | b'\'') {
            span = span.start - 1..span.end + 1;
        }
        let line_end = self.line_range(self.nodes[node].line).end;
        let rest = self.text[span.end..line_end].trim();
        Some((&self.text[span], rest))
    }
}

/// Replace `range` of the document text with `with`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Edit {
    pub(crate) range: Range<usize>,
    pub(crate) with: String,
}

/// Apply non-overlapping edits; `None` if two overlap.
pub(crate) fn apply(text: &str, mut edits: Vec<Edit>) -> Option<String> {
    edits.sort_by_key(|e| (e.range.start, e.range.end));
    let mut out = String::with_capacity(text.len() + 64);
    let mut at = 0;
    for e in edits {
        if e.range.start < at {
            return None;
        }
        out.push_str(&text[at..e.range.start]);
        out.push_str(&e.with);
        at = e.range.end;
    }
    out.push_str(&text[at..]);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tree_and_spans() {
        let text = "a: 1\nb:\n  - c: \"x\"  # note\n    d: y\n  - z\n";
        let dom = Dom::parse(text).unwrap();
        let b = dom.root("b").unwrap();
        let items: Vec<usize> = dom.items(b).collect();
        assert_eq!(items.len(), 2);
        let c = dom.child(items[0], "c").unwrap();
        assert_eq!(dom.raw_value(c), Some(("\"x\"", "# note")));
        assert_eq!(dom.last_line(items[0]), 3);
        assert_eq!(dom.nodes[dom.child(items[0], "d").unwrap()].col, 4);
        assert_eq!(&text[dom.line_range(1)], "b:\n");
        let one = dom.raw_value(dom.root("a").unwrap()).unwrap().0;
        let edits = vec![
            Edit {
                range: dom.span(one),
                with: "2".into(),
            },
            Edit {
                range: 5..8,
                with: String::new(),
            },
        ];
        assert_eq!(
            apply(text, edits).unwrap(),
            "a: 2\n  - c: \"x\"  # note\n    d: y\n  - z\n"
        );
        assert!(
            apply(
                text,
                vec![
                    Edit {
                        range: 0..3,
                        with: "".into()
                    },
                    Edit {
                        range: 2..4,
                        with: "".into()
                    }
                ]
            )
            .is_none()
        );
    }
}
