//! AWS, through the participant's `aws` CLI (`--output json`), run by
//! [`Child`] like every other tool. The CLI, not the AWS SDK for Rust: the
//! workshop IDE has it, it resolves profiles, SSO and environment
//! credentials exactly as the participant's own commands do, and the SDK
//! would add many minutes of compile on a two-core machine for a handful of
//! read-only calls. No secret is ever an argument: the CLI finds the
//! credentials itself.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use crate::child::Child;
use crate::error::{Error, Result};

/// One call may take this long (the CLI retries throttling itself).
const CALL_TIMEOUT: Duration = Duration::from_secs(60);

/// The `aws` CLI, bound to a region.
#[derive(Clone, Debug)]
pub(crate) struct Aws {
    child: Child,
    region: String,
}

/// What one call answered: its JSON text, or why it failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Reply {
    /// The call as messages show it: `aws iam get-role --role-name R`.
    pub(crate) call: String,
    pub(crate) result: std::result::Result<String, Failed>,
}

/// Why a call failed, as the CLI said it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Failed {
    /// No credentials, or credentials AWS refuses (expired, invalid).
    Credentials(String),
    /// The thing asked about does not exist.
    NotFound(String),
    /// Anything else: access denied, throttling, the network, a timeout.
    Other(String),
}

impl Failed {
    pub(crate) fn message(&self) -> &str {
        match self {
            Failed::Credentials(m) | Failed::NotFound(m) | Failed::Other(m) => m,
        }
    }
}

impl Aws {
    /// The CLI from PATH ([`Error::ToolMissing`] if it is not there).
    pub(crate) fn find(region: &str, interrupted: Arc<AtomicBool>) -> Result<Aws> {
        let child = Child::find("aws", "checking the AWS side of an upgrade")?;
        Aws::with_child(child, region, interrupted)
    }

    /// The CLI `child` runs (tests give one that points at their moto).
    pub(crate) fn with_child(
        child: Child,
        region: &str,
        interrupted: Arc<AtomicBool>,
    ) -> Result<Aws> {
        let mut child = child.timeout(CALL_TIMEOUT).interrupted(interrupted);
        // CLI v2 pipes its output through a pager (`less`) by default, even
        // when stdout is not a terminal, and fails where there is none; v1
        // has no pager and refuses the flag.
        let said = match child.clone().args(["--version"]).output() {
            Ok(out) => [out.stdout, out.stderr].concat(),
            Err(Error::Interrupted) => return Err(Error::Interrupted),
            // Its calls will say what is wrong.
            Err(_) => Vec::new(),
        };
        if major_version(&String::from_utf8_lossy(&said)).is_some_and(|v| v >= 2) {
            child = child.args(["--no-cli-pager"]);
        }
        Ok(Aws {
            child,
            region: region.to_string(),
        })
    }

    /// `aws <args> --region R --output json`. Only Ctrl-C is an error; a
    /// call that fails (a timeout too) is a [`Reply`] saying why.
    pub(crate) fn call(&self, args: &[&str]) -> Result<Reply> {
        let child = self.child.clone().args(args.iter().copied()).args([
            "--region",
            &self.region,
            "--output",
            "json",
        ]);
        let call = format!("aws {}", args.join(" "));
        let result = match child.output() {
            Ok(out) if out.status.success() => {
                Ok(String::from_utf8_lossy(&out.stdout).into_owned())
            }
            Ok(out) => Err(failure(&String::from_utf8_lossy(&out.stderr), out.status)),
            Err(Error::Interrupted) => return Err(Error::Interrupted),
            Err(e) => Err(Failed::Other(e.to_string())),
        };
        Ok(Reply { call, result })
    }

    /// Several independent calls at once (each is a CLI start-up of about
    /// a second), replies in the order asked.
    pub(crate) fn calls(&self, calls: &[Vec<String>]) -> Result<Vec<Reply>> {
        std::thread::scope(|scope| {
            let running: Vec<_> = calls
                .iter()
                .map(|args| {
                    scope.spawn(move || {
                        let args: Vec<&str> = args.iter().map(String::as_str).collect();
                        self.call(&args)
                    })
                })
                .collect();
            running
                .into_iter()
                .map(|r| r.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
                .collect()
        })
    }
}

/// The CLI's error, from its stderr: `An error occurred (CODE) when calling
/// the OP operation: MESSAGE`, or its own words (no credentials, no profile).
pub(crate) fn failure(stderr: &str, status: impl std::fmt::Display) -> Failed {
    let lines: Vec<&str> = stderr
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let message = if lines.is_empty() {
        format!("it exited with {status} and said nothing")
    } else {
        lines[lines.len().saturating_sub(3)..].join(" / ")
    };
    // An AWS error code says it all; without one, the CLI's own words.
    if let Some(code) = error_code(stderr) {
        const CREDENTIAL_CODES: &[&str] = &[
            "InvalidClientTokenId",
            "UnrecognizedClientException",
            "ExpiredToken",
            "ExpiredTokenException",
            "InvalidAccessKeyId",
            "SignatureDoesNotMatch",
            "AuthFailure",
            "RequestExpired",
        ];
        if CREDENTIAL_CODES.contains(&code) {
            return Failed::Credentials(message);
        }
        if code.contains("NotFound") || code == "NoSuchEntity" {
            return Failed::NotFound(message);
        }
        return Failed::Other(message);
    }
    const CREDENTIAL_WORDS: &[&str] = &[
        "unable to locate credentials",
        "config profile",
        "token has expired",
        "sso session",
        "sso token",
        "partial credentials",
    ];
    let lower = message.to_lowercase();
    if CREDENTIAL_WORDS.iter().any(|w| lower.contains(w)) {
        return Failed::Credentials(message);
    }
    Failed::Other(message)
}

/// `2` of `aws-cli/2.15.0 Python/3.11.6 Linux/6.1 exe/x86_64`.
fn major_version(said: &str) -> Option<u32> {
    let rest = &said[said.find("aws-cli/")? + "aws-cli/".len()..];
    rest.split('.').next()?.parse().ok()
}

/// `CODE` of `An error occurred (CODE) when calling …`.
fn error_code(stderr: &str) -> Option<&str> {
    let rest = &stderr[stderr.find("An error occurred (")? + "An error occurred (".len()..];
    Some(&rest[..rest.find(')')?])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_are_sorted_by_what_the_cli_said() {
        let f = |s: &str| failure(s, "exit status: 255");
        assert_eq!(
            f("\nUnable to locate credentials. You can configure credentials by running \"aws configure\".\n"),
            Failed::Credentials("Unable to locate credentials. You can configure credentials by running \"aws configure\".".into())
        );
        assert!(matches!(
            f(
                "An error occurred (ExpiredToken) when calling the GetCallerIdentity operation: The security token included in the request is expired"
            ),
            Failed::Credentials(_)
        ));
        assert!(matches!(
            f("The config profile (workshop) could not be found"),
            Failed::Credentials(_)
        ));
        assert!(matches!(
            f(
                "An error occurred (NoSuchEntity) when calling the GetRole operation: The role with name r cannot be found."
            ),
            Failed::NotFound(_)
        ));
        assert!(matches!(
            f(
                "An error occurred (InvalidGroup.NotFound) when calling the DescribeSecurityGroups operation: The security group 'sg-1' does not exist"
            ),
            Failed::NotFound(_)
        ));
        assert!(matches!(
            f(
                "An error occurred (ResourceNotFoundException) when calling the DescribeCluster operation: No cluster found for name: c."
            ),
            Failed::NotFound(_)
        ));
        let denied = f(
            "\nAn error occurred (AccessDenied) when calling the GetRole operation: User: arn:aws:sts::1:assumed-role/p is not authorized to perform: iam:GetRole\n",
        );
        assert_eq!(
            denied,
            Failed::Other("An error occurred (AccessDenied) when calling the GetRole operation: User: arn:aws:sts::1:assumed-role/p is not authorized to perform: iam:GetRole".into())
        );
        assert_eq!(
            f("").message(),
            "it exited with exit status: 255 and said nothing"
        );
        assert_eq!(error_code("An error occurred (Throttling"), None);
    }

    #[test]
    fn the_cli_major_version_is_read_from_its_banner() {
        let v2 = "aws-cli/2.15.0 Python/3.11.6 Linux/6.1.0 exe/x86_64.ubuntu.22\n";
        assert_eq!(major_version(v2), Some(2));
        let v1 = "aws-cli/1.45.11 Python/3.11.7 Linux/6.18.44 botocore/1.43.11";
        assert_eq!(major_version(v1), Some(1));
        assert_eq!(major_version("command not found"), None);
    }
}
