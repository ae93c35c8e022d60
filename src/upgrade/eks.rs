//! The EKS side of an upgrade: the control plane's version update, then the
//! managed add-ons' and node groups' updates, each started (or, when one is
//! already in progress, attached to) and waited for until EKS says it
//! succeeded or failed. Through the participant's `aws` CLI
//! ([`crate::aws_cli`]), like `verify`'s AWS checks.
//!
//! EKS runs one update of a thing at a time and refuses a second, so a run
//! that was stopped (Ctrl-C, a timeout, a lost terminal) finds its update
//! with `list-updates` and waits for it instead of starting another.

use std::time::{Duration, Instant};

use crate::aws_cli::{Aws, Failed, Reply};
use crate::error::{Error, Result};
use crate::kube::wait::Limits;
use crate::outside::one_line;
use crate::readiness::KubeVersion;

mod poll;
mod replies;

use poll::poll_start;

use replies::{default_version, json, kube_version, no_field, numbers, strings, update_status};

/// How many `aws` calls run at once (each is a CLI start-up).
const PARALLEL: usize = 8;

/// An EKS cluster the upgrade drives, through the `aws` CLI.
#[derive(Clone, Debug)]
pub(crate) struct Eks {
    aws: Aws,
    cluster: String,
    poll: Duration,
}

/// Where an update EKS runs stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum UpdateStatus {
    InProgress,
    Successful,
    /// Failed, or cancelled (the first error says so): what EKS said, one
    /// line per error.
    Failed {
        errors: Vec<String>,
    },
}

/// A managed add-on to move to the target's default version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct AddonMove {
    pub(crate) name: String,
    pub(crate) from: String,
    pub(crate) to: String,
}

/// What an update is of: `describe-update` and `list-updates` need the node
/// group's or add-on's name for their updates.
#[derive(Clone, Copy, Debug)]
enum Of<'a> {
    Cluster,
    Nodegroup(&'a str),
    Addon(&'a str),
}

impl<'a> Of<'a> {
    fn new(nodegroup: Option<&'a str>, addon: Option<&'a str>) -> Of<'a> {
        match (nodegroup, addon) {
            (Some(n), _) => Of::Nodegroup(n),
            (None, Some(a)) => Of::Addon(a),
            (None, None) => Of::Cluster,
        }
    }

    fn args(self) -> Vec<&'a str> {
        match self {
            Of::Cluster => vec![],
            Of::Nodegroup(n) => vec!["--nodegroup-name", n],
            Of::Addon(a) => vec!["--addon-name", a],
        }
    }
}

impl Eks {
    pub(crate) fn new(aws: Aws, cluster: &str) -> Eks {
        Eks {
            aws,
            cluster: cluster.to_string(),
            poll: poll_start(),
        }
    }

    /// The first wait between polls, instead of `EKS_WORKSHOP_POLL_MS`'s.
    #[cfg(test)]
    pub(crate) fn polling_from(mut self, start: Duration) -> Eks {
        self.poll = start;
        self
    }

    /// `describe-cluster`: the control plane's `major.minor`.
    pub(crate) fn version(&self) -> Result<String> {
        let args = ["eks", "describe-cluster", "--name", &self.cluster];
        let reply = self.aws.call(&args)?;
        Ok(kube_version(&reply, &json(&reply)?["cluster"]["version"])?.to_string())
    }

    /// An update of the cluster's version already in progress, to attach
    /// to instead of starting another.
    pub(crate) fn version_update_in_progress(&self) -> Result<Option<String>> {
        self.update_in_progress(Of::Cluster, "VersionUpdate")
    }

    /// `update-cluster-version --kubernetes-version to`: the update id.
    pub(crate) fn start_version_update(&self, to: &str) -> Result<String> {
        // The CLI's own `--version` shadows the API's `version` field.
        let args = ["eks", "update-cluster-version", "--name", &self.cluster];
        self.start(&[&args[..], &["--kubernetes-version", to]].concat())
    }

    /// Poll until EKS says the update succeeded (`Ok`), failed or was
    /// cancelled ([`Error::UpdateFailed`] with every error it gave), or
    /// the deadline passes ([`Error::Timeout`]). `progress` hears each poll
    /// that finds it still running, and each call that failed and is asked
    /// again: throttling or the network, not credentials or permissions.
    pub(crate) async fn wait_update(
        &self,
        id: &str,
        what: &str,
        nodegroup: Option<&str>,
        addon: Option<&str>,
        limits: &Limits,
        progress: &dyn Fn(&str),
    ) -> Result<()> {
        let of = Of::new(nodegroup, addon);
        let args: Vec<String> = self
            .describe_update(id, of)
            .iter()
            .map(|a| a.to_string())
            .collect();
        let started = Instant::now();
        let mut waits = crate::backoff::polling(self.poll);
        let timeout = |last: &str| Error::Timeout {
            what: what.to_string(),
            detail: format!("EKS update {id}: {last}"),
            after: limits.timeout,
        };
        let mut last = "not asked yet".to_string();
        loop {
            let aws = self.aws.clone();
            let args = args.clone();
            let call = tokio::task::spawn_blocking(move || {
                let args: Vec<&str> = args.iter().map(String::as_str).collect();
                aws.call(&args)
            });
            let Some(reply) = limits.within(call).await? else {
                return Err(timeout(&last));
            };
            let reply = match reply {
                Ok(reply) => reply?,
                Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
                // Only a runtime shutting down cancels it.
                Err(_) => return Err(Error::Interrupted),
            };
            let elapsed =
                humantime::format_duration(Duration::from_secs(started.elapsed().as_secs()));
            match &reply.result {
                Err(Failed::Other(m)) if !m.contains("AccessDenied") => {
                    last = format!("`{}` failed: {}", reply.call, one_line(m));
                    progress(&format!("{what}: {last}; asking again"));
                }
                _ => match update_status(&reply, &json(&reply)?)? {
                    UpdateStatus::Successful => return Ok(()),
                    UpdateStatus::Failed { errors } => {
                        return Err(Error::UpdateFailed {
                            what: what.to_string(),
                            errors,
                            help: format!(
                                "fix what EKS names (`{}` shows the update), then run the upgrade again",
                                reply.call
                            ),
                        });
                    }
                    UpdateStatus::InProgress => {
                        last = format!("in progress after {elapsed}");
                        progress(&format!("{what}: {last}"));
                    }
                },
            }
            let wait = waits.next().expect("polling never ends");
            if limits.within(tokio::time::sleep(wait)).await?.is_none() {
                return Err(timeout(&last));
            }
        }
    }

    /// Installed managed add-ons older than the version EKS installs by
    /// default at `to` (the one `describe-addon-versions` marks
    /// `defaultVersion` for it). One at or past the default stays: EKS does
    /// not move an add-on back, and `verify` judges whether it runs at
    /// `to`. So does one EKS names no default for.
    pub(crate) fn addon_moves(&self, to: &str) -> Result<Vec<AddonMove>> {
        let target = KubeVersion::parse(to)?.to_string();
        let c = self.cluster.as_str();
        let reply = self
            .aws
            .call(&["eks", "list-addons", "--cluster-name", c])?;
        let names = strings(&reply, &json(&reply)?["addons"])?;
        let calls: Vec<Vec<String>> = names
            .iter()
            .flat_map(|n| {
                [
                    owned(&[
                        "eks",
                        "describe-addon",
                        "--cluster-name",
                        c,
                        "--addon-name",
                        n,
                    ]),
                    owned(&[
                        "eks",
                        "describe-addon-versions",
                        "--kubernetes-version",
                        &target,
                        "--addon-name",
                        n,
                    ]),
                ]
            })
            .collect();
        let replies = self.many(&calls)?;
        let mut moves = Vec::new();
        for (name, pair) in names.iter().zip(replies.chunks(2)) {
            let [installed, offered] = pair else {
                unreachable!("two calls for each add-on")
            };
            let from = json(installed)?["addon"]["addonVersion"]
                .as_str()
                .map(str::to_string)
                .ok_or_else(|| no_field(installed, "addon.addonVersion"))?;
            let Some(to) = default_version(&json(offered)?, name, &target) else {
                continue;
            };
            if numbers(&from) < numbers(&to) {
                moves.push(AddonMove {
                    name: name.clone(),
                    from,
                    to,
                });
            }
        }
        Ok(moves)
    }

    /// An update of add-on `name` in progress, to attach to.
    pub(crate) fn addon_update_in_progress(&self, name: &str) -> Result<Option<String>> {
        self.update_in_progress(Of::Addon(name), "AddonUpdate")
    }

    /// `update-addon --addon-version v --resolve-conflicts PRESERVE` (the
    /// participant's own settings of the add-on stay): the update id.
    pub(crate) fn update_addon(&self, name: &str, version: &str) -> Result<String> {
        self.start(&[
            "eks",
            "update-addon",
            "--cluster-name",
            &self.cluster,
            "--addon-name",
            name,
            "--addon-version",
            version,
            "--resolve-conflicts",
            "PRESERVE",
        ])
    }

    /// Managed node groups whose Kubernetes version is older than `to`:
    /// (name, version).
    pub(crate) fn nodegroups_older(&self, to: &str) -> Result<Vec<(String, String)>> {
        let target = KubeVersion::parse(to)?;
        let c = self.cluster.as_str();
        let reply = self
            .aws
            .call(&["eks", "list-nodegroups", "--cluster-name", c])?;
        let names = strings(&reply, &json(&reply)?["nodegroups"])?;
        let calls: Vec<Vec<String>> = names
            .iter()
            .map(|n| {
                owned(&[
                    "eks",
                    "describe-nodegroup",
                    "--cluster-name",
                    c,
                    "--nodegroup-name",
                    n,
                ])
            })
            .collect();
        let mut older = Vec::new();
        for (name, reply) in names.into_iter().zip(self.many(&calls)?) {
            let version = kube_version(&reply, &json(&reply)?["nodegroup"]["version"])?;
            if version < target {
                older.push((name, version.to_string()));
            }
        }
        Ok(older)
    }

    /// A version update of node group `name` in progress, to attach to.
    pub(crate) fn nodegroup_update_in_progress(&self, name: &str) -> Result<Option<String>> {
        self.update_in_progress(Of::Nodegroup(name), "VersionUpdate")
    }

    /// `update-nodegroup-version --nodegroup-name n --kubernetes-version to`:
    /// the update id.
    pub(crate) fn update_nodegroup(&self, name: &str, to: &str) -> Result<String> {
        self.start(&[
            "eks",
            "update-nodegroup-version",
            "--cluster-name",
            &self.cluster,
            "--nodegroup-name",
            name,
            "--kubernetes-version",
            to,
        ])
    }

    /// `list-updates`, then `describe-update` of each (EKS keeps every
    /// update it ran): the one of `kind` still in progress.
    fn update_in_progress(&self, of: Of<'_>, kind: &str) -> Result<Option<String>> {
        let list = [
            &["eks", "list-updates", "--name", &self.cluster][..],
            &of.args(),
        ]
        .concat();
        let reply = self.aws.call(&list)?;
        let ids = strings(&reply, &json(&reply)?["updateIds"])?;
        let calls: Vec<Vec<String>> = ids
            .iter()
            .map(|id| owned(&self.describe_update(id, of)))
            .collect();
        for (id, reply) in ids.into_iter().zip(self.many(&calls)?) {
            let update = &json(&reply)?["update"];
            if update["type"] == kind && update["status"] == "InProgress" {
                return Ok(Some(id));
            }
        }
        Ok(None)
    }

    fn describe_update<'a>(&'a self, id: &'a str, of: Of<'a>) -> Vec<&'a str> {
        let args = [
            "eks",
            "describe-update",
            "--name",
            &self.cluster,
            "--update-id",
            id,
        ];
        [&args[..], &of.args()].concat()
    }

    /// An `update-*` call: the id of the update it started.
    fn start(&self, args: &[&str]) -> Result<String> {
        let reply = self.aws.call(args)?;
        json(&reply)?["update"]["id"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| no_field(&reply, "update.id"))
    }

    /// `calls`, [`PARALLEL`] at a time, replies in the order asked.
    fn many(&self, calls: &[Vec<String>]) -> Result<Vec<Reply>> {
        let mut replies = Vec::with_capacity(calls.len());
        for chunk in calls.chunks(PARALLEL) {
            replies.extend(self.aws.calls(chunk)?);
        }
        Ok(replies)
    }
}

fn owned(args: &[&str]) -> Vec<String> {
    args.iter().map(|a| a.to_string()).collect()
}

#[cfg(test)]
#[path = "eks_tests.rs"]
mod tests;
