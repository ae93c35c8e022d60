//! Reading manifests: split a file into YAML documents, read the few fields the
//! scan needs, report documents that do not parse.
//!
//! Most documents are read by [`fast::head`], a line reader that understands a
//! conservative subset of block-style YAML and declines everything else; the
//! declined documents (flow style, anchors, tags, multi-line quoted scalars,
//! anything it is unsure of) go to serde_yaml, whose verdict and error messages
//! are the reference. A property test holds the fast reader to that reference.

use std::borrow::Cow;

use serde_yaml::Value;

pub(crate) mod fast;
mod scalar;

/// The fields of an object the scan reads.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Head<'a> {
    pub(crate) api_version: Option<Cow<'a, str>>,
    pub(crate) kind: Option<Cow<'a, str>>,
    pub(crate) name: Option<Cow<'a, str>>,
    pub(crate) namespace: Option<Cow<'a, str>>,
}

impl Head<'_> {
    /// An object is something with both an apiVersion and a kind.
    pub(crate) fn gvk(&self) -> Option<(&str, &str)> {
        match (self.api_version.as_deref(), self.kind.as_deref()) {
            (Some(a), Some(k)) if !a.is_empty() && !k.is_empty() => Some((a, k)),
            _ => None,
        }
    }

    pub(crate) fn is_flux_kustomization(&self) -> bool {
        matches!(self.gvk(), Some((a, "Kustomization")) if a.starts_with("kustomize.toolkit.fluxcd.io/"))
    }
}

/// One object found in a file.
pub(crate) struct Manifest<'a> {
    /// 1-based line where its document (or its `items:` entry) starts.
    pub(crate) line: usize,
    pub(crate) head: Head<'a>,
    /// `spec.path` when it is a Flux Kustomization.
    pub(crate) flux_path: Option<String>,
    /// Did the fast reader read it (the document is plain block style)?
    #[cfg_attr(not(test), allow(dead_code))] // read by the reader's tests
    pub(crate) block_style: bool,
}

/// A document that does not parse: 1-based line and serde's message.
pub(crate) type SyntaxError = (usize, String);

/// One YAML document of a file.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Doc<'a> {
    pub(crate) text: &'a str,
    /// 1-based line of `text`'s first line in the file.
    pub(crate) start_line: usize,
    /// 1-based line of its first line that is neither blank nor a comment.
    pub(crate) content_line: usize,
}

/// Split a YAML stream at its `---` / `...` markers. `None` when the stream has
/// directives (`%YAML`), whose scope the splitter does not model.
pub(crate) fn split_docs(text: &str) -> Option<Vec<Doc<'_>>> {
    let mut docs = Vec::new();
    let mut start = 0; // byte offset of the current document
    let mut start_line = 1;
    let mut content_line = 0; // 0 = none yet
    let mut pos = 0;
    let mut line_no = 1;
    let bytes = text.as_bytes();
    while pos < bytes.len() {
        let end = memchr::memchr(b'\n', &bytes[pos..]).map_or(bytes.len(), |i| pos + i);
        let line = &text[pos..end];
        let next = (end + 1).min(bytes.len());
        match marker(line) {
            Some(Marker::Directive) => return None,
            Some(m @ (Marker::Start | Marker::End)) => {
                if content_line != 0 {
                    docs.push(Doc {
                        text: &text[start..pos],
                        start_line,
                        content_line,
                    });
                }
                content_line = 0;
                // `--- value` starts a document on the marker line itself.
                if m == Marker::Start && has_content(&line[3..]) {
                    (start, start_line, content_line) = (pos, line_no, line_no);
                } else {
                    (start, start_line) = (next, line_no + 1);
                }
            }
            None if content_line == 0 && has_content(line) => content_line = line_no,
            None => {}
        }
        pos = end + 1;
        line_no += 1;
    }
    if content_line != 0 {
        docs.push(Doc {
            text: &text[start.min(text.len())..],
            start_line,
            content_line,
        });
    }
    Some(docs)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Marker {
    Start,
    End,
    Directive,
}

fn marker(line: &str) -> Option<Marker> {
    let b = line.as_bytes();
    let ends_token = |i: usize| b.len() == i || matches!(b[i], b' ' | b'\t' | b'\r');
    if b.starts_with(b"---") && ends_token(3) {
        Some(Marker::Start)
    } else if b.starts_with(b"...") && ends_token(3) && !has_content(&line[3..]) {
        // `... junk` is left to the document, where serde_yaml reports it.
        Some(Marker::End)
    } else if b.first() == Some(&b'%') {
        Some(Marker::Directive)
    } else {
        None
    }
}

/// Neither blank nor only a comment.
fn has_content(line: &str) -> bool {
    let t = line.trim_start_matches([' ', '\t', '\r']);
    !t.is_empty() && !t.starts_with('#')
}

/// Read every object of a YAML file; documents that do not parse become errors
/// and reading goes on with the next one.
pub(crate) fn read_yaml<'a>(
    text: &'a str,
    found: &mut dyn FnMut(Manifest<'a>),
) -> Vec<SyntaxError> {
    read_yaml_teed(text, found, |_| (), &mut |_| {})
}

/// A document the fast reader read, its head and the sink walked beside
/// it; `None` for one serde_yaml read (see [`read_yaml_teed`]).
pub(crate) type Walked<'d, 'a, S> = Option<(&'d Doc<'a>, &'d Head<'a>, S)>;

/// [`read_yaml`], with another sink walked beside each document's head (a
/// fresh one per document, from `new`): `each` gets the document, its head
/// and the sink when the fast reader read it, and `None` for a document (or
/// a stream) serde_yaml read instead.
pub(crate) fn read_yaml_teed<'a, S: fast::Sink<'a>>(
    text: &'a str,
    found: &mut dyn FnMut(Manifest<'a>),
    new: impl Fn(&'a str) -> S,
    each: &mut dyn FnMut(Walked<'_, 'a, S>),
) -> Vec<SyntaxError> {
    let Some(docs) = split_docs(text) else {
        each(None);
        return read_stream(text, found);
    };
    let mut errors = Vec::new();
    for doc in docs {
        let mut sink = new(doc.text);
        if let Some(Some(head)) = fast::head_and(doc.text, &mut sink) {
            each(Some((&doc, &head, sink)));
            let flux_path = if head.is_flux_kustomization() {
                parse_doc(&doc).ok().and_then(|v| flux_path(&v))
            } else {
                None
            };
            if head.gvk().is_some() {
                found(Manifest {
                    line: doc.content_line,
                    head,
                    flux_path,
                    block_style: true,
                });
            }
            continue;
        }
        each(None);
        match parse_doc(&doc) {
            Ok(value) => emit_value(&value, &doc, found),
            Err(e) => errors.push(syntax_error(&e, doc.content_line)),
        }
    }
    errors
}

/// serde_yaml on one document, with its error lines counted from the file's start.
pub(crate) fn parse_doc(doc: &Doc<'_>) -> Result<Value, serde_yaml::Error> {
    if doc.start_line == 1 {
        return serde_yaml::from_str(doc.text);
    }
    let mut padded = "\n".repeat(doc.start_line - 1);
    padded.push_str(doc.text);
    serde_yaml::from_str(&padded)
}

fn syntax_error(e: &serde_yaml::Error, fallback_line: usize) -> SyntaxError {
    let line = e.location().map_or(fallback_line, |l| l.line());
    (line, format!("invalid YAML: {e}"))
}

/// The objects of a parsed document: itself, or the items of a `*List`.
fn emit_value<'a>(value: &Value, doc: &Doc<'a>, found: &mut dyn FnMut(Manifest<'a>)) {
    let head = head_of(value);
    let items = match (head.kind.as_deref(), value.get("items")) {
        (Some(kind), Some(Value::Sequence(items))) if kind.ends_with("List") => items,
        _ => {
            if head.gvk().is_some() {
                let flux_path = head
                    .is_flux_kustomization()
                    .then(|| flux_path(value))
                    .flatten();
                found(Manifest {
                    line: doc.content_line,
                    head: owned(head),
                    flux_path,
                    block_style: false,
                });
            }
            return;
        }
    };
    let lines = item_lines(doc).filter(|l| l.len() == items.len());
    for (i, item) in items.iter().enumerate() {
        let head = head_of(item);
        if head.gvk().is_some() {
            let flux_path = head
                .is_flux_kustomization()
                .then(|| flux_path(item))
                .flatten();
            let line = lines.as_ref().map_or(doc.content_line, |l| l[i]);
            found(Manifest {
                line,
                head: owned(head),
                flux_path,
                block_style: false,
            });
        }
    }
}

fn owned(head: Head<'_>) -> Head<'static> {
    let own = |f: Option<Cow<'_, str>>| f.map(|s| Cow::Owned(s.into_owned()));
    Head {
        api_version: own(head.api_version),
        kind: own(head.kind),
        name: own(head.name),
        namespace: own(head.namespace),
    }
}

/// The reference reading of a parsed document's fields (what the fast reader must match).
pub(crate) fn head_of(value: &Value) -> Head<'_> {
    fn text(v: Option<&Value>) -> Option<Cow<'_, str>> {
        v.and_then(Value::as_str).map(Cow::Borrowed)
    }
    let metadata = value.get("metadata").filter(|m| m.is_mapping());
    Head {
        api_version: text(value.get("apiVersion")),
        kind: text(value.get("kind")),
        name: text(metadata.and_then(|m| m.get("name"))),
        namespace: text(metadata.and_then(|m| m.get("namespace"))),
    }
}

/// The name and namespace of the GitRepository that syncs the fork, as
/// `flux bootstrap` and eks-workshop make it.
const FORK_SOURCE: &str = "flux-system";

/// A Flux Kustomization without `spec.path` applies its source's root. Only
/// one built from the fork has a path here: a `sourceRef` naming another
/// source (kind, name, or namespace — its own when not given) builds from
/// somewhere else.
fn flux_path(value: &Value) -> Option<String> {
    let at = |v: &Value, key: &str| v.get(key).and_then(Value::as_str).map(str::to_owned);
    let source = value.get("spec").and_then(|s| s.get("sourceRef"));
    let own = value.get("metadata").and_then(|m| at(m, "namespace"));
    flux_path_of(
        value
            .get("spec")
            .and_then(|s| s.get("path"))
            .map(Value::as_str),
        source.map(|s| (at(s, "kind"), at(s, "name"), at(s, "namespace").or(own))),
    )
}

/// The path a Flux Kustomization applies from the fork, from its
/// `spec.path` (`Some(None)`: not a string) and its `sourceRef` (kind, name,
/// namespace).
type SourceRef = (Option<String>, Option<String>, Option<String>);

fn flux_path_of(path: Option<Option<&str>>, source: Option<SourceRef>) -> Option<String> {
    if let Some((kind, name, namespace)) = source {
        let ours = kind.as_deref() == Some("GitRepository")
            && name.as_deref() == Some(FORK_SOURCE)
            && namespace.as_deref().is_none_or(|ns| ns == FORK_SOURCE);
        if !ours {
            return None;
        }
    }
    Some(path.unwrap_or(Some("./"))?.to_owned())
}

/// Lines of the `- ` entries of a List's top-level `items:`, when they can be
/// told from the text.
fn item_lines(doc: &Doc<'_>) -> Option<Vec<usize>> {
    let mut lines = doc
        .text
        .lines()
        .enumerate()
        .map(|(i, l)| (doc.start_line + i, l));
    lines
        .by_ref()
        .find(|(_, l)| l.starts_with("items:") && !has_content(&l[6..]))?;
    let mut indent = None;
    let mut found = Vec::new();
    for (n, l) in lines {
        if !has_content(l) {
            continue;
        }
        let spaces = l.len() - l.trim_start_matches(' ').len();
        let rest = &l[spaces..];
        let dash = rest == "-" || rest.starts_with("- ");
        match indent {
            None if dash => indent = Some(spaces),
            None => return None,
            Some(i) if spaces < i || (spaces == i && !dash) => break,
            Some(_) => {}
        }
        if dash && Some(spaces) == indent {
            found.push(n);
        }
    }
    Some(found)
}

/// A stream with directives: serde_yaml reads it whole, and objects get the
/// line of their document only if the documents can still be told apart.
fn read_stream<'a>(text: &'a str, found: &mut dyn FnMut(Manifest<'a>)) -> Vec<SyntaxError> {
    use serde::Deserialize;
    let whole = Doc {
        text,
        start_line: 1,
        content_line: 1,
    };
    let mut errors = Vec::new();
    for de in serde_yaml::Deserializer::from_str(text) {
        match Value::deserialize(de) {
            Ok(value) => emit_value(&value, &whole, found),
            Err(e) => {
                errors.push(syntax_error(&e, 1));
                break;
            }
        }
    }
    errors
}

/// Read a JSON manifest (one value: an object or a `*List`).
pub(crate) fn read_json<'a>(
    text: &'a str,
    found: &mut dyn FnMut(Manifest<'a>),
) -> Vec<SyntaxError> {
    let value: serde_json::Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => return vec![(e.line().max(1), format!("invalid JSON: {e}"))],
    };
    let line = text
        .lines()
        .position(|l| !l.trim().is_empty())
        .map_or(1, |i| i + 1);
    let mut emit = |v: &serde_json::Value| {
        let text = |v: Option<&serde_json::Value>| {
            v.and_then(|v| v.as_str()).map(|s| Cow::Owned(s.to_owned()))
        };
        let metadata = v.get("metadata").filter(|m| m.is_object());
        let head = Head {
            api_version: text(v.get("apiVersion")),
            kind: text(v.get("kind")),
            name: text(metadata.and_then(|m| m.get("name"))),
            namespace: text(metadata.and_then(|m| m.get("namespace"))),
        };
        if head.gvk().is_some() {
            let at = |v: &serde_json::Value, key: &str| {
                v.get(key)
                    .and_then(serde_json::Value::as_str)
                    .map(str::to_owned)
            };
            let own = metadata.and_then(|m| at(m, "namespace"));
            let source = v
                .pointer("/spec/sourceRef")
                .map(|s| (at(s, "kind"), at(s, "name"), at(s, "namespace").or(own)));
            let path = v.pointer("/spec/path").map(serde_json::Value::as_str);
            let flux_path = head
                .is_flux_kustomization()
                .then(|| flux_path_of(path, source))
                .flatten();
            found(Manifest {
                line,
                head,
                flux_path,
                block_style: false,
            });
        }
    };
    match value.get("items") {
        Some(serde_json::Value::Array(items))
            if value
                .get("kind")
                .and_then(|k| k.as_str())
                .is_some_and(|k| k.ends_with("List")) =>
        {
            items.iter().for_each(&mut emit)
        }
        _ => emit(&value),
    }
    Vec::new()
}

/// The first place a whole YAML stream (or JSON document) fails to parse,
/// by serde's verdict: what a file must pass before eks-workshop writes or
/// commits it.
pub(crate) fn first_error(text: &str, json: bool) -> Option<SyntaxError> {
    use serde::Deserialize;
    if json {
        let e = serde_json::from_str::<serde_json::Value>(text).err()?;
        return Some((e.line().max(1), format!("invalid JSON: {e}")));
    }
    serde_yaml::Deserializer::from_str(text)
        .find_map(|de| Value::deserialize(de).err())
        .map(|e| syntax_error(&e, 1))
}

#[cfg(test)]
pub(crate) mod proptests;
#[cfg(test)]
mod tests;
