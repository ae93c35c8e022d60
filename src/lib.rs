//! eks-workshop: the EKS Cluster Upgrades workshop's set-up, as resumable steps.
//!
//! `main.rs` only calls [`run`]; everything else is reached from here.

mod addons;
mod child;
mod cli;
mod commands;
mod config;
mod ctx;
mod engine;
mod error;
mod fsx;
mod git;
mod github;
mod kube;
mod kustomize;
mod pause;
mod placeholders;
mod plan;
mod preview;
mod retry;
mod run;
pub mod scan;
mod state;
mod steps;
mod table;
mod templates;
mod ui;
mod values;
mod workshop;

pub use run::run;
