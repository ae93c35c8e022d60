//! Filesystem calls that attach the path to every error, and an atomic write.

use std::fs;
use std::io::Write;
use std::path::Path;

use crate::error::{Error, Result};

pub(crate) fn read_to_string(path: &Path) -> Result<String> {
    fs::read_to_string(path).map_err(|e| Error::io(path, "read", e))
}

pub(crate) fn create_dir_all(path: &Path) -> Result<()> {
    fs::create_dir_all(path).map_err(|e| Error::io(path, "created", e))
}

/// Replace `path` with `contents` so that a reader (or a crash) sees either the
/// old file or the new one, never half of it: write a temp file beside it,
/// fsync, rename over. `mode` applies to the new file from its creation on.
pub(crate) fn write_atomic(path: &Path, contents: &[u8], mode: Option<u32>) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp{}", std::process::id()));
    let result = (|| {
        let mut options = fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        if let Some(mode) = mode {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(mode);
        }
        let mut file = options.open(&tmp)?;
        file.write_all(contents)?;
        file.sync_all()?;
        // A crash here leaves the old file whole (the crash tests stop here).
        crate::pause::point_at("write", &name);
        fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = fs::remove_file(&tmp);
        return Err(Error::io(path, "written", e));
    }
    Ok(())
}
