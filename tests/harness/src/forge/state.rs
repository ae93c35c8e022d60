//! The forge's in-memory bookkeeping: accounts, repo metadata, faults, request log.
//! Git objects live on disk (see `repos`); this holds what GitHub's database would.

use std::collections::{BTreeMap, VecDeque};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use super::{Fault, Request, RequestKind, Target};

/// GitHub's primary rate limit for an authenticated user.
pub(crate) const RATE_LIMIT: u64 = 5000;

#[derive(Default)]
pub(crate) struct State {
    /// login -> token for registered users.
    tokens: BTreeMap<String, String>,
    /// token -> OAuth scopes, for the tokens made classic ones (see
    /// `Forge::set_token_scopes`); any other token is like a fine-grained one.
    scopes: BTreeMap<String, Vec<String>>,
    /// login -> numeric account id, for users and organisations alike.
    account_ids: BTreeMap<String, u64>,
    repos: BTreeMap<(String, String), RepoMeta>,
    faults: VecDeque<FaultRule>,
    /// Faults for a seeded share of matching requests, after the queued ones.
    shares: Vec<(crate::share::Mix<Fault>, Target)>,
    pub requests: Vec<Request>,
    pub fork_delay: Duration,
    /// API requests served so far; drives `x-ratelimit-remaining`.
    pub api_calls: u64,
    next_repo_id: u64,
}

pub(crate) struct RepoMeta {
    pub id: u64,
    pub owner: String,
    pub name: String,
    pub default_branch: String,
    /// `(owner, name)` of the repo this was forked from.
    pub parent: Option<(String, String)>,
    /// Who created it; may push even when `owner` is an organisation.
    pub creator: Option<String>,
    /// Git access answers 404 before this instant (asynchronous fork creation).
    pub git_ready_at: Instant,
    pub created_at: SystemTime,
}

impl RepoMeta {
    pub fn new(owner: &str, name: &str, default_branch: &str) -> RepoMeta {
        RepoMeta {
            id: 0, // assigned by `State::insert_repo`
            owner: owner.to_string(),
            name: name.to_string(),
            default_branch: default_branch.to_string(),
            parent: None,
            creator: None,
            git_ready_at: Instant::now(),
            created_at: SystemTime::now(),
        }
    }

    pub fn created_epoch(&self) -> u64 {
        self.created_at
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    }

    pub fn may_push(&self, login: &str) -> bool {
        self.owner == login || self.creator.as_deref() == Some(login)
    }
}

struct FaultRule {
    remaining: usize,
    fault: Fault,
    target: Target,
}

impl State {
    pub fn add_user(&mut self, login: &str, token: &str) {
        self.tokens.insert(login.to_string(), token.to_string());
        self.account_id(login);
    }

    pub fn login_for_token(&self, token: &str) -> Option<String> {
        self.tokens
            .iter()
            .find(|(_, t)| t.as_str() == token)
            .map(|(l, _)| l.clone())
    }

    pub fn set_scopes(&mut self, token: &str, scopes: &[&str]) {
        let scopes = scopes.iter().map(|s| s.to_string()).collect();
        self.scopes.insert(token.to_string(), scopes);
    }

    /// The classic token's scopes; `None` for any other token.
    pub fn scopes_of(&self, token: &str) -> Option<&[String]> {
        self.scopes.get(token).map(Vec::as_slice)
    }

    /// Whether `token` may push over git as far as its scopes go: a classic
    /// token needs `repo` or `public_repo` (every forge repo is public).
    pub fn scopes_may_push(&self, token: &str) -> bool {
        self.scopes_of(token)
            .is_none_or(|s| s.iter().any(|s| s == "repo" || s == "public_repo"))
    }

    pub fn is_user(&self, login: &str) -> bool {
        self.tokens.contains_key(login)
    }

    /// Stable id per account; accounts seen only as repo owners count as orgs.
    pub fn account_id(&mut self, login: &str) -> u64 {
        let next = self.account_ids.len() as u64 + 1;
        *self.account_ids.entry(login.to_string()).or_insert(next)
    }

    pub fn repo(&self, owner: &str, name: &str) -> Option<&RepoMeta> {
        self.repos.get(&(owner.to_string(), name.to_string()))
    }

    pub fn insert_repo(&mut self, mut meta: RepoMeta) -> &RepoMeta {
        self.next_repo_id += 1;
        meta.id = 100_000 + self.next_repo_id;
        self.account_id(&meta.owner);
        let key = (meta.owner.clone(), meta.name.clone());
        self.repos.entry(key).or_insert(meta)
    }

    /// Forget `owner/name` (deleted); its forks keep their own metadata.
    pub fn remove_repo(&mut self, owner: &str, name: &str) {
        self.repos.remove(&(owner.to_string(), name.to_string()));
    }

    /// The root of `owner/name`'s fork network (GitHub's `source`).
    pub fn source_of(&self, owner: &str, name: &str) -> Option<(String, String)> {
        let mut cur = self.repo(owner, name)?.parent.clone()?;
        while let Some(up) = self.repo(&cur.0, &cur.1).and_then(|m| m.parent.clone()) {
            cur = up;
        }
        Some(cur)
    }

    /// Forks of `owner/name` held by `account`, in creation order.
    pub fn forks_of(&self, owner: &str, name: &str) -> Vec<&RepoMeta> {
        let up = Some((owner.to_string(), name.to_string()));
        let mut v: Vec<_> = self.repos.values().filter(|m| m.parent == up).collect();
        v.sort_by_key(|m| m.id);
        v
    }

    /// A free repo name under `account`: `name`, else `name-1`, `name-2`, ... as GitHub does.
    pub fn free_name(&self, account: &str, name: &str) -> String {
        (0..)
            .map(|i| {
                if i == 0 {
                    name.to_string()
                } else {
                    format!("{name}-{i}")
                }
            })
            .find(|n| self.repo(account, n).is_none())
            .expect("an unbounded range always yields a free name")
    }

    pub fn add_fault(&mut self, n: usize, fault: Fault, target: Target) {
        if n > 0 {
            self.faults.push_back(FaultRule {
                remaining: n,
                fault,
                target,
            });
        }
    }

    pub fn add_share(&mut self, percent: u8, faults: Vec<Fault>, target: Target) {
        let seed = 0x5eed + self.shares.len() as u64;
        self.shares
            .push((crate::share::Mix::new(percent, seed, faults), target));
    }

    pub fn faults_queued(&self) -> usize {
        self.faults.iter().map(|r| r.remaining).sum()
    }

    /// Consumes one use of the first queued fault that applies to `kind`;
    /// else draws from the shares.
    pub fn take_fault(&mut self, kind: RequestKind) -> Option<Fault> {
        let is_api = matches!(kind, RequestKind::ApiRead | RequestKind::ApiWrite);
        let applies = |target: Target| match target {
            Target::Any => true,
            Target::Api => is_api,
            Target::Git => !is_api,
        };
        let Some(idx) = self.faults.iter().position(|r| applies(r.target)) else {
            return self
                .shares
                .iter_mut()
                .filter(|(_, target)| applies(*target))
                .find_map(|(mix, _)| mix.draw());
        };
        let rule = &mut self.faults[idx];
        rule.remaining -= 1;
        let fault = rule.fault.clone();
        if rule.remaining == 0 {
            self.faults.remove(idx);
        }
        Some(fault)
    }

    pub fn rate_limit_remaining(&self) -> u64 {
        RATE_LIMIT.saturating_sub(self.api_calls)
    }
}
