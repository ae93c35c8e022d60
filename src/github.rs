//! The GitHub REST calls eks-workshop makes (octocrab), with retries for
//! transient failures and errors that say what to do.
//!
//! Only four endpoints, and none changes a repository's settings:
//! `GET /user` (the login, and a classic token's scopes from its
//! `X-OAuth-Scopes` header), `GET /repos/{owner}/{repo}`,
//! `POST /repos/{owner}/{repo}/forks`, and `DELETE /repos/{owner}/{repo}`
//! (`teardown --delete-fork`, the fork only).
//! The token travels only in the `Authorization` header octocrab sets; every
//! message built from an answer is redacted (see [`errors::redact`]).

mod errors;
pub(crate) mod scopes;

use std::time::Duration;

use http::{Method, StatusCode};
use octocrab::Octocrab;
use serde::Deserialize;

use crate::config::{RepoName, Secret, redact};
use crate::error::{Error, Result};
use errors::{Call, Reply, Transport};

const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const READ_TIMEOUT: Duration = Duration::from_secs(30);

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
    /// `permissions.push`: whether the token may push to it (`None` when
    /// GitHub does not say).
    pub(crate) push: Option<bool>,
    /// `permissions.admin`: whether the token's user administers it (may
    /// delete it; `None` when GitHub does not say).
    pub(crate) admin: Option<bool>,
}

/// Who the token is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Identity {
    pub(crate) login: String,
    /// A classic token's OAuth scopes (`X-OAuth-Scopes`); `None` for a token
    /// GitHub sends none for (fine-grained, a GitHub App's).
    pub(crate) scopes: Option<Vec<String>>,
}

pub(crate) struct GitHub {
    client: Octocrab,
    api_url: String,
    /// Kept only to scrub it from messages; octocrab holds its own copy.
    token: Secret,
}

impl GitHub {
    pub(crate) fn new(api_url: &str, token: &Secret) -> Result<GitHub> {
        let service = service(api_url);
        let client = Octocrab::builder()
            .base_uri(api_url)
            .map_err(|_| {
                Error::usage(
                    format!("`{api_url}` is not a usable GitHub API URL"),
                    "give --github-api-url (or GITHUB_API_URL) like https://api.github.com or https://HOST/api/v3",
                )
            })?
            .personal_token(token.expose().to_string())
            .set_connect_timeout(Some(CONNECT_TIMEOUT))
            .set_read_timeout(Some(READ_TIMEOUT))
            .build()
            // Building fails only when no trusted root certificates are found.
            .map_err(|e| Transport::new(&e, token).into_error(&service, 1))?;
        Ok(GitHub {
            client,
            api_url: api_url.trim_end_matches('/').to_string(),
            token: token.clone(),
        })
    }

    /// `GET /user`: the token's login, and a classic token's scopes.
    pub(crate) async fn identity(&self) -> Result<Identity> {
        #[derive(Deserialize)]
        struct User {
            login: String,
        }
        let reply = self.send(Call::User, Method::GET, "/user".into()).await?;
        Ok(Identity {
            login: self.parse::<User>(&reply)?.login,
            scopes: scopes::of(&reply.headers),
        })
    }

    /// `GET /repos/{owner}/{repo}`; None on 404.
    pub(crate) async fn repo(&self, name: &RepoName) -> Result<Option<Repo>> {
        let path = format!("/repos/{}/{}", name.owner, name.name);
        let (reply, tries) = self.answer(Method::GET, path).await?;
        match reply.status {
            s if s.is_success() => Ok(Some(self.parse::<RepoJson>(&reply)?.into())),
            StatusCode::NOT_FOUND => Ok(None),
            _ => Err(self.failed(Call::Repo(name), &reply, tries)),
        }
    }

    /// `POST /repos/{owner}/{repo}/forks` with `default_branch_only`. GitHub
    /// answers with the fork at once (and with the existing fork if there is
    /// one); its git data follows asynchronously.
    pub(crate) async fn create_fork(&self, upstream: &RepoName) -> Result<Repo> {
        let path = format!("/repos/{}/{}/forks", upstream.owner, upstream.name);
        let reply = self.send(Call::Fork(upstream), Method::POST, path).await?;
        Ok(self.parse::<RepoJson>(&reply)?.into())
    }

    /// `DELETE /repos/{owner}/{repo}`: true when deleted, false when it
    /// was not there.
    pub(crate) async fn delete_repo(&self, name: &RepoName) -> Result<bool> {
        let path = format!("/repos/{}/{}", name.owner, name.name);
        let (reply, tries) = self.answer(Method::DELETE, path).await?;
        match reply.status {
            s if s.is_success() => Ok(true),
            StatusCode::NOT_FOUND => Ok(false),
            _ => Err(self.failed(Call::Delete(name), &reply, tries)),
        }
    }

    /// A request that must succeed.
    async fn send(&self, call: Call<'_>, method: Method, path: String) -> Result<Reply> {
        let (reply, tries) = self.answer(method, path).await?;
        if reply.status.is_success() {
            return Ok(reply);
        }
        Err(self.failed(call, &reply, tries))
    }

    fn failed(&self, call: Call, reply: &Reply, tries: u32) -> Error {
        errors::for_status(call, &service(&self.api_url), reply, tries, &self.token)
    }

    /// The answer to one request (and how many tries it took), tried again on
    /// 5xx, short secondary rate limits and network failures (capped
    /// exponential backoff with jitter, bounded tries).
    async fn answer(&self, method: Method, path: String) -> Result<(Reply, u32)> {
        let mut backoff = crate::backoff::Backoff::new();
        loop {
            let attempt = self.once(&method, &path).await;
            let wait = match &attempt {
                Ok(reply) => errors::retry_after(reply),
                Err(t) => t.transient().then_some(Duration::ZERO),
            };
            if let Some(floor) = wait
                && let Some(delay) = backoff.next_delay_at_least(floor)
            {
                tokio::time::sleep(delay).await;
                continue;
            }
            return match attempt {
                Ok(reply) => Ok((reply, backoff.tries())),
                Err(t) => Err(t.into_error(&service(&self.api_url), backoff.tries())),
            };
        }
    }

    async fn once(&self, method: &Method, path: &str) -> Result<Reply, Transport> {
        let started = std::time::Instant::now();
        let url = format!("{}{path}", self.api_url.trim_end_matches('/'));
        let reply = self.once_unlogged(method, path).await;
        let status = match &reply {
            Ok(r) => Ok(r.status.as_u16()),
            Err(_) => Err("no answer".to_string()),
        };
        crate::log::http(method.as_str(), &url, status, started.elapsed());
        reply
    }

    async fn once_unlogged(&self, method: &Method, path: &str) -> Result<Reply, Transport> {
        // One request, from sending to the last byte of its answer: a server
        // that accepts the connection and then says nothing (or drips its
        // answer) is not asked again; it fails once, with a message.
        let deadline = crate::backoff::network_timeout();
        match tokio::time::timeout(deadline, self.exchange(method, path)).await {
            Ok(reply) => reply,
            Err(_) => Err(Transport::hung(deadline)),
        }
    }

    async fn exchange(&self, method: &Method, path: &str) -> Result<Reply, Transport> {
        // A relative path: octocrab joins it to the base URL (keeping
        // `/api/v3` for GitHub Enterprise) and only then adds the token.
        let sent = match *method {
            Method::POST => {
                let body = serde_json::json!({ "default_branch_only": true });
                self.client._post(path, Some(&body)).await
            }
            Method::DELETE => self.client._delete(path, None::<&()>).await,
            _ => self.client._get(path).await,
        };
        let response = sent.map_err(|e| Transport::new(&e, &self.token))?;
        let (parts, mut body) = response.into_parts();
        // Read to a bound: the largest answer we use is a few kilobytes, and
        // a body past the bound is cut (and then fails to parse, or is an
        // error message shown cut).
        let (bytes, _cut) = crate::outside::read_body(&mut body, crate::outside::BODY_CAP)
            .await
            .map_err(|e| Transport::new(&e, &self.token))?;
        let body = String::from_utf8_lossy(&bytes).into_owned();
        Ok(Reply {
            status: parts.status,
            headers: parts.headers,
            body,
        })
    }

    fn parse<T: serde::de::DeserializeOwned>(&self, reply: &Reply) -> Result<T> {
        serde_json::from_str(&reply.body).map_err(|e| {
            let status = reply.status;
            Error::usage(
                format!(
                    "{} answered {status} with something that is not the GitHub API's JSON ({})",
                    service(&self.api_url),
                    redact(&e.to_string(), &self.token)
                ),
                "check --github-api-url (GITHUB_API_URL): https://api.github.com, or https://HOST/api/v3 for GitHub Enterprise Server",
            )
        })
    }
}

/// How messages name the API: "GitHub (https://api.github.com)".
fn service(api_url: &str) -> String {
    format!("GitHub ({})", api_url.trim_end_matches('/'))
}

/// The fields of GitHub's repository JSON that we read.
#[derive(Deserialize)]
struct RepoJson {
    full_name: String,
    clone_url: String,
    default_branch: Option<String>,
    #[serde(default)]
    fork: bool,
    parent: Option<RepoRef>,
    source: Option<RepoRef>,
    permissions: Option<Permissions>,
}

#[derive(Deserialize)]
struct Permissions {
    push: Option<bool>,
    admin: Option<bool>,
}

#[derive(Deserialize)]
struct RepoRef {
    full_name: String,
}

impl From<RepoJson> for Repo {
    fn from(r: RepoJson) -> Repo {
        Repo {
            full_name: r.full_name,
            clone_url: r.clone_url,
            default_branch: r
                .default_branch
                .unwrap_or_else(|| crate::config::DEFAULT_BRANCH.into()),
            fork: r.fork,
            parent: r.parent.map(|p| p.full_name),
            source: r.source.map(|s| s.full_name),
            push: r.permissions.as_ref().and_then(|p| p.push),
            admin: r.permissions.and_then(|p| p.admin),
        }
    }
}
