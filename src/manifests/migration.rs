//! The Flux migration over a clone: every manifest (each migrated by
//! `flux_migration`), nothing written until [`write_migrations`] is called
//! with what [`migrate_repo`] planned. Beside `flux_migration`, not in it:
//! it walks the clone as the scan does, and the scan reads documents
//! with `flux_migration`'s readers.

use std::path::Path;

use crate::error::{Error, Result};
use crate::fsx;
use crate::manifests::flux_migration::{FluxApis, Migrated, migrate};
use crate::manifests::{checks, scan};

/// One file's migration, when it changes or has something to report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FileMigration {
    /// Relative to the clone, `/`-separated.
    pub(crate) path: String,
    pub(crate) migrated: Migrated,
}

/// Plan the migration of every manifest under `root` (kustomization files
/// aside), in path order; files with neither a change nor a note are left out.
pub(crate) fn migrate_repo(root: &Path, target: &FluxApis) -> Result<Vec<FileMigration>> {
    let mut problems = Vec::new();
    let files = scan::walk(root, &mut problems)?;
    let mut out = Vec::new();
    for rel in files
        .iter()
        .filter(|f| !checks::is_kustomization_file(scan::file_name(f)))
    {
        let path = root.join(rel);
        let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, "read", e))?;
        let migrated = migrate(rel, &bytes, target);
        if migrated.changed() || !migrated.unconverted.is_empty() {
            out.push(FileMigration {
                path: rel.clone(),
                migrated,
            });
        }
    }
    Ok(out)
}

/// Write the files that change, each replaced atomically; returns their paths.
/// Committing is the caller's business.
// The migrate step re-migrates each file over the working tree instead (the
// participant's edits kept); only the tests write a plan as it stands.
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) fn write_migrations(root: &Path, files: &[FileMigration]) -> Result<Vec<String>> {
    let mut written = Vec::new();
    for f in files.iter().filter(|f| f.migrated.changed()) {
        fsx::write_atomic(&root.join(&f.path), &f.migrated.bytes, None)?;
        written.push(f.path.clone());
    }
    Ok(written)
}
