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

/// What the read gathers in its walk for the preflight and for disruption
/// readiness, against what each reads of the file alone.
fn assert_gathered_as_alone(text: &str) {
    let scan = scan_text("a.yaml", text);
    if let Some(walked) = scan.walked {
        let mut alone = Vec::new();
        flux_migration::objects_of("a.yaml", text, &mut alone);
        assert_eq!(walked, alone, "{text}");
    }
    if let Some(bodies) = scan.bodies {
        assert_eq!(bodies, objects::in_text::<Body>(text, "a.yaml"), "{text}");
    }
}

#[test]
fn the_walk_gathers_what_each_reader_reads_alone() {
    let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  labels:\n    on: true\nspec:\n  replicas: 1\n  template:\n    spec:\n      containers:\n        - name: app\n          env:\n            - name: A\n              value: b\n---\napiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: web\nspec:\n  maxUnavailable: 0\n  selector:\n    matchLabels:\n      app: web\n";
    let scan = scan_text("a.yaml", text);
    assert_eq!(scan.walked.as_ref().map(Vec::len), Some(2));
    assert_eq!(scan.bodies.as_ref().map(Vec::len), Some(2));
    assert_gathered_as_alone(text);
    // A document the fast reader declines: each reads the file itself.
    let declined = format!("{text}---\nkind: ConfigMap\ndata: &a {{x: 1}}\n");
    let scan = scan_text("a.yaml", &declined);
    assert!(scan.walked.is_none() && scan.bodies.is_none());
}

mod generated {
    use super::*;
    use crate::manifests::yaml::proptests::{cases, document, mutate, root};
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

        #[test]
        fn the_walk_gathers_what_each_reader_reads_alone(
            roots in prop::collection::vec(root(), 1..4),
            style in prop::collection::vec(any::<u8>(), 1..16),
            at in any::<usize>(),
            how in any::<u8>(),
        ) {
            let docs: Vec<String> = roots.iter().map(|r| document(r, style.clone())).collect();
            let text = docs.join("---\n");
            assert_gathered_as_alone(&text);
            assert_gathered_as_alone(&mutate(&text, at, how, ':'));
        }
    }
}
