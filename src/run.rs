//! Turns the command line into [`Flags`], runs the command, prints the error
//! (with its causes and a `help:` line) and maps it to an exit code.

use std::process::ExitCode;

use crate::cli::{Arguments, Command};
use crate::config::{Flags, Output};
use crate::error::{Error, Result, exit};

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
    start_log(&args);
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
    let code = match runtime.block_on(dispatch(args)) {
        Ok(code) => code,
        Err(err) => {
            crate::log::error(&err);
            report(&err, output);
            err.exit_code()
        }
    };
    crate::log::line("exit", code);
    ExitCode::from(code)
}

/// The commands that keep a log: those that change things or wait on the
/// world (a dry run writes nothing, not even a log; `-v` still shows it).
/// Every command is named here, so a new one is a compile error until its
/// author decides.
fn log_name(command: &Command) -> Option<&'static str> {
    let (name, dry_run) = match command {
        Command::Setup { dry_run, .. } => ("setup", *dry_run),
        Command::Resume { dry_run } => ("resume", *dry_run),
        Command::EnableAddon { dry_run, .. } => ("enable-addon", *dry_run),
        Command::DisableAddon { dry_run, .. } => ("disable-addon", *dry_run),
        Command::Verify { dry_run, .. } => ("verify", *dry_run),
        Command::Sync { dry_run, .. } => ("sync", *dry_run),
        Command::Upgrade { dry_run, .. } => ("upgrade", *dry_run),
        Command::Reset { dry_run, .. } => ("reset", *dry_run),
        Command::Teardown { dry_run, .. } => ("teardown", *dry_run),
        // They only read, or answer another program.
        Command::Status { .. }
        | Command::Addons
        | Command::Doctor { .. }
        | Command::GitCredential { .. }
        | Command::Completions { .. } => return None,
    };
    (!dry_run).then_some(name)
}

/// `-v`, and the run's log in a workshop dir (setup makes the dir).
fn start_log(args: &Arguments) {
    crate::log::set_verbose(args.global.verbose);
    let Some(name) = log_name(&args.command) else {
        return;
    };
    let dir = std::path::absolute(&args.global.dir).unwrap_or_else(|_| args.global.dir.clone());
    let work = crate::config::work_dir(&dir);
    if name != "setup" && !work.is_dir() {
        return;
    }
    let line: Vec<String> = std::env::args()
        .skip(1)
        .map(|a| hide_userinfo(&a))
        .collect();
    crate::log::start(&work, name, &line);
}

/// `https://user:secret@host/…` → `https://***@host/…`: a URL given on the
/// command line may carry credentials.
fn hide_userinfo(arg: &str) -> String {
    let Some(scheme_end) = arg.find("://") else {
        return arg.to_string();
    };
    let rest = &arg[scheme_end + 3..];
    let authority_end = rest.find('/').unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{}***{}", &arg[..scheme_end + 3], &rest[at..]),
        None => arg.to_string(),
    }
}

/// Print an error: `error:` with its causes, then `help:`. Under
/// `--output json` also a JSON object on stdout for the machine reading it.
fn report(err: &Error, output: Output) {
    // Every message may quote the outside; none may drive the terminal or
    // pass for our own help line.
    let shown = |text: String| crate::outside::printable(&crate::secrets::redact(&text));
    let red = console::style("error:").red().bold();
    eprintln!("{red} {}", shown(err.to_string()));
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        eprintln!("  caused by: {}", shown(cause.to_string()));
        source = cause.source();
    }
    if let Some(path) = crate::log::path() {
        eprintln!("  log of this run: {}", path.display());
    }
    let help = err.help();
    if let Some(help) = &help {
        eprintln!(
            "{} {}",
            console::style("help:").cyan().bold(),
            shown(help.clone())
        );
    }
    // `verify` has printed its report as the JSON; a second object would break it.
    if output == Output::Json && !matches!(err, Error::VerifyFailed { .. }) {
        let json = serde_json::json!({
            "error": crate::secrets::redact(&err.to_string()),
            "help": help.map(|h| crate::secrets::redact(&h)),
            "exit_code": err.exit_code(),
        });
        println!("{json}");
    }
}

async fn dispatch(args: Arguments) -> Result<u8> {
    let Arguments { global, command } = args;
    crate::commands::run(command, Flags::from(global)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_in_a_url_argument_are_hidden() {
        assert_eq!(
            hide_userinfo("https://bob:s3cret@mirror.example/flux/install.yaml"),
            "https://***@mirror.example/flux/install.yaml"
        );
        assert_eq!(hide_userinfo("https://x/a@b"), "https://x/a@b");
        assert_eq!(hide_userinfo("--yes"), "--yes");
    }
}
