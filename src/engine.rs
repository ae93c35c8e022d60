//! Runs a plan: for each step, check the world; run what is not done; check
//! again; record the result in the state file (atomically, after every step);
//! report progress. Ctrl-C is honoured between steps and inside waits.

mod dry_run;

pub(crate) use dry_run::{Previewed, preview_plan, render_text};

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use serde::Serialize;

use crate::config::{Config, Secret};
use crate::error::{Error, Result};
use crate::git::Auth;
use crate::plan::Targets;
use crate::state::{self, State, StepRecord, StepStatus};
use crate::steps::{self, Check, Step};
use crate::ui::{Mark, Ui};

/// Everything a step may use: settings, state, the UI, and lazily made clients.
pub(crate) struct Ctx {
    pub(crate) config: Config,
    pub(crate) state: State,
    pub(crate) ui: Ui,
    /// What the plan's reconcile and convert steps aim at.
    pub(crate) targets: Targets,
    pub(crate) interrupted: Arc<AtomicBool>,
    github: Option<crate::github::GitHub>,
    pub(crate) cluster: Option<crate::kube::Cluster>,
}

/// One step's result, for the summary and `--output json`.
#[derive(Debug, Serialize)]
pub(crate) struct StepResult {
    pub(crate) step: &'static str,
    pub(crate) status: &'static str,
    pub(crate) detail: String,
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
        if self.interrupted.load(Ordering::SeqCst) {
            return Err(Error::Interrupted);
        }
        Ok(())
    }

    /// The token: from GITHUB_TOKEN, or a hidden prompt.
    pub(crate) fn token(&mut self) -> Result<Secret> {
        if let Some(t) = &self.config.token {
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

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

fn record(ctx: &mut Ctx, step: Step, status: StepStatus, detail: &str) {
    ctx.state.steps.insert(
        step.id().to_string(),
        StepRecord {
            status,
            detail: detail.to_string(),
            at: now(),
        },
    );
}

/// Run `plan` in order. Stops at the first failure, which is recorded.
pub(crate) async fn run_plan(ctx: &mut Ctx, plan: &[Step]) -> Result<Vec<StepResult>> {
    let mut results = Vec::new();
    for &step in plan {
        crate::pause::point(&format!("before:{}", step.id()));
        ctx.check_interrupt()?;
        ctx.ui.begin(step.id(), step.title());
        match run_step(ctx, step).await {
            Ok((mark, detail)) => {
                let status = if mark == Mark::Skipped {
                    StepStatus::Skipped
                } else {
                    StepStatus::Done
                };
                record(ctx, step, status, &detail);
                ctx.save()?;
                ctx.ui.end(step.id(), mark, &detail);
                results.push(StepResult {
                    step: step.id(),
                    status: match mark {
                        Mark::Ran => "done",
                        Mark::AlreadyDone => "already-done",
                        _ => "skipped",
                    },
                    detail,
                });
            }
            Err(err) => {
                let detail = err.to_string();
                record(ctx, step, StepStatus::Failed, &detail);
                // The step's failure matters more than a failure to record it.
                let _ = ctx.save();
                ctx.ui.end(step.id(), Mark::Failed, &detail);
                return Err(err);
            }
        }
    }
    Ok(results)
}

async fn run_step(ctx: &mut Ctx, step: Step) -> Result<(Mark, String)> {
    if step.needs_cluster() && ctx.offline() {
        return Ok((Mark::Skipped, "offline".into()));
    }
    match steps::check(step, ctx).await? {
        Check::Done(detail) => return Ok((Mark::AlreadyDone, detail)),
        Check::Skipped(detail) => return Ok((Mark::Skipped, detail)),
        Check::Pending(_) => {}
    }
    let detail = steps::run(step, ctx).await?;
    crate::pause::point(&format!("ran:{}", step.id()));
    // A step is done when the world shows it, not because `run` returned.
    match steps::check(step, ctx).await? {
        Check::Done(_) => Ok((Mark::Ran, detail)),
        Check::Skipped(why) => Ok((Mark::Skipped, why)),
        Check::Pending(why) => Err(Error::StepNotDone {
            step: step.id(),
            detail: why,
        }),
    }
}
