use super::*;

#[test]
fn a_file_up_to_the_cap_is_read_and_one_byte_more_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("f");
    fs::write(&path, b"0123456789").unwrap();
    assert_eq!(read_bounded(&path, 10).unwrap(), b"0123456789");
    assert!(matches!(
        read_bounded(&path, 9),
        Err(Refused::TooLarge { cap: 9 })
    ));
}

#[test]
fn what_is_not_a_regular_file_is_refused_without_reading() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    // A FIFO with no writer would block an open forever; it is never opened.
    for (path, kind) in [
        (Path::new("/dev/zero"), "a device"),
        (dir.path(), "a directory"),
        (fifo.as_path(), "a FIFO (named pipe)"),
    ] {
        match read_bounded(path, INPUT_CAP) {
            Err(Refused::NotAFile(found)) => assert_eq!(found, kind, "{}", path.display()),
            other => panic!("{}: {other:?}", path.display()),
        }
    }
}

#[test]
fn text_that_is_not_utf8_says_where() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("f");
    fs::write(&path, b"ok\xff").unwrap();
    let refused = read_text(&path, INPUT_CAP).unwrap_err();
    assert_eq!(refused.reason(), "is not UTF-8 text (byte 2)");
}

#[test]
fn sizes_read_as_people_say_them() {
    assert_eq!(size(INPUT_CAP), "4 MiB");
    assert_eq!(size(10), "10 bytes");
}

#[test]
fn write_new_never_replaces_a_file_and_leaves_no_temp_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bundle");
    write_new(&path, b"one", Some(0o600)).unwrap();
    let err = write_new(&path, b"two", Some(0o600)).unwrap_err();
    assert!(
        matches!(&err, Error::Io { source, .. } if source.kind() == std::io::ErrorKind::AlreadyExists),
        "{err:?}"
    );
    assert_eq!(fs::read(&path).unwrap(), b"one");
    let names: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["bundle"]);
}
