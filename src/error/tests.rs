use super::*;

fn io(kind: std::io::ErrorKind) -> Error {
    Error::io("/w/.eks-workshop/state.json", "written", kind.into())
}

#[test]
fn every_io_error_says_what_to_do_by_its_kind() {
    use std::io::ErrorKind::*;
    for (kind, says) in [
        (
            StorageFull,
            "free space on the disk that holds /w/.eks-workshop/state.json",
        ),
        (QuotaExceeded, "free space on"),
        (PermissionDenied, "lsattr -d"),
        (ReadOnlyFilesystem, "read-only filesystem"),
        (IsADirectory, "it is a directory: move it away"),
        (NotADirectory, "is a file where a directory belongs"),
        (Interrupted, "check /w/.eks-workshop/state.json"),
    ] {
        let help = io(kind).help().unwrap();
        assert!(help.contains(says), "{kind:?}: {help}");
    }
    let enospc = Error::io("/w", "written", std::io::Error::from_raw_os_error(28));
    assert!(enospc.help().unwrap().starts_with("free space on"));
}

#[test]
fn a_full_disk_under_git_or_a_child_says_to_free_space() {
    let git = Error::Git {
        action: "write a blob".into(),
        message: "failed to write object: No space left on device".into(),
    };
    assert!(git.help().unwrap().starts_with("free space on"));
    let other = Error::Git {
        action: "commit".into(),
        message: "reference is locked".into(),
    };
    assert!(other.help().unwrap().contains("git status"));
}

#[test]
fn errors_that_had_no_help_have_one() {
    let remote = |status| Error::Remote {
        service: "GitHub".into(),
        status,
        message: "x".into(),
    };
    let command = Error::Command {
        command: "terraform output -json".into(),
        message: "exit status 1".into(),
    };
    let kube = Error::Kube {
        context: "c".into(),
        message: "x".into(),
        help: String::new(),
    };
    for err in [remote(502), remote(404), command, kube] {
        assert!(err.help().is_some_and(|h| !h.is_empty()), "{err:?}");
    }
}
