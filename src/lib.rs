//! eks-workshop: the EKS Cluster Upgrades workshop's set-up, as resumable steps.
//!
//! `main.rs` only calls [`run`]; everything else is reached from here.

mod addon_catalog;
mod aws_cli;
mod backoff;
mod checks;
mod child;
mod cli;
mod clock;
mod commands;
mod config;
mod ctx;
mod effect;
mod engine;
mod error;
mod flux;
mod fsx;
mod git;
mod github;
mod interrupt;
mod kube;
mod kustomize;
mod log;
pub mod manifests;
mod outside;
mod pause;
mod placeholders;
mod plan;
mod preflight;
pub mod readiness;
mod run;
mod secrets;
mod stand;
mod state;
mod steps;
mod table;
mod teardown;
mod templates;
mod tools;
mod ui;
mod upgrade;
mod values;
mod verdict;
mod workshop;

pub use run::run;
#[doc(hidden)]
pub use upgrade::nodes::for_tests as upgrade_nodes;

/// The version and the commit it was built from, as `--version` prints them.
pub(crate) const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (",
    env!("EKS_WORKSHOP_COMMIT"),
    ")"
);
