//! Helm's release storage: the Secrets (type `helm.sh/release.v1`, labels
//! `owner=helm`, `name`, `version`, `status`) Helm keeps each revision of a
//! release in, and replacing one's stored value in place.

use std::collections::BTreeMap;

use ::kube::api::{Api, ListParams, PostParams};
use k8s_openapi::ByteString;
use k8s_openapi::api::core::v1::Secret;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::error::Result;
use crate::kube::Cluster;

/// Helm's own driver selects by this label alone.
const SELECTOR: &str = "owner=helm";
const TYPE: &str = "helm.sh/release.v1";
/// The key of the stored release in the Secret's data.
const KEY: &str = "release";

/// The revision of one release that its next `helm upgrade` starts from.
#[derive(Debug, Clone)]
pub(crate) struct Stored {
    pub(crate) namespace: String,
    /// `sh.helm.release.v1.<name>.v<revision>`
    pub(crate) secret_name: String,
    /// The `name` label: the release's name.
    pub(crate) release: String,
    pub(crate) revision: u64,
    /// Helm's value (base64 of gzip of JSON), the API's base64 undone.
    pub(crate) value: Vec<u8>,
    /// The Secret as read, resourceVersion included.
    pub(crate) secret: Secret,
}

/// What listing the release Secrets gave.
pub(crate) enum Listing {
    Found(Vec<Stored>),
    /// Not allowed; what was refused.
    Forbidden(String),
}

/// For each release in the cluster, the revision Helm's next upgrade builds
/// the current objects from: the newest one `deployed`, else the newest
/// (Helm falls back to it when none is deployed). Sorted by namespace and name.
pub(crate) async fn current_releases(cluster: &Cluster) -> Result<Listing> {
    let all: Api<Secret> = Api::all(cluster.client.clone());
    let params = ListParams::default().labels(SELECTOR);
    let listed = match crate::kube::retry::idempotent(|| all.list_metadata(&params)).await {
        Ok(list) => list.items,
        Err(::kube::Error::Api(s)) if s.code == 403 => {
            return Ok(Listing::Forbidden(
                "list Secrets in all namespaces (where Helm stores its releases)".into(),
            ));
        }
        Err(e) => return Err(cluster.error("list Helm's release Secrets", e)),
    };
    let chosen = choose(listed.into_iter().map(|m| m.metadata));
    let mut out = Vec::new();
    for ((namespace, release), (_, revision, secret_name)) in chosen {
        let api: Api<Secret> = Api::namespaced(cluster.client.clone(), &namespace);
        let secret = match crate::kube::retry::idempotent(|| api.get_opt(&secret_name)).await {
            Ok(Some(secret)) if secret.type_.as_deref() == Some(TYPE) => secret,
            // Labelled `owner=helm` but not a release (or gone since the list:
            // a newer revision replaced it, or an uninstall).
            Ok(_) => continue,
            Err(::kube::Error::Api(s)) if s.code == 403 => {
                return Ok(Listing::Forbidden(format!(
                    "get Secrets in namespace {namespace}"
                )));
            }
            Err(e) => {
                return Err(cluster.error(&format!("read Secret {namespace}/{secret_name}"), e));
            }
        };
        let value = secret
            .data
            .as_ref()
            .and_then(|d| d.get(KEY))
            .map(|b| b.0.clone())
            .unwrap_or_default();
        out.push(Stored {
            namespace,
            secret_name,
            release,
            revision,
            value,
            secret,
        });
    }
    Ok(Listing::Found(out))
}

/// (namespace, release) → (is deployed, revision, Secret name) of the
/// revision to read: the newest deployed, else the newest.
type Chosen = BTreeMap<(String, String), (bool, u64, String)>;

fn choose(listed: impl IntoIterator<Item = ObjectMeta>) -> Chosen {
    let mut chosen = Chosen::new();
    for meta in listed {
        let labels = meta.labels.unwrap_or_default();
        let (Some(namespace), Some(name), Some(release)) =
            (meta.namespace, meta.name, labels.get("name"))
        else {
            continue;
        };
        let revision = labels
            .get("version")
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0);
        let deployed = labels.get("status").is_some_and(|s| s == "deployed");
        let candidate = (deployed, revision, name);
        let slot = chosen.entry((namespace, release.clone())).or_default();
        if candidate > *slot {
            *slot = candidate;
        }
    }
    chosen
}

/// What replacing a stored release did.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Replaced {
    Done,
    /// The Secret changed since it was read (Helm wrote it meanwhile);
    /// nothing was written.
    Conflict,
}

/// Replace `stored`'s value with `value`, only if the Secret is still the
/// one read (its resourceVersion goes with the update), and set the
/// `modifiedAt` label as Helm does when it updates a release.
pub(crate) async fn replace_release(
    cluster: &Cluster,
    stored: &Stored,
    value: Vec<u8>,
    now_unix: u64,
) -> Result<Replaced> {
    let mut secret = stored.secret.clone();
    secret
        .data
        .get_or_insert_with(BTreeMap::new)
        .insert(KEY.to_string(), ByteString(value));
    secret
        .metadata
        .labels
        .get_or_insert_with(BTreeMap::new)
        .insert("modifiedAt".into(), now_unix.to_string());
    secret.metadata.managed_fields = None;
    let api: Api<Secret> = Api::namespaced(cluster.client.clone(), &stored.namespace);
    let params = PostParams {
        field_manager: Some(crate::kube::FIELD_MANAGER.into()),
        ..PostParams::default()
    };
    // Not retried: after a dropped connection the write may have happened,
    // and a retry would only meet a conflict.
    match api.replace(&stored.secret_name, &params, &secret).await {
        Ok(_) => Ok(Replaced::Done),
        Err(::kube::Error::Api(s)) if s.code == 409 => Ok(Replaced::Conflict),
        Err(e) => Err(cluster.error(
            &format!(
                "replace Secret {}/{} (Helm release {})",
                stored.namespace, stored.secret_name, stored.release
            ),
            e,
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(ns: &str, release: &str, version: &str, status: &str) -> ObjectMeta {
        let labels = [
            ("owner", "helm"),
            ("name", release),
            ("version", version),
            ("status", status),
        ];
        ObjectMeta {
            namespace: Some(ns.into()),
            name: Some(format!("sh.helm.release.v1.{release}.v{version}")),
            labels: Some(
                labels
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
            ),
            ..ObjectMeta::default()
        }
    }

    #[test]
    fn the_newest_deployed_revision_else_the_newest() {
        let chosen = choose([
            meta("a", "web", "1", "superseded"),
            meta("a", "web", "2", "deployed"),
            meta("a", "web", "3", "failed"),
            meta("b", "web", "1", "failed"),
            meta("b", "web", "2", "failed"),
            meta("b", "db", "10", "superseded"),
            meta("b", "db", "9", "superseded"),
            ObjectMeta::default(),
        ]);
        let got: Vec<_> = chosen
            .iter()
            .map(|((ns, r), (_, v, name))| (ns.as_str(), r.as_str(), *v, name.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("a", "web", 2, "sh.helm.release.v1.web.v2"),
                ("b", "db", 10, "sh.helm.release.v1.db.v10"),
                ("b", "web", 2, "sh.helm.release.v1.web.v2"),
            ]
        );
    }
}
