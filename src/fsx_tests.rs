use std::os::unix::fs::symlink;

use super::*;

/// A clone with `a/file.yaml`, and a secret outside it.
fn clone() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("clone");
    fs::create_dir_all(root.join("a")).unwrap();
    fs::write(root.join("a/file.yaml"), "x: 1\n").unwrap();
    let secret = tmp.path().join("secret");
    fs::write(&secret, "key: hunter2\n").unwrap();
    (tmp, root, secret)
}

fn is_link_to(err: Error, link: &Path, target: &Path) {
    match err {
        Error::Symlink { link: l, target: t } => {
            assert_eq!((l.as_path(), t.as_path()), (link, target));
        }
        other => panic!("not a symlink error: {other:?}"),
    }
}

#[test]
fn a_regular_file_is_read_and_a_missing_one_is_none() {
    let (_tmp, root, _) = clone();
    assert_eq!(read_in(&root, "a/file.yaml").unwrap().unwrap(), b"x: 1\n");
    assert_eq!(read_in(&root, "a/none.yaml").unwrap(), None);
    assert_eq!(read_in(&root, "b/none.yaml").unwrap(), None);
    assert_eq!(read_in(&root, "a").unwrap(), None, "a directory is no file");
}

#[test]
fn a_file_that_is_a_link_out_of_the_clone_is_refused_naming_both_ends() {
    let (_tmp, root, secret) = clone();
    let link = root.join("a/link.yaml");
    symlink(&secret, &link).unwrap();
    is_link_to(read_in(&root, "a/link.yaml").unwrap_err(), &link, &secret);
    is_link_to(
        write_in(&root, "a/link.yaml", b"y: 2\n").unwrap_err(),
        &link,
        &secret,
    );
    assert_eq!(fs::read_to_string(&secret).unwrap(), "key: hunter2\n");
    assert!(
        fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
}

#[test]
fn a_directory_on_the_way_that_is_a_link_is_refused() {
    let (tmp, root, _) = clone();
    let outside = tmp.path().join("outside");
    fs::create_dir(&outside).unwrap();
    fs::write(outside.join("file.yaml"), "z: 3\n").unwrap();
    let link = root.join("b");
    symlink(&outside, &link).unwrap();
    is_link_to(read_in(&root, "b/file.yaml").unwrap_err(), &link, &outside);
    is_link_to(
        write_in(&root, "b/new.yaml", b"y: 2\n").unwrap_err(),
        &link,
        &outside,
    );
    assert!(!outside.join("new.yaml").exists());
}

#[test]
fn a_path_that_climbs_out_is_refused() {
    let (_tmp, root, _) = clone();
    assert!(matches!(
        read_in(&root, "../secret").unwrap_err(),
        Error::Usage { .. }
    ));
    assert!(matches!(
        write_in(&root, "/etc/x", b"").unwrap_err(),
        Error::Usage { .. }
    ));
}

#[test]
fn write_in_replaces_a_regular_file() {
    let (_tmp, root, _) = clone();
    write_in(&root, "a/file.yaml", b"x: 2\n").unwrap();
    assert_eq!(
        fs::read_to_string(root.join("a/file.yaml")).unwrap(),
        "x: 2\n"
    );
}

#[test]
fn a_link_target_is_printed_without_its_control_characters() {
    let (_tmp, root, _) = clone();
    let link = root.join("a/link.yaml");
    symlink("/tmp/\x1b[31mred", &link).unwrap();
    match read_in(&root, "a/link.yaml").unwrap_err() {
        Error::Symlink { target, .. } => assert_eq!(target, Path::new("/tmp/?[31mred")),
        other => panic!("{other:?}"),
    }
}
