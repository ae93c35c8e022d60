//! `fix_repo`: the fixer over a whole directory, written in place. `verify
//! --fix` derives its conversion from HEAD with [`super::fix_text`] instead (so
//! a crash between writing and committing is harmless); this serves the
//! golden tests, which check whole fixture repos, and `upgrade`'s readiness
//! step, which converts a scratch copy of HEAD to see what is left.

use std::path::{Path, PathBuf};

use super::fix_text;
use crate::error::{Error, Result};
use crate::fsx;
use crate::readiness::KubeVersion;

/// What `fix_repo` did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct FixReport {
    /// Files rewritten, with what changed in each.
    pub(crate) changed: Vec<(PathBuf, Vec<String>)>,
    /// Objects left as they are: file, line, why.
    pub(crate) unconverted: Vec<(PathBuf, usize, String)>,
}

/// Convert, in place, every manifest under `root` whose API is deprecated or
/// removed at `target` and converts mechanically. Files are replaced
/// atomically; committing is the caller's business. Running it again changes
/// nothing.
pub(crate) fn fix_repo(root: &Path, target: KubeVersion) -> Result<FixReport> {
    let mut problems = Vec::new();
    let files = super::super::scan::walk(root, &mut problems)?;
    let mut report = FixReport::default();
    for rel in files
        .iter()
        .filter(|f| !super::super::checks::is_kustomization_file(super::super::scan::file_name(f)))
    {
        let path = root.join(rel);
        let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, "read", e))?;
        let Ok(text) = std::str::from_utf8(&bytes) else {
            continue; // the scan reports it
        };
        let outcome = fix_text(text, rel.ends_with(".json"), target);
        let rel_path = PathBuf::from(rel);
        for (line, why) in outcome.unconverted {
            report.unconverted.push((rel_path.clone(), line, why));
        }
        if let Some(new) = outcome.text {
            fsx::write_atomic(&path, new.as_bytes(), None)?;
            report.changed.push((rel_path, outcome.changed));
        }
    }
    Ok(report)
}
