//! `verify`, cluster half: Flux's objects as `flux get` shows them, whether
//! the cluster is at the fork's branch head, the server's version (for the
//! default upgrade target), and live objects for the deprecated-API scan.

use ::kube::api::{Api, ApiResource, GroupVersionKind, ListParams};
use k8s_openapi::apimachinery::pkg::version::Info;
use serde::Serialize;
use serde_json::{Value, json};

use super::synced::{self, Goal, Observed};
use crate::error::{Error, Result};
use crate::flux::{self, Kind};
use crate::kube::Cluster;
use crate::kube::wait::{KStatus, describe, kstatus, ready_condition};
use crate::readiness::LIVE_KINDS;

/// One Flux object, as a row of `flux get`.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct FluxRow {
    pub(crate) kind: &'static str,
    pub(crate) namespace: String,
    pub(crate) name: String,
    pub(crate) revision: String,
    /// The Ready condition's status: True, False or Unknown.
    pub(crate) ready: String,
    pub(crate) suspended: bool,
    pub(crate) message: String,
    /// kstatus says Current (Ready for its generation, not suspended).
    pub(crate) ok: bool,
}

/// The Kubernetes version the API server serves.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub(crate) struct ServerVersion {
    pub(crate) major: u32,
    pub(crate) minor: u32,
    /// The binary's version, for display: `v1.36.3` even when it emulates 1.33.
    pub(crate) git_version: String,
}

impl ServerVersion {
    /// `1.33`
    pub(crate) fn minor_version(&self) -> String {
        format!("{}.{}", self.major, self.minor)
    }

    /// From `/version`. A kube-apiserver started with `--emulated-version`
    /// serves that version's APIs and says so in `emulationMajor` and
    /// `emulationMinor`, while `major`, `minor` and `gitVersion` name the
    /// binary; EKS reports no emulation (and minors like `33+`).
    /// `Err` holds the unreadable version.
    fn from_info(info: Info) -> std::result::Result<ServerVersion, String> {
        let number = |s: &str| s.trim_end_matches('+').parse::<u32>().ok();
        let (major, minor) = match (info.emulation_major, info.emulation_minor) {
            (Some(major), Some(minor)) if !major.is_empty() && !minor.is_empty() => (major, minor),
            _ => (info.major, info.minor),
        };
        match (number(&major), number(&minor)) {
            (Some(major), Some(minor)) => Ok(ServerVersion {
                major,
                minor,
                git_version: info.git_version,
            }),
            _ => Err(format!("{major}.{minor}")),
        }
    }
}

/// The cluster half of `verify`.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct ClusterReport {
    pub(crate) context: String,
    pub(crate) server: String,
    pub(crate) server_version: ServerVersion,
    pub(crate) flux_installed: bool,
    pub(crate) rows: Vec<FluxRow>,
    pub(crate) branch: String,
    /// The fork's branch head, when the fork is known and reachable.
    pub(crate) remote_head: Option<String>,
    /// Objects not yet at the remote head ("Kind ns/name: why"); empty when at head.
    pub(crate) behind: Vec<String>,
    /// Fields of an unexpected type ("Kind ns/name: field is a T, expected a U"):
    /// those objects are judged without them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) odd: Vec<String>,
    /// The Kustomizations as read, for what their inventories say.
    #[serde(skip)]
    pub(crate) kustomizations: Vec<Value>,
}

impl ClusterReport {
    /// Whether the cluster has applied the remote head (`None`: head unknown).
    pub(crate) fn at_head(&self) -> Option<bool> {
        self.remote_head
            .as_ref()
            .map(|_| self.flux_installed && self.behind.is_empty())
    }

    /// Not-ready or suspended objects, plus one for being behind the head
    /// (or for Flux missing).
    pub(crate) fn problems(&self) -> usize {
        let not_ready = self.rows.iter().filter(|r| !r.ok).count();
        let flux = usize::from(!self.flux_installed);
        not_ready + flux + usize::from(self.at_head() == Some(false) && self.flux_installed)
    }

    pub(crate) fn to_json(&self) -> Value {
        let mut v = serde_json::to_value(self).unwrap_or_default();
        v["at_head"] = json!(self.at_head());
        v["problems"] = json!(self.problems());
        v
    }
}

/// `/version`: the version the cluster serves, e.g. 1.33.
pub(crate) async fn server_version(cluster: &Cluster) -> Result<ServerVersion> {
    let info = cluster
        .client
        .apiserver_version()
        .await
        .map_err(|e| cluster.error("read the server version", e))?;
    ServerVersion::from_info(info).map_err(|version| Error::Kube {
        context: cluster.context.clone(),
        message: format!("the server reports an unreadable version {version}"),
        help: "pass --target-version".into(),
    })
}

/// Every object of `ar` in every namespace, with apiVersion and kind set;
/// `None` when the cluster does not serve it or we may not list it.
async fn list_all(cluster: &Cluster, ar: &ApiResource) -> Result<Option<Vec<Value>>> {
    Ok(match list_served(cluster, ar).await? {
        Listing::Found(all) => Some(all),
        Listing::NotServed | Listing::Forbidden => None,
    })
}

/// What listing one kind at one version gave.
enum Listing {
    Found(Vec<Value>),
    /// 404: the cluster does not serve this version.
    NotServed,
    /// 403: we may not list it.
    Forbidden,
}

async fn list_served(cluster: &Cluster, ar: &ApiResource) -> Result<Listing> {
    let api: Api<crate::kube::loose::Loose> = Api::all_with(cluster.client.clone(), ar);
    let params = ListParams::default();
    match crate::kube::retry::idempotent(|| api.list(&params)).await {
        Ok(list) => Ok(Listing::Found(
            list.items
                .into_iter()
                .map(|o| {
                    let mut v = o.value;
                    v["apiVersion"] = json!(ar.api_version);
                    v["kind"] = json!(ar.kind);
                    v
                })
                .collect(),
        )),
        Err(::kube::Error::Api(s)) if s.code == 404 => Ok(Listing::NotServed),
        Err(::kube::Error::Api(s)) if s.code == 403 => Ok(Listing::Forbidden),
        Err(e) => Err(cluster.error(&format!("list {}", ar.plural), e)),
    }
}

fn row(kind: Kind, obj: &Value) -> FluxRow {
    let text = |p: &str| {
        obj.pointer(p)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let revision = match kind.kind {
        "GitRepository" => text("/status/artifact/revision"),
        "Kustomization" => text("/status/lastAppliedRevision"),
        _ => [
            text("/status/lastAppliedRevision"),
            text("/status/history/0/chartVersion"),
            text("/status/lastAttemptedRevision"),
        ]
        .into_iter()
        .find(|s| !s.is_empty())
        .unwrap_or_default(),
    };
    let ready = ready_condition(obj);
    let status = kstatus(obj);
    FluxRow {
        kind: kind.kind,
        namespace: text("/metadata/namespace"),
        name: text("/metadata/name"),
        revision,
        ready: ready
            .and_then(|c| c.get("status"))
            .and_then(Value::as_str)
            .unwrap_or("Unknown")
            .to_string(),
        suspended: status == KStatus::Suspended,
        message: ready.map(describe).unwrap_or_default(),
        ok: matches!(status, KStatus::Current(_)),
    }
}

/// Flux's objects and whether the cluster is at the fork's `branch` head.
/// `fork_url`/`auth`: the fork and its credentials (`None` skips the comparison).
pub(crate) async fn cluster_report(
    cluster: &Cluster,
    branch: &str,
    remote_head: Option<String>,
) -> Result<ClusterReport> {
    let server_version = server_version(cluster).await?;
    let mut report = ClusterReport {
        context: cluster.context.clone(),
        server: cluster.server.clone(),
        server_version,
        flux_installed: false,
        rows: Vec::new(),
        branch: branch.to_string(),
        remote_head: None,
        behind: Vec::new(),
        odd: Vec::new(),
        kustomizations: Vec::new(),
    };
    let Some(types) = flux::types(cluster).await? else {
        return Ok(report);
    };
    report.flux_installed = true;
    let mut observed = Observed::default();
    for (kind, ar) in [
        (flux::GIT_REPOSITORY, &types.git_repository),
        (flux::KUSTOMIZATION, &types.kustomization),
        (flux::HELM_RELEASE, &types.helm_release),
    ] {
        let objects = match list_all(cluster, ar).await? {
            Some(all) => all,
            None => super::observe::observe_namespace(cluster, ar).await?,
        };
        report.rows.extend(objects.iter().map(|o| row(kind, o)));
        report
            .odd
            .extend(objects.iter().flat_map(crate::kube::loose::odd_fields));
        match kind.kind {
            "GitRepository" => {
                observed.git_repository = objects.into_iter().find(|o| {
                    o["metadata"]["namespace"] == flux::NAMESPACE
                        && o["metadata"]["name"] == flux::NAME
                })
            }
            "Kustomization" => {
                report.kustomizations = objects.clone();
                observed.kustomizations = objects;
            }
            _ => {}
        }
    }
    report.remote_head = remote_head;
    if let Some(head) = &report.remote_head {
        let goal = Goal {
            branch: branch.to_string(),
            commit: head.clone(),
        };
        report.behind = behind(&observed, &goal);
    }
    Ok(report)
}

/// Objects whose revision is not the goal's ("Kind ns/name: at REV"):
/// our GitRepository and the Kustomizations syncing from it. Readiness is
/// the rows' business; this is only about the revision.
fn behind(observed: &Observed, goal: &Goal) -> Vec<String> {
    let text = |o: &Value, p: &str| {
        o.pointer(p)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let mut candidates = Vec::new();
    match &observed.git_repository {
        Some(g) => candidates.push(("GitRepository", g, text(g, "/status/artifact/revision"))),
        None => {
            return vec![format!(
                "GitRepository {}/{}: does not exist",
                flux::NAMESPACE,
                flux::NAME
            )];
        }
    }
    for ks in observed
        .kustomizations
        .iter()
        .filter(|k| synced::from_our_source(k))
    {
        candidates.push(("Kustomization", ks, text(ks, "/status/lastAppliedRevision")));
    }
    candidates
        .into_iter()
        .filter(|(_, _, revision)| !goal.matches(revision))
        .map(|(kind, o, revision)| {
            let at = if revision.is_empty() {
                "no revision yet".to_string()
            } else {
                format!("at {}", flux::short_revision(&revision))
            };
            format!(
                "{kind} {}/{}: {at}",
                text(o, "/metadata/namespace"),
                text(o, "/metadata/name")
            )
        })
        .collect()
}

/// Live objects for [`crate::readiness::scan_live`]: every object of the
/// kinds it reads ([`LIVE_KINDS`]), each kind at the first of its versions
/// the cluster serves (one it serves at none has nothing to scan), as JSON
/// with its annotations, which hold the manifest `kubectl apply` last sent.
/// Kinds we may not list are skipped and named in the second list.
pub(crate) async fn live_objects(cluster: &Cluster) -> Result<(Vec<Value>, Vec<String>)> {
    let mut objects = Vec::new();
    let mut skipped = Vec::new();
    for live in LIVE_KINDS {
        for version in live.versions {
            let gvk = GroupVersionKind::gvk(live.group, version, live.kind);
            let ar = ApiResource::from_gvk_with_plural(&gvk, live.plural);
            match list_served(cluster, &ar).await? {
                Listing::Found(found) => objects.extend(found),
                Listing::NotServed => continue,
                Listing::Forbidden => skipped.push(format!("{}.{}", live.plural, live.group)),
            }
            break;
        }
    }
    Ok((objects, skipped))
}

#[cfg(test)]
#[path = "cluster_report_tests.rs"]
mod tests;
