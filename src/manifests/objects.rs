//! The objects Flux applies from the repository, each with the file and
//! line it comes from, and what a check reads of its body ([`Facts`]):
//! what checks on the objects themselves (not their APIs) read. A document
//! that does not parse is the scan's problem, not ours: it is left out here.
//!
//! Each document is read by the fast reader when it can be (its head, then,
//! for the kinds a check wants, its tree), and by serde_yaml otherwise or
//! when the fast reader is unsure of a value the check reads.

use super::edit::dom::Dom;
use super::yaml::{self, Doc, parse_doc, split_docs};

pub(crate) mod body;
mod view;

pub(crate) use view::{Exact, Unsure, View};

/// What a check reads of an object's body.
pub(crate) trait Facts: Sized + Send + Sync + Clone + 'static {
    /// The kinds whose bodies are read.
    const KINDS: &'static [&'static str];
    /// Whether objects of other kinds are listed too (with [`Facts::none`]):
    /// when not, a document that does not mention one of [`Facts::KINDS`]
    /// is not read at all.
    const OTHERS: bool;
    /// The deepest key [`Facts::read`] reads (0: a top-level key such as
    /// `spec`): the tree is built no deeper.
    const DEPTH: usize;
    /// The facts of an object of one of [`Facts::KINDS`].
    fn read(kind: &str, body: View<'_>) -> Exact<Self>;
    /// The facts of an object of another kind.
    fn none() -> Self;
}

/// Every object, with only its head: no body read.
impl Facts for () {
    const KINDS: &'static [&'static str] = &[];
    const OTHERS: bool = true;
    const DEPTH: usize = 0;

    fn read(_: &str, _: View<'_>) -> Exact<()> {
        Ok(())
    }

    fn none() {}
}

/// One object of a file Flux applies.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RepoObject<F = ()> {
    pub(crate) file: String,
    /// The line its document's content starts on.
    pub(crate) line: usize,
    kind: String,
    name: String,
    /// `metadata.namespace` as written.
    namespace: Option<String>,
    pub(crate) facts: F,
}

impl<F> RepoObject<F> {
    pub(crate) fn kind(&self) -> &str {
        &self.kind
    }

    pub(crate) fn name(&self) -> &str {
        &self.name
    }

    /// Its namespace, `default` when the manifest names none.
    pub(crate) fn namespace(&self) -> &str {
        self.namespace.as_deref().unwrap_or("default")
    }

    /// Its namespace as the manifest writes it.
    pub(crate) fn written_namespace(&self) -> Option<&str> {
        self.namespace.as_deref()
    }

    /// `file:line`.
    pub(crate) fn place(&self) -> String {
        format!("{}:{}", self.file, self.line)
    }
}

/// The objects of one file's text.
pub(crate) fn in_text<F: Facts>(text: &str, file: &str) -> Vec<RepoObject<F>> {
    let Some(docs) = split_docs(text) else {
        return Vec::new();
    };
    docs.iter()
        .filter_map(|doc| {
            let read = fast(doc).unwrap_or_else(|Unsure| slow(doc));
            object(file, doc, read?)
        })
        .collect()
}

/// The object of a document the fast reader read in another walk (the
/// tree's read): its head, and its tree built in the same walk when the
/// document [`may_be_wanted`] (`None` otherwise).
pub(crate) fn walked<F: Facts>(
    file: &str,
    doc: &Doc<'_>,
    head: &yaml::Head<'_>,
    dom: Option<Dom<'_>>,
) -> Option<RepoObject<F>> {
    let read = match dom {
        None if !F::OTHERS => Ok(None),
        None => read(head.clone(), |_| Ok(F::none())),
        Some(dom) => read(head.clone(), |kind| F::read(kind, View::Dom(&dom, None))),
    };
    let read = read.unwrap_or_else(|Unsure| slow(doc));
    object(file, doc, read?)
}

fn object<F>(file: &str, doc: &Doc<'_>, read: Read<F>) -> Option<RepoObject<F>> {
    let (kind, name, namespace, facts) = read;
    Some(RepoObject {
        file: file.to_string(),
        line: doc.content_line,
        kind,
        name,
        namespace,
        facts,
    })
}

type Read<F> = (String, String, Option<String>, F);

/// Whether a document may be of one of `F`'s kinds, so its body is read:
/// a kind is written as itself, or escaped in a double-quoted string.
pub(crate) fn may_be_wanted<F: Facts>(text: &str) -> bool {
    let text = text.as_bytes();
    memchr::memchr(b'\\', text).is_some()
        || (F::KINDS.iter()).any(|k| memchr::memmem::find(text, k.as_bytes()).is_some())
}

/// By the fast reader, when it is sure of everything read (`None`: not an
/// object, no `kind`, or not one of the kinds wanted).
fn fast<F: Facts>(doc: &Doc<'_>) -> Exact<Option<Read<F>>> {
    if !may_be_wanted::<F>(doc.text) {
        if !F::OTHERS {
            return Ok(None);
        }
        let head = yaml::fast::head(doc.text).ok_or(Unsure)?;
        return read(head, |_| Ok(F::none()));
    }
    let (dom, head) = Dom::parse_headed_to(doc.text, F::DEPTH).ok_or(Unsure)?;
    read(head.ok_or(Unsure)?, |kind| {
        F::read(kind, View::Dom(&dom, None))
    })
}

/// The object of a head read, with its facts (`None`: not an object, or a
/// kind not wanted).
fn read<F: Facts>(
    head: yaml::Head<'_>,
    facts: impl FnOnce(&str) -> Exact<F>,
) -> Exact<Option<Read<F>>> {
    let Some(kind) = head.kind else {
        return Ok(None);
    };
    let facts = match (F::KINDS.contains(&kind.as_ref()), F::OTHERS) {
        (true, _) => facts(&kind)?,
        (false, true) => F::none(),
        (false, false) => return Ok(None),
    };
    let name = head.name.unwrap_or_default().into_owned();
    let namespace = head.namespace.map(|n| n.into_owned());
    Ok(Some((kind.into_owned(), name, namespace, facts)))
}

/// By serde_yaml.
fn slow<F: Facts>(doc: &Doc<'_>) -> Option<Read<F>> {
    let value = parse_doc(doc).ok()?;
    let head = yaml::head_of(&value);
    read(head, |kind| F::read(kind, View::Value(&value))).ok()?
}

/// For the property test: the object read both ways (fast, then serde_yaml).
#[cfg(test)]
pub(crate) fn both_ways<F: Facts>(text: &str) -> (Option<F>, Option<F>) {
    let doc = Doc {
        text,
        start_line: 1,
        content_line: 1,
    };
    (
        fast::<F>(&doc).ok().flatten().map(|r| r.3),
        slow::<F>(&doc).map(|r| r.3),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_object_carries_its_file_and_line() {
        let text = "# a comment\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\n\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: b\n  namespace: shop\n---\nnot: an object\n";
        let found: Vec<RepoObject> = in_text(text, "f.yaml");
        assert_eq!(found.len(), 2);
        assert_eq!(
            (found[0].kind(), found[0].name(), found[0].namespace()),
            ("ConfigMap", "a", "default")
        );
        assert_eq!(found[0].place(), "f.yaml:2");
        assert_eq!(found[0].written_namespace(), None);
        assert_eq!(
            (found[1].name(), found[1].namespace(), found[1].line),
            ("b", "shop", 8)
        );
    }

    #[test]
    fn a_head_the_fast_reader_declines_is_read_by_serde_yaml() {
        // An anchor: the fast reader declines; serde_yaml reads it.
        let text = "apiVersion: v1\nkind: ConfigMap\nmetadata: &m\n  name: a\n";
        let found: Vec<RepoObject> = in_text(text, "f.yaml");
        assert_eq!((found[0].kind(), found[0].name()), ("ConfigMap", "a"));
    }
}
