//! Turns the command line into [`Flags`], runs the command, prints the error
//! (with its causes and a `help:` line) and maps it to an exit code.

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

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
    let global = Flags::from(global);
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
