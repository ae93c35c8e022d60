//! TODO
use std::path::{Path, PathBuf};

use crate::error::Result;

use super::version::KubeVersion;

#[derive(Debug, Default)]
pub struct FixReport {
    pub changed: Vec<(PathBuf, Vec<String>)>,
    pub unconverted: Vec<(PathBuf, usize, String)>,
}

pub(crate) fn fix_repo(_root: &Path, _target: KubeVersion) -> Result<FixReport> {
    Ok(FixReport::default())
}
