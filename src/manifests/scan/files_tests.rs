use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::symlink;

use super::*;

#[test]
fn read_into_reads_up_to_the_cap_and_no_further() {
    let mut buf = Vec::new();
    let ten = [b'x'; 10];
    assert_eq!(read_into(&ten[..], &mut buf, 10).unwrap(), Some(10));
    let eleven = [b'x'; 11];
    let mut buf = Vec::new();
    assert_eq!(read_into(&eleven[..], &mut buf, 10).unwrap(), None);
    assert!(buf.len() <= 11, "never more than the cap and a byte held");
    let big = vec![b'x'; 1 << 20];
    let mut buf = Vec::new();
    assert_eq!(read_into(&big[..], &mut buf, 100_000).unwrap(), None);
    assert_eq!(buf.len(), 100_001);
}

#[test]
fn a_name_that_is_not_utf8_is_shown_escaped() {
    let name = OsStr::from_bytes(b"pdb-\xff\xfe.yaml");
    assert_eq!(shown(name), ("pdb-\\xff\\xfe.yaml".to_string(), false));
    assert_eq!(shown(OsStr::new("ok.yaml")), ("ok.yaml".to_string(), true));
}

#[test]
fn the_walk_finds_files_named_in_any_bytes_and_reports_links_it_does_not_follow() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("clone");
    let outside = tmp.path().join("outside");
    fs::create_dir_all(root.join("apps")).unwrap();
    fs::create_dir_all(&outside).unwrap();
    fs::write(outside.join("secret.yaml"), "kind: Secret\n").unwrap();
    fs::write(root.join("apps/a.yaml"), "a: 1\n").unwrap();
    let odd = root.join(OsStr::from_bytes(b"apps/b-\xff.yaml"));
    fs::write(&odd, "b: 1\n").unwrap();
    symlink(outside.join("secret.yaml"), root.join("apps/link.yaml")).unwrap();
    symlink(&outside, root.join("linked-dir")).unwrap();
    symlink("a.yaml", root.join("apps/README")).unwrap();

    let mut problems = Vec::new();
    let found = walk_all(&root, &mut problems).unwrap();
    let shown: Vec<(&str, bool)> = found.iter().map(|f| (f.shown.as_str(), f.utf8)).collect();
    assert_eq!(shown, [("apps/a.yaml", true), ("apps/b-\\xff.yaml", false)]);
    assert_eq!(fs::read(root.join(&found[1].path)).unwrap(), b"b: 1\n");
    let mut named: Vec<(&str, &str)> = problems
        .iter()
        .map(|p| (p.file.as_str(), p.message.as_str()))
        .collect();
    named.sort();
    assert_eq!(named.len(), 2, "{named:?}");
    assert_eq!(named[0].0, "apps/link.yaml");
    assert!(
        named[0].1.contains("symbolic link") && named[0].1.contains("outside/secret.yaml"),
        "{named:?}"
    );
    assert_eq!(named[1].0, "linked-dir");

    let mut problems = Vec::new();
    assert_eq!(walk(&root, &mut problems).unwrap(), ["apps/a.yaml"]);
}
