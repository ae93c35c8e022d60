//! On-disk bare repositories: creating, seeding, forking, protecting, inspecting.

use std::path::Path;

use git2::{FetchOptions, ObjectType, Oid, Repository, Signature, Time, TreeBuilder};

/// Name of the file (inside the bare repo) listing protected refs, one per line.
const PROTECTED_FILE: &str = "forge-protected-refs";

/// Refuses updates to listed refs with GitHub's GH006 message. Reads the list at
/// push time so `protect_branch` takes effect without reinstalling anything.
const PRE_RECEIVE: &str = r#"#!/bin/sh
# Installed by the eks-workshop test forge: emulates GitHub branch protection.
status=0
while read old new ref; do
  if grep -qxF "$ref" "forge-protected-refs" 2>/dev/null; then
    echo "error: GH006: Protected branch update failed for $ref." >&2
    status=1
  fi
done
exit $status
"#;

type Result<T> = std::result::Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// An empty bare repo whose HEAD names `branch`, ready to serve over smart-HTTP.
pub fn init_bare(path: &Path, branch: &str) -> Result<Repository> {
    let repo = Repository::init_bare(path)?;
    repo.set_head(&format!("refs/heads/{branch}"))?;
    // http-backend would allow pushes anyway once REMOTE_USER is set, but say so.
    repo.config()?.set_bool("http.receivepack", true)?;
    install_hook(path)?;
    Ok(repo)
}

fn install_hook(repo_path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let hook = repo_path.join("hooks").join("pre-receive");
    std::fs::create_dir_all(repo_path.join("hooks"))?;
    std::fs::write(&hook, PRE_RECEIVE)?;
    std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755))?;
    Ok(())
}

/// Creates a bare repo at `path` with one commit of `content_dir` on `branch`.
pub fn seed(path: &Path, content_dir: &Path, branch: &str) -> Result<String> {
    let repo = init_bare(path, branch)?;
    let tree = tree_of_dir(&repo, content_dir)?;
    let tree = repo.find_tree(tree)?;
    // A fixed identity and time keep seeded shas stable across runs.
    let sig = Signature::new(
        "Workshop Upstream",
        "upstream@forge.invalid",
        &Time::new(1_700_000_000, 0),
    )?;
    let oid = repo.commit(
        Some(&format!("refs/heads/{branch}")),
        &sig,
        &sig,
        "Initial workshop content",
        &tree,
        &[],
    )?;
    Ok(oid.to_string())
}

/// Writes `dir` recursively as a tree, keeping the executable bit; skips `.git`.
fn tree_of_dir(repo: &Repository, dir: &Path) -> Result<Oid> {
    use std::os::unix::fs::PermissionsExt;
    let mut builder: TreeBuilder<'_> = repo.treebuilder(None)?;
    for entry in std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))? {
        let entry = entry?;
        let name = entry.file_name();
        let name = name.to_str().ok_or("non-UTF-8 file name")?;
        let meta = std::fs::metadata(entry.path())?;
        if name == ".git" {
            continue;
        } else if meta.is_dir() {
            let sub = tree_of_dir(repo, &entry.path())?;
            builder.insert(name, sub, 0o040000)?;
        } else {
            let blob = repo.blob(&std::fs::read(entry.path())?)?;
            let mode = if meta.permissions().mode() & 0o111 != 0 {
                0o100755
            } else {
                0o100644
            };
            builder.insert(name, blob, mode)?;
        }
    }
    Ok(builder.write()?)
}

/// Makes `dst` a bare copy of `src`: all branches and tags, or only
/// `default_branch` when `default_branch_only` (GitHub's fork option).
pub fn fork(src: &Path, dst: &Path, default_branch: &str, default_branch_only: bool) -> Result<()> {
    let repo = init_bare(dst, default_branch)?;
    let src_url = src.to_str().ok_or("non-UTF-8 repo path")?;
    let mut remote = repo.remote_anonymous(src_url)?;
    let one = format!("+refs/heads/{default_branch}:refs/heads/{default_branch}");
    let refspecs: Vec<&str> = if default_branch_only {
        vec![&one]
    } else {
        vec!["+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"]
    };
    let mut opts = FetchOptions::new();
    opts.download_tags(git2::AutotagOption::None);
    remote.fetch(&refspecs, Some(&mut opts), None)?;
    Ok(())
}

/// Adds `branch` to the refs the pre-receive hook refuses.
pub fn protect(repo_path: &Path, branch: &str) -> Result<()> {
    use std::io::Write;
    if !repo_path.is_dir() {
        return Err(format!("no repo at {}", repo_path.display()).into());
    }
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(repo_path.join(PROTECTED_FILE))?;
    writeln!(f, "refs/heads/{branch}")?;
    Ok(())
}

fn open(path: &Path) -> Option<Repository> {
    Repository::open_bare(path).ok()
}

pub fn branch_head(path: &Path, branch: &str) -> Option<String> {
    let repo = open(path)?;
    let oid = repo.refname_to_id(&format!("refs/heads/{branch}")).ok()?;
    Some(oid.to_string())
}

pub fn commits(path: &Path, branch: &str) -> Vec<(String, String)> {
    let Some(repo) = open(path) else {
        return Vec::new();
    };
    let Ok(mut walk) = repo.revwalk() else {
        return Vec::new();
    };
    if walk.push_ref(&format!("refs/heads/{branch}")).is_err() {
        return Vec::new();
    }
    let _ = walk.set_sorting(git2::Sort::TOPOLOGICAL | git2::Sort::TIME);
    walk.filter_map(|oid| {
        let commit = repo.find_commit(oid.ok()?).ok()?;
        Some((
            commit.id().to_string(),
            String::from_utf8_lossy(commit.summary_bytes().unwrap_or_default()).into_owned(),
        ))
    })
    .collect()
}

pub fn file_at(path: &Path, branch: &str, file: &str) -> Option<Vec<u8>> {
    let repo = open(path)?;
    let commit = repo
        .find_reference(&format!("refs/heads/{branch}"))
        .ok()?
        .peel_to_commit()
        .ok()?;
    let entry = commit.tree().ok()?.get_path(Path::new(file)).ok()?;
    if entry.kind() != Some(ObjectType::Blob) {
        return None;
    }
    Some(repo.find_blob(entry.id()).ok()?.content().to_vec())
}
