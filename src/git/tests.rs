use super::*;

/// A repository whose HEAD has `a.yaml` (a file) and `link.yaml` (a symlink
/// to a path outside it).
fn repo_with_a_link() -> (tempfile::TempDir, Repository) {
    let tmp = tempfile::tempdir().unwrap();
    let repo = Repository::init(tmp.path()).unwrap();
    {
        let mut tree = repo.treebuilder(None).unwrap();
        let file = repo.blob(b"a: 1\n").unwrap();
        let link = repo.blob(b"/home/p/.ssh/\x1bid").unwrap();
        tree.insert("a.yaml", file, i32::from(git2::FileMode::Blob))
            .unwrap();
        tree.insert("link.yaml", link, i32::from(git2::FileMode::Link))
            .unwrap();
        let tree = repo.find_tree(tree.write().unwrap()).unwrap();
        let sig = Signature::now("t", "t@example.com").unwrap();
        repo.commit(Some("HEAD"), &sig, &sig, "links", &tree, &[])
            .unwrap();
    }
    (tmp, repo)
}

#[test]
fn head_blob_refuses_a_committed_link_naming_where_it_points() {
    let (tmp, repo) = repo_with_a_link();
    assert_eq!(head_blob(&repo, "a.yaml").unwrap().unwrap(), b"a: 1\n");
    assert_eq!(head_blob(&repo, "none.yaml").unwrap(), None);
    match head_blob(&repo, "link.yaml").unwrap_err() {
        Error::Symlink { link, target } => {
            assert_eq!(link.file_name().unwrap(), "link.yaml");
            assert!(link.starts_with(tmp.path()), "{}", link.display());
            assert_eq!(target, Path::new("/home/p/.ssh/?id"));
        }
        other => panic!("{other:?}"),
    }
}
