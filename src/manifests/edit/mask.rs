//! Masking: let the fixer and the Flux migration edit a block document that
//! holds a few constructs the fast reader does not model (flow collections,
//! `- --flag` entries), by hiding them behind plain scalars of the same byte
//! length. The tree is built from the masked text, so every offset is also an
//! offset of the real text; an edit that touches a masked span is refused,
//! naming the line, and every other line passes through byte for byte.

use std::ops::Range;

/// A document with its hidden constructs.
pub(crate) struct Masked {
    pub(crate) text: String,
    pub(crate) spans: Vec<Span>,
}

/// One hidden construct.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Span {
    /// Bytes of the document it covers, from the start of its first line: a
    /// line that holds one is a line the fixer does not edit.
    pub(crate) range: Range<usize>,
    /// 0-based line (within the document) where it starts.
    pub(crate) line: usize,
}

impl Masked {
    /// The first hidden span an edit of `range` would touch.
    pub(crate) fn touched(&self, range: &Range<usize>) -> Option<&Span> {
        self.spans.iter().find(|s| {
            let inside = range.start < s.range.end && s.range.start < range.end;
            // An insertion strictly inside a span also changes it.
            let insert_in =
                range.is_empty() && s.range.start < range.start && range.start < s.range.end;
            inside || insert_in
        })
    }
}

/// Hide the flow collections and dash-led entry scalars of `doc`. Lines of
/// block scalars (`|`, `>`) are left alone. A flow collection whose end cannot
/// be found is left as it is (the reader then declines the document).
pub(crate) fn mask(doc: &str) -> Masked {
    let mut out = doc.as_bytes().to_vec();
    let mut spans = Vec::new();
    let starts: Vec<usize> = std::iter::once(0)
        .chain(doc.match_indices('\n').map(|(i, _)| i + 1))
        .filter(|&s| s <= doc.len())
        .collect();
    let line_at = |n: usize| {
        let end = starts.get(n + 1).map_or(doc.len(), |&e| e - 1);
        &doc[starts[n]..end.max(starts[n])]
    };
    let mut block_parent: Option<usize> = None;
    let mut n = 0;
    while n < starts.len() {
        let line = line_at(n);
        let spaces = line.len() - line.trim_start_matches(' ').len();
        let rest = &line[spaces..];
        if let Some(parent) = block_parent {
            if rest.is_empty() || spaces > parent {
                n += 1;
                continue;
            }
            block_parent = None;
        }
        if rest.is_empty() || rest.starts_with('#') {
            n += 1;
            continue;
        }
        // Peel `- ` entry markers.
        let (mut col, mut text, mut dash) = (spaces, rest, None);
        while text == "-" || text.starts_with("- ") {
            dash = Some(col);
            let after = &text[1..];
            let gap = after.len() - after.trim_start_matches(' ').len();
            col += 1 + gap;
            text = &after[gap..];
        }
        let (value_col, value, parent) = match key_end(text) {
            Some(k) => {
                let v = &text[k..];
                let gap = v.len() - v.trim_start_matches(' ').len();
                (col + k + gap, &v[gap..], col)
            }
            None if dash.is_some() => (col, text, dash.unwrap_or(col)),
            None => {
                n += 1;
                continue; // a continuation line: not ours to judge
            }
        };
        let at = starts[n] + value_col;
        match value.as_bytes().first() {
            Some(b'|' | b'>') => block_parent = Some(parent),
            Some(b'[' | b'{') => {
                if let Some(end) = flow_end(doc, at) {
                    hide(&mut out, doc, at..end);
                    spans.push(Span {
                        range: starts[n]..end,
                        line: n,
                    });
                    // Continue after the line the collection ends on.
                    n = starts.partition_point(|&s| s <= end.saturating_sub(1));
                    continue;
                }
            }
            Some(b'-') if key_end(text).is_none() => {
                out[at] = b'x';
                spans.push(Span {
                    range: starts[n]..starts[n] + line.len(),
                    line: n,
                });
            }
            _ => {}
        }
        n += 1;
    }
    let text = String::from_utf8(out).expect("only ASCII bytes replaced ASCII bytes");
    Masked { text, spans }
}

/// Where a key's `:` ends in `text`, if `text` starts with a key.
fn key_end(text: &str) -> Option<usize> {
    let b = text.as_bytes();
    match *b.first()? {
        q @ (b'"' | b'\'') => {
            let close = 1 + text[1..].find(q as char)?;
            (b.get(close + 1) == Some(&b':') && matches!(b.get(close + 2), None | Some(b' ')))
                .then_some(close + 2)
        }
        b'[' | b'{' | b'#' | b'|' | b'>' | b'&' | b'*' | b'!' | b'?' => None,
        _ => {
            let stop = text.find(" #").unwrap_or(b.len());
            (0..stop)
                .find(|&i| b[i] == b':' && (i + 1 == b.len() || b[i + 1] == b' '))
                .map(|i| i + 1)
        }
    }
}

/// The end (exclusive) of the flow collection starting at `start`, across
/// lines; only a comment may follow it on its last line.
fn flow_end(doc: &str, start: usize) -> Option<usize> {
    let b = doc.as_bytes();
    let mut depth = 0usize;
    let mut i = start;
    while i < b.len() {
        match b[i] {
            b'[' | b'{' => depth += 1,
            b']' | b'}' => {
                depth -= 1;
                if depth == 0 {
                    let end = i + 1;
                    let line_end = memchr::memchr(b'\n', &b[end..]).map_or(b.len(), |j| end + j);
                    let tail = doc[end..line_end].trim_start_matches(' ');
                    let ok = tail.is_empty() || (tail.starts_with('#') && b[end] == b' ');
                    return ok.then_some(end);
                }
            }
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'\'' => {
                i += 1;
                while i < b.len() && !(b[i] == b'\'' && b.get(i + 1) != Some(&b'\'')) {
                    i += if b[i] == b'\'' { 2 } else { 1 };
                }
            }
            b'#' if b[i - 1] == b' ' || b[i - 1] == b'\n' => {
                // A comment inside a multi-line collection: skip to the line's end.
                i = memchr::memchr(b'\n', &b[i..]).map_or(b.len(), |j| i + j);
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// The first line of the span becomes `~~~…` (a plain string, or `~`, null);
/// its later lines become blank.
fn hide(out: &mut [u8], doc: &str, range: Range<usize>) {
    let mut first_line = true;
    for i in range {
        out[i] = match doc.as_bytes()[i] {
            b'\n' => {
                first_line = false;
                b'\n'
            }
            _ if first_line => b'~',
            _ => b' ',
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flow_collections_and_dash_entries_are_hidden_at_the_same_offsets() {
        let doc = "a: {}\nb:\n  - [\"*\", x]  # all\n  - --flag=1\nc: |\n  [not flow]\nd: [1,\n  2]\ne: x\n";
        let m = mask(doc);
        assert_eq!(m.text.len(), doc.len());
        assert_eq!(
            m.text,
            "a: ~~\nb:\n  - ~~~~~~~~  # all\n  - x-flag=1\nc: |\n  [not flow]\nd: ~~~\n    \ne: x\n"
        );
        let lines: Vec<usize> = m.spans.iter().map(|s| s.line).collect();
        assert_eq!(lines, vec![0, 2, 3, 6]);
        assert_eq!(
            m.touched(&(0..1)).map(|s| s.line),
            Some(0),
            "the key's line too"
        );
        assert!(m.touched(&(6..8)).is_none());
        assert_eq!(m.touched(&(3..4)).map(|s| s.line), Some(0));
    }

    #[test]
    fn an_unclosed_flow_collection_stays() {
        let doc = "a: [1, 2\nb: x\n";
        assert_eq!(mask(doc).text, doc);
    }
}
