//! `verify`'s text report beside the scan's: the preflight and the cluster
//! half (Flux's objects, and whether the cluster runs the fork's head).

use crate::flux::cluster_report::ClusterReport;
use crate::flux::short_revision;
use crate::git::short;
use crate::readiness;
use crate::verdict::{Section, Severity};

/// The cluster half as a table of Flux's objects and a verdict line.
pub(super) fn cluster_text(c: &ClusterReport) -> String {
    let mut out = format!(
        "Cluster: context `{}` at {} (Kubernetes {})\n",
        c.context, c.server, c.server_version.git_version
    );
    if !c.flux_installed {
        out.push_str("✘ Flux is not installed (run `eks-workshop setup`)\n");
        return out;
    }
    let header = ["KIND", "NAMESPACE", "NAME", "REVISION", "READY", "MESSAGE"];
    let rows: Vec<Vec<String>> = c
        .rows
        .iter()
        .map(|r| {
            let ready = if r.suspended {
                "Suspended".to_string()
            } else {
                r.ready.clone()
            };
            vec![
                r.kind.to_string(),
                r.namespace.clone(),
                r.name.clone(),
                short_revision(&r.revision),
                ready,
                r.message.clone(),
            ]
        })
        .collect();
    for line in crate::table::lines(&header, &rows) {
        out.push_str(&line);
        out.push('\n');
    }
    for odd in &c.odd {
        out.push_str(&format!("! {odd}; judged without it\n"));
    }
    match (&c.remote_head, c.at_head()) {
        (Some(head), Some(true)) => out.push_str(&format!(
            "✔ the cluster is at {}@sha1:{}\n",
            c.branch,
            short(head)
        )),
        (Some(head), _) => {
            out.push_str(&format!(
                "✘ the cluster is behind {}@sha1:{}:\n",
                c.branch,
                short(head)
            ));
            for b in &c.behind {
                out.push_str(&format!("    {b}\n"));
            }
        }
        (None, _) => out.push_str(&format!(
            "- the fork's {} head is unknown; not compared\n",
            c.branch
        )),
    }
    out
}

/// The preflight's findings, as `verify` prints them.
pub(super) fn preflight_text(refused: &[readiness::Problem], offline: bool) -> String {
    let against = if offline {
        format!(
            "offline: the APIs of Flux {}, what eks-workshop installs",
            crate::flux::FLUX_VERSION
        )
    } else {
        "what the cluster serves".to_string()
    };
    if refused.is_empty() {
        return format!("preflight: everything Flux would apply is served ({against})\n");
    }
    let mut out = format!(
        "preflight: {} object(s) the cluster would refuse ({against}):\n",
        refused.len()
    );
    for p in refused {
        out.push_str(&format!("  {}:{}: {}\n", p.file, p.line, p.message));
    }
    out.push_str("  fix: `eks-workshop setup` migrates Flux APIs and quotes label values (one commit); `verify --fix` converts Kubernetes APIs\n");
    out
}

/// One check beyond the scan: a table of what it found (blocking first), or
/// the line saying why it was skipped.
pub(super) fn section_text(section: &Section) -> String {
    // Items quote the fork, the cluster and AWS (object names, servers'
    // messages): shown with their control characters escaped, as the
    // tables' cells are.
    let shown = crate::outside::printable;
    let name = section.name;
    if let Some(why) = &section.skipped {
        return format!("{} skipped: {}\n", title(name), shown(why));
    }
    if section.items.is_empty() {
        return format!("{}: nothing to check\n", title(name));
    }
    let mut out = format!("{}:\n", title(name));
    if let Some(table) = &section.table {
        let header: Vec<&str> = table.header.iter().map(String::as_str).collect();
        for line in crate::table::lines(&header, &table.rows) {
            out.push_str("  ");
            out.push_str(&line);
            out.push('\n');
        }
    }
    // Beside a table, the fine items are its rows already.
    let mut items: Vec<_> = section
        .items
        .iter()
        .filter(|i| section.table.is_none() || i.severity != Severity::Fine)
        .collect();
    items.sort_by_key(|i| i.severity);
    for i in items {
        let mark = match i.severity {
            Severity::Blocking => "✘ blocking",
            Severity::ToDo => "! to do",
            Severity::Fine => "✓ fine",
        };
        out.push_str(&format!(
            "  {mark}  {}: {}\n",
            shown(&i.subject),
            shown(&i.message)
        ));
        if !i.fix.is_empty() {
            out.push_str(&format!("      fix: {}\n", shown(&i.fix)));
        }
    }
    out
}

/// A section's name as a heading: `add-ons` → `Add-ons`, `aws` → `AWS
/// checks`, `github token` → `GitHub token`.
/// The report's last lines: what to read before upgrading.
pub(super) fn reading_text(
    target: crate::readiness::KubeVersion,
    reading: &[crate::readiness::reading::Reading],
) -> String {
    let mut out = format!("\nBefore upgrading to {target}, read:\n");
    for r in reading {
        out.push_str(&format!("  - {}: {}\n", r.title, r.url));
    }
    out
}

pub(super) fn title(name: &str) -> String {
    match name {
        "aws" => return "AWS checks".into(),
        "github token" => return "GitHub token".into(),
        _ => {}
    }
    let mut chars = name.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::flux::cluster_report::{FluxRow, ServerVersion};

    /// A cluster report with Flux installed, `rows`, and a head it is behind.
    pub(in crate::commands::verify) fn report(rows: Vec<FluxRow>) -> ClusterReport {
        ClusterReport {
            context: "c".into(),
            server: "https://x".into(),
            server_version: ServerVersion {
                major: 1,
                minor: 33,
                git_version: "v1.33.0".into(),
            },
            flux_installed: true,
            rows,
            branch: "main".into(),
            odd: Vec::new(),
            kustomizations: Vec::new(),
            remote_head: Some("0123456789abcdef".into()),
            behind: vec!["Kustomization flux-system/apps: at main@sha1:old".into()],
        }
    }

    #[test]
    fn the_cluster_half_is_a_table_and_a_verdict() {
        let row = |name: &str, ready: &str, message: &str| FluxRow {
            kind: "Kustomization",
            namespace: "flux-system".into(),
            name: name.into(),
            revision: "main@sha1:0123456789abcdef".into(),
            ready: ready.into(),
            suspended: false,
            message: message.into(),
            ok: ready == "True",
        };
        let text = cluster_text(&report(vec![
            row("flux-system", "True", "Applied revision"),
            row("apps", "False", "BuildFailed: boom"),
        ]));
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0],
            "Cluster: context `c` at https://x (Kubernetes v1.33.0)"
        );
        assert_eq!(
            lines[1],
            "KIND           NAMESPACE    NAME         REVISION            READY  MESSAGE"
        );
        assert_eq!(
            lines[3],
            "Kustomization  flux-system  apps         main@sha1:01234567  False  BuildFailed: boom"
        );
        assert_eq!(lines[4], "✘ the cluster is behind main@sha1:01234567:");
    }

    #[test]
    fn an_item_quoting_the_world_cannot_drive_the_terminal() {
        let item = crate::verdict::Item::new(
            Severity::ToDo,
            "Deployment default/web\u{1b}]0;owned\u{7} (a.yaml:1)",
            "runs one replica\u{1b}[2J",
        )
        .fix("add\u{1b}[31m replicas");
        let text = section_text(&Section::ran("disruption", vec![item]));
        assert!(
            !text.contains('\u{1b}') && !text.contains('\u{7}'),
            "{text:?}"
        );
        assert!(text.contains("Deployment default/web"), "{text}");
    }

    #[test]
    fn without_flux_it_says_so() {
        let mut r = report(Vec::new());
        r.flux_installed = false;
        assert!(cluster_text(&r).contains("✘ Flux is not installed"));
    }
}
