//! What a failed GitHub API request means for the user: one [`Error`] per
//! situation (bad token, missing permission, rate limit, not found, outage,
//! network, TLS), each with what to do next. Every text that came from the
//! outside passes through [`redact`] first, so no message can carry the token.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use http::{HeaderMap, StatusCode};

use crate::config::{PERMISSIONS, RepoName, Secret, redact};
use crate::error::Error;

/// Which call failed: decides what a 404 or 403 means.
#[derive(Clone, Copy, Debug)]
pub(super) enum Call<'a> {
    User,
    Repo(&'a RepoName),
    Fork(&'a RepoName),
    Delete(&'a RepoName),
}

/// A whole HTTP answer: status, headers, body.
#[derive(Debug)]
pub(super) struct Reply {
    pub(super) status: StatusCode,
    pub(super) headers: HeaderMap,
    pub(super) body: String,
}

/// A secondary rate limit asking to wait at most this long is waited out.
const SHORT_WAIT: Duration = Duration::from_secs(10);

/// Should this answer be tried again, and after at least how long?
/// 5xx: yes. A secondary rate limit with a short `retry-after`: after that.
pub(super) fn retry_after(reply: &Reply) -> Option<Duration> {
    if reply.status.is_server_error() {
        return Some(Duration::ZERO);
    }
    if matches!(
        reply.status,
        StatusCode::FORBIDDEN | StatusCode::TOO_MANY_REQUESTS
    ) && !primary_limit_hit(&reply.headers)
        && let Some(wait) = header_u64(&reply.headers, "retry-after").map(Duration::from_secs)
        && wait <= SHORT_WAIT
    {
        return Some(wait);
    }
    None
}

fn header_u64(headers: &HeaderMap, name: &str) -> Option<u64> {
    headers.get(name)?.to_str().ok()?.trim().parse().ok()
}

fn primary_limit_hit(headers: &HeaderMap) -> bool {
    header_u64(headers, "x-ratelimit-remaining") == Some(0)
}

/// GitHub's `message` from a JSON error body, else the start of the body,
/// else the status's reason.
fn message(reply: &Reply, token: &Secret) -> String {
    let from_json = serde_json::from_str::<serde_json::Value>(&reply.body)
        .ok()
        .and_then(|v| v.get("message")?.as_str().map(str::to_string));
    // Cut (with how much was left out) by `one_line` below.
    let text = from_json.unwrap_or_else(|| reply.body.trim().to_string());
    let text = if text.is_empty() {
        reply
            .status
            .canonical_reason()
            .unwrap_or("no message")
            .to_string()
    } else {
        text
    };
    crate::outside::one_line(&redact(&text, token))
}

/// The error for an answer that is not a success (after any retries).
pub(super) fn for_status(
    call: Call,
    service: &str,
    reply: &Reply,
    tries: u32,
    token: &Secret,
) -> Error {
    let msg = message(reply, token);
    let service = service.to_string();
    match reply.status.as_u16() {
        401 => Error::Unauthorized {
            service,
            message: msg,
            help: format!(
                "GITHUB_TOKEN is wrong, expired or revoked: create a new token ({PERMISSIONS}) and set GITHUB_TOKEN to it"
            ),
        },
        403 | 429 if primary_limit_hit(&reply.headers) => Error::RateLimited {
            reset: match header_u64(&reply.headers, "x-ratelimit-reset") {
                Some(epoch) => describe_reset(epoch, SystemTime::now()),
                None => "within the hour".into(),
            },
        },
        429 => Error::RateLimited {
            reset: secondary_reset(&reply.headers),
        },
        403 if msg.to_ascii_lowercase().contains("rate limit") => Error::RateLimited {
            reset: secondary_reset(&reply.headers),
        },
        403 => Error::Forbidden {
            service,
            message: msg,
            help: forbidden_help(call, &reply.headers),
        },
        404 => not_found(call, &service),
        code if reply.status.is_server_error() => Error::Network {
            service,
            message: format!("it answered {code} ({msg}) on each of {tries} tries"),
            help: "GitHub seems to be having trouble (see https://www.githubstatus.com); run `eks-workshop resume` in a few minutes".into(),
        },
        code if reply.status.is_redirection() => Error::Remote {
            service,
            status: code,
            message: match reply.headers.get(http::header::LOCATION) {
                Some(to) => format!(
                    "it moved to {}",
                    crate::outside::one_line(&redact(&String::from_utf8_lossy(to.as_bytes()), token))
                ),
                None => msg,
            },
        },
        code => Error::Remote {
            service,
            status: code,
            message: msg,
        },
    }
}

fn secondary_reset(headers: &HeaderMap) -> String {
    match header_u64(headers, "retry-after") {
        Some(secs) => format!(
            "in {}",
            humantime::format_duration(Duration::from_secs(secs))
        ),
        None => "in a few minutes (GitHub's secondary limit)".into(),
    }
}

/// "in 59m 58s (at 2030-03-17T17:46:40Z)"; "now" once it has passed.
pub(super) fn describe_reset(epoch: u64, now: SystemTime) -> String {
    let at = UNIX_EPOCH + Duration::from_secs(epoch);
    match at.duration_since(now) {
        Ok(left) => format!(
            "in {} (at {} UTC)",
            humantime::format_duration(Duration::from_secs(left.as_secs().max(1))),
            humantime::format_rfc3339_seconds(at)
                .to_string()
                .trim_end_matches('Z')
                .replace('T', " ")
        ),
        Err(_) => "now".into(),
    }
}

fn forbidden_help(call: Call, headers: &HeaderMap) -> String {
    let mut help = match call {
        Call::Fork(up) => format!("the token may not fork {up}: {PERMISSIONS}"),
        Call::Delete(name) => format!(
            "the token may not delete {name}: a classic token needs the `delete_repo` scope, a fine-grained one Administration: write on it; or leave out --delete-fork and delete it on GitHub"
        ),
        _ => format!("the token lacks a permission: {PERMISSIONS}"),
    };
    // GitHub says which permission the endpoint accepts, when it knows.
    let header = |name| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .filter(|v| !v.trim().is_empty())
    };
    if let Some(accepted) = header("x-accepted-github-permissions") {
        help.push_str(&format!(" (GitHub accepts: {accepted})"));
    }
    if header("x-github-sso").is_some() {
        help.push_str(
            "; the organization uses SAML single sign-on: authorize the token for it on GitHub",
        );
    }
    help
}

fn not_found(call: Call, service: &str) -> Error {
    match call {
        Call::Fork(up) => Error::NotFound {
            what: "upstream repository",
            name: up.to_string(),
            help: "check --upstream (OWNER/REPO); a private repository the token cannot see also answers \"not found\"".into(),
        },
        Call::Repo(name) | Call::Delete(name) => Error::NotFound {
            what: "repository",
            name: name.to_string(),
            help: "check that the token can see it".into(),
        },
        Call::User => Error::NotFound {
            what: "GitHub API",
            name: service.to_string(),
            help: "check --github-api-url (GITHUB_API_URL): https://api.github.com, or https://HOST/api/v3 for GitHub Enterprise Server".into(),
        },
    }
}

/// A request that got no HTTP answer.
#[derive(Debug)]
pub(super) struct Transport {
    pub(super) tls: bool,
    pub(super) hung: bool,
    pub(super) message: String,
}

impl Transport {
    /// The octocrab error's whole cause chain, redacted.
    pub(super) fn new(err: &octocrab::Error, token: &Secret) -> Transport {
        let mut parts: Vec<String> = Vec::new();
        let mut cur: Option<&dyn std::error::Error> = Some(err);
        while let Some(e) = cur {
            let text = e.to_string();
            // Wrappers often repeat their cause; say each thing once.
            if !parts.iter().any(|p| p.contains(&text)) {
                parts.push(text);
            }
            cur = e.source();
        }
        let message = crate::outside::one_line(&redact(&parts.join(": "), token));
        let lower = message.to_ascii_lowercase();
        let tls = [
            "certificate",
            "tls",
            "handshake",
            "corrupt message",
            "peer sent",
            "alert",
        ]
        .iter()
        .any(|w| lower.contains(w));
        Transport {
            tls,
            hung: false,
            message,
        }
    }

    /// A request that got no whole answer within `deadline`.
    pub(super) fn hung(deadline: Duration) -> Transport {
        Transport {
            tls: false,
            hung: true,
            message: format!(
                "the server accepted the request but sent no whole answer within {}",
                humantime::format_duration(deadline)
            ),
        }
    }

    /// Refused or reset connections, DNS hiccups: worth another try. TLS
    /// failures are not (the certificate will not change in a second), nor
    /// is a server that hung (another wait would only double the wait).
    pub(super) fn transient(&self) -> bool {
        !self.tls && !self.hung
    }

    pub(super) fn into_error(self, service: &str, tries: u32) -> Error {
        if self.hung {
            return Error::Network {
                service: service.to_string(),
                message: self.message,
                help: "GitHub (or a proxy on the way) is not answering: check https://www.githubstatus.com, --github-api-url and HTTPS_PROXY, then run `eks-workshop resume`".into(),
            };
        }
        if self.tls {
            return Error::Network {
                service: service.to_string(),
                message: format!("TLS failed: {}", self.message),
                help: "check that --github-api-url has the right scheme and host; for GitHub Enterprise with its own certificate authority, set SSL_CERT_FILE to that CA's certificate bundle".into(),
            };
        }
        Error::Network {
            service: service.to_string(),
            message: format!("{} ({tries} tries)", self.message),
            help: "check the network connection (and HTTPS_PROXY, if you need a proxy), then run `eks-workshop resume`".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(status: u16, headers: &[(&str, &str)], body: &str) -> Reply {
        let mut map = HeaderMap::new();
        for (k, v) in headers {
            map.insert(
                http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                v.parse().unwrap(),
            );
        }
        Reply {
            status: StatusCode::from_u16(status).unwrap(),
            headers: map,
            body: body.into(),
        }
    }

    fn up() -> RepoName {
        "aws-samples/eks-cluster-upgrades-workshop".parse().unwrap()
    }

    fn token() -> Secret {
        Secret::new("ghp_s3cret".into())
    }

    #[test]
    fn statuses_map_to_their_errors() {
        let up = up();
        let err = |status, headers: &[(&str, &str)], body| {
            for_status(
                Call::Fork(&up),
                "GitHub",
                &reply(status, headers, body),
                1,
                &token(),
            )
        };
        assert!(
            matches!(err(401, &[], r#"{"message":"Bad credentials"}"#), Error::Unauthorized { message, .. } if message == "Bad credentials")
        );
        assert!(matches!(
            err(
                403,
                &[("x-ratelimit-remaining", "0"), ("x-ratelimit-reset", "1")],
                "{}"
            ),
            Error::RateLimited { .. }
        ));
        assert!(
            matches!(err(429, &[("retry-after", "60")], "{}"), Error::RateLimited { reset } if reset == "in 1m")
        );
        assert!(
            matches!(err(403, &[], r#"{"message":"Resource not accessible"}"#), Error::Forbidden { help, .. } if help.contains("Administration: read and write"))
        );
        assert!(
            matches!(err(404, &[], "{}"), Error::NotFound { help, .. } if help.contains("--upstream"))
        );
        assert!(
            matches!(err(502, &[], ""), Error::Network { message, .. } if message.contains("502"))
        );
        assert!(matches!(
            err(422, &[], r#"{"message":"nope"}"#),
            Error::Remote { status: 422, .. }
        ));
    }

    #[test]
    fn only_5xx_and_short_secondary_limits_are_retried() {
        assert_eq!(retry_after(&reply(503, &[], "")), Some(Duration::ZERO));
        assert_eq!(
            retry_after(&reply(429, &[("retry-after", "2")], "")),
            Some(Duration::from_secs(2))
        );
        assert_eq!(retry_after(&reply(429, &[("retry-after", "60")], "")), None);
        assert_eq!(
            retry_after(&reply(
                403,
                &[("x-ratelimit-remaining", "0"), ("retry-after", "1")],
                ""
            )),
            None
        );
        assert_eq!(retry_after(&reply(401, &[], "")), None);
        assert_eq!(retry_after(&reply(404, &[], "")), None);
    }

    #[test]
    fn the_token_never_survives_into_a_message() {
        let body = r#"{"message":"token ghp_s3cret is bad"}"#;
        let e = for_status(Call::User, "GitHub", &reply(401, &[], body), 1, &token());
        assert!(!format!("{e} {:?}", e.help()).contains("ghp_s3cret"));
        assert_eq!(redact("a ghp_s3cret b ghp_s3cret", &token()), "a *** b ***");
    }

    #[test]
    fn reset_is_relative_and_absolute() {
        let now = UNIX_EPOCH + Duration::from_secs(1_900_000_000);
        assert_eq!(
            describe_reset(1_900_000_000 + 125, now),
            "in 2m 5s (at 2030-03-17 17:48:45 UTC)"
        );
        assert_eq!(describe_reset(1_800_000_000, now), "now");
    }
}
