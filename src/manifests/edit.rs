//! Editing a manifest's text in place: a block-style document as a tree of
//! keys and entries that point into its text ([`dom`]), and the masking that
//! lets a document with a few constructs the tree does not model be edited
//! anyway ([`mask`]). Only the edited bytes change.

pub(crate) mod dom;
pub(crate) mod mask;
