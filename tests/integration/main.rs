//! The main crate's single integration-test binary; each module is one area.

mod harness_apiserver;
mod harness_forge;
mod offline;
mod support;
