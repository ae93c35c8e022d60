//! One error type for the whole tool. Variants carry what went wrong (paths,
//! names, statuses); `Display` says it in a sentence, [`Error::help`] says what
//! to do next, and [`Error::exit_code`] is the one place exit codes are decided.

use std::path::PathBuf;

pub(crate) type Result<T, E = Error> = std::result::Result<T, E>;

/// Exit codes, documented in `--help` and the README.
pub(crate) mod exit {
    pub(crate) const OK: u8 = 0;
    pub(crate) const FAILURE: u8 = 1;
    pub(crate) const USAGE: u8 = 2;
    pub(crate) const AUTH: u8 = 3;
    pub(crate) const VERIFY: u8 = 4;
    pub(crate) const LOCKED: u8 = 5;
    pub(crate) const TIMEOUT: u8 = 6;
    pub(crate) const BLOCKED: u8 = 7;
    pub(crate) const INTERRUPTED: u8 = 130;
}

#[derive(Debug, thiserror::Error)]
pub(crate) enum Error {
    // ---- invalid input or usage (exit 2) ----
    #[error("{message}")]
    Usage { message: String, help: String },
    /// A command line clap refused: its own words, and the flag it names.
    #[error("{message}")]
    CommandLine {
        message: String,
        flag: Option<String>,
    },
    #[error("no value for `{name}`")]
    MissingValue { name: String, help: String },
    #[error("{template} needs the value `{name}`, which was not given")]
    MissingTemplateValue { template: String, name: String },
    #[error("`{name}` is `{given}`, which is not {expected}")]
    InvalidValue {
        name: String,
        given: String,
        expected: String,
    },
    #[error("values file {}: {reason}", path.display())]
    ValuesFile { path: PathBuf, reason: String },
    #[error("unknown add-on `{name}`")]
    UnknownAddon { name: String, known: Vec<String> },
    #[error("{}: {reason}", path.display())]
    Kustomization { path: PathBuf, reason: String },
    #[error("{} exists but is not a clone of {expected}: {reason}", path.display())]
    CloneOccupied {
        path: PathBuf,
        expected: String,
        reason: String,
    },
    #[error("your uncommitted edits in {} would be overwritten: {}", clone.display(), files.join(", "))]
    UncommittedEdits { clone: PathBuf, files: Vec<String> },
    #[error("`{tool}` was not found on PATH (needed {needed_for})")]
    ToolMissing {
        tool: &'static str,
        needed_for: String,
    },
    #[error("{what} needs an answer, but {why}")]
    CannotPrompt { what: String, why: &'static str },
    #[error("{what} not found: {name}")]
    NotFound {
        what: &'static str,
        name: String,
        help: String,
    },
    /// The kubeconfig's context points at another cluster than the values'
    /// `cluster_endpoint` (checked before any request to it).
    #[error("kubeconfig context `{context}` points at {server}, but the values name {} at {endpoint}: another cluster; nothing was read from or written to it", hint.cluster_name.as_deref().map_or("the cluster".to_string(), |n| format!("cluster `{n}`")))]
    WrongCluster {
        context: String,
        server: String,
        endpoint: String,
        hint: Box<ClusterHint>,
    },
    #[error("{} is a symbolic link (to {}); eks-workshop reads and writes only regular files inside the clone, never through a link", link.display(), target.display())]
    Symlink { link: PathBuf, target: PathBuf },
    #[error("{}:{line}: {reason}", path.display())]
    InvalidYaml {
        path: PathBuf,
        line: usize,
        reason: String,
    },

    // ---- authentication and permission (exit 3) ----
    #[error("{service} rejected the credentials: {message}")]
    Unauthorized {
        service: String,
        message: String,
        help: String,
    },
    #[error("{service} denied the request: {message}")]
    Forbidden {
        service: String,
        message: String,
        help: String,
    },
    #[error("the token belongs to `{token_login}`, but --github-user is `{flag}`")]
    UserMismatch { flag: String, token_login: String },
    /// A classic token whose scopes cannot push to the fork (found before
    /// forking, or before pushing to a fork made earlier).
    #[error("the GitHub token is a classic one with {}, but pushing to your fork needs `public_repo` (or `repo`); {}", if scopes.is_empty() { "no scopes".to_string() } else { format!("the scopes {}", scopes.join(", ")) }, fork.as_deref().map_or("nothing was forked".to_string(), |f| format!("nothing was pushed to {f}")))]
    TokenScopes {
        scopes: Vec<String>,
        /// The fork, when it exists already.
        fork: Option<String>,
    },
    /// GitHub says the token may not push to the fork (`permissions.push`).
    #[error("GitHub says the token may not push to {repo}; nothing was pushed")]
    CannotPush { repo: String },

    // ---- verify found problems (exit 4) ----
    #[error("verify found {count} problem(s)")]
    VerifyFailed { count: usize },

    #[error("the cluster would refuse what Flux is to apply:\n{}", problems.join("\n"))]
    Preflight { problems: Vec<String>, help: String },

    // ---- another run holds the lock (exit 5) ----
    #[error("another eks-workshop run is working in {} (lock {})", dir.display(), lock.display())]
    Locked { dir: PathBuf, lock: PathBuf },
    #[error("a git command is working in the clone: {holder} holds {}", lock.display())]
    GitLocked { lock: PathBuf, holder: String },

    // ---- timed out waiting (exit 6) ----
    #[error("timed out after {} waiting for {what}: {detail}", humantime::format_duration(*.after))]
    Timeout {
        what: String,
        detail: String,
        after: std::time::Duration,
    },

    // ---- everything else (exit 1) ----
    #[error("Ctrl-C: stopped at a safe point")]
    Interrupted,
    #[error("{} could not be {action}", path.display())]
    Io {
        path: PathBuf,
        action: &'static str,
        source: std::io::Error,
    },
    #[error("state file {} is unreadable: {reason}", path.display())]
    StateCorrupt { path: PathBuf, reason: String },
    #[error("state file {} was written by a newer eks-workshop (format {found}, this one reads {supported})", path.display())]
    StateTooNew {
        path: PathBuf,
        found: u32,
        supported: u32,
    },
    #[error("git {action} failed: {message}")]
    Git { action: String, message: String },
    #[error("push to {branch} was rejected: {message}")]
    PushRejected {
        branch: String,
        message: String,
        help: String,
    },
    #[error("{repo} exists but is not a fork of {upstream}")]
    NotAFork { repo: String, upstream: String },
    #[error("GitHub API rate limit reached; it resets {reset}")]
    RateLimited { reset: String },
    #[error("could not reach {service}: {message}")]
    Network {
        service: String,
        message: String,
        help: String,
    },
    #[error("{service} answered {status}: {message}")]
    Remote {
        service: String,
        status: u16,
        message: String,
    },
    #[error("Kubernetes ({context}): {message}")]
    Kube {
        context: String,
        message: String,
        help: String,
    },
    #[error("{kind} {name} failed: {message}")]
    FluxFailed {
        kind: String,
        name: String,
        message: String,
        help: String,
    },
    #[error("`{command}` failed: {message}")]
    Command { command: String, message: String },
    #[error("{url} is not the file pinned: its sha256 is {got}, not {want}")]
    Checksum {
        url: String,
        want: String,
        got: String,
    },
    #[error("step `{step}` ran, but afterwards the world does not show it done: {detail}")]
    StepNotDone { step: &'static str, detail: String },
    /// The upgrade's gate: what blocks Kubernetes `to` that the plan does not fix.
    #[error("the upgrade to Kubernetes {to} is blocked:\n{}", items.iter().map(|i| format!("  - {i}")).collect::<Vec<_>>().join("\n"))]
    UpgradeBlocked {
        to: String,
        items: Vec<String>,
        help: String,
    },
    /// The cluster's own rules (a PodDisruptionBudget) or a plan that
    /// reaches too far (terraform touching Flux) stop the upgrade: a human
    /// decides.
    #[error("{what}: {detail}")]
    Blocked {
        what: String,
        detail: String,
        help: String,
    },
    /// An update the upgrade started (EKS, terraform) failed, with its errors.
    // Made by the eks driver.
    #[allow(dead_code)]
    #[error("{what} failed:\n{}", errors.iter().map(|e| format!("  - {e}")).collect::<Vec<_>>().join("\n"))]
    UpdateFailed {
        what: String,
        errors: Vec<String>,
        help: String,
    },
}

/// What [`Error::WrongCluster`]'s help is made of (boxed: the error stays small).
#[derive(Debug)]
pub(crate) struct ClusterHint {
    pub(crate) cluster_name: Option<String>,
    pub(crate) region: Option<String>,
    /// The kubeconfig's contexts whose server is the values' endpoint.
    pub(crate) matching: Vec<String>,
}

/// [`Error::Interrupted`] once Ctrl-C has set `flag`: the one check the
/// engine (between steps), the waits and the child processes make.
pub(crate) fn check_interrupt(flag: &std::sync::atomic::AtomicBool) -> Result<()> {
    if flag.load(std::sync::atomic::Ordering::SeqCst) {
        return Err(Error::Interrupted);
    }
    Ok(())
}

impl Error {
    /// A Flux failure or a wait that timed out, with the lines that say why
    /// (the `dependsOn` chain, the source's error, the Events: see
    /// `flux::trace`) under its message. Any other error is left as it is.
    pub(crate) fn with_why(self, lines: &[String]) -> Self {
        let why: String = lines.iter().map(|l| format!("\n  ↳ {l}")).collect();
        match self {
            Error::FluxFailed {
                kind,
                name,
                message,
                help,
            } => Error::FluxFailed {
                kind,
                name,
                message: message + &why,
                help,
            },
            Error::Timeout {
                what,
                detail,
                after,
            } => Error::Timeout {
                what,
                detail: detail + &why,
                after,
            },
            other => other,
        }
    }

    pub(crate) fn usage(message: impl Into<String>, help: impl Into<String>) -> Self {
        Error::Usage {
            message: message.into(),
            help: help.into(),
        }
    }

    pub(crate) fn io(
        path: impl Into<PathBuf>,
        action: &'static str,
        source: std::io::Error,
    ) -> Self {
        Error::Io {
            path: path.into(),
            action,
            source,
        }
    }

    pub(crate) fn git(action: impl Into<String>, err: &git2::Error) -> Self {
        Error::Git {
            action: action.into(),
            message: err.message().to_string(),
        }
    }

    /// The one place exit codes are decided.
    pub(crate) fn exit_code(&self) -> u8 {
        use Error::*;
        match self {
            Usage { .. }
            | CommandLine { .. }
            | MissingValue { .. }
            | MissingTemplateValue { .. }
            | InvalidValue { .. }
            | ValuesFile { .. }
            | UnknownAddon { .. }
            | Kustomization { .. }
            | CloneOccupied { .. }
            | UncommittedEdits { .. }
            | ToolMissing { .. }
            | CannotPrompt { .. }
            | NotFound { .. }
            | WrongCluster { .. }
            | Symlink { .. }
            | InvalidYaml { .. } => exit::USAGE,
            // An API that answers "moved" is an API URL to correct.
            Remote { status, .. } if (300..400).contains(status) => exit::USAGE,
            Unauthorized { .. }
            | Forbidden { .. }
            | UserMismatch { .. }
            | TokenScopes { .. }
            | CannotPush { .. } => exit::AUTH,
            VerifyFailed { .. } | Preflight { .. } | UpgradeBlocked { .. } => exit::VERIFY,
            Blocked { .. } => exit::BLOCKED,
            Locked { .. } | GitLocked { .. } => exit::LOCKED,
            Timeout { .. } => exit::TIMEOUT,
            Interrupted => exit::INTERRUPTED,
            Io { .. }
            | StateCorrupt { .. }
            | StateTooNew { .. }
            | Git { .. }
            | PushRejected { .. }
            | NotAFork { .. }
            | RateLimited { .. }
            | Network { .. }
            | Remote { .. }
            | Kube { .. }
            | FluxFailed { .. }
            | Command { .. }
            | Checksum { .. }
            | StepNotDone { .. }
            | UpdateFailed { .. } => exit::FAILURE,
        }
    }

    /// What the user should do next; printed as a `help:` line.
    pub(crate) fn help(&self) -> Option<String> {
        use Error::*;
        Some(match self {
            Usage { help, .. }
            | MissingValue { help, .. }
            | NotFound { help, .. }
            | Unauthorized { help, .. }
            | Forbidden { help, .. }
            | PushRejected { help, .. }
            | Network { help, .. }
            | Kube { help, .. }
            | Preflight { help, .. }
            | UpgradeBlocked { help, .. }
            | Blocked { help, .. }
            | UpdateFailed { help, .. }
            | FluxFailed { help, .. } => {
                if help.is_empty() {
                    AGAIN.into()
                } else {
                    help.clone()
                }
            }
            CommandLine { flag, .. } => match flag.as_deref() {
                Some("--timeout") => {
                    "give --timeout a duration such as 90s, 10m or 1h30m".into()
                }
                Some("--until") => "give --until one of the steps listed; `eks-workshop status` shows where each stands".into(),
                Some(flag) => format!("see `eks-workshop --help` for what {flag} takes"),
                None => "see `eks-workshop --help` for the commands and their options".into(),
            },
            MissingTemplateValue { name, .. } => format!(
                "give `{name}` in the --values file (or the terraform outputs of --terraform-state / --terraform-dir), or run without --yes to be asked"
            ),
            InvalidValue { name, .. } => format!(
                "correct `{name}` where it came from (--values file, terraform outputs, --region/AWS_REGION, or the prompt); `terraform output {name}` shows the workshop's value"
            ),
            ValuesFile { .. } => "the values file is a flat YAML/JSON map of name: value, or the JSON printed by `terraform output -json`".into(),
            UnknownAddon { known, .. } => format!("known add-ons: {}", known.join(", ")),
            Kustomization { .. } => "fix the file by hand (or `git checkout -- <file>` in the clone), then run the command again".into(),
            CloneOccupied { .. } => "move that directory away, or pass --dir to work somewhere else".into(),
            UncommittedEdits { .. } => "commit or stash your edits to those files (`git stash`), then run the command again; nothing was changed".into(),
            ToolMissing { tool, .. } => format!("install `{tool}` and make sure it is on PATH; `eks-workshop doctor` lists what is needed"),
            CannotPrompt { .. } => "give it by flag or environment variable (see --help)".into(),
            Symlink { .. } => "nothing was written or committed; put the regular file there instead of the link (if the link came with a commit to your fork, commit the file in its place), then run the command again".into(),
            InvalidYaml { .. } => "nothing was written or committed; fix the YAML at that line (YAML indents with spaces, never tabs), commit it, then run the command again".into(),
            WrongCluster { endpoint, hint, .. } => match hint.matching.first() {
                Some(first) => format!(
                    "pass --context {first} (the kubeconfig's context{} for {endpoint}: {}), or, if the values name the wrong cluster, correct cluster_endpoint in them",
                    if hint.matching.len() == 1 { "" } else { "s" },
                    hint.matching.join(", ")
                ),
                None => format!(
                    "no kubeconfig context points at {endpoint}: run `aws eks update-kubeconfig --name {} --region {}` and pass --context with the context it writes; or, if the values name the wrong cluster, correct cluster_endpoint in them (`terraform output cluster_endpoint` shows the workshop's)",
                    hint.cluster_name.as_deref().unwrap_or("<cluster_name>"),
                    hint.region.as_deref().unwrap_or("<region>")
                ),
            },
            TokenScopes { .. } => "give the token the `public_repo` scope (`repo` for a private upstream): on GitHub, Settings → Developer settings → Personal access tokens → Tokens (classic), edit the token, tick it and save (the token stays the same); or use a fine-grained token with Contents and Administration: Read and write (README: GitHub token)".into(),
            CannotPush { repo } => format!("a fine-grained token needs access to {repo} (Repository access \"All repositories\", or {repo} selected) with Contents: Read and write; a classic one the `public_repo` (or `repo`) scope (README: GitHub token)"),
            UserMismatch { .. } => "drop --github-user (the token's login is used), or use that user's token".into(),
            VerifyFailed { .. } => "see the findings above; `eks-workshop verify --fix` converts what can be converted mechanically".into(),
            Locked { .. } => "wait for the other run to finish; if none is running, another process still has the lock file open".into(),
            GitLocked { .. } => "wait for that git command to finish (or end it), then run this again; a lock no process holds is removed by itself".into(),
            Timeout { .. } => "run `eks-workshop resume` to keep waiting, or raise --timeout".into(),
            Interrupted => "run `eks-workshop resume` to continue where it stopped".into(),
            StateCorrupt { path, .. } => format!(
                "move {} away and run `eks-workshop setup --restart`; every step re-checks the world, so nothing is redone needlessly",
                path.display()
            ),
            StateTooNew { .. } => "use the newer eks-workshop that wrote it, or run `setup --restart` to start the state afresh".into(),
            NotAFork { .. } => "rename or delete that repository on GitHub, or fork under another account; eks-workshop never overwrites it".into(),
            RateLimited { .. } => "wait until then, or use a token (authenticated requests have a higher limit)".into(),
            StepNotDone { .. } => "run `eks-workshop status` to see each step, then `eks-workshop resume`".into(),
            Checksum { .. } => "nothing was applied; check the URL (and that nothing between you and it rewrites downloads), or give the sha256 of the file you trust with --flux-manifest-sha256".into(),
            Remote { status, service, .. } => match status {
                300..=399 => format!("{service} redirects elsewhere: point --github-api-url (GITHUB_API_URL) at the API itself, https://api.github.com or https://HOST/api/v3"),
                422 => format!("{service} refused the request as it stands (its message says why; an empty upstream cannot be forked); fix that on GitHub, then run `eks-workshop resume`"),
                400..=499 => format!("{service} refused the request; if the message above does not say why, run with -v and include the log in `eks-workshop doctor --bundle`"),
                _ => "the service failed on its side; run the command again in a while (`eks-workshop resume` continues)".into(),
            },
            Io { path, source, .. } => io_help(path, source),
            Git { message, .. } | Command { message, .. } if no_space(message) => {
                "free space on the disk that holds --dir (`df -h` shows it), then run the command again; `eks-workshop resume` continues".into()
            }
            Git { .. } => format!("{AGAIN}; `git status` in the clone shows what git sees"),
            Command { command, .. } => format!("see what `{command}` printed above; run it by hand to check it works here"),
        })
    }
}

/// For an error no more can be said of: the way to more detail and to help.
const AGAIN: &str = "run the command again with -v to see each request and step; if it fails the same way, `eks-workshop doctor --bundle FILE` collects what a facilitator needs";

mod io_help;

use io_help::{io_help, no_space};

#[cfg(test)]
mod tests;
