//! Everything a step may use: settings, state, the UI, the wait targets,
//! and the clients (GitHub, the cluster), made on first use. The clients
//! know nothing of it: it hands them what they need.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use crate::config::{Config, Secret};
use crate::error::{Error, Result};
use crate::git::Auth;
use crate::kube::Cluster;
use crate::kube::wait::Limits;
use crate::plan::Targets;
use crate::state::{self, State};
use crate::ui::Ui;

/// Everything a step may use: settings, state, the UI, and lazily made clients.
pub(crate) struct Ctx {
    pub(crate) config: Config,
    pub(crate) state: State,
    pub(crate) ui: Ui,
    /// What the plan's reconcile and convert steps aim at.
    pub(crate) targets: Targets,
    pub(crate) interrupted: Arc<AtomicBool>,
    github: Option<crate::github::GitHub>,
    cluster: Option<Cluster>,
}

impl Ctx {
    pub(crate) fn new(config: Config, state: State, ui: Ui, interrupted: Arc<AtomicBool>) -> Ctx {
        Ctx {
            config,
            state,
            ui,
            targets: Targets::commit(),
            interrupted,
            github: None,
            cluster: None,
        }
    }

    pub(crate) fn offline(&self) -> bool {
        self.config.settings.offline
    }

    /// Store the state now (after a step, or when a step records an output
    /// that must survive a crash, such as a pushed commit).
    pub(crate) fn save(&mut self) -> Result<()> {
        self.state.settings = self.config.settings.clone();
        state::store(&self.config.work_dir(), &self.state)
    }

    /// Fail with [`Error::Interrupted`] if Ctrl-C was pressed.
    pub(crate) fn check_interrupt(&self) -> Result<()> {
        crate::error::check_interrupt(&self.interrupted)
    }

    /// The token: from GITHUB_TOKEN, or a hidden prompt.
    pub(crate) fn token(&mut self) -> Result<Secret> {
        if let Some(t) = &self.config.token {
            crate::secrets::check_token(self.config.token_var, t.expose())?;
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
        self.config.token = Some(token.clone());
        Ok(token)
    }

    /// The GitHub client, made on first use.
    pub(crate) fn github(&mut self) -> Result<&crate::github::GitHub> {
        if self.github.is_none() {
            let token = self.token()?;
            let gh = crate::github::GitHub::new(&self.config.settings.github_api_url, &token)?;
            self.github = Some(gh);
        }
        Ok(self.github.as_ref().expect("just set"))
    }

    /// Who our commits are by: git config's user, else the remembered GitHub
    /// login (offline: `eks-workshop`) and its noreply address.
    pub(crate) fn signature(&self, repo: &git2::Repository) -> Result<git2::Signature<'static>> {
        let login = self
            .state
            .outputs
            .login
            .as_deref()
            .unwrap_or("eks-workshop");
        crate::git::signature(repo, login)
    }

    /// The GitHub login: remembered, or asked of the API (and checked against
    /// --github-user).
    pub(crate) async fn login(&mut self) -> Result<String> {
        let flag = self.config.settings.github_user.clone();
        if let Some(login) = self.state.outputs.login.clone()
            && flag.as_ref().is_none_or(|f| f.eq_ignore_ascii_case(&login))
        {
            return Ok(login);
        }
        // Nothing remembered, or --github-user now names someone else: ask the token.
        let login = self.github()?.login().await?;
        if let Some(flag) = &self.config.settings.github_user
            && !flag.eq_ignore_ascii_case(&login)
        {
            return Err(Error::UserMismatch {
                flag: flag.clone(),
                token_login: login,
            });
        }
        self.state.outputs.login = Some(login.clone());
        Ok(login)
    }

    /// The run's `--timeout`, starting now, and its Ctrl-C flag.
    pub(crate) fn limits(&self) -> Limits {
        Limits::new(self.config.timeout, self.interrupted.clone())
    }

    /// The cluster when the kubeconfig reaches one, without offering to fix
    /// the kubeconfig: for steps that only consult it (migrate, the preflight).
    pub(crate) async fn cluster_if_reachable(&mut self) -> Option<Cluster> {
        if let Some(c) = &self.cluster {
            return Some(c.clone());
        }
        let cluster = crate::kube::connect(&self.config.settings).await.ok()?;
        self.cluster = Some(cluster.clone());
        Some(cluster)
    }

    /// The cluster, connected on first use. In an interactive `setup` whose
    /// kubeconfig lacks the cluster, offers to run `aws eks update-kubeconfig`.
    pub(crate) async fn cluster(&mut self) -> Result<Cluster> {
        if let Some(c) = &self.cluster {
            return Ok(c.clone());
        }
        let cluster = match crate::kube::connect(&self.config.settings).await {
            Ok(c) => c,
            Err(err) => match self.offer_update_kubeconfig(&err)? {
                true => crate::kube::connect(&self.config.settings).await?,
                false => return Err(err),
            },
        };
        self.cluster = Some(cluster.clone());
        Ok(cluster)
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
    pub(crate) async fn git_auth(&mut self) -> Result<Option<(String, Secret)>> {
        if self.offline() {
            return Ok(None);
        }
        let login = self.login().await?;
        Ok(Some((login, self.token()?)))
    }
}

/// Borrow helper: turn the owned pair from [`Ctx::git_auth`] into an [`Auth`].
pub(crate) fn auth(pair: &Option<(String, Secret)>) -> Option<Auth<'_>> {
    pair.as_ref().map(|(login, token)| Auth { login, token })
}
