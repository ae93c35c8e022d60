//! The secrets eks-workshop holds (the GitHub token, from the environment or
//! the prompt) and every form they can take in text: no child process gets
//! the variables, and the log, the state file, the support bundle and every
//! message are redacted of each form (the token itself, and its base64 form
//! at each of the three byte alignments, as a server may echo it inside a
//! `Basic` credential).

use std::sync::Mutex;

use base64::Engine;

use crate::error::{Error, Result};

/// Where a GitHub token may be.
pub(crate) const VARS: &[&str] = &["GITHUB_TOKEN", "GH_TOKEN"];

/// The GitHub token from the environment and the variable it came from:
/// `GITHUB_TOKEN`, else `GH_TOKEN` (the gh CLI's), trimmed; an empty one is
/// none. The one rule: the run and the credential helper both ask here.
pub(crate) fn token_from_env() -> Option<(&'static str, String)> {
    VARS.iter().find_map(|var| {
        let value = std::env::var(var).ok()?.trim().to_string();
        (!value.is_empty()).then_some((*var, value))
    })
}

/// Shorter than this, a secret is not redacted: it would mangle ordinary text.
const MIN_LEN: usize = 4;
/// A base64 form shorter than this is not redacted, for the same reason.
const MIN_ENCODED: usize = 8;

/// Secrets learned after start-up (a prompted token).
static REMEMBERED: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Redact `secret` from everything written or shown from now on.
pub(crate) fn remember(secret: &str) {
    let secret = secret.trim();
    if secret.len() < MIN_LEN {
        return;
    }
    if let Ok(mut known) = REMEMBERED.lock()
        && !known.iter().any(|k| k == secret)
    {
        known.push(secret.to_string());
    }
}

/// The secrets known now: those in the environment and those remembered.
fn known() -> Vec<String> {
    let mut all: Vec<String> = VARS
        .iter()
        .filter_map(|v| std::env::var(v).ok())
        .map(|t| t.trim().to_string())
        .filter(|t| t.len() >= MIN_LEN)
        .collect();
    if let Ok(remembered) = REMEMBERED.lock() {
        all.extend(remembered.iter().cloned());
    }
    all.sort();
    all.dedup();
    all
}

/// The forms last worked out, and the secrets they were worked out for.
static FORMS: Mutex<(Vec<String>, Vec<String>)> = Mutex::new((Vec::new(), Vec::new()));

/// Every form of every known secret, longest first (so a longer form is
/// replaced before a shorter one inside it). Worked out again only when the
/// secrets change: every log line asks.
pub(crate) fn all_forms() -> Vec<String> {
    let secrets = known();
    let Ok(mut cached) = FORMS.lock() else {
        return forms_for(&secrets);
    };
    if cached.0 != secrets {
        *cached = (secrets.clone(), forms_for(&secrets));
    }
    cached.1.clone()
}

fn forms_for(secrets: &[String]) -> Vec<String> {
    let mut forms: Vec<String> = secrets.iter().flat_map(|s| forms_of(s)).collect();
    forms.sort_by_key(|f| std::cmp::Reverse(f.len()));
    forms.dedup();
    forms
}

/// `secret`, and the part of its base64 encoding (standard and URL-safe
/// alphabets) that is the same whatever bytes come before and after it, at
/// each of the three alignments it can start at.
fn forms_of(secret: &str) -> Vec<String> {
    let bytes = secret.as_bytes();
    let mut forms = vec![secret.to_string()];
    for engine in [
        &base64::engine::general_purpose::STANDARD_NO_PAD,
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
    ] {
        for pad in 0..3usize {
            let mut input = vec![0u8; pad];
            input.extend_from_slice(bytes);
            let encoded = engine.encode(&input);
            // Character i carries bits 6i..6i+6: keep those wholly inside the secret.
            let start = (8 * pad).div_ceil(6);
            let end = (8 * (pad + bytes.len())) / 6;
            if end > start && end - start >= MIN_ENCODED {
                forms.push(encoded[start..end].to_string());
            }
        }
    }
    forms
}

/// `text` with every form of every known secret replaced by `***`.
pub(crate) fn redact(text: &str) -> String {
    let mut text = text.to_string();
    for form in all_forms() {
        if text.contains(&form) {
            text = text.replace(&form, "***");
        }
    }
    text
}

/// [`redact`] for bytes that need not be text.
pub(crate) fn redact_bytes(bytes: &[u8]) -> Vec<u8> {
    let mut out = bytes.to_vec();
    for form in all_forms() {
        out = replace_bytes(&out, form.as_bytes());
    }
    out
}

fn replace_bytes(bytes: &[u8], secret: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut rest = bytes;
    while let Some(at) = memchr::memmem::find(rest, secret) {
        out.extend_from_slice(&rest[..at]);
        out.extend_from_slice(b"***");
        rest = &rest[at + secret.len()..];
    }
    out.extend_from_slice(rest);
    out
}

/// A token goes into an HTTP header and git's credential protocol: only
/// visible ASCII can. Checked before any request; the message names the
/// variable and the position, never the value.
pub(crate) fn check_token(name: &str, token: &str) -> Result<()> {
    let Some((at, c)) = token.char_indices().find(|(_, c)| !c.is_ascii_graphic()) else {
        return Ok(());
    };
    let what = match c {
        ' ' => "a space".to_string(),
        c if c.is_control() => format!("a control character (U+{:04X})", c as u32),
        c => format!("a character that is not ASCII (U+{:04X})", c as u32),
    };
    Err(Error::usage(
        format!(
            "{name} holds {what} at byte {}; a GitHub token is letters, digits and `_` only",
            at + 1
        ),
        format!(
            "set {name} again from the token as GitHub showed it (a copy from a file or terminal can bring a line ending or escape code along): export {name}=\"$(printf %s \"${name}\" | tr -cd '[:graph:]')\""
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_base64_form_is_found_at_every_alignment() {
        let token = "ghp_AbCdEf0123456789xyz";
        let forms = forms_of(token);
        let b64 = base64::engine::general_purpose::STANDARD;
        for prefix in ["", "a", "ab", "alice:", "x-access-token:"] {
            let encoded = b64.encode(format!("{prefix}{token}"));
            assert!(
                forms[1..].iter().any(|f| encoded.contains(f.as_str())),
                "{prefix}: {encoded} holds none of {forms:?}"
            );
        }
        let url = base64::engine::general_purpose::URL_SAFE.encode(format!("u:{token}?"));
        assert!(forms.iter().any(|f| url.contains(f.as_str())));
    }

    #[test]
    fn a_remembered_secret_is_redacted_in_each_form() {
        remember("ghp_remembered_0123456789");
        let b64 = base64::engine::general_purpose::STANDARD.encode("bob:ghp_remembered_0123456789");
        let text = format!("raw ghp_remembered_0123456789, basic {b64}");
        let out = redact(&text);
        assert!(!out.contains("ghp_remembered"), "{out}");
        assert!(!out.contains(&b64[8..]), "{out}");
        let bytes = redact_bytes(text.as_bytes());
        assert_eq!(String::from_utf8(bytes).unwrap(), out);
        assert_eq!(redact("nothing secret"), "nothing secret");
    }

    #[test]
    fn a_token_with_a_control_character_is_refused_by_name_without_its_value() {
        assert!(check_token("GITHUB_TOKEN", "ghp_ok_123").is_ok());
        for bad in ["ghp_\u{1b}[2J", "ghp_x\r\nInjected: 1", "ghp x", "ghp_é"] {
            let err = check_token("GITHUB_TOKEN", bad).unwrap_err();
            let text = format!("{err} {:?}", err.help());
            assert!(text.contains("GITHUB_TOKEN"), "{text}");
            assert!(!text.contains("ghp_"), "{text}");
            assert_eq!(err.exit_code(), crate::error::exit::USAGE);
        }
    }
}
