//! A hop of `upgrade`, seen from both ends: what the world was when it
//! began (recorded before anything changed) and what it says it changed at
//! its end: the commits, the add-on and Flux versions before and after, the
//! nodes replaced, and the time it took.

use std::collections::BTreeMap;

use crate::error::Result;
use crate::kube::Cluster;
use crate::readiness::KubeVersion;
use crate::state::Hop;

/// The world before the hop to `to`.
pub(crate) async fn began(
    cluster: &Cluster,
    repo: &git2::Repository,
    to: KubeVersion,
    now: u64,
) -> Result<Hop> {
    Ok(Hop {
        started: now,
        head: crate::git::head_commit(repo)?.to_string(),
        releases: releases(cluster).await?,
        flux: crate::flux::installed_version(cluster).await?,
        old_nodes: crate::upgrade::nodes::older_nodes(cluster, to)
            .await?
            .into_iter()
            .map(|n| n.name)
            .collect(),
        finished: None,
    })
}

/// Each HelmRelease and the chart version it runs (as asked, while none
/// has run yet).
async fn releases(cluster: &Cluster) -> Result<BTreeMap<String, String>> {
    let Some(types) = crate::flux::types(cluster).await? else {
        return Ok(BTreeMap::new());
    };
    Ok(crate::flux::reported::helm_releases(cluster, &types)
        .await?
        .into_iter()
        .map(|r| {
            let version = r.running.unwrap_or(r.version);
            (format!("{}/{}", r.namespace, r.name), version)
        })
        .collect())
}

/// What the hop to `to` changed, now that it is over, in one line.
pub(crate) async fn summary(
    cluster: &Cluster,
    repo: &git2::Repository,
    hop: &Hop,
    to: KubeVersion,
    now: u64,
) -> Result<String> {
    let commits = match git2::Oid::from_str(&hop.head) {
        Ok(from) => crate::git::one_lines(repo, from, crate::git::head_commit(repo)?),
        Err(_) => Vec::new(),
    };
    let after = releases(cluster).await?;
    let flux = crate::flux::installed_version(cluster).await?;
    let present: Vec<String> = crate::upgrade::nodes::older_nodes(cluster, to)
        .await?
        .into_iter()
        .map(|n| n.name)
        .collect();
    Ok(describe(
        hop,
        to,
        now,
        &commits,
        &after,
        flux.as_deref(),
        &present,
    ))
}

/// The line itself, from what was read: pure, for its tests.
fn describe(
    hop: &Hop,
    to: KubeVersion,
    now: u64,
    commits: &[String],
    after: &BTreeMap<String, String>,
    flux: Option<&str>,
    still_old: &[String],
) -> String {
    let took = hop.finished.unwrap_or(now).saturating_sub(hop.started);
    let mut parts = vec![format!(
        "Kubernetes {to} in {}",
        humantime::format_duration(std::time::Duration::from_secs(took))
    )];
    parts.push(match commits.len() {
        0 => "no commits".into(),
        n => format!("{n} commit(s): {}", commits.join(", ")),
    });
    let moved: Vec<String> = after
        .iter()
        .filter_map(|(id, now)| {
            let was = hop.releases.get(id)?;
            (was != now).then(|| format!("{id} {was} → {now}"))
        })
        .collect();
    if !moved.is_empty() {
        parts.push(format!("add-ons: {}", moved.join(", ")));
    }
    if let (Some(was), Some(now)) = (hop.flux.as_deref(), flux)
        && was != now
    {
        parts.push(format!("Flux {was} → {now}"));
    }
    let replaced: Vec<&str> = hop
        .old_nodes
        .iter()
        .filter(|n| !still_old.contains(n))
        .map(String::as_str)
        .collect();
    if !replaced.is_empty() {
        parts.push(format!("nodes replaced: {}", replaced.join(", ")));
    }
    parts.join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_says_the_commits_what_moved_and_what_was_replaced() {
        let hop = Hop {
            started: 100,
            head: "abc".into(),
            releases: [
                ("flux-system/karpenter".to_string(), "1.5.0".to_string()),
                (
                    "flux-system/metrics-server".to_string(),
                    "3.12.1".to_string(),
                ),
            ]
            .into(),
            flux: Some("v2.6.0".into()),
            old_nodes: vec!["a".into(), "b".into()],
            finished: None,
        };
        let after: BTreeMap<String, String> = [
            ("flux-system/karpenter".to_string(), "1.6.0".to_string()),
            (
                "flux-system/metrics-server".to_string(),
                "3.12.1".to_string(),
            ),
        ]
        .into();
        let to = KubeVersion::parse("1.34").unwrap();
        let line = describe(
            &hop,
            to,
            292,
            &["1234567 Bump add-on charts for Kubernetes 1.34".into()],
            &after,
            Some("v2.9.5"),
            &["b".into()],
        );
        assert_eq!(
            line,
            "Kubernetes 1.34 in 3m 12s; 1 commit(s): 1234567 Bump add-on charts for Kubernetes 1.34; add-ons: flux-system/karpenter 1.5.0 → 1.6.0; Flux v2.6.0 → v2.9.5; nodes replaced: a"
        );
        let nothing = describe(&hop, to, 100, &[], &hop.releases, Some("v2.6.0"), &[]);
        assert_eq!(
            nothing,
            "Kubernetes 1.34 in 0s; no commits; nodes replaced: a, b"
        );
    }
}
