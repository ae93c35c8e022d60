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

/// Structure events of an accepted document, in line order.
pub(crate) trait Sink<'a> {
    /// A mapping key at `depth` (0 = the document's top level); `line` is the
    /// 0-based line within the document, `col` the key's column.
    fn key(&mut self, depth: usize, line: usize, col: usize, key: &'a str, value: &Scalar<'a>);
    /// A sequence entry (`- `) at `depth`; `col` is the dash's column.
    fn item(&mut self, depth: usize, line: usize, col: usize, value: &Scalar<'a>);
}

/// What follows a key's `:` or an entry's `- ` on its line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Scalar<'a> {
    /// Nothing: a nested block (or null) follows on the next lines.
    Block,
    /// A string, with the text it has in the file (quotes stripped).
    Str(&'a str),
    /// A plain scalar that may resolve to a number (`80`, `-1`, `.5`).
    MaybeNumber(&'a str),
    /// A string whose value is not its text: escapes (`\n`, `''`), block scalars.
    Cooked,
    /// Null, a boolean, a one-line flow sequence or `{}`.
    Other,
    /// A one-line flow mapping of scalars (`{app: web}`).
    FlowMap,
}

/// Read the head of a document, or `None` if the reader is unsure of it.
pub(crate) fn head(doc: &str) -> Option<Head<'_>> {
    let mut sink = HeadSink::default();
    walk(doc, &mut sink)?;
    if sink.declined {
        return None;
    }
    fn s(v: Option<&str>) -> Option<Cow<'_, str>> {
        v.map(Cow::Borrowed)
    }
    Some(Head {
        api_version: s(sink.api_version?),
        kind: s(sink.kind?),
        name: s(sink.name?),
        namespace: s(sink.namespace?),
    })
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

struct BlockScalar {
    parent_indent: usize,
    content_indent: Option<usize>,
    leading_blank: usize,
}

/// Deeper than this and serde_yaml's recursion limit could differ from ours.
const MAX_DEPTH: usize = 64;
/// libyaml refuses simple keys longer than 1024 characters.
const MAX_KEY: usize = 1000;

/// Walk an accepted document's structure into `sink`; `None` = declined.
pub(crate) fn walk<'a>(doc: &'a str, sink: &mut impl Sink<'a>) -> Option<()> {
    if !plain_characters(doc) {
        return None;
    }
    let mut frames: Vec<Frame> = Vec::with_capacity(16);
    let mut keys: Vec<&'a str> = Vec::with_capacity(64);
    let mut pending: Option<Pending> = None;
    let mut block: Option<BlockScalar> = None;
    for (line_no, line) in doc.split('\n').enumerate() {
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

fn pop<'a>(frames: &mut Vec<Frame>, keys: &mut Vec<&'a str>) {
    if let Some(f) = frames.pop() {
        keys.truncate(f.keys_from);
    }
}

/// No tab, carriage return or other control character, and only characters
/// libyaml accepts that are not line breaks to it (NEL, LS, PS) nor a BOM.
fn plain_characters(doc: &str) -> bool {
    let bytes = doc.as_bytes();
    let mut non_ascii = false;
    for chunk in bytes.chunks(64) {
        let mut bad = false;
        let mut high = false;
        for &b in chunk {
            bad |= (b < 0x20 && b != b'\n') || b == 0x7F;
            high |= b >= 0x80;
        }
        if bad {
            return false;
        }
        non_ascii |= high;
    }
    !non_ascii
        || doc.chars().all(|c| {
            let c = c as u32;
            c < 0x80
                || (0xA0..=0xD7FF).contains(&c)
                || ((0xE000..=0xFFFD).contains(&c) && c != 0xFEFF)
                || c >= 0x10000
        }) && !doc.contains(['\u{2028}', '\u{2029}'])
}

/// Split `key: rest` (the key unquoted); `Ok(None)` when the text is a scalar,
/// not a key; `None` (decline) for keys outside the subset.
fn split_key(text: &str) -> Option<Option<(&str, &str)>> {
    let b = text.as_bytes();
    match b[0] {
        q @ (b'"' | b'\'') => {
            let close = 1 + text[1..].find(q as char)?;
            let key = &text[1..close];
            if key.contains(['\\', '\''])
                || !(text[close + 1..].starts_with(": ") || &text[close + 1..] == ":")
            {
                return None;
            }
            return Some(Some((key, &text[close + 2..])));
        }
        b'-' | b'?' | b':' | b',' | b'[' | b']' | b'{' | b'}' | b'#' | b'&' | b'*' | b'!'
        | b'|' | b'>' | b'%' | b'@' | b'`' => return None,
        _ => {}
    }
    // A key cannot hold ` #` (a comment starts there), so look before it.
    let b = &b[..text.find(" #").unwrap_or(b.len())];
    let mut from = 0;
    let colon = loop {
        let Some(i) = memchr::memchr(b':', &b[from..]).map(|i| from + i) else {
            return Some(None); // a lone scalar: fine as an entry, declined as a key
        };
        if i + 1 == b.len() || b[i + 1] == b' ' {
            break i;
        }
        from = i + 1;
    };
    let key = text[..colon].trim_end_matches(' ');
    if key.is_empty() || key.len() > MAX_KEY || plain_type(key) != Type::Str {
        return None;
    }
    Some(Some((key, &text[colon + 1..])))
}

/// Read a value that starts on the key's (or dash's) line. `indent` is the
/// column of the mapping (or sequence) it belongs to; a block scalar header
/// opens `block`.
fn value<'a>(text: &'a str, indent: usize, block: &mut Option<BlockScalar>) -> Option<Scalar<'a>> {
    let b = text.as_bytes();
    let (scalar, rest) = match b[0] {
        b'"' => double_quoted(text).map(|(s, end)| (s, &text[end..]))?,
        b'\'' => single_quoted(text).map(|(s, end)| (s, &text[end..]))?,
        b'[' | b'{' => flow(text)?,
        b'|' | b'>' => {
            let mut i = 1;
            if matches!(b.get(i), Some(b'+' | b'-')) {
                i += 1;
            }
            let rest = &text[i..];
            if !(rest.is_empty() || rest.starts_with(' ')) {
                return None; // indentation indicators, `|#`, junk
            }
            *block = Some(BlockScalar {
                parent_indent: indent,
                content_indent: None,
                leading_blank: 0,
            });
            (Scalar::Cooked, rest)
        }
        b'-' | b'?' | b':' if b.len() == 1 || b[1] == b' ' => return None,
        b'?' | b':' | b',' | b']' | b'}' | b'&' | b'*' | b'!' | b'%' | b'@' | b'`' => return None,
        _ => {
            let content = match text.find(" #") {
                Some(i) => &text[..i],
                None => text,
            };
            let content = content.trim_end_matches(' ');
            if content.contains(": ") || content.ends_with(':') {
                return None;
            }
            return Some(match plain_type(content) {
                Type::Str => Scalar::Str(content),
                Type::Other => Scalar::Other,
                Type::Unsure => Scalar::MaybeNumber(content),
            });
        }
    };
    let rest = rest.trim_start_matches(' ');
    if !rest.is_empty()
        && !(rest.starts_with('#')
            && text.len() > rest.len()
            && text.as_bytes()[text.len() - rest.len() - 1] == b' ')
    {
        return None; // something after the value, or a comment not after a space
    }
    Some(scalar)
}

#[derive(Debug, PartialEq, Eq)]
enum Type {
    Str,
    Other,
    /// Might resolve to a number: left to serde_yaml.
    Unsure,
}

/// How serde_yaml resolves a plain scalar, as far as we need to know.
fn plain_type(s: &str) -> Type {
    match s {
        "~" | "null" | "Null" | "NULL" | "true" | "True" | "TRUE" | "false" | "False" | "FALSE" => {
            Type::Other
        }
        _ if s.starts_with(|c: char| c.is_ascii_digit() || matches!(c, '+' | '-' | '.')) => {
            Type::Unsure
        }
        _ => Type::Str,
    }
}

/// `"..."` closed on this line, with valid escapes; returns where it ends.
fn double_quoted(text: &str) -> Option<(Scalar<'_>, usize)> {
    let b = text.as_bytes();
    let mut i = 1;
    let mut escaped = false;
    while i < b.len() {
        match b[i] {
            b'"' => {
                let scalar = if escaped {
                    Scalar::Cooked
                } else {
                    Scalar::Str(&text[1..i])
                };
                return Some((scalar, i + 1));
            }
            b'\\' => {
                escaped = true;
                let hex = match *b.get(i + 1)? {
                    b'x' => 2,
                    b'u' => 4,
                    b'U' => 8,
                    b'0' | b'a' | b'b' | b't' | b'n' | b'v' | b'f' | b'r' | b'e' | b' ' | b'"'
                    | b'/' | b'\\' | b'N' | b'_' | b'L' | b'P' => 0,
                    _ => return None,
                };
                let digits = b.get(i + 2..i + 2 + hex)?;
                if !digits.iter().all(u8::is_ascii_hexdigit) {
                    return None;
                }
                // A `\u` escape may name a surrogate or an invalid code point.
                if hex > 2 {
                    let code = u32::from_str_radix(std::str::from_utf8(digits).ok()?, 16).ok()?;
                    char::from_u32(code)?;
                }
                i += 2 + hex;
            }
            _ => i += 1,
        }
    }
    None // continues on the next line
}

/// `'...'` closed on this line; returns where it ends.
fn single_quoted(text: &str) -> Option<(Scalar<'_>, usize)> {
    let b = text.as_bytes();
    let mut i = 1;
    let mut escaped = false;
    while i < b.len() {
        if b[i] == b'\'' {
            if b.get(i + 1) == Some(&b'\'') {
                escaped = true;
                i += 2;
                continue;
            }
            let scalar = if escaped {
                Scalar::Cooked
            } else {
                Scalar::Str(&text[1..i])
            };
            return Some((scalar, i + 1));
        }
        i += 1;
    }
    None
}

/// A one-line flow collection: `{}`, a list of scalars, or a mapping of
/// scalars to scalars. Returns what it is and the rest of the line.
fn flow(text: &str) -> Option<(Scalar<'_>, &str)> {
    let b = text.as_bytes();
    let (map, close) = if b[0] == b'{' {
        (true, b'}')
    } else {
        (false, b']')
    };
    let skip = |mut i: usize| {
        while b.get(i) == Some(&b' ') {
            i += 1;
        }
        i
    };
    let mut i = skip(1);
    if b.get(i) == Some(&close) {
        return Some((Scalar::Other, &text[i + 1..]));
    }
    let mut keys: Vec<&str> = Vec::new();
    loop {
        let (first, end) = flow_scalar(text, i, map)?;
        i = skip(end);
        if map {
            // `key: value`, keys plain or quoted strings, no duplicates.
            let key = match first {
                Scalar::Str(k) if !keys.contains(&k) => k,
                _ => return None,
            };
            keys.push(key);
            if b.get(i) != Some(&b':') || b.get(i + 1) != Some(&b' ') {
                return None;
            }
            let (_, end) = flow_scalar(text, skip(i + 1), false)?;
            i = skip(end);
        }
        match *b.get(i)? {
            c if c == close => {
                let kind = if map { Scalar::FlowMap } else { Scalar::Other };
                return Some((kind, &text[i + 1..]));
            }
            b',' => {
                i = skip(i + 1);
                if matches!(b.get(i), Some(b']' | b'}' | b',') | None) {
                    return None;
                }
            }
            _ => return None,
        }
    }
}

/// A quoted or plain scalar inside a flow collection, starting at `i`; returns
/// it and where it ends. In a mapping key position, a plain scalar stops at `:`.
fn flow_scalar(text: &str, i: usize, key: bool) -> Option<(Scalar<'_>, usize)> {
    let b = text.as_bytes();
    match *b.get(i)? {
        b'"' => double_quoted(&text[i..]).map(|(s, end)| (s, i + end)),
        b'\'' => single_quoted(&text[i..]).map(|(s, end)| (s, i + end)),
        first => {
            let stops: &[char] = if key {
                &[',', ']', '}', ':']
            } else {
                &[',', ']', '}']
            };
            let end = i + text[i..].find(stops)?;
            let item = text[i..end].trim_end_matches(' ');
            let second = item.as_bytes().get(1).copied().unwrap_or(b' ');
            let dash_like = matches!(first, b'-' | b'?' | b':')
                && !matches!(second, b' ' | b',' | b'[' | b']' | b'{' | b'}');
            if item.is_empty()
                || item.contains([':', '#', '[', '{', '"', '\'', '\\'])
                || (b"-?:,&*!|>%@`".contains(&first) && !dash_like)
            {
                return None;
            }
            let scalar = match plain_type(item) {
                Type::Str => Scalar::Str(item),
                Type::Other => Scalar::Other,
                Type::Unsure => Scalar::MaybeNumber(item),
            };
            Some((scalar, end))
        }
    }
}
