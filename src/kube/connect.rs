//! Connecting like kubectl: `--kubeconfig`, else every file in KUBECONFIG,
//! else `~/.kube/config`, else the in-cluster service account; `--context`,
//! else the current context.

use std::path::{Path, PathBuf};
use std::time::Duration;

use ::kube::config::{KubeConfigOptions, Kubeconfig};

use super::Cluster;
use crate::config::Settings;
use crate::error::{Error, Result};

const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// kube-rs sends no User-Agent; this names us in the API server's audit log.
const USER_AGENT: &str = concat!("eks-workshop/", env!("CARGO_PKG_VERSION"));
/// `what` of the [`Error::NotFound`] errors that `aws eks update-kubeconfig` can fix.
const KUBECONFIG: &str = "kubeconfig";
const CONTEXT: &str = "kubeconfig context";

pub(crate) async fn connect(settings: &Settings) -> Result<Cluster> {
    let (mut config, context) = match load(settings)? {
        Some((kc, whence)) => {
            let name = settings
                .context
                .clone()
                .or_else(|| kc.current_context.clone().filter(|c| !c.is_empty()));
            let Some(name) = name else {
                return Err(Error::NotFound {
                    what: CONTEXT,
                    name: format!("(no current context in {whence})"),
                    help: help(settings),
                });
            };
            if !kc.contexts.iter().any(|c| c.name == name) {
                let known: Vec<_> = kc.contexts.iter().map(|c| c.name.as_str()).collect();
                return Err(Error::NotFound {
                    what: CONTEXT,
                    name: format!("`{name}` (in {whence}; it has: {})", list(&known)),
                    help: help(settings),
                });
            }
            // Before any request: is this the cluster the values name?
            super::endpoint::compare(settings, &kc, &name)?;
            let options = KubeConfigOptions {
                context: Some(name.clone()),
                ..Default::default()
            };
            let kc = without_secrets(kc);
            let config = ::kube::Config::from_custom_kubeconfig(kc, &options)
                .await
                .map_err(|e| Error::Kube {
                    context: name.clone(),
                    message: format!("kubeconfig {whence}: {}", super::chain(&e)),
                    help: "fix the kubeconfig (`kubectl config view` shows what it holds)".into(),
                })?;
            (config, name)
        }
        None if settings.context.is_none()
            && std::env::var_os("KUBERNETES_SERVICE_HOST").is_some() =>
        {
            let config = ::kube::Config::incluster().map_err(|e| Error::Kube {
                context: "in-cluster".into(),
                message: super::chain(&e),
                help: "mount the service account token, or pass --kubeconfig".into(),
            })?;
            (config, "in-cluster".to_string())
        }
        None => {
            return Err(Error::NotFound {
                what: KUBECONFIG,
                name: "no KUBECONFIG, ~/.kube/config or --kubeconfig".into(),
                help: help(settings),
            });
        }
    };
    config.connect_timeout = Some(CONNECT_TIMEOUT);
    config.headers.push((
        http::header::USER_AGENT,
        http::HeaderValue::from_static(USER_AGENT),
    ));
    let server = config
        .cluster_url
        .to_string()
        .trim_end_matches('/')
        .to_string();
    // kube retries 429, 503 and 504 by itself (up to 15 times, sitting out
    // each Retry-After); a second client without that, for the calls whose
    // refusal is the answer (see `Cluster::client_once`).
    let mut once = config.clone();
    once.default_retry = false;
    let build = |config: ::kube::Config| {
        let layer = super::logged::LogLayer {
            server: server.clone(),
        };
        ::kube::client::ClientBuilder::try_from(config)
            .map(|builder| builder.with_layer(&layer).build())
            .map_err(|e| Error::Kube {
                context: context.clone(),
                message: format!("cannot make a client for {server}: {}", super::chain(&e)),
                help: String::new(),
            })
    };
    let (client, client_once) = (build(config)?, build(once)?);
    Ok(Cluster::new(
        client,
        client_once,
        context,
        server,
        settings.kubeconfig.clone(),
    ))
}

/// The kubeconfig with every credential plugin it names (an `exec` user such
/// as `aws eks get-token`, or a `cmd-path` auth provider) told to run without
/// our secrets' variables: the participant's plugin has no use for the
/// GitHub token, so it never gets it.
fn without_secrets(mut kc: Kubeconfig) -> Kubeconfig {
    let vars: Vec<String> = crate::secrets::VARS.iter().map(|v| v.to_string()).collect();
    for user in &mut kc.auth_infos {
        let Some(auth) = user.auth_info.as_mut() else {
            continue;
        };
        if let Some(exec) = auth.exec.as_mut() {
            let mut drop = exec.drop_env.take().unwrap_or_default();
            drop.extend(vars.iter().cloned());
            exec.drop_env = Some(drop);
        }
        if let Some(provider) = auth.auth_provider.as_mut() {
            let mut drop = provider.config.remove("cmd-drop-env").unwrap_or_default();
            for var in &vars {
                drop = format!("{drop} {var}");
            }
            provider
                .config
                .insert("cmd-drop-env".into(), drop.trim().to_string());
        }
    }
    kc
}

/// The merged kubeconfig and where it came from; `None` when there is none.
pub(super) fn load(settings: &Settings) -> Result<Option<(Kubeconfig, String)>> {
    if let Some(path) = &settings.kubeconfig {
        if !path.exists() {
            return Err(Error::NotFound {
                what: KUBECONFIG,
                name: path.display().to_string(),
                help: help(settings),
            });
        }
        return read(std::slice::from_ref(path)).map(|kc| Some((kc, path.display().to_string())));
    }
    if let Some(value) = std::env::var_os("KUBECONFIG").filter(|v| !v.is_empty()) {
        // Like kubectl: files in KUBECONFIG that do not exist are skipped.
        let paths: Vec<PathBuf> = std::env::split_paths(&value)
            .filter(|p| p.exists())
            .collect();
        if paths.is_empty() {
            return Err(Error::NotFound {
                what: KUBECONFIG,
                name: format!("KUBECONFIG={} (no such file)", value.to_string_lossy()),
                help: help(settings),
            });
        }
        let whence = format!("KUBECONFIG={}", value.to_string_lossy());
        return read(&paths).map(|kc| Some((kc, whence)));
    }
    let Some(home) = std::env::var_os("HOME").filter(|h| !h.is_empty()) else {
        return Ok(None);
    };
    let path = Path::new(&home).join(".kube").join("config");
    if !path.exists() {
        return Ok(None);
    }
    read(std::slice::from_ref(&path)).map(|kc| Some((kc, path.display().to_string())))
}

fn read(paths: &[PathBuf]) -> Result<Kubeconfig> {
    let mut merged = Kubeconfig::default();
    for path in paths {
        let bad = |e: &dyn std::error::Error| {
            Error::usage(
                format!(
                    "kubeconfig {} is unreadable: {}",
                    path.display(),
                    super::chain(e)
                ),
                "fix or replace the file (`kubectl config view` reads the same)",
            )
        };
        let kc = Kubeconfig::read_from(path).map_err(|e| bad(&e))?;
        merged = merged.merge(kc).map_err(|e| bad(&e))?;
    }
    Ok(merged)
}

fn list(names: &[&str]) -> String {
    if names.is_empty() {
        "no contexts".into()
    } else {
        names.join(", ")
    }
}

/// The cluster's name and region, as far as the settings know them.
fn eks_target(settings: &Settings) -> (Option<&str>, Option<&str>) {
    let cluster = settings.values.get("cluster_name");
    let region = settings
        .region
        .as_deref()
        .or_else(|| settings.values.get("aws_region"));
    (cluster, region)
}

/// What to do about a missing kubeconfig or context.
fn help(settings: &Settings) -> String {
    if which::which("aws").is_ok() {
        let (cluster, region) = eks_target(settings);
        return format!(
            "run `aws eks update-kubeconfig --name {} --region {}`, then run this again (or pass --kubeconfig and --context)",
            cluster.unwrap_or("<cluster_name>"),
            region.unwrap_or("<region>")
        );
    }
    "point --kubeconfig (or KUBECONFIG) at a kubeconfig for the cluster and --context at its context; the AWS CLI's `aws eks update-kubeconfig` writes one".into()
}

/// The arguments of the `aws eks update-kubeconfig` that fixes `err` (a
/// missing kubeconfig or context), when the aws CLI is there and the
/// settings name the cluster and region.
pub(crate) fn update_kubeconfig_args(settings: &Settings, err: &Error) -> Option<Vec<String>> {
    let fixable =
        matches!(err, Error::NotFound { what, .. } if *what == KUBECONFIG || *what == CONTEXT);
    if !fixable || which::which("aws").is_err() {
        return None;
    }
    let (Some(cluster), Some(region)) = eks_target(settings) else {
        return None;
    };
    let mut args = vec![
        "eks".to_string(),
        "update-kubeconfig".into(),
        "--name".into(),
        cluster.into(),
    ];
    args.extend(["--region".into(), region.into()]);
    if let Some(path) = &settings.kubeconfig {
        args.extend(["--kubeconfig".into(), path.display().to_string()]);
    }
    if let Some(alias) = &settings.context {
        args.extend(["--alias".into(), alias.clone()]);
    }
    Some(args)
}
