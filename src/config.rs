//! Validated settings, resolved from the flags in [`resolve()`]: flags >
//! environment > what the state file remembers > a prompt > the default.
//!
//! The token lives only in [`Secret`], which never prints itself and is never
//! serialized; [`Settings`] (what the state file remembers) has no token field.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

mod resolve;

pub(crate) use resolve::{Flags, read_manifests, resolve};

pub(crate) const DEFAULT_UPSTREAM: &str = "aws-samples/eks-cluster-upgrades-workshop";
pub(crate) const DEFAULT_BRANCH: &str = "main";
pub(crate) const DEFAULT_API_URL: &str = "https://api.github.com";
/// The Flux Kustomization path every workshop cluster syncs from.
pub(crate) const CLUSTER_PATH: &str = "gitops/clusters/cluster-demo";

/// Where a workshop dir keeps the tool's own files (state, lock, the
/// offline remote): `DIR/.eks-workshop`.
pub(crate) const WORK_DIR: &str = ".eks-workshop";

pub(crate) fn work_dir(dir: &std::path::Path) -> PathBuf {
    dir.join(WORK_DIR)
}

/// Where the clone of `upstream`'s fork lives in a workshop dir:
/// `DIR/<repo name>`. The one rule; the state records the path it used.
pub(crate) fn clone_dir(dir: &std::path::Path, upstream: &RepoName) -> PathBuf {
    dir.join(&upstream.name)
}

/// A GitHub token. `Debug`/`Display` print a placeholder; there is no `Serialize`.
#[derive(Clone)]
pub(crate) struct Secret(String);

impl Secret {
    /// A secret, from now on redacted from everything written or shown.
    pub(crate) fn new(token: String) -> Self {
        crate::secrets::remember(&token);
        Secret(token)
    }
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// What the permissions are, for every message about them.
pub(crate) const PERMISSIONS: &str = "a classic token needs the `repo` scope; a fine-grained token needs, on all repositories, Contents: read and write, and Administration: read and write (forking creates a repository)";

/// Replace every form of the token (and of any other secret known) with `***`.
pub(crate) fn redact(text: &str, token: &Secret) -> String {
    crate::secrets::remember(token.expose());
    crate::secrets::redact(text)
}

/// `owner/name` of a GitHub repository.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub(crate) struct RepoName {
    pub(crate) owner: String,
    pub(crate) name: String,
}

impl std::str::FromStr for RepoName {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        let parsed = match s.split_once('/') {
            None => Err("it has no `/` between owner and name".to_string()),
            Some((owner, name)) => {
                // `x.git` names the same repository as `x`.
                let name = name.trim_end_matches(".git");
                check_owner(owner).and(check_repo(name)).map(|()| RepoName {
                    owner: owner.into(),
                    name: name.into(),
                })
            }
        };
        parsed.map_err(|why| {
            Error::usage(
                format!("--upstream `{s}` is not a repository name: {why}"),
                "give --upstream as OWNER/REPO, e.g. aws-samples/eks-cluster-upgrades-workshop: the owner is letters, digits and hyphens (at most 39), the name letters, digits, `.`, `-` and `_` (at most 100), not `.` or `..`",
            )
        })
    }
}

/// A GitHub owner: letters, digits and hyphens, not first or last, at most
/// 39 (`_` too: Enterprise Managed Users are `name_shortcode`). The owner and
/// name become a path under --dir, so nothing else may pass.
fn check_owner(owner: &str) -> std::result::Result<(), String> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_');
    if owner.is_empty() || owner.len() > 39 || !owner.chars().all(allowed) {
        return Err(format!(
            "the owner `{owner}` is not 1 to 39 letters, digits or hyphens"
        ));
    }
    if owner.starts_with(['-', '_']) || owner.ends_with('-') {
        return Err(format!("the owner `{owner}` begins or ends with a hyphen"));
    }
    Ok(())
}

/// A GitHub repository name: letters, digits, `.`, `-`, `_`, at most 100,
/// and not `.` or `..` (it is the clone's directory name).
fn check_repo(name: &str) -> std::result::Result<(), String> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
    if name.is_empty() || name.len() > 100 || !name.chars().all(allowed) {
        return Err(format!(
            "the name `{name}` is not 1 to 100 letters, digits, `.`, `-` or `_`"
        ));
    }
    if name == "." || name == ".." {
        return Err(format!("the name `{name}` is a path, not a name"));
    }
    Ok(())
}

impl TryFrom<String> for RepoName {
    type Error = Error;
    fn try_from(s: String) -> Result<Self> {
        s.parse()
    }
}

impl From<RepoName> for String {
    fn from(r: RepoName) -> String {
        r.to_string()
    }
}

impl fmt::Display for RepoName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.owner, self.name)
    }
}

/// Everything a run is configured with that may be remembered between runs.
/// Never holds the token.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct Settings {
    pub(crate) offline: bool,
    pub(crate) upstream: RepoName,
    pub(crate) branch: String,
    pub(crate) github_user: Option<String>,
    pub(crate) github_api_url: String,
    pub(crate) region: Option<String>,
    pub(crate) kubeconfig: Option<PathBuf>,
    pub(crate) context: Option<String>,
    pub(crate) flux_manifests: Option<PathBuf>,
    /// Where to fetch Flux's install manifest, and its sha256 (see
    /// `flux::release`); none: the release eks-workshop pins.
    #[serde(default)]
    pub(crate) flux_manifest_url: Option<String>,
    #[serde(default)]
    pub(crate) flux_manifest_sha256: Option<String>,
    /// Template values (ARNs, IDs, names: not secret).
    pub(crate) values: crate::values::Values,
    /// Add-ons the user asked for: name → enabled. Applied on top of the clone's HEAD.
    #[serde(default)]
    pub(crate) addons: std::collections::BTreeMap<String, bool>,
}

impl Settings {
    pub(crate) fn new(upstream: RepoName) -> Self {
        Settings {
            offline: false,
            upstream,
            branch: DEFAULT_BRANCH.into(),
            github_user: None,
            github_api_url: DEFAULT_API_URL.into(),
            region: None,
            kubeconfig: None,
            context: None,
            flux_manifests: None,
            flux_manifest_url: None,
            flux_manifest_sha256: None,
            values: Default::default(),
            addons: Default::default(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Output {
    Text,
    Json,
}

/// The run's configuration: remembered [`Settings`] plus this invocation's knobs.
#[derive(Debug)]
pub(crate) struct Config {
    pub(crate) dir: PathBuf,
    pub(crate) settings: Settings,
    pub(crate) token: Option<Secret>,
    /// Where the token came from (`GITHUB_TOKEN` or `GH_TOKEN`), for messages.
    pub(crate) token_var: &'static str,
    pub(crate) yes: bool,
    pub(crate) output: Output,
    /// Standard error is a terminal: spinners and prompts are possible.
    pub(crate) tty: bool,
    pub(crate) timeout: Duration,
    pub(crate) force: bool,
    /// `--no-migrate`: the migrate step stops instead of changing files.
    pub(crate) no_migrate: bool,
    /// A terraform state file found in the workshop's usual places and read.
    pub(crate) values_found: Option<PathBuf>,
}

impl Config {
    /// Where the clone lives: `DIR/<repo name>`.
    pub(crate) fn clone_dir(&self) -> PathBuf {
        clone_dir(&self.dir, &self.settings.upstream)
    }

    /// The tool's own folder: state, lock, and (offline) the local remote.
    pub(crate) fn work_dir(&self) -> PathBuf {
        work_dir(&self.dir)
    }

    /// Offline, the "fork" is a bare repository here.
    pub(crate) fn offline_remote(&self) -> PathBuf {
        self.work_dir()
            .join("remote")
            .join(format!("{}.git", self.settings.upstream.name))
    }

    /// Prompts are allowed: a terminal, and no --yes.
    pub(crate) fn interactive(&self) -> bool {
        self.tty && !self.yes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_upstream_is_a_github_owner_and_repository_name() {
        for good in [
            "aws-samples/eks-cluster-upgrades-workshop",
            "a/b.git",
            "user_corp/x.y_z-1",
            "A1/.github",
        ] {
            assert!(good.parse::<RepoName>().is_ok(), "{good}");
        }
        let long_owner = format!("{}/x", "a".repeat(40));
        let long_name = format!("a/{}", "x".repeat(101));
        for bad in [
            "../x",
            "a/.",
            "a/..",
            "./x",
            "a/.git",
            "-a/x",
            "a-/x",
            "a/b/c",
            "a",
            "/x",
            "a/",
            "a b/x",
            &long_owner,
            &long_name,
        ] {
            let err = bad.parse::<RepoName>().unwrap_err();
            assert!(err.to_string().starts_with("--upstream `"), "{bad}: {err}");
            assert!(err.help().unwrap().contains("OWNER/REPO"), "{bad}");
        }
        assert_eq!("a/b.git".parse::<RepoName>().unwrap().name, "b");
    }
}
