//! The GitHub REST calls eks-workshop makes (octocrab), with retries for
//! transient failures and errors that say what to do.
//! CONTRACT (implemented by the GitHub work): signatures below are used by steps/fork.rs.

use crate::config::{RepoName, Secret};
use crate::error::{Error, Result};

/// What we need to know about a repository.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Repo {
    pub(crate) full_name: String,
    pub(crate) clone_url: String,
    pub(crate) default_branch: String,
    pub(crate) fork: bool,
    /// `owner/name` of the repository it was forked from, and of the root of the fork network.
    pub(crate) parent: Option<String>,
    pub(crate) source: Option<String>,
}

pub(crate) struct GitHub {
    _api_url: String,
}

impl GitHub {
    pub(crate) fn new(api_url: &str, _token: &Secret) -> Result<GitHub> {
        Ok(GitHub { _api_url: api_url.to_string() })
    }

    /// `GET /user`: the token's login.
    pub(crate) async fn login(&self) -> Result<String> {
        Err(Error::usage("GitHub support is not built yet", "use --offline"))
    }

    /// `GET /repos/{owner}/{repo}`; None on 404.
    pub(crate) async fn repo(&self, _name: &RepoName) -> Result<Option<Repo>> {
        Err(Error::usage("GitHub support is not built yet", "use --offline"))
    }

    /// `POST /repos/{owner}/{repo}/forks` with `default_branch_only`.
    pub(crate) async fn create_fork(&self, _upstream: &RepoName) -> Result<Repo> {
        Err(Error::usage("GitHub support is not built yet", "use --offline"))
    }
}
