//! One-line scalars and keys, as the fast reader reads them: what it is sure
//! of, and `None` (decline) for the rest.

/// libyaml refuses simple keys longer than 1024 characters.
const MAX_KEY: usize = 1000;

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

pub(super) struct BlockScalar {
    pub(super) parent_indent: usize,
    pub(super) content_indent: Option<usize>,
    pub(super) leading_blank: usize,
}

/// No tab, carriage return or other control character, and only characters
/// libyaml accepts that are not line breaks to it (NEL, LS, PS) nor a BOM.
pub(super) fn plain_characters(doc: &str) -> bool {
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
pub(super) fn split_key(text: &str) -> Option<Option<(&str, &str)>> {
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
    let b = &b[..comment_at(text).unwrap_or(b.len())];
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
pub(super) fn value<'a>(
    text: &'a str,
    indent: usize,
    block: &mut Option<BlockScalar>,
) -> Option<Scalar<'a>> {
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
            let content = match comment_at(text) {
                Some(i) => &text[..i],
                None => text,
            };
            let content = content.trim_end_matches(' ');
            if has_colon_space(content) || content.ends_with(':') {
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
    // Only a comment may follow, after a space.
    let comment = rest.starts_with('#') && text.as_bytes()[text.len() - rest.len() - 1] == b' ';
    if !(rest.is_empty() || comment) {
        return None;
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
/// Where ` #` (a comment, after a space) starts. The hot path of the fast
/// reader: `str::find` would build a substring searcher on every line.
fn comment_at(text: &str) -> Option<usize> {
    let b = text.as_bytes();
    memchr::memchr_iter(b'#', b)
        .find(|&i| i > 0 && b[i - 1] == b' ')
        .map(|i| i - 1)
}

/// Whether `text` holds `: ` (so a plain scalar it is not).
fn has_colon_space(text: &str) -> bool {
    let b = text.as_bytes();
    memchr::memchr_iter(b':', b).any(|i| b.get(i + 1) == Some(&b' '))
}

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
