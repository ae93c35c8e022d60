//! Turns the command line into a `Config`, runs the command, maps the error to an exit code.

use std::process::ExitCode;

pub fn run() -> ExitCode {
    ExitCode::from(crate::error::exit::OK)
}
