//! A read-only view of one document's body, over the fast reader's tree
//! ([`Dom`]) when it accepted the document, else over serde_yaml's value.
//! The fast side answers only what it knows exactly: a number it cannot
//! be sure of (`0x10`, `1e3`), an escaped string, the inside of a one-line
//! flow mapping is [`Unsure`], and the caller reads the document again
//! with serde_yaml. A property test holds the two sides equal wherever
//! the fast one answers.

use serde_yaml::Value;

use crate::manifests::edit::dom::Dom;
use crate::manifests::yaml::fast::Scalar;

/// The fast reader cannot answer exactly: read the document with serde_yaml.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Unsure;

pub(crate) type Exact<T> = Result<T, Unsure>;

#[derive(Clone, Copy)]
pub(crate) enum View<'v> {
    /// A node of the tree; `None` for the document itself.
    Dom(&'v Dom<'v>, Option<usize>),
    Value(&'v Value),
}

impl<'v> View<'v> {
    /// The value under `key`, when this is a mapping that has it.
    pub(crate) fn get(self, key: &str) -> Exact<Option<View<'v>>> {
        match self {
            View::Value(v) => Ok(v.get(key).map(View::Value)),
            View::Dom(d, node) => {
                let Some(children) = map_children(d, node)? else {
                    return Ok(None);
                };
                let found = children
                    .iter()
                    .copied()
                    .find(|&c| d.nodes[c].key == Some(key));
                Ok(found.map(|c| View::Dom(d, Some(c))))
            }
        }
    }

    /// `get` down `keys`.
    pub(crate) fn at(self, keys: &[&str]) -> Exact<Option<View<'v>>> {
        let mut here = self;
        for key in keys {
            match here.get(key)? {
                Some(next) => here = next,
                None => return Ok(None),
            }
        }
        Ok(Some(here))
    }

    /// The entries of a sequence (none when this is not one).
    pub(crate) fn items(self) -> Exact<Vec<View<'v>>> {
        match self {
            View::Value(v) => Ok(v
                .as_sequence()
                .map(|s| s.iter().map(View::Value).collect())
                .unwrap_or_default()),
            View::Dom(_, None) => Ok(Vec::new()),
            View::Dom(d, Some(n)) if d.nodes[n].pruned => Err(Unsure),
            View::Dom(d, Some(n)) => match d.nodes[n].value {
                Scalar::Block => Ok(d.nodes[n]
                    .children
                    .iter()
                    .filter(|&&c| d.nodes[c].key.is_none())
                    .map(|&c| View::Dom(d, Some(c)))
                    .collect()),
                // `[a, b]` or `null`: which, the fast reader does not keep.
                Scalar::Other => Err(Unsure),
                _ => Ok(Vec::new()),
            },
        }
    }

    /// The string-keyed entries of a mapping (none when this is not one).
    pub(crate) fn entries(self) -> Exact<Vec<(&'v str, View<'v>)>> {
        match self {
            View::Value(v) => Ok(v
                .as_mapping()
                .map(|m| {
                    m.iter()
                        .filter_map(|(k, v)| Some((k.as_str()?, View::Value(v))))
                        .collect()
                })
                .unwrap_or_default()),
            View::Dom(d, node) => {
                let Some(children) = map_children(d, node)? else {
                    return Ok(Vec::new());
                };
                Ok(children
                    .iter()
                    .filter_map(|&c| Some((d.nodes[c].key?, View::Dom(d, Some(c)))))
                    .collect())
            }
        }
    }

    /// The string, when this is one.
    pub(crate) fn as_str(self) -> Exact<Option<&'v str>> {
        match self.scalar() {
            Err(v) => Ok(v.as_str()),
            Ok(Scalar::Str(s)) => Ok(Some(s)),
            Ok(Scalar::MaybeNumber(_) | Scalar::Cooked) => Err(Unsure),
            Ok(_) => Ok(None),
        }
    }

    /// The number, when this is a whole number of at least 0.
    pub(crate) fn as_u64(self) -> Exact<Option<u64>> {
        match self.scalar() {
            Err(v) => Ok(v.as_u64()),
            Ok(Scalar::MaybeNumber(s)) => plain_u64(s).map(Some).ok_or(Unsure),
            Ok(_) => Ok(None),
        }
    }

    /// A scalar as text (a string, a number, a boolean); `None` for null
    /// and collections. How a label value reads.
    pub(crate) fn scalar_text(self) -> Exact<Option<String>> {
        match self.scalar() {
            Err(Value::String(s)) => Ok(Some(s.clone())),
            Err(Value::Bool(b)) => Ok(Some(b.to_string())),
            Err(Value::Number(n)) => Ok(Some(n.to_string())),
            Err(_) => Ok(None),
            Ok(Scalar::Str(s)) => Ok(Some(s.to_owned())),
            Ok(Scalar::MaybeNumber(s)) => plain_u64(s).map(|_| Some(s.to_owned())).ok_or(Unsure),
            // A boolean or a null: the fast reader does not keep which.
            Ok(Scalar::Other | Scalar::Cooked) => Err(Unsure),
            Ok(Scalar::Block | Scalar::FlowMap) => Ok(None),
        }
    }

    /// Whether any key or string at or under this contains `needle`.
    pub(crate) fn mentions(self, needle: &str) -> Exact<bool> {
        match self {
            View::Value(v) => Ok(value_mentions(v, needle)),
            View::Dom(d, node) => {
                // A value the fast reader keeps no text of could hold it,
                // written plainly or escaped.
                let hidden = d.text.contains(needle) || d.text.contains('\\');
                let mut stack: Vec<usize> = match node {
                    None => d.roots.clone(),
                    Some(n) => vec![n],
                };
                while let Some(n) = stack.pop() {
                    let node = &d.nodes[n];
                    if node.key.is_some_and(|k| k.contains(needle)) {
                        return Ok(true);
                    }
                    match node.value {
                        Scalar::Str(s) if s.contains(needle) => return Ok(true),
                        Scalar::Cooked | Scalar::Other | Scalar::FlowMap if hidden => {
                            return Err(Unsure);
                        }
                        _ => {}
                    }
                    // What was left out of the tree could hold it.
                    if node.pruned && hidden {
                        return Err(Unsure);
                    }
                    stack.extend(&node.children);
                }
                Ok(false)
            }
        }
    }

    /// The fast reader's scalar (`Ok`), or serde_yaml's value (`Err`).
    fn scalar(self) -> Result<Scalar<'v>, &'v Value> {
        match self {
            View::Value(v) => Err(v),
            View::Dom(_, None) => Ok(Scalar::Block),
            View::Dom(d, Some(n)) => Ok(d.nodes[n].value.clone()),
        }
    }
}

/// The children of a node (or the document's top level) that may be a
/// mapping's entries: `None` for a scalar, [`Unsure`] for a one-line flow
/// mapping or a node whose children the tree left out.
fn map_children<'v>(d: &'v Dom<'v>, node: Option<usize>) -> Exact<Option<&'v [usize]>> {
    match node {
        None => Ok(Some(&d.roots)),
        Some(n) if d.nodes[n].pruned => Err(Unsure),
        Some(n) => match d.nodes[n].value {
            Scalar::Block => Ok(Some(&d.nodes[n].children)),
            Scalar::FlowMap => Err(Unsure),
            _ => Ok(None),
        },
    }
}

/// `0`, or digits without a leading zero that fit: the plain scalars whose
/// number serde_yaml reads is certain.
fn plain_u64(s: &str) -> Option<u64> {
    let digits = s.bytes().all(|b| b.is_ascii_digit());
    if !digits || s.is_empty() || (s.len() > 1 && s.starts_with('0')) {
        return None;
    }
    s.parse().ok()
}

fn value_mentions(v: &Value, needle: &str) -> bool {
    match v {
        Value::String(s) => s.contains(needle),
        Value::Sequence(items) => items.iter().any(|v| value_mentions(v, needle)),
        Value::Mapping(m) => m
            .iter()
            .any(|(k, v)| value_mentions(k, needle) || value_mentions(v, needle)),
        Value::Tagged(t) => value_mentions(&t.value, needle),
        Value::Null | Value::Bool(_) | Value::Number(_) => false,
    }
}
