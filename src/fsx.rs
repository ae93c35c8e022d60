//! Filesystem calls that attach the path to every error, an atomic write,
//! and the clone's jail: files inside the clone reached without following a
//! symlink.

use std::fs;
use std::io::{ErrorKind, Read, Write};
use std::path::{Component, Path, PathBuf};

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

/// `rel` (relative, `/`-separated) inside the clone at `root`, reached
/// without following a symlink: each component that exists is looked at
/// with `symlink_metadata`. The fork's content is not ours: a link committed
/// upstream (or made by hand) would otherwise let a read or a write reach
/// outside the clone, and a rendered file would publish what it points at.
pub(crate) fn in_clone(root: &Path, rel: &str) -> Result<PathBuf> {
    let mut path = root.to_path_buf();
    for part in Path::new(rel).components() {
        match part {
            Component::Normal(name) => path.push(name),
            Component::CurDir => continue,
            Component::ParentDir | Component::RootDir | Component::Prefix(_) => {
                return Err(Error::usage(
                    format!("`{rel}` is not a path inside {}", root.display()),
                    "eks-workshop reads and writes only files inside the clone",
                ));
            }
        }
        match fs::symlink_metadata(&path) {
            Ok(meta) if meta.file_type().is_symlink() => return Err(symlink(path)),
            Ok(_) => {}
            // Nothing below a missing component exists, links included.
            Err(e) if missing(&e) => return Ok(root.join(rel)),
            Err(e) => return Err(Error::io(path, "read", e)),
        }
    }
    Ok(path)
}

/// Nothing there: no such entry, or a file where a directory would be.
fn missing(e: &std::io::Error) -> bool {
    matches!(e.kind(), ErrorKind::NotFound | ErrorKind::NotADirectory)
}

fn symlink(link: PathBuf) -> Error {
    let target = link_target(&link).into();
    Error::Symlink { link, target }
}

/// Where the link at `link` points, fit to print: the fork chose it, so a
/// control character in it is shown as `?`.
pub(crate) fn link_target(link: &Path) -> String {
    printable(&fs::read_link(link).unwrap_or_default().to_string_lossy())
}

/// `text` from outside with each control character shown as `?`.
pub(crate) fn printable(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}

/// The bytes of the regular file `rel` inside the clone ([`in_clone`]), or
/// None when there is none there (nothing, or a directory). The file opened
/// must be the one looked at, so a link swapped in between is refused too.
pub(crate) fn read_in(root: &Path, rel: &str) -> Result<Option<Vec<u8>>> {
    let path = in_clone(root, rel)?;
    let meta = match fs::symlink_metadata(&path) {
        Ok(meta) if meta.file_type().is_symlink() => return Err(symlink(path)),
        Ok(meta) if meta.is_file() => meta,
        Ok(_) => return Ok(None),
        Err(e) if missing(&e) => return Ok(None),
        Err(e) => return Err(Error::io(path, "read", e)),
    };
    let mut file = fs::File::open(&path).map_err(|e| Error::io(&path, "read", e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let opened = file.metadata().map_err(|e| Error::io(&path, "read", e))?;
        if (opened.dev(), opened.ino()) != (meta.dev(), meta.ino()) {
            return Err(symlink(path));
        }
    }
    #[cfg(not(unix))]
    let _ = meta;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)
        .map_err(|e| Error::io(&path, "read", e))?;
    Ok(Some(bytes))
}

/// [`read_in`], as UTF-8 text.
pub(crate) fn read_string_in(root: &Path, rel: &str) -> Result<Option<String>> {
    let Some(bytes) = read_in(root, rel)? else {
        return Ok(None);
    };
    String::from_utf8(bytes).map(Some).map_err(|e| {
        let e = std::io::Error::new(ErrorKind::InvalidData, e);
        Error::io(root.join(rel), "read as UTF-8 text", e)
    })
}

/// [`read_string_in`] of a file that must be there.
pub(crate) fn read_required_in(root: &Path, rel: &str) -> Result<String> {
    read_string_in(root, rel)?
        .ok_or_else(|| Error::io(root.join(rel), "read", ErrorKind::NotFound.into()))
}

/// [`write_atomic`] of `rel` inside the clone ([`in_clone`]). The rename
/// replaces a link rather than writing through it, and the directories
/// above were checked.
pub(crate) fn write_in(root: &Path, rel: &str, contents: &[u8]) -> Result<()> {
    write_atomic(&in_clone(root, rel)?, contents, None)
}

#[cfg(test)]
#[path = "fsx_tests.rs"]
mod tests;
