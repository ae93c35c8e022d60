//! Filesystem calls that attach the path to every error, an atomic write,
//! the one bounded reader of local input (values files, terraform state,
//! the state file), and the clone's jail: files inside the clone reached
//! without following a symlink.

use std::fs;
use std::io::{ErrorKind, Read, Write};
use std::path::{Component, Path, PathBuf};

use crate::error::{Error, Result};

/// The most a values file or the state file may hold. Both are a few KiB;
/// the cap keeps `--values /dev/zero` or a runaway file from filling memory.
pub(crate) const INPUT_CAP: u64 = 4 * 1024 * 1024;

/// The most a terraform state file may hold: it lists every resource of the
/// workshop's terraform (a few hundred KiB), not only the outputs we read.
pub(crate) const TERRAFORM_STATE_CAP: u64 = 32 * 1024 * 1024;

/// The most a `--flux-manifests` file may hold: Flux's install manifest,
/// CRDs included, is a few MiB.
pub(crate) const MANIFEST_CAP: u64 = 32 * 1024 * 1024;

/// Why [`read_bounded`] gave no bytes; each caller turns it into its own error.
#[derive(Debug)]
pub(crate) enum Refused {
    /// It could not be opened or read.
    Io(std::io::Error),
    /// It is not a regular file: a directory, a device such as /dev/zero, a FIFO.
    NotAFile(&'static str),
    /// It holds more than the cap.
    TooLarge { cap: u64 },
    /// It is not UTF-8 text: the first bad byte's offset.
    NotText { at: usize },
}

impl Refused {
    /// The reason as a sentence's end: "is a directory, not a file".
    pub(crate) fn reason(&self) -> String {
        match self {
            Refused::Io(e) => format!("could not be read: {e}"),
            Refused::NotAFile(kind) => format!("is {kind}, not a regular file"),
            Refused::TooLarge { cap } => format!("is larger than {}", size(*cap)),
            Refused::NotText { at } => format!("is not UTF-8 text (byte {at})"),
        }
    }
}

/// Read at most `cap` bytes of the regular file `path`. Only regular files:
/// a FIFO would block the open, a device never ends. Never more than `cap + 1`
/// bytes are read, so no input can exhaust memory.
pub(crate) fn read_bounded(path: &Path, cap: u64) -> std::result::Result<Vec<u8>, Refused> {
    // Looked at before the open, which would block on a FIFO with no writer.
    regular(fs::metadata(path).map_err(Refused::Io)?.file_type())?;
    let file = fs::File::open(path).map_err(Refused::Io)?;
    // And again on what was opened, in case the path was swapped meanwhile.
    let opened = file.metadata().map_err(Refused::Io)?;
    regular(opened.file_type())?;
    let mut bytes = Vec::with_capacity(opened.len().min(cap) as usize + 1);
    file.take(cap + 1)
        .read_to_end(&mut bytes)
        .map_err(Refused::Io)?;
    if bytes.len() as u64 > cap {
        return Err(Refused::TooLarge { cap });
    }
    Ok(bytes)
}

/// [`read_bounded`], as UTF-8 text.
pub(crate) fn read_text(path: &Path, cap: u64) -> std::result::Result<String, Refused> {
    String::from_utf8(read_bounded(path, cap)?).map_err(|e| Refused::NotText {
        at: e.utf8_error().valid_up_to(),
    })
}

/// A regular file, or what it is instead, in words.
fn regular(kind: fs::FileType) -> std::result::Result<(), Refused> {
    use std::os::unix::fs::FileTypeExt;
    if kind.is_file() {
        return Ok(());
    }
    Err(Refused::NotAFile(if kind.is_dir() {
        "a directory"
    } else if kind.is_char_device() || kind.is_block_device() {
        "a device"
    } else if kind.is_fifo() {
        "a FIFO (named pipe)"
    } else if kind.is_socket() {
        "a socket"
    } else {
        "an unknown kind of file"
    }))
}

/// A byte count as people say it: 4 MiB.
pub(crate) fn size(bytes: u64) -> String {
    const MIB: u64 = 1024 * 1024;
    if bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else {
        format!("{bytes} bytes")
    }
}

/// A private scratch directory, removed when dropped (HEAD exported to be
/// scanned or built, a saved terraform plan).
pub(crate) fn scratch_dir() -> Result<tempfile::TempDir> {
    tempfile::tempdir().map_err(|e| Error::io(std::env::temp_dir(), "create", e))
}

pub(crate) fn create_dir_all(path: &Path) -> Result<()> {
    fs::create_dir_all(path).map_err(|e| Error::io(path, "created", e))
}

/// Replace `path` with `contents` so that a reader (or a crash) sees either the
/// old file or the new one, never half of it: write a temp file beside it,
/// fsync, rename over. `mode` applies to the new file from its creation on.
pub(crate) fn write_atomic(path: &Path, contents: &[u8], mode: Option<u32>) -> Result<()> {
    let tmp = write_temp(path, contents, mode)?;
    fs::rename(&tmp, path).map_err(|e| {
        let _ = fs::remove_file(&tmp);
        Error::io(path, "written", e)
    })
}

/// Make `path`, which must not exist yet, with `contents`, whole or not at
/// all: a temp file beside it, then a hard link, which (unlike a rename)
/// fails if something appeared at `path` meanwhile (AlreadyExists).
pub(crate) fn write_new(path: &Path, contents: &[u8], mode: Option<u32>) -> Result<()> {
    let tmp = write_temp(path, contents, mode)?;
    let linked = fs::hard_link(&tmp, path);
    let _ = fs::remove_file(&tmp);
    linked.map_err(|e| Error::io(path, "written", e))
}

/// The temp file beside `path` with `contents`, synced to disk.
fn write_temp(path: &Path, contents: &[u8], mode: Option<u32>) -> Result<std::path::PathBuf> {
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
        Ok(())
    })();
    if let Err(e) = result {
        let _ = fs::remove_file(&tmp);
        return Err(Error::io(path, "written", e));
    }
    Ok(tmp)
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
    let file = fs::File::open(&path).map_err(|e| Error::io(&path, "read", e))?;
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
    // Bounded like every other input: the fork's file is not ours.
    let mut bytes = Vec::new();
    file.take(MANIFEST_CAP + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(&path, "read", e))?;
    if bytes.len() as u64 > MANIFEST_CAP {
        return Err(Error::usage(
            format!("{} is larger than {}", path.display(), size(MANIFEST_CAP)),
            "a workshop manifest is a few KiB: look at what the file holds, and restore it with `git checkout -- <file>` in the clone",
        ));
    }
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

/// [`write_atomic`] of `rel` inside the clone ([`in_clone`]). The rename
/// replaces a link rather than writing through it, and the directories
/// above were checked.
pub(crate) fn write_in(root: &Path, rel: &str, contents: &[u8]) -> Result<()> {
    write_atomic(&in_clone(root, rel)?, contents, None)
}

#[cfg(test)]
#[path = "fsx_tests.rs"]
mod jail_tests;

#[cfg(test)]
mod tests;

#[cfg(test)]
mod proptests;
