//! `verify --report FILE.html`: the report as one self-contained page.

use std::path::Path;

use crate::error::Result;

pub(super) fn write(path: &Path, report: &serde_json::Value) -> Result<()> {
    let page = format!("<!doctype html><pre>{}</pre>", report);
    crate::fsx::write_atomic(path, page.as_bytes(), None)
}
