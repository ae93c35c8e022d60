use std::path::Path;

use super::*;
use crate::config::{DEFAULT_UPSTREAM, Settings};

/// A clone whose first commit is "setup's end" (two files) and whose
/// second (the participant's) changes one, deletes one and adds one.
fn repo() -> (tempfile::TempDir, Repository, Oid, Oid) {
    let dir = tempfile::tempdir().unwrap();
    let repo = Repository::init(dir.path()).unwrap();
    let write = |rel: &str, text: &str| {
        let path = dir.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    let sig = git2::Signature::now("p", "p@example.com").unwrap();
    let commit = |repo: &Repository, message: &str| {
        let mut index = repo.index().unwrap();
        index
            .add_all(["*"], git2::IndexAddOption::DEFAULT, None)
            .unwrap();
        index.update_all(["*"], None).unwrap();
        index.write().unwrap();
        let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
        let parents: Vec<Commit> = repo
            .head()
            .ok()
            .map(|h| h.peel_to_commit().unwrap())
            .into_iter()
            .collect();
        let parents: Vec<&Commit> = parents.iter().collect();
        repo.commit(Some("HEAD"), &sig, &sig, message, &tree, &parents)
            .unwrap()
    };
    write("a.yaml", "a: 1\n");
    write("dir/b.yaml", "b: 1\n");
    let setup = commit(&repo, "Render workshop manifests");
    write("a.yaml", "a: 2\n");
    std::fs::remove_file(dir.path().join("dir/b.yaml")).unwrap();
    write("c.yaml", "c: 1\n");
    let theirs = commit(&repo, "My \u{1b}[2J change");
    (dir, repo, setup, theirs)
}

fn sig() -> git2::Signature<'static> {
    git2::Signature::now("p", "p@example.com").unwrap()
}

fn heads<'r>(repo: &'r Repository, setup: Oid) -> (Commit<'r>, Commit<'r>) {
    (head(repo).unwrap(), repo.find_commit(setup).unwrap())
}

#[test]
fn restoring_makes_one_new_commit_with_the_recorded_tree_and_keeps_history() {
    let (dir, repo, setup, theirs) = repo();
    let (head_commit, target) = heads(&repo, setup);
    let undone = undone(&repo, &head_commit, &target);
    assert_eq!(undone.len(), 1);
    assert!(
        undone[0].starts_with(short(&theirs.to_string())),
        "{undone:?}"
    );
    assert!(!undone[0].contains('\u{1b}'), "a subject is made printable");
    let message = message(ResetPoint::Setup, &target, &undone);
    let said = restore_in(&repo, &setup.to_string(), &message, &sig()).unwrap();
    assert!(said.starts_with("committed "), "{said}");
    let new = head(&repo).unwrap();
    assert_eq!(new.tree_id(), repo.find_commit(setup).unwrap().tree_id());
    assert_eq!(new.parent_id(0).unwrap(), theirs, "on top of history");
    assert!(new.message().unwrap().contains(&undone[0]));
    // The working tree holds the restored files, and nothing else of ours.
    let read = |rel: &str| std::fs::read_to_string(dir.path().join(rel)).ok();
    assert_eq!(read("a.yaml").as_deref(), Some("a: 1\n"));
    assert_eq!(read("dir/b.yaml").as_deref(), Some("b: 1\n"));
    assert_eq!(read("c.yaml"), None, "added later: deleted");
    assert!(crate::git::status_lines(&repo).is_empty());
    // Again: nothing.
    let again = restore_in(&repo, &setup.to_string(), &message, &sig()).unwrap();
    assert_eq!(again, "already committed");
    assert_eq!(head(&repo).unwrap().id(), new.id());
}

#[test]
fn the_plan_shows_every_file_it_changes_back_brings_back_or_deletes() {
    let (_dir, repo, setup, _) = repo();
    let (head_commit, target) = heads(&repo, setup);
    let d = diff(&repo, &head_commit, &target).unwrap();
    for wanted in [
        "-a: 2\n+a: 1",
        "+++ b/dir/b.yaml\n@@ -0,0 +1 @@\n+b: 1",
        "-c: 1",
    ] {
        assert!(d.contains(wanted), "{wanted:?} in {d}");
    }
    let m = message(ResetPoint::Setup, &target, &["abc12345 mine".into()]);
    assert!(m.starts_with(&format!(
        "Reset to where setup left the fork ({})\n\n",
        short(&setup.to_string())
    )));
    assert!(m.ends_with("\nUndoes:\n- abc12345 mine\n"), "{m}");
}

#[test]
fn an_uncommitted_edit_is_refused_naming_it_and_nothing_is_written() {
    let (dir, repo, setup, theirs) = repo();
    std::fs::write(dir.path().join("a.yaml"), "a: mine\n").unwrap();
    let err = restore_in(&repo, &setup.to_string(), "m", &sig()).unwrap_err();
    match &err {
        Error::UncommittedEdits { files, .. } => assert_eq!(files, &["a.yaml"]),
        other => panic!("{other:?}"),
    }
    assert_eq!(err.exit_code(), crate::error::exit::USAGE);
    assert_eq!(head(&repo).unwrap().id(), theirs);
    let kept = std::fs::read_to_string(dir.path().join("a.yaml")).unwrap();
    assert_eq!(kept, "a: mine\n");
}

#[test]
fn untracked_files_are_theirs_unless_they_stand_where_a_restored_file_goes() {
    let (dir, repo, setup, _) = repo();
    let (head_commit, target) = heads(&repo, setup);
    std::fs::write(dir.path().join("notes.txt"), "mine\n").unwrap();
    assert!(edits(&repo, &head_commit, &target).unwrap().is_empty());
    std::fs::write(dir.path().join("dir/b.yaml"), "b: mine\n").unwrap();
    assert_eq!(edits(&repo, &head_commit, &target).unwrap(), ["dir/b.yaml"]);
    // Restored, it is not an edit: the file a killed run already wrote.
    std::fs::write(dir.path().join("dir/b.yaml"), "b: 1\n").unwrap();
    assert!(edits(&repo, &head_commit, &target).unwrap().is_empty());
    restore_in(&repo, &setup.to_string(), "m", &sig()).unwrap();
    assert_eq!(
        std::fs::read_to_string(dir.path().join("notes.txt")).unwrap(),
        "mine\n",
        "an untracked file of theirs stays"
    );
}

#[test]
fn a_run_killed_between_the_files_and_the_commit_commits_them_next_time() {
    let (dir, repo, setup, theirs) = repo();
    let target = repo.find_commit(setup).unwrap();
    let mut co = git2::build::CheckoutBuilder::new();
    co.force();
    repo.checkout_tree(target.as_object(), Some(&mut co))
        .unwrap();
    assert_eq!(head(&repo).unwrap().id(), theirs);
    assert!(!Path::new(&dir.path().join("c.yaml")).exists());
    let (head_commit, target) = heads(&repo, setup);
    assert!(edits(&repo, &head_commit, &target).unwrap().is_empty());
    restore_in(&repo, &setup.to_string(), "m", &sig()).unwrap();
    assert_eq!(head(&repo).unwrap().tree_id(), target.tree_id());
    assert!(crate::git::status_lines(&repo).is_empty());
}

#[test]
fn no_record_is_a_usage_error_that_says_what_to_do() {
    let mut state = State::new(Settings::new(DEFAULT_UPSTREAM.parse().unwrap()));
    for to in [ResetPoint::Setup, ResetPoint::Addons] {
        let err = recorded(&state, to).unwrap_err();
        assert_eq!(err.exit_code(), crate::error::exit::USAGE);
        let text = err.to_string();
        assert!(text.contains("nothing to reset to"), "{text}");
    }
    let end = End {
        commit: "abc".into(),
        at: 1,
    };
    state
        .outputs
        .learn(crate::state::Learned::Ended(ResetPoint::Setup, end.clone()));
    assert_eq!(recorded(&state, ResetPoint::Setup).unwrap(), &end);
    assert!(recorded(&state, ResetPoint::Addons).is_err());
}

#[test]
fn a_recorded_commit_the_clone_lacks_says_how_to_fetch_it() {
    let (_dir, repo, _, _) = repo();
    let missing = "0123456789012345678901234567890123456789";
    let err = find(&repo, missing).err().unwrap();
    assert!(err.to_string().contains("01234567"), "{err}");
}
