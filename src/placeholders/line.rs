//! Finding the one scalar a block-style YAML line holds as a value
//! (`key: VALUE  # comment`, `- VALUE`, `- key: "VALUE"`), with its exact byte
//! span, so that it can be replaced without touching any other byte.
//!
//! This reads lines, not documents: block scalars (`|`, `>`) are skipped by
//! indentation, flow collections are never a whole scalar, and a line it does
//! not understand holds no value.

use std::borrow::Cow;

/// A scalar standing as a whole value on one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Value<'a> {
    /// The mapping key it is the value of; empty for a list item.
    pub(crate) key: Cow<'a, str>,
    /// Byte range of the scalar in the line, quotes included.
    pub(crate) span: std::ops::Range<usize>,
    /// Its content, quotes removed and escapes decoded.
    pub(crate) content: Cow<'a, str>,
}

impl Value<'_> {
    /// The scalar as written, quotes included.
    pub(crate) fn raw<'l>(&self, line: &'l str) -> &'l str {
        &line[self.span.clone()]
    }
}

/// A value found in a text: its 1-based line number and the line's byte offset.
#[derive(Debug)]
pub(crate) struct Located<'a> {
    pub(crate) line_no: usize,
    pub(crate) offset: usize,
    pub(crate) line: &'a str,
    pub(crate) value: Value<'a>,
}

/// Every whole-scalar value in `text`, line by line, outside block scalars.
pub(crate) fn values(text: &str) -> Vec<Located<'_>> {
    let mut found = Vec::new();
    // Inside a block scalar: lines indented deeper than this column are its content.
    let mut block_parent: Option<usize> = None;
    let mut offset = 0;
    for (index, full) in text.split_inclusive('\n').enumerate() {
        let line_offset = offset;
        offset += full.len();
        let line = full.trim_end_matches('\n').trim_end_matches('\r');
        let indent = line.len() - line.trim_start_matches(' ').len();
        let blank = line.trim().is_empty();
        if let Some(parent) = block_parent {
            if blank || indent > parent {
                continue;
            }
            block_parent = None;
        }
        if blank || line.trim_start().starts_with('#') {
            continue;
        }
        let Some(parsed) = parse(line, indent) else {
            continue;
        };
        match parsed {
            Parsed::Value(value) => found.push(Located {
                line_no: index + 1,
                offset: line_offset,
                line,
                value,
            }),
            Parsed::BlockScalar => block_parent = Some(indent),
        }
    }
    found
}

enum Parsed<'a> {
    Value(Value<'a>),
    BlockScalar,
}

fn parse(line: &str, indent: usize) -> Option<Parsed<'_>> {
    let mut at = indent;
    let mut list_item = false;
    // `- ` markers, possibly nested (`- - x`).
    while line[at..].starts_with("- ") || &line[at..] == "-" {
        list_item = true;
        at += 1;
        at += line[at..].len() - line[at..].trim_start_matches(' ').len();
    }
    let rest = &line[at..];
    if rest.is_empty() || rest.starts_with("---") || rest.starts_with("...") {
        return None;
    }
    // A key, quoted or plain, then the value after it.
    let (key, value_at) = match key(rest) {
        Some((key, after)) => {
            let value_at = at + after;
            let spaces = line[value_at..].len() - line[value_at..].trim_start_matches(' ').len();
            (Some(key), value_at + spaces)
        }
        None if list_item => (None, at),
        None => return None,
    };
    let value = &line[value_at..];
    if value.is_empty() || value.starts_with('#') {
        return None;
    }
    if value.starts_with('|') || value.starts_with('>') {
        return Some(Parsed::BlockScalar);
    }
    let (len, content) = scalar(value)?;
    // After the scalar: nothing, or spaces and a comment.
    let tail = &value[len..];
    let tail_trimmed = tail.trim_start_matches([' ', '\t']);
    let comment = tail_trimmed.starts_with('#') && tail.len() > tail_trimmed.len();
    if !(tail_trimmed.is_empty() || comment) {
        return None;
    }
    Some(Parsed::Value(Value {
        key: key.unwrap_or(Cow::Borrowed("")),
        span: value_at..value_at + len,
        content,
    }))
}

/// `key: ` at the start of `rest`: the key and the offset just past the colon.
fn key(rest: &str) -> Option<(Cow<'_, str>, usize)> {
    if rest.starts_with('"') || rest.starts_with('\'') {
        let (len, content) = quoted(rest)?;
        let after = &rest[len..];
        return (after.starts_with(": ") || after == ":").then(|| (content, len + 1));
    }
    let colon = rest
        .find(": ")
        .or_else(|| rest.ends_with(':').then(|| rest.len() - 1))?;
    let key = &rest[..colon];
    // A comment before the colon, or a flow collection, is not a plain key.
    if key.contains(" #") || key.starts_with(['[', '{', '#', '&', '*', '!', '|', '>']) {
        return None;
    }
    Some((Cow::Borrowed(key), colon + 1))
}

/// A scalar at the start of `value`: its length in bytes and its content.
/// Flow collections, anchors, aliases and tags are not plain scalars here.
fn scalar(value: &str) -> Option<(usize, Cow<'_, str>)> {
    if value.starts_with('"') || value.starts_with('\'') {
        return quoted(value);
    }
    if value.starts_with(['[', '{', '&', '*', '!', '@', '`', '%']) {
        return None;
    }
    let end = value
        .find(" #")
        .or_else(|| value.find("\t#"))
        .unwrap_or(value.len());
    let plain = value[..end].trim_end_matches([' ', '\t']);
    if plain.is_empty() || plain.contains(": ") {
        return None;
    }
    Some((plain.len(), Cow::Borrowed(plain)))
}

/// A single- or double-quoted scalar at the start of `s`, on this line.
fn quoted(s: &str) -> Option<(usize, Cow<'_, str>)> {
    let quote = s.as_bytes()[0];
    let bytes = s.as_bytes();
    let mut i = 1;
    let mut escaped = false;
    while i < bytes.len() {
        let b = bytes[i];
        if quote == b'"' && b == b'\\' {
            escaped = true;
            i += 2;
            continue;
        }
        if b == quote {
            if quote == b'\'' && bytes.get(i + 1) == Some(&b'\'') {
                escaped = true;
                i += 2;
                continue;
            }
            let inner = &s[1..i];
            let content = if !escaped {
                Cow::Borrowed(inner)
            } else if quote == b'\'' {
                Cow::Owned(inner.replace("''", "'"))
            } else {
                // YAML's double-quoted escapes are a superset of JSON's; decode
                // the common ones through serde_json and give up on the rest.
                Cow::Owned(serde_json::from_str::<String>(&s[..=i]).ok()?)
            };
            return Some((i + 1, content));
        }
        i += 1;
    }
    None
}

/// A value written as a double-quoted YAML scalar: JSON's escapes are valid
/// in YAML's double-quoted style, so any text stays one scalar.
pub(crate) fn quote(value: &str) -> String {
    serde_json::to_string(value).expect("a string serializes")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(line: &str) -> Option<(String, String, String)> {
        let found = values(line);
        let v = found.first()?;
        Some((
            v.value.key.to_string(),
            v.value.raw(v.line).to_string(),
            v.value.content.to_string(),
        ))
    }

    fn kv(key: &str, raw: &str, content: &str) -> Option<(String, String, String)> {
        Some((key.into(), raw.into(), content.into()))
    }

    #[test]
    fn plain_quoted_and_commented_values() {
        assert_eq!(
            one("  role-arn: KARPENTER_IRSA # Replace"),
            kv("role-arn", "KARPENTER_IRSA", "KARPENTER_IRSA")
        );
        assert_eq!(one("  bucket: \"X\""), kv("bucket", "\"X\"", "X"));
        assert_eq!(one("  bucket: 'X' #c"), kv("bucket", "'X'", "X"));
        assert_eq!(
            one("    value: AWS_VPC_ID"),
            kv("value", "AWS_VPC_ID", "AWS_VPC_ID")
        );
        assert_eq!(
            one("  - name: AWS_REGION"),
            kv("name", "AWS_REGION", "AWS_REGION")
        );
        assert_eq!(one("  - X"), kv("", "X", "X"));
        assert_eq!(one("\"quoted key\": X"), kv("quoted key", "X", "X"));
        assert_eq!(one("  key: it's a#b"), kv("key", "it's a#b", "it's a#b"));
    }

    #[test]
    fn not_whole_values() {
        for line in [
            "  resources: [\"*\"]",
            "  install: {}",
            "  # role-arn: KARPENTER_IRSA",
            "spec:",
            "  args: ['./run.sh {{inputs.parameters.AWS_REGION}}'] # x",
            "  key: \"unterminated",
            "  key: a: b",
            "just a continuation line",
            "---",
            "  anchor: &a X",
        ] {
            assert_eq!(one(line), None, "{line}");
        }
    }

    #[test]
    fn block_scalars_are_skipped_by_indentation() {
        let text = "a: |\n  - KARPENTER_IRSA\n  x: Y\nb: Z\n- |\n   - Q\n- R\n";
        let found: Vec<_> = values(text)
            .iter()
            .map(|l| (l.line_no, l.value.content.to_string()))
            .collect();
        assert_eq!(found, [(4, "Z".to_string()), (7, "R".to_string())]);
    }

    #[test]
    fn spans_are_byte_exact() {
        let text = "x: 1\r\n  y: \"a\\\"b\"  # c\n";
        let found = values(text);
        assert_eq!(found[1].line_no, 2);
        assert_eq!(found[1].value.raw(found[1].line), "\"a\\\"b\"");
        assert_eq!(found[1].value.content, "a\"b");
        assert_eq!(found[0].value.raw(found[0].line), "1");
    }

    #[test]
    fn quote_writes_one_double_quoted_scalar() {
        assert_eq!(quote("arn:aws:iam::1:role/x"), "\"arn:aws:iam::1:role/x\"");
        assert_eq!(quote("a\"b\n"), "\"a\\\"b\\n\"");
    }
}
