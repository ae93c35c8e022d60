//! Everything a step may use: settings, state, the UI, and the clients
//! (GitHub, the cluster), made on first use. The clients know nothing of it:
//! it hands them what they need.
//!
//! A step's `check` gets `&Ctx`: it may make a client or ask the token, but
//! it cannot change the state. What the run learns on the way (the GitHub
//! login) the engine records after the step.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use crate::addon_catalog::{ADDONS, ADDONS_KUSTOMIZATION};
use crate::config::{Config, Secret};
use crate::error::{Error, Result};
use crate::flux::depends::Release;
use crate::flux::synced::Goal;
use crate::git::Auth;
use crate::kube::Cluster;
use crate::kube::wait::Limits;
use crate::plan::Wait;
use crate::state::{self, State};
use crate::ui::Ui;
use crate::{git, kustomize};

/// Everything a step may use: settings, state, the UI, and lazily made clients.
pub(crate) struct Ctx {
    pub(crate) config: Config,
    pub(crate) state: State,
    pub(crate) ui: Ui,
    pub(crate) interrupted: Arc<AtomicBool>,
    /// The token typed at the prompt (none given in the environment).
    typed_token: OnceLock<Secret>,
    /// The login GitHub gave for the token this run.
    asked_login: OnceLock<String>,
    /// The token's scopes GitHub gave this run (`None`: not a classic token).
    asked_scopes: OnceLock<Option<Vec<String>>>,
    github: OnceLock<crate::github::GitHub>,
    cluster: tokio::sync::OnceCell<Cluster>,
    /// Which step of the plan is being looked at or run (1-based; set by
    /// the engine), and the step during which Flux was last asked to
    /// reconcile: a wait that always asks Flux is done only once it asked.
    step_at: AtomicUsize,
    flux_asked_at: AtomicUsize,
    /// The fork's branch head: asked of the fork once per command (`git
    /// ls-remote`), then kept, and moved by what this command pushes.
    fork_head: Mutex<Option<ForkHead>>,
}

/// Where the branch of the fork at a URL was last seen.
#[derive(Clone)]
struct ForkHead {
    url: String,
    branch: String,
    head: Option<git2::Oid>,
}

impl Ctx {
    pub(crate) fn new(config: Config, state: State, ui: Ui, interrupted: Arc<AtomicBool>) -> Ctx {
        Ctx {
            config,
            state,
            ui,
            interrupted,
            typed_token: OnceLock::new(),
            asked_login: OnceLock::new(),
            asked_scopes: OnceLock::new(),
            github: OnceLock::new(),
            cluster: tokio::sync::OnceCell::new(),
            step_at: AtomicUsize::new(0),
            flux_asked_at: AtomicUsize::new(usize::MAX),
            fork_head: Mutex::new(None),
        }
    }

    /// The engine is at the plan's step `index` (0-based).
    pub(crate) fn at_step(&self, index: usize) {
        self.step_at.store(index + 1, Ordering::SeqCst);
    }

    /// Flux was asked to reconcile during the current step.
    pub(crate) fn flux_asked(&self) {
        let at = self.step_at.load(Ordering::SeqCst);
        self.flux_asked_at.store(at, Ordering::SeqCst);
    }

    /// Whether Flux was asked to reconcile during the current step.
    pub(crate) fn was_flux_asked(&self) -> bool {
        self.flux_asked_at.load(Ordering::SeqCst) == self.step_at.load(Ordering::SeqCst)
    }

    pub(crate) fn offline(&self) -> bool {
        self.config.settings.offline
    }

    /// Store the state now (after a step, or when a step records an output
    /// that must survive a crash, such as a pushed commit).
    pub(crate) fn save(&mut self) -> Result<()> {
        self.state.settings = self.config.settings.clone();
        if let Some(login) = self.asked_login.get() {
            self.state.outputs.login = Some(login.clone());
        }
        state::store(&self.config.work_dir(), &self.state)
    }

    /// Fail with [`Error::Interrupted`] if Ctrl-C was pressed.
    pub(crate) fn check_interrupt(&self) -> Result<()> {
        crate::error::check_interrupt(&self.interrupted)
    }

    /// The token: from GITHUB_TOKEN, or a hidden prompt.
    pub(crate) fn token(&self) -> Result<Secret> {
        if let Some(t) = &self.config.token {
            crate::secrets::check_token(self.config.token_var, t.expose())?;
            return Ok(t.clone());
        }
        if let Some(t) = self.typed_token.get() {
            return Ok(t.clone());
        }
        let answer = self.ui.ask_secret("GitHub token").map_err(|e| match e {
            Error::CannotPrompt { why, .. } => Error::MissingValue {
                name: "GITHUB_TOKEN".into(),
                help: format!(
                    "set GITHUB_TOKEN to a GitHub token ({why}, so it cannot be asked for); see README: Token permissions"
                ),
            },
            e => e,
        })?;
        let token = Secret::new(answer.trim().to_string());
        if token.expose().is_empty() {
            return Err(Error::MissingValue {
                name: "GITHUB_TOKEN".into(),
                help: "give a non-empty GitHub token".into(),
            });
        }
        crate::secrets::check_token("the GitHub token typed at the prompt", token.expose())?;
        Ok(self.typed_token.get_or_init(|| token).clone())
    }

    /// The GitHub client, made on first use.
    pub(crate) fn github(&self) -> Result<&crate::github::GitHub> {
        if let Some(gh) = self.github.get() {
            return Ok(gh);
        }
        let token = self.token()?;
        let gh = crate::github::GitHub::new(&self.config.settings.github_api_url, &token)?;
        Ok(self.github.get_or_init(|| gh))
    }

    /// Who our commits are by: git config's user, else the remembered GitHub
    /// login (offline: `eks-workshop`) and its noreply address.
    pub(crate) fn signature(&self, repo: &git2::Repository) -> Result<git2::Signature<'static>> {
        let login = self.known_login().unwrap_or("eks-workshop");
        crate::git::signature(repo, login)
    }

    /// The GitHub login: remembered, or asked of the API (and checked against
    /// --github-user).
    pub(crate) async fn login(&self) -> Result<String> {
        let flag = self.config.settings.github_user.clone();
        if let Some(login) = self.known_login()
            && flag.as_ref().is_none_or(|f| f.eq_ignore_ascii_case(login))
        {
            return Ok(login.to_string());
        }
        // Nothing remembered, or --github-user now names someone else: ask the token.
        let who = self.github()?.identity().await?;
        let _ = self.asked_scopes.set(who.scopes);
        let login = who.login;
        if let Some(flag) = &self.config.settings.github_user
            && !flag.eq_ignore_ascii_case(&login)
        {
            return Err(Error::UserMismatch {
                flag: flag.clone(),
                token_login: login,
            });
        }
        Ok(self.asked_login.get_or_init(|| login).clone())
    }

    /// A classic token's scopes (`None` for a fine-grained one): those
    /// learnt with the login this run, else asked of GitHub (`GET /user`).
    pub(crate) async fn token_scopes(&self) -> Result<Option<Vec<String>>> {
        if let Some(scopes) = self.asked_scopes.get() {
            return Ok(scopes.clone());
        }
        let who = self.github()?.identity().await?;
        Ok(self.asked_scopes.get_or_init(|| who.scopes).clone())
    }

    /// The login asked of GitHub this run, else the remembered one.
    pub(crate) fn known_login(&self) -> Option<&str> {
        self.asked_login
            .get()
            .or(self.state.outputs.login.as_ref())
            .map(String::as_str)
    }

    /// The run's `--timeout`, starting now, and its Ctrl-C flag.
    pub(crate) fn limits(&self) -> Limits {
        Limits::new(self.config.timeout, self.interrupted.clone())
    }

    /// The cluster when the kubeconfig reaches one, without offering to fix
    /// the kubeconfig: for steps that only consult it (migrate, the preflight).
    pub(crate) async fn cluster_if_reachable(&self) -> Option<Cluster> {
        if let Some(c) = self.cluster.get() {
            return Some(c.clone());
        }
        let cluster = crate::kube::connect(&self.config.settings).await.ok()?;
        Some(self.cluster.get_or_init(|| async { cluster }).await.clone())
    }

    /// The cluster, connected on first use. In an interactive `setup` whose
    /// kubeconfig lacks the cluster, offers to run `aws eks update-kubeconfig`.
    pub(crate) async fn cluster(&self) -> Result<Cluster> {
        let connect = || async {
            match crate::kube::connect(&self.config.settings).await {
                Ok(c) => Ok(c),
                Err(err) => match self.offer_update_kubeconfig(&err)? {
                    true => crate::kube::connect(&self.config.settings).await,
                    false => Err(err),
                },
            }
        };
        self.cluster.get_or_try_init(connect).await.cloned()
    }

    /// In an interactive `setup`, offer to fix a missing kubeconfig or
    /// context by running `aws eks update-kubeconfig`. True when it ran and
    /// a retry may work.
    fn offer_update_kubeconfig(&self, err: &Error) -> Result<bool> {
        let setup = self
            .state
            .last_command
            .as_ref()
            .is_some_and(state::LastCommand::offers_kubeconfig_fix);
        if !setup || !self.config.interactive() {
            return Ok(false);
        }
        let Some(args) = crate::kube::update_kubeconfig_args(&self.config.settings, err) else {
            return Ok(false);
        };
        let shown = format!("aws {}", args.join(" "));
        self.ui.warn(&err.to_string());
        if !self.ui.confirm(&format!("Run `{shown}` now?"))? {
            return Ok(false);
        }
        crate::child::Child::find("aws", "`aws eks update-kubeconfig`")?
            .args(&args)
            .timeout(self.config.timeout)
            .run()?;
        self.ui.note(&format!("ran `{shown}`"));
        Ok(true)
    }

    /// Credentials for git: none offline; login and token online.
    pub(crate) async fn git_auth(&self) -> Result<Option<(String, Secret)>> {
        if self.offline() {
            return Ok(None);
        }
        let login = self.login().await?;
        Ok(Some((login, self.token()?)))
    }

    /// The URL the clone's `origin` points at.
    pub(crate) fn remote_url(&self) -> Option<String> {
        if self.offline() {
            return Some(self.config.offline_remote().to_string_lossy().into_owned());
        }
        self.state.outputs.fork_url.clone()
    }

    /// [`Ctx::remote_url`], or the error a step after `fork` gives without it.
    pub(crate) fn fork_url(&self) -> Result<String> {
        self.remote_url().ok_or_else(|| Error::StepNotDone {
            step: "fork",
            detail: "the fork's URL is not known yet".into(),
        })
    }

    /// The commit the fork's branch points at (`None`: no such branch):
    /// asked of the fork the first time in this command, known after.
    pub(crate) async fn fork_head(&self) -> Result<Option<git2::Oid>> {
        let url = self.fork_url()?;
        let branch = self.config.settings.branch.clone();
        if let Some(known) = self.known_fork_head(&url, &branch) {
            return Ok(known);
        }
        let pair = self.git_auth().await?;
        let head = crate::git::remote_head(&url, &branch, auth(&pair))?;
        self.fork_moved(head);
        Ok(head)
    }

    fn known_fork_head(&self, url: &str, branch: &str) -> Option<Option<git2::Oid>> {
        let known = self.fork_head.lock().unwrap_or_else(|e| e.into_inner());
        known
            .as_ref()
            .filter(|k| k.url == url && k.branch == branch)
            .map(|k| k.head)
    }

    /// The fork's branch is at `head` now: pushed there, or seen there by a
    /// fetch.
    pub(crate) fn fork_moved(&self, head: Option<git2::Oid>) {
        let Ok(url) = self.fork_url() else { return };
        let branch = self.config.settings.branch.clone();
        let mut known = self.fork_head.lock().unwrap_or_else(|e| e.into_inner());
        *known = Some(ForkHead { url, branch, head });
    }

    /// The HelmReleases to wait for (of the add-ons just enabled; for setup,
    /// of every add-on enabled in the clone's HEAD), to see gone (of the add-ons
    /// just disabled; for reset, of every add-on the restored files do not
    /// enable), and those of every enabled add-on whose chart brings CRDs: a
    /// Kustomization that applies such a kind waits for them.
    pub(crate) fn releases(&self, wait: &Wait) -> Vec<Release<'static>> {
        // A reset's wait reads the files it restores, also before they are committed.
        let restored = wait
            .reset_to
            .and_then(|to| self.state.outputs.ends.get(&to))
            .map(|end| end.commit.clone());
        let enabled = git::open(&self.config.clone_dir())
            .ok()
            .and_then(|repo| match &restored {
                Some(commit) => git::blob_at(&repo, commit, ADDONS_KUSTOMIZATION),
                None => git::head_blob(&repo, ADDONS_KUSTOMIZATION).ok().flatten(),
            })
            .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
            .unwrap_or_default();
        ADDONS
            .iter()
            .filter_map(|a| {
                let on = kustomize::is_enabled(&enabled, a.entry_in(&enabled));
                let required =
                    wait.addons.iter().any(|w| w.name == a.name) || (wait.enabled_addons && on);
                let brings = !a.brings.is_empty() && on;
                let removed = wait.removed.iter().any(|w| w.name == a.name)
                    || (wait.reset_to.is_some() && !on);
                (required || brings || removed).then_some(Release {
                    namespace: a.helm_release.0,
                    name: a.helm_release.1,
                    brings: a.brings,
                    required: required && !removed,
                    removed,
                })
            })
            .collect()
    }

    /// The commit Flux should reach: the one pushed, else the branch's head
    /// (`sync`: always the head).
    pub(crate) async fn goal(&self, wait: &Wait) -> Result<Goal> {
        let branch = self.config.settings.branch.clone();
        if !wait.tip
            && let Some(commit) = self.state.outputs.pushed_commit.clone()
        {
            return Ok(Goal { branch, commit });
        }
        match self.fork_head().await? {
            Some(oid) => Ok(Goal {
                branch,
                commit: oid.to_string(),
            }),
            None => Err(Error::StepNotDone {
                step: "push",
                detail: format!("the fork has no branch {branch} yet"),
            }),
        }
    }
}

/// Borrow helper: turn the owned pair from [`Ctx::git_auth`] into an [`Auth`].
pub(crate) fn auth(pair: &Option<(String, Secret)>) -> Option<Auth<'_>> {
    pair.as_ref().map(|(login, token)| Auth { login, token })
}
