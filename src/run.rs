//! Turns the command line into a `Config`, runs the command, prints the error
//! (with its causes and a `help:` line) and maps it to an exit code.

use std::io::IsTerminal;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::cli::{Arguments, Command, Global};
use crate::config::{Config, DEFAULT_UPSTREAM, Output, RepoName, Secret, Settings};
use crate::error::{Error, Result, exit};
use crate::state::State;
use crate::values::Values;

pub fn run() -> ExitCode {
    let args = match crate::cli::parse() {
        Ok(Some(args)) => args,
        Ok(None) => return ExitCode::from(exit::OK),
        Err(err) => {
            report(&err, Output::Text);
            return ExitCode::from(err.exit_code());
        }
    };
    let output = args.global.output;
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: could not start the async runtime: {e}");
            return ExitCode::from(exit::FAILURE);
        }
    };
    match runtime.block_on(dispatch(args)) {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            report(&err, output);
            ExitCode::from(err.exit_code())
        }
    }
}

/// Print an error: `error:` with its causes, then `help:`. Under
/// `--output json` also a JSON object on stdout for the machine reading it.
fn report(err: &Error, output: Output) {
    let red = console::style("error:").red().bold();
    eprintln!("{red} {err}");
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        eprintln!("  caused by: {cause}");
        source = cause.source();
    }
    let help = err.help();
    if let Some(help) = &help {
        eprintln!("{} {help}", console::style("help:").cyan().bold());
    }
    // `verify` has printed its report as the JSON; a second object would break it.
    if output == Output::Json && !matches!(err, Error::VerifyFailed { .. }) {
        let json = serde_json::json!({
            "error": err.to_string(),
            "help": help,
            "exit_code": err.exit_code(),
        });
        println!("{json}");
    }
}

async fn dispatch(args: Arguments) -> Result<u8> {
    let Arguments { global, command } = args;
    if let Command::Completions { shell } = command {
        let mut cmd = <Arguments as clap::CommandFactory>::command();
        clap_complete::generate(shell, &mut cmd, "eks-workshop", &mut std::io::stdout());
        return Ok(exit::OK);
    }
    if let Command::GitCredential {
        operation,
        host,
        username,
    } = &command
    {
        return Ok(crate::git::credential::run_helper(
            operation, host, username,
        ));
    }
    if let Command::Doctor = command {
        return crate::commands::doctor(&global).await;
    }
    let interrupted = watch_ctrl_c();
    crate::commands::run(command, global, interrupted).await
}

/// First Ctrl-C: stop at the next safe point (the engine checks between
/// steps and inside waits). Second: abort at once.
fn watch_ctrl_c() -> Arc<AtomicBool> {
    let flag = Arc::new(AtomicBool::new(false));
    let seen = flag.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_err() {
            return;
        }
        seen.store(true, Ordering::SeqCst);
        crate::pause::interrupt();
        eprintln!("\nstopping at the next safe point; press Ctrl-C again to abort now");
        if tokio::signal::ctrl_c().await.is_ok() {
            eprintln!("aborted; `eks-workshop resume` continues from the last finished step");
            std::process::exit(exit::INTERRUPTED as i32);
        }
    });
    flag
}

/// Build the run's config: flags > environment > remembered settings >
/// defaults. Values files are read here, so a bad one fails before any step.
pub(crate) fn config(global: &Global, remembered: Option<&Settings>) -> Result<Config> {
    let upstream: RepoName = match (&global.upstream, remembered) {
        (Some(u), _) => u.parse()?,
        (None, Some(s)) => s.upstream.clone(),
        (None, None) => DEFAULT_UPSTREAM.parse()?,
    };
    let mut settings = match remembered {
        Some(s) => Settings {
            upstream,
            ..s.clone()
        },
        None => Settings::new(upstream),
    };
    settings.offline |= global.offline;
    let set = |slot: &mut Option<String>, flag: &Option<String>| {
        if let Some(v) = flag.as_ref().filter(|v| !v.is_empty()) {
            *slot = Some(v.clone());
        }
    };
    set(&mut settings.github_user, &global.github_user);
    set(&mut settings.region, &global.region);
    set(&mut settings.context, &global.context);
    if let Some(b) = global.branch.as_ref().filter(|b| !b.is_empty()) {
        validate_branch(b)?;
        settings.branch = b.clone();
    }
    if let Some(url) = &global.github_api_url {
        settings.github_api_url = validate_api_url(url)?;
    }
    if let Some(k) = &global.kubeconfig {
        settings.kubeconfig = Some(absolute(k));
    }
    if let Some(f) = &global.flux_manifests {
        settings.flux_manifests = Some(absolute(f));
    }
    if let Some(url) = &global.flux_manifest_url {
        settings.flux_manifest_url = Some(crate::kube::release::check_url(url)?);
    }
    if let Some(sha) = &global.flux_manifest_sha256 {
        settings.flux_manifest_sha256 = Some(crate::kube::release::check_sha256(sha)?);
    }
    if settings.flux_manifest_url.is_some() && settings.flux_manifest_sha256.is_none() {
        return Err(Error::usage(
            "--flux-manifest-url needs the manifest's sha256",
            "pass --flux-manifest-sha256 HEX too (`sha256sum install.yaml` of the file you trust)",
        ));
    }
    let mut values = Values::default();
    let given = global.terraform_dir.is_some()
        || global.terraform_state.is_some()
        || global.values.is_some();
    let mut values_found = None;
    if !given && settings.values.iter().next().is_none() {
        let clone = absolute(&global.dir).join(&settings.upstream.name);
        if let Some(found) = workshop_terraform_state(&clone) {
            values.merge(Values::from_terraform_state(&found)?);
            values_found = Some(found);
        }
    }
    if let Some(dir) = &global.terraform_dir {
        values.merge(Values::from_terraform_dir(dir)?);
    }
    if let Some(file) = &global.terraform_state {
        values.merge(Values::from_terraform_state(file)?);
    }
    if let Some(file) = &global.values {
        values.merge(Values::from_file(file)?);
    }
    if let Some(region) = &settings.region {
        values.set("aws_region", region.clone());
    }
    settings.values.merge(values);
    // Every value, from whichever source, has its shape before anything is written.
    settings.values.check_all()?;
    let tty = std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
    let token = std::env::var("GITHUB_TOKEN")
        .ok()
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .map(Secret::new);
    Ok(Config {
        // Absolute, so paths derived from it (the offline remote) compare
        // equal to what git records, whatever the current directory.
        dir: absolute(&global.dir),
        settings,
        token,
        yes: global.yes,
        output: global.output,
        tty,
        timeout: global.timeout,
        force: global.force,
        values_found,
        no_migrate: global.no_migrate,
    })
}

/// The workshop hands participants a terraform state: its docs point at
/// `~/environment/terraform.tfstate`; install.sh copied it into the clone.
fn workshop_terraform_state(clone: &std::path::Path) -> Option<std::path::PathBuf> {
    let home = std::env::var_os("HOME").map(std::path::PathBuf::from);
    let places = [
        home.map(|h| h.join("environment").join("terraform.tfstate")),
        Some(clone.join("terraform/clusters/terraform.tfstate")),
    ];
    places.into_iter().flatten().find(|p| p.is_file())
}

fn absolute(p: &std::path::Path) -> std::path::PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())
}

fn validate_branch(b: &str) -> Result<()> {
    if git2::Reference::is_valid_name(&format!("refs/heads/{b}")) {
        return Ok(());
    }
    Err(Error::usage(
        format!("`{b}` is not a valid branch name"),
        "give --branch (or GIT_BRANCH) as a git branch name, e.g. main",
    ))
}

fn validate_api_url(url: &str) -> Result<String> {
    match url.parse::<http::Uri>() {
        Ok(uri) if uri.scheme().is_some() && uri.host().is_some() => {
            Ok(url.trim_end_matches('/').to_string())
        }
        _ => Err(Error::usage(
            format!("`{url}` is not a URL"),
            "give --github-api-url (or GITHUB_API_URL) like https://api.github.com or https://HOST/api/v3",
        )),
    }
}

/// A fresh state for `settings`, for a first run or `--restart`.
pub(crate) fn fresh_state(settings: &Settings) -> State {
    State::new(settings.clone())
}
