//! `verify`: before an upgrade, find APIs the target Kubernetes version removes
//! (in the repo, and in the cluster when there is one), check the repo itself,
//! and show whether Flux runs the pushed commit. `--fix` converts what
//! converts mechanically, commits "Convert deprecated APIs" and pushes.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use serde_json::json;

use super::load_required;
use crate::cli::Global;
use crate::config::{CLUSTER_PATH, Output};
use crate::engine::{self, Ctx};
use crate::error::{Error, Result, exit};
use crate::kube::verify::ClusterReport;
use crate::scan::{self, KubeVersion};
use crate::state::{self, LastCommand};
use crate::steps::Step;
use crate::ui::Ui;
use crate::{fsx, git};

pub(crate) const FIX_MESSAGE: &str = "Convert deprecated APIs";

pub(crate) async fn verify(
    global: &Global,
    target: Option<String>,
    fix: bool,
    strict: bool,
    interrupted: Arc<AtomicBool>,
) -> Result<u8> {
    let state = load_required(global, "verify")?;
    let config = crate::run::config(global, Some(&state.settings))?;
    let ui = Ui::new(config.output, config.yes, config.tty);
    let mut ctx = Ctx::new(config, state, ui, interrupted);
    let target = target_version(&mut ctx, target.as_deref()).await?;
    if fix {
        self::fix(&mut ctx, target).await?;
    }
    let clone = ctx.config.clone_dir();
    let mut report = scan::scan_repo(&clone, target, CLUSTER_PATH)?;
    let cluster = if ctx.offline() {
        None
    } else {
        Some(cluster_half(&mut ctx, &mut report, target).await?)
    };
    // What Flux would apply from the clone, against what the cluster serves
    // (offline: the Flux eks-workshop installs), as the push's preflight.
    let refused = crate::steps::preflight::problems(&mut ctx, &clone).await?;
    // Every problem the exit status counts, listed (the count is their number).
    let mut listed = report.failing_problems(strict);
    listed.extend(refused.iter().cloned());
    listed.extend(cluster.as_ref().map(cluster_problems).unwrap_or_default());
    let problems = listed.len();
    match ctx.config.output {
        Output::Json => {
            let mut out: serde_json::Value =
                serde_json::from_str(&report.to_json()).expect("report JSON");
            out["cluster"] = cluster
                .as_ref()
                .map_or(serde_json::Value::Null, |c| c.to_json());
            out["preflight"] = json!(refused);
            out["problems"] = json!(listed);
            out["problems_total"] = json!(problems);
            println!("{out}");
        }
        Output::Text => {
            print!("{}", report.render_text(console::colors_enabled()));
            print!("{}", preflight_text(&refused, ctx.offline()));
            match &cluster {
                Some(c) => print!("{}", c.render_text()),
                None => println!("cluster: not checked (offline)"),
            }
        }
    }
    if problems > 0 {
        return Err(Error::VerifyFailed { count: problems });
    }
    Ok(exit::OK)
}

/// The preflight's findings, as `verify` prints them.
fn preflight_text(refused: &[scan::Problem], offline: bool) -> String {
    let against = if offline {
        format!(
            "offline: the APIs of Flux {}, what eks-workshop installs",
            crate::kube::FLUX_VERSION
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

/// The problems [`ClusterReport::problems`] counts, one per line of JSON:
/// each object not ready or suspended, Flux missing, or the cluster behind
/// the fork's head.
fn cluster_problems(c: &ClusterReport) -> Vec<scan::Problem> {
    let problem = |message: String| scan::Problem {
        file: String::new(),
        line: 0,
        message,
    };
    let mut out: Vec<scan::Problem> = c
        .rows
        .iter()
        .filter(|r| !r.ok)
        .map(|r| {
            let state = if r.suspended {
                "suspended"
            } else {
                "not ready"
            };
            problem(format!(
                "{} {}/{} is {state}: {}",
                r.kind, r.namespace, r.name, r.message
            ))
        })
        .collect();
    if !c.flux_installed {
        out.push(problem(
            "Flux is not installed (run `eks-workshop setup`)".into(),
        ));
    } else if c.at_head() == Some(false) {
        out.push(problem(format!(
            "the cluster has not applied the head of `{}`: {}",
            c.branch,
            c.behind.join("; ")
        )));
    }
    out
}

/// Live objects into the scan, and Flux's state against the fork's branch head.
async fn cluster_half(
    ctx: &mut Ctx,
    report: &mut scan::Report,
    target: KubeVersion,
) -> Result<ClusterReport> {
    let cluster = crate::kube::cluster(ctx).await?;
    let (live, skipped) = crate::kube::verify::live_objects(&cluster).await?;
    if !skipped.is_empty() {
        ctx.ui.warn(&format!(
            "not allowed to list, so not scanned: {}",
            skipped.join(", ")
        ));
    }
    report.findings.extend(scan::scan_live(&live, target));
    let pair = ctx.git_auth().await?;
    let fork_url = crate::steps::remote_url(ctx);
    let branch = ctx.config.settings.branch.clone();
    crate::kube::verify::cluster_report(
        &cluster,
        fork_url.as_deref(),
        &branch,
        crate::engine::auth(&pair),
    )
    .await
}

/// `--target-version`, else the cluster's version + 1 minor; offline it must be given.
async fn target_version(ctx: &mut Ctx, flag: Option<&str>) -> Result<KubeVersion> {
    if let Some(v) = flag {
        return KubeVersion::parse(v);
    }
    if ctx.offline() {
        return Err(Error::usage(
            "offline, verify needs a target version",
            "pass --target-version, e.g. --target-version 1.27",
        ));
    }
    let cluster = crate::kube::cluster(ctx).await?;
    let current = crate::kube::verify::server_version(&cluster).await?;
    Ok(KubeVersion::parse(&current.minor_version())?.next_minor())
}

/// Convert deprecated APIs in what HEAD holds, commit exactly those files, and
/// push. Derived from HEAD (like the push step), so a re-run after a crash
/// finds the conversion committed and makes no second commit.
async fn fix(ctx: &mut Ctx, target: KubeVersion) -> Result<()> {
    let work_dir = ctx.config.work_dir();
    let _lock = state::lock(&ctx.config.dir, &work_dir)?;
    let clone = ctx.config.clone_dir();
    let repo = git::open(&clone)?;
    let mut changes = Vec::new();
    let mut skipped = Vec::new();
    for path in head_files(&repo)? {
        let Some(head) = git::head_blob(&repo, &path)? else {
            continue;
        };
        let Ok(text) = String::from_utf8(head.clone()) else {
            continue;
        };
        let outcome = scan::fix_text(&text, path.ends_with(".json"), target);
        for (line, why) in &outcome.unconverted {
            ctx.ui.warn(&format!("{path}:{line}: not converted: {why}"));
        }
        let Some(new) = outcome.text else { continue };
        let file = clone.join(&path);
        let working = std::fs::read(&file).ok();
        if working.as_deref() == Some(&head) {
            fsx::write_atomic(&file, new.as_bytes(), None)?;
        } else if working.as_deref() != Some(new.as_bytes()) {
            skipped.push(path);
            continue; // the participant's own edits: leave the file alone
        }
        for what in &outcome.changed {
            ctx.ui.note(&format!("converted {path} {what}"));
        }
        changes.push((path, new.into_bytes()));
    }
    if !skipped.is_empty() {
        ctx.ui.warn(&format!(
            "not converted, you have uncommitted edits in: {} (commit or stash them, then run `verify --fix` again)",
            skipped.join(", ")
        ));
    }
    if !changes.is_empty() {
        let sig = ctx.signature(&repo)?;
        git::commit_files(&repo, &changes, FIX_MESSAGE, &sig)?;
    }
    ctx.state.last_command = Some(LastCommand::VerifyFix {
        target_version: target.to_string(),
    });
    ctx.save()?;
    engine::run_plan(ctx, &[Step::Migrate, Step::Push, Step::Reconcile]).await?;
    Ok(())
}

/// Every YAML/JSON file in HEAD's tree.
fn head_files(repo: &git2::Repository) -> Result<Vec<String>> {
    let tree = repo
        .head()
        .and_then(|h| h.peel_to_tree())
        .map_err(|e| Error::git("read HEAD", &e))?;
    let mut files = Vec::new();
    tree.walk(git2::TreeWalkMode::PreOrder, |dir, entry| {
        if let Ok(name) = entry.name()
            && entry.kind() == Some(git2::ObjectType::Blob)
            && [".yaml", ".yml", ".json"]
                .iter()
                .any(|ext| name.ends_with(ext))
        {
            files.push(format!("{dir}{name}"));
        }
        git2::TreeWalkResult::Ok
    })
    .map_err(|e| Error::git("list HEAD", &e))?;
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kube::verify::{FluxRow, ServerVersion};

    fn row(ok: bool, suspended: bool) -> FluxRow {
        FluxRow {
            kind: "Kustomization",
            namespace: "flux-system".into(),
            name: "apps".into(),
            revision: "main@sha1:abc".into(),
            ready: if ok { "True" } else { "False" }.into(),
            suspended,
            message: "dry-run failed".into(),
            ok,
        }
    }

    #[test]
    fn cluster_problems_list_what_problems_counts() {
        let base = ClusterReport {
            context: "c".into(),
            server: "https://x".into(),
            server_version: ServerVersion {
                major: 1,
                minor: 33,
                git_version: "v1.33.0".into(),
            },
            flux_installed: true,
            rows: vec![row(true, false), row(false, false), row(false, true)],
            branch: "main".into(),
            odd: Vec::new(),
            remote_head: Some("abc".into()),
            behind: vec!["Kustomization flux-system/apps: at main@sha1:old".into()],
        };
        let mut missing = base.clone();
        missing.flux_installed = false;
        missing.rows.clear();
        let mut clean = base.clone();
        clean.rows.truncate(1);
        clean.behind.clear();
        for c in [base, missing, clean] {
            assert_eq!(cluster_problems(&c).len(), c.problems(), "{c:?}");
        }
    }
}
