//! `verify`: removed/deprecated APIs in the repo (and the cluster), repo
//! checks, and Flux readiness.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use crate::cli::Global;
use crate::error::{Error, Result};

pub(crate) async fn verify(
    _global: &Global,
    _target: Option<String>,
    _fix: bool,
    _strict: bool,
    _interrupted: Arc<AtomicBool>,
) -> Result<u8> {
    Err(Error::usage("verify is not built yet", ""))
}
