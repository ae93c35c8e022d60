//! `git push` in the clone that just works: the clone's local config names
//! eks-workshop itself as git's credential helper for the fork's host. On
//! `get` it answers the login and the token from the environment at that
//! moment (`GITHUB_TOKEN`, else `GH_TOKEN`); it answers nothing for any other
//! host, `store` and `erase` do nothing, and the token is written nowhere.
//! An empty helper entry before ours resets the list git inherits from the
//! participant's global config, so no other helper ever sees the answer.

use std::io::{BufRead, Write};
use std::path::Path;

use git2::{ConfigLevel, Repository};

use crate::error::{Error, Result};

/// The subcommand git runs (hidden from `--help`).
pub(crate) const SUBCOMMAND: &str = "git-credential";

/// What [`configure`] found or did.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Configured {
    Set,
    Already,
    /// The participant's own helper, left alone: the key and its value.
    TheirOwn(String, String),
}

/// `scheme://host[:port]` of a remote URL (the scope of the config key).
pub(crate) fn origin_of(url: &str) -> Option<(String, String)> {
    let uri: http::Uri = url.parse().ok()?;
    let scheme = uri.scheme_str()?.to_string();
    let authority = uri.authority()?.as_str();
    // Credentials in the URL are never ours to keep.
    let host = authority.rsplit('@').next()?.to_string();
    Some((scheme, host))
}

fn quote(path: &Path) -> String {
    format!("'{}'", path.display().to_string().replace('\'', r"'\''"))
}

/// The helper's config value: git runs it with `sh -c`.
pub(crate) fn helper_value(exe: &Path, host: &str, login: &str) -> String {
    format!(
        "!{} {SUBCOMMAND} --host {host} --username {login}",
        quote(exe)
    )
}

fn is_ours(value: &str) -> bool {
    value.contains(&format!(" {SUBCOMMAND} --host "))
}

/// What the clone's local config says about credential helpers.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Found {
    /// Ours, as [`configure`] would write it now.
    Current,
    /// Ours, but for another binary path, host or login; or none at all.
    Missing,
    /// The participant's own helper: the key and its value.
    TheirOwn(String, String),
}

fn key_for(url: &str) -> Result<(String, String)> {
    let Some((scheme, host)) = origin_of(url) else {
        return Err(Error::Git {
            action: "configure the credential helper".into(),
            message: format!("cannot read the host of {url}"),
        });
    };
    Ok((format!("credential.{scheme}://{host}.helper"), host))
}

fn local(repo: &Repository) -> Result<git2::Config> {
    repo.config()
        .and_then(|c| c.open_level(ConfigLevel::Local))
        .map_err(|e| Error::git("open the clone's config", &e))
}

/// Look, without writing: is the helper for `url` in place?
pub(crate) fn inspect(
    repo: &Repository,
    url: &str,
    login: Option<&str>,
    exe: &Path,
) -> Result<Found> {
    let (key, host) = key_for(url)?;
    let config = local(repo)?;
    let mut entries = config
        .entries(Some(r"credential\..*helper"))
        .map_err(|e| Error::git("read the clone's config", &e))?;
    let mut current = false;
    let mut reset = false;
    while let Some(entry) = entries.next() {
        let entry = entry.map_err(|e| Error::git("read the clone's config", &e))?;
        let name = entry.name().unwrap_or_default().to_string();
        let value = entry.value().unwrap_or_default().to_string();
        let our_key = name.eq_ignore_ascii_case(&key);
        if value.is_empty() && our_key {
            // The reset we write before ours: helpers inherited from the
            // global or system config are dropped for the fork's host.
            reset = true;
            continue;
        }
        if !is_ours(&value) {
            return Ok(Found::TheirOwn(name, value));
        }
        let same_login = login.is_none_or(|l| value == helper_value(exe, &host, l));
        let same_exe = value.starts_with(&format!("!{} ", quote(exe)));
        current |= our_key && reset && same_exe && same_login;
    }
    Ok(if current {
        Found::Current
    } else {
        Found::Missing
    })
}

/// Name eks-workshop (`exe`) as the credential helper for `url`'s host in the
/// clone's local config, once. A helper of the participant's in the local
/// config is left alone.
pub(crate) fn configure(
    repo: &Repository,
    url: &str,
    login: &str,
    exe: &Path,
) -> Result<Configured> {
    match inspect(repo, url, Some(login), exe)? {
        Found::Current => Ok(Configured::Already),
        Found::TheirOwn(k, v) => Ok(Configured::TheirOwn(k, v)),
        Found::Missing => {
            let (key, host) = key_for(url)?;
            let mut config = local(repo)?;
            let failed = |e: git2::Error| Error::git("set the credential helper", &e);
            match config.remove_multivar(&key, ".*") {
                Err(e) if e.code() != git2::ErrorCode::NotFound => return Err(failed(e)),
                _ => {}
            }
            // An empty helper first resets the list git has gathered so
            // far (a global `credential.helper store` would otherwise be
            // handed the token too, and write it to ~/.git-credentials).
            config.set_multivar(&key, "^$", "").map_err(failed)?;
            config
                .set_multivar(&key, "^!", &quoted(&helper_value(exe, &host, login)))
                .map_err(failed)?;
            Ok(Configured::Set)
        }
    }
}

/// libgit2 (1.9) writes a multivar's value into the file as given, without
/// the escaping its `set_str` does: quote it as git's config syntax wants,
/// so a `\` (from a path with a `'`), `;` or `#` reads back as written.
fn quoted(value: &str) -> String {
    format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""))
}

/// Git's request: `key=value` lines up to a blank one.
pub(crate) fn read_request(input: impl BufRead) -> Vec<(String, String)> {
    input
        .lines()
        .map_while(std::result::Result::ok)
        .take_while(|l| !l.is_empty())
        .filter_map(|l| {
            l.split_once('=')
                .map(|(k, v)| (k.to_string(), v.to_string()))
        })
        .collect()
}

/// The answer to `operation` for `request`: the login and token for `host`
/// on `get`, nothing otherwise. `Err` is what to tell the participant.
pub(crate) fn answer(
    operation: &str,
    request: &[(String, String)],
    host: &str,
    login: &str,
    token: Option<&str>,
) -> std::result::Result<Option<String>, String> {
    let field = |k: &str| {
        request
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
    };
    if operation != "get" || field("host") != Some(host) {
        return Ok(None);
    }
    if !matches!(field("protocol"), Some("https" | "http")) {
        return Ok(None);
    }
    let Some(token) = token.filter(|t| !t.is_empty()) else {
        return Err(format!(
            "eks-workshop: no GITHUB_TOKEN (or GH_TOKEN) in the environment for {host}; export it (a token that may push to the fork) and run git again"
        ));
    };
    // A line ending in the token would end git's answer early and start
    // another field of the credential protocol.
    if let Err(e) = crate::secrets::check_token("GITHUB_TOKEN", token) {
        let help = e.help().unwrap_or_default();
        return Err(format!("eks-workshop: {e}\nhelp: {help}"));
    }
    let username = field("username").unwrap_or(login);
    Ok(Some(format!("username={username}\npassword={token}\n")))
}

/// `eks-workshop git-credential OPERATION`, as git runs it.
pub(crate) fn run_helper(operation: &str, host: &str, login: &str) -> u8 {
    let request = read_request(std::io::stdin().lock());
    let token = crate::secrets::token_from_env();
    match answer(
        operation,
        &request,
        host,
        login,
        token.as_ref().map(|(_, t)| t.as_str()),
    ) {
        Ok(Some(text)) => {
            let mut out = std::io::stdout().lock();
            let _ = out.write_all(text.as_bytes());
            let _ = out.flush();
        }
        Ok(None) => {}
        Err(message) => eprintln!("{message}"),
    }
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(host: &str) -> Vec<(String, String)> {
        read_request(format!("protocol=https\nhost={host}\n\nignored=1\n").as_bytes())
    }

    #[test]
    fn answers_the_forks_host_only_and_only_on_get() {
        let r = request("github.com");
        let got = answer("get", &r, "github.com", "alice", Some("tok"));
        assert_eq!(got, Ok(Some("username=alice\npassword=tok\n".into())));
        assert_eq!(
            answer(
                "get",
                &request("gitlab.com"),
                "github.com",
                "alice",
                Some("tok")
            ),
            Ok(None)
        );
        assert_eq!(
            answer("store", &r, "github.com", "alice", Some("tok")),
            Ok(None)
        );
        assert_eq!(
            answer("erase", &r, "github.com", "alice", Some("tok")),
            Ok(None)
        );
        let err = answer("get", &r, "github.com", "alice", None).unwrap_err();
        assert!(err.contains("GITHUB_TOKEN"), "{err}");
    }

    #[test]
    fn the_host_keeps_its_port_and_drops_credentials() {
        assert_eq!(
            origin_of("http://u:p@127.0.0.1:8080/alice/r.git"),
            Some(("http".into(), "127.0.0.1:8080".into()))
        );
        assert_eq!(
            origin_of("https://github.com/alice/r.git"),
            Some(("https".into(), "github.com".into()))
        );
    }

    fn helpers(repo: &Repository, key: &str) -> Vec<String> {
        let config = repo
            .config()
            .unwrap()
            .open_level(ConfigLevel::Local)
            .unwrap();
        let mut values = Vec::new();
        let mut entries = config.multivar(key, None).unwrap();
        while let Some(e) = entries.next() {
            values.push(e.unwrap().value().unwrap_or_default().to_string());
        }
        values
    }

    #[test]
    fn a_helper_without_the_reset_before_it_is_written_again_with_it() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        let exe = Path::new("/usr/bin/eks-workshop");
        let url = "https://github.com/alice/r.git";
        let key = "credential.https://github.com.helper";
        let ours = helper_value(exe, "github.com", "alice");
        // What an older eks-workshop wrote: ours alone.
        repo.config().unwrap().set_str(key, &ours).unwrap();
        assert_eq!(
            inspect(&repo, url, Some("alice"), exe).unwrap(),
            Found::Missing
        );
        assert_eq!(
            configure(&repo, url, "alice", exe).unwrap(),
            Configured::Set
        );
        assert_eq!(helpers(&repo, key), ["".to_string(), ours]);
        assert_eq!(
            configure(&repo, url, "alice", exe).unwrap(),
            Configured::Already
        );
    }

    #[test]
    fn configures_once_and_leaves_their_own_helper_alone() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        let exe = Path::new("/opt/it's/eks-workshop");
        let url = "https://github.com/alice/r.git";
        assert_eq!(
            configure(&repo, url, "alice", exe).unwrap(),
            Configured::Set
        );
        assert_eq!(
            configure(&repo, url, "alice", exe).unwrap(),
            Configured::Already
        );
        let values = helpers(&repo, "credential.https://github.com.helper");
        assert_eq!(
            values,
            [
                "",
                r"!'/opt/it'\''s/eks-workshop' git-credential --host github.com --username alice"
            ]
        );
        // A moved binary: the value follows it.
        let moved = Path::new("/usr/bin/eks-workshop");
        assert_eq!(
            configure(&repo, url, "alice", moved).unwrap(),
            Configured::Set
        );
        let other = tempfile::tempdir().unwrap();
        let theirs = Repository::init(other.path()).unwrap();
        theirs
            .config()
            .unwrap()
            .set_str("credential.helper", "store")
            .unwrap();
        assert_eq!(
            configure(&theirs, url, "alice", exe).unwrap(),
            Configured::TheirOwn("credential.helper".into(), "store".into())
        );
    }
}
