//! Resolving the run's settings. Precedence: flags > environment (clap
//! reads the variables named in `--help`) > what the state file remembers
//! from an earlier run > a prompt > the default. Values files are read
//! here, so a bad one fails before any step.

use std::io::IsTerminal;
use std::path::PathBuf;

use super::{Config, DEFAULT_UPSTREAM, Output, RepoName, Secret, Settings};
use crate::error::{Error, Result};
use crate::values::Values;

/// The command line's global flags, as plain data (`cli.rs` fills it in
/// from clap's types; nothing else sees those).
#[derive(Clone, Debug)]
pub(crate) struct Flags {
    pub(crate) dir: PathBuf,
    pub(crate) yes: bool,
    pub(crate) output: Output,
    pub(crate) offline: bool,
    pub(crate) upstream: Option<String>,
    pub(crate) branch: Option<String>,
    pub(crate) github_user: Option<String>,
    pub(crate) github_api_url: Option<String>,
    pub(crate) region: Option<String>,
    pub(crate) values: Option<PathBuf>,
    pub(crate) no_migrate: bool,
    pub(crate) terraform_dir: Option<PathBuf>,
    pub(crate) terraform_state: Option<PathBuf>,
    pub(crate) kubeconfig: Option<PathBuf>,
    pub(crate) context: Option<String>,
    pub(crate) timeout: std::time::Duration,
    pub(crate) flux_manifests: Option<PathBuf>,
    pub(crate) flux_manifest_url: Option<String>,
    pub(crate) flux_manifest_sha256: Option<String>,
    pub(crate) force: bool,
}

/// The run's config from the flags and what an earlier run remembered.
pub(crate) fn resolve(global: &Flags, remembered: Option<&Settings>) -> Result<Config> {
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
        let path = absolute(f);
        // Refused now, not after the push when Flux is installed from it.
        read_manifests(&path)?;
        settings.flux_manifests = Some(path);
    }
    if let Some(url) = &global.flux_manifest_url {
        settings.flux_manifest_url = Some(check_url(url)?);
    }
    if let Some(sha) = &global.flux_manifest_sha256 {
        settings.flux_manifest_sha256 = Some(check_sha256(sha)?);
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
        let clone = super::clone_dir(&absolute(&global.dir), &settings.upstream);
        if let Some(found) = workshop_terraform_state(&clone)? {
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
    let from_env = crate::secrets::token_from_env();
    let token_var = from_env.as_ref().map_or("GITHUB_TOKEN", |(var, _)| *var);
    let token = from_env.map(|(_, t)| Secret::new(t));
    Ok(Config {
        // Absolute, so paths derived from it (the offline remote) compare
        // equal to what git records, whatever the current directory.
        dir: absolute(&global.dir),
        settings,
        token,
        token_var,
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
/// `~/environment/terraform.tfstate`; install.sh copied it into the clone
/// (where it is the fork's content: reached without following a link).
fn workshop_terraform_state(clone: &std::path::Path) -> Result<Option<std::path::PathBuf>> {
    let home = std::env::var_os("HOME").map(std::path::PathBuf::from);
    let copied = match crate::fsx::in_clone(clone, "terraform/clusters/terraform.tfstate") {
        Ok(path) => Some(path),
        Err(e @ Error::Symlink { .. }) => return Err(e),
        // Unreadable is as good as absent here, as before.
        Err(_) => None,
    };
    let places = [
        home.map(|h| h.join("environment").join("terraform.tfstate")),
        copied,
    ];
    Ok(places.into_iter().flatten().find(|p| p.is_file()))
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

/// The `--flux-manifests` file's text, read with a cap: a directory, a
/// device or a file too large is a usage error.
pub(crate) fn read_manifests(path: &std::path::Path) -> Result<String> {
    crate::fsx::read_text(path, crate::fsx::MANIFEST_CAP).map_err(|refused| match refused {
        crate::fsx::Refused::Io(e) => Error::io(path, "read", e),
        refused => Error::usage(
            format!("--flux-manifests {} {}", path.display(), refused.reason()),
            "pass --flux-manifests the file `flux install --export > flux.yaml` writes",
        ),
    })
}

/// `--flux-manifest-url`: an http(s) URL.
pub(crate) fn check_url(url: &str) -> Result<String> {
    match url.parse::<http::Uri>() {
        Ok(u) if matches!(u.scheme_str(), Some("https" | "http")) && u.host().is_some() => {
            Ok(url.to_string())
        }
        _ => Err(Error::usage(
            format!("--flux-manifest-url `{url}` is not an http(s) URL"),
            "give the http(s) URL of a Flux install.yaml you trust (a mirror of the release's)",
        )),
    }
}

/// `--flux-manifest-sha256`: 64 hex digits.
pub(crate) fn check_sha256(hex: &str) -> Result<String> {
    if hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(hex.to_ascii_lowercase())
    } else {
        Err(Error::usage(
            format!("--flux-manifest-sha256 `{hex}` is not a sha256 (64 hex digits)"),
            "give what `sha256sum install.yaml` prints for the file you trust",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flux_manifest_url_is_http_and_its_sha256_is_64_hex_digits() {
        assert!(check_url("ftp://x/y").is_err());
        assert!(check_url("install.yaml").is_err());
        assert!(check_url("https://example.com/install.yaml").is_ok());
        assert!(check_sha256("abc").is_err());
        assert_eq!(check_sha256(&"A".repeat(64)).unwrap(), "a".repeat(64));
        assert!(check_sha256(&"g".repeat(64)).is_err());
    }
}
