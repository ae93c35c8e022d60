//! The help line of an io error: what the participant can do about it.

/// A child's or git's message saying the disk is full (ENOSPC, EDQUOT).
pub(super) fn no_space(message: &str) -> bool {
    message.contains("No space left on device") || message.contains("Disk quota exceeded")
}

/// What to do about an io error, by its kind: the path says where.
pub(super) fn io_help(path: &std::path::Path, source: &std::io::Error) -> String {
    use std::io::ErrorKind::*;
    let path = path.display();
    match source.kind() {
        StorageFull | QuotaExceeded | FileTooLarge => {
            format!(
                "free space on the disk that holds {path} (`df -h` shows it), then run the command again"
            )
        }
        _ if no_space(&source.to_string()) => {
            format!(
                "free space on the disk that holds {path} (`df -h` shows it), then run the command again"
            )
        }
        PermissionDenied => format!(
            "check that you may write {path} (`ls -ld`; an immutable flag shows in `lsattr -d`), or pass another --dir"
        ),
        ReadOnlyFilesystem => {
            format!("{path} is on a read-only filesystem; pass a --dir on a writable one")
        }
        IsADirectory => format!(
            "a file belongs at {path}, but it is a directory: move it away, then run the command again"
        ),
        NotADirectory => format!(
            "a part of {path} is a file where a directory belongs: move it away, or pass another --dir"
        ),
        NotFound => format!(
            "{path} is missing: check the path (or run `eks-workshop setup` to make what is missing)"
        ),
        InvalidData => format!(
            "{path} is not what eks-workshop expects there (not UTF-8 text?): move it away, then run the command again"
        ),
        AlreadyExists => format!(
            "{path} already exists and is never overwritten: move it away, or choose another name"
        ),
        // Any other kind: the io error itself (printed as the cause) says what happened.
        _ => format!("check {path} (the cause above says what failed), then run the command again"),
    }
}
