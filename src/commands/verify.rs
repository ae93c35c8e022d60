//! `verify`: before an upgrade, find APIs the target Kubernetes version removes
//! (in the repo, and in the cluster when there is one), check the repo itself,
//! and show whether Flux runs the pushed commit. `--fix` converts what
//! converts mechanically, commits "Convert deprecated APIs" and pushes.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

mod html;
mod text;

use crate::checks::{self, helm_releases};
use crate::config::Flags;
use crate::config::{CLUSTER_PATH, Output};
use crate::ctx::Ctx;
use crate::engine::{self, Access, Job, Prepared};
use crate::error::{Error, Result, exit};
use crate::flux::cluster_report::ClusterReport;
use crate::manifests;
use crate::manifests::objects::RepoObject;
use crate::readiness::{self, KubeVersion};
use crate::state::LastCommand;
use crate::verdict::{Item, Section, Severity};

/// What `verify` was asked to do.
#[derive(Debug, Default)]
pub(crate) struct Asked {
    pub(crate) target: Option<String>,
    pub(crate) fix: bool,
    pub(crate) strict: bool,
    pub(crate) dry_run: bool,
    pub(crate) fix_helm_releases: bool,
    pub(crate) report: Option<PathBuf>,
}

pub(crate) async fn verify(
    global: &Flags,
    asked: Asked,
    interrupted: Arc<AtomicBool>,
) -> Result<u8> {
    if let Some(path) = &asked.report {
        report_path_ok(path)?;
    }
    let access = match (asked.fix, asked.dry_run) {
        (true, false) => Access::Write {
            creates: false,
            restart: false,
        },
        (true, true) => Access::DryRun { creates: false },
        (false, _) => Access::Read { prompts: true },
    };
    let opened = engine::open(global, "verify", access, interrupted.clone())?;
    let target = target_version(&opened.ctx, asked.target.as_deref()).await?;
    let mut ctx = if asked.fix {
        // The conversion is a step of the engine's plan: `resume` replays it.
        let job = Job {
            last: Some(LastCommand::VerifyFix {
                target_version: target.to_string(),
            }),
            wishes: Some(Vec::new()),
            restart: false,
            dry_run: asked.dry_run,
        };
        match engine::prepare_opened(opened, job).await? {
            Prepared::Ready(ready) => engine::finish(*ready).await?,
            Prepared::Shown if asked.dry_run => return Ok(exit::OK),
            // Declined: the report still reads the world.
            Prepared::Shown => {
                engine::open(
                    global,
                    "verify",
                    Access::Read { prompts: true },
                    interrupted,
                )?
                .ctx
            }
        }
    } else {
        opened.ctx
    };
    // `--fix-helm-releases` rewrites cluster Secrets and saves them under the
    // work dir: like every command that changes things, it holds the lock.
    let _lock = match helm_fix(&asked) {
        helm_releases::Fixing::Write => Some(crate::state::lock(
            &global.dir,
            &crate::config::work_dir(&global.dir),
        )?),
        helm_releases::Fixing::No | helm_releases::Fixing::Plan => None,
    };
    // The clone is read once; every check below reads this.
    let tree = manifests::Tree::read(&ctx.config.clone_dir(), CLUSTER_PATH)?;
    let mut report = manifests::report(&tree, target);
    let cluster = if ctx.offline() {
        None
    } else {
        Some(cluster_half(&mut ctx, &tree, &mut report, target).await?)
    };
    // What Flux would apply from the clone, against what the cluster serves
    // (offline: the Flux eks-workshop installs), as the push's preflight.
    let refused = crate::preflight::problems(&ctx, &tree).await?;
    let mut sections = checks::sections(&ctx, &tree, target, helm_fix(&asked)).await?;
    sections.extend(builds_not_checked(&report.not_built));
    // Every problem the exit status counts, listed (the count is their number).
    let mut listed = report.failing_problems(asked.strict);
    listed.extend(refused.iter().cloned());
    listed.extend(cluster.as_ref().map(cluster_problems).unwrap_or_default());
    listed.extend(sections.iter().flat_map(section_problems));
    let problems = listed.len();
    let reading = readiness::reading::before_upgrading(target);
    match ctx.config.output {
        Output::Json => print_json(&Json {
            checks: &sections,
            cluster: cluster.as_ref().map(|c| c.to_json()),
            findings: &report.findings,
            preflight: &refused,
            problems: &listed,
            problems_total: problems,
            read_before: &reading,
            schema_version: crate::verdict::JSON_SCHEMA,
            target_version: target.to_string(),
        })?,
        Output::Text => {
            print!("{}", report.render_text(console::colors_enabled()));
            print!("{}", text::preflight_text(&refused, ctx.offline()));
            match &cluster {
                Some(c) => print!("{}", text::cluster_text(c)),
                None => println!("cluster: not checked (offline)"),
            }
            for section in &sections {
                print!("{}", text::section_text(section));
            }
            print!("{}", text::reading_text(target, &reading));
        }
    }
    if let Some(path) = &asked.report {
        let lines = html::lines(&report, asked.strict, &refused, cluster.as_ref(), &sections);
        html::write(path, &target.to_string(), &lines, &sections, &reading)?;
        ctx.ui
            .note(&format!("report written to {}", path.display()));
    }
    // The process exits next: what was read and reported is left to it,
    // not freed piece by piece (over 10,000 manifests that took 20 ms, a
    // tenth of the run).
    std::mem::forget((tree, report, sections, listed));
    if problems > 0 {
        return Err(Error::VerifyFailed { count: problems });
    }
    Ok(exit::OK)
}

/// `verify -o json`: the report (its findings; its problems are among
/// `problems`, which lists everything the exit status counts), the
/// preflight, the cluster, every check's section, and what to read before
/// upgrading. Keys in name order.
#[derive(serde::Serialize)]
struct Json<'a> {
    checks: &'a [Section],
    cluster: Option<serde_json::Value>,
    findings: &'a [readiness::Finding],
    preflight: &'a [readiness::Problem],
    problems: &'a [readiness::Problem],
    problems_total: usize,
    read_before: &'a [readiness::reading::Reading],
    schema_version: u32,
    target_version: String,
}

/// The report as one line of JSON, serialized straight from what was found
/// (no `Value` built of it) and written at once (`println!` writes through
/// stdout's line buffer, a thousand bytes a call: thousands of writes for a
/// large repository's report). A reader that has gone (`| head`) is not an
/// error.
fn print_json(out: &impl serde::Serialize) -> Result<()> {
    use std::io::Write as _;
    let mut text = serde_json::to_vec(out).expect("the report serializes");
    text.push(b'\n');
    match std::io::stdout().lock().write_all(&text) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(Error::io("standard output", "written", e))
        }
        _ => Ok(()),
    }
}

/// What to do with the Helm releases' removed APIs (`--fix --dry-run` has
/// returned before they are read).
fn helm_fix(asked: &Asked) -> helm_releases::Fixing {
    match (asked.fix_helm_releases, asked.dry_run) {
        (false, _) => helm_releases::Fixing::No,
        (true, true) => helm_releases::Fixing::Plan,
        (true, false) => helm_releases::Fixing::Write,
    }
}

/// `--report FILE`: refused before any work when it could not be written.
fn report_path_ok(path: &std::path::Path) -> Result<()> {
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => std::path::Path::new("."),
    };
    if path.is_dir() || !parent.is_dir() {
        return Err(Error::usage(
            format!(
                "--report {}: not a file in an existing directory",
                path.display()
            ),
            "pass the page's file name in a directory that exists, e.g. --report verify.html",
        ));
    }
    Ok(())
}

/// The kustomizations `kubectl kustomize` was not run on (no kubectl on
/// PATH), as a to-do naming them: not checked is not passed.
fn builds_not_checked(dirs: &[String]) -> Option<Section> {
    if dirs.is_empty() {
        return None;
    }
    let item = Item::new(
        Severity::ToDo,
        "kubectl kustomize",
        format!(
            "not run on {} kustomization(s) ({}): kubectl is not on PATH, so whether Flux can build them was not checked",
            dirs.len(),
            dirs.join(", ")
        ),
    )
    .fix("install kubectl (`eks-workshop doctor` says what it is for), then run `eks-workshop verify` again");
    Some(Section::ran("kustomize builds", vec![item]))
}

/// A section's blocking items, as the problems the exit status counts,
/// each at the file and line it comes from when the item says (an add-on's
/// chart version, a budget that allows no disruption).
fn section_problems(section: &Section) -> Vec<readiness::Problem> {
    section
        .blocking()
        .map(|i| readiness::Problem {
            file: i
                .facts
                .get("file")
                .and_then(|f| f.as_str())
                .unwrap_or_default()
                .to_string(),
            line: i.facts.get("line").and_then(|l| l.as_u64()).unwrap_or(0) as usize,
            message: format!("{}: {}: {}", section.name, i.subject, i.message),
        })
        .collect()
}

/// The problems [`ClusterReport::problems`] counts, one per line of JSON:
/// each object not ready or suspended, Flux missing, or the cluster behind
/// the fork's head.
fn cluster_problems(c: &ClusterReport) -> Vec<readiness::Problem> {
    let problem = |message: String| readiness::Problem {
        file: String::new(),
        line: 0,
        message,
    };
    let mut out: Vec<readiness::Problem> = c
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
    tree: &manifests::Tree,
    report: &mut readiness::Report,
    target: KubeVersion,
) -> Result<ClusterReport> {
    let cluster = ctx.cluster().await?;
    let (live, skipped) = crate::flux::cluster_report::live_objects(&cluster).await?;
    if !skipped.is_empty() {
        ctx.ui.warn(&format!(
            "not allowed to list, so not scanned: {}",
            skipped.join(", ")
        ));
    }
    report.findings.extend(readiness::scan_live(&live, target));
    let remote_head = match ctx.remote_url() {
        Some(_) => ctx.fork_head().await?.map(|oid| oid.to_string()),
        None => None,
    };
    let branch = ctx.config.settings.branch.clone();
    let flux = crate::flux::cluster_report::cluster_report(&cluster, &branch, remote_head).await?;
    // What Flux applied at an API the target deprecates or removes, traced
    // to the file and line of the clone it comes from.
    let mut applied = readiness::scan_inventory(&flux.kustomizations, target);
    if !applied.is_empty() {
        let objects: Vec<RepoObject> = tree.objects();
        for f in &mut applied {
            trace(f, &objects);
        }
    }
    report.findings.extend(applied);
    Ok(flux)
}

/// The clone's file and line of the object a cluster finding is about
/// (same kind and name; the same namespace, or none written).
fn trace(f: &mut readiness::Finding, objects: &[RepoObject]) {
    let found = objects.iter().find(|o| {
        let written = o.written_namespace();
        o.kind() == f.kind
            && o.name() == f.name
            && (written == Some(f.namespace.as_str()) || written.is_none())
    });
    if let Some(o) = found {
        f.file = o.file.clone();
        f.line = o.line;
    }
}

/// `--target-version`, else the cluster's version + 1 minor; offline it must be given.
async fn target_version(ctx: &Ctx, flag: Option<&str>) -> Result<KubeVersion> {
    if let Some(v) = flag {
        return KubeVersion::parse(v);
    }
    if ctx.offline() {
        return Err(Error::usage(
            "offline, verify needs a target version",
            "pass --target-version, e.g. --target-version 1.27",
        ));
    }
    let cluster = ctx.cluster().await?;
    let current = crate::flux::cluster_report::server_version(&cluster).await?;
    Ok(KubeVersion::parse(&current.minor_version())?.next_minor())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flux::cluster_report::FluxRow;

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
    fn kustomizations_not_built_are_a_to_do_naming_them_and_why() {
        assert_eq!(builds_not_checked(&[]), None);
        let section = builds_not_checked(&[".".into(), "gitops/apps".into()]).unwrap();
        assert_eq!(section.name, "kustomize builds");
        assert_eq!(section.blocking().count(), 0, "a to-do, not a failure");
        let [item] = &section.items[..] else {
            panic!("{section:?}")
        };
        assert_eq!(item.severity, Severity::ToDo);
        assert!(
            item.message.contains("2 kustomization(s) (., gitops/apps)")
                && item.message.contains("kubectl is not on PATH"),
            "{}",
            item.message
        );
        assert!(item.fix.contains("install kubectl"), "{}", item.fix);
    }

    #[test]
    fn cluster_problems_list_what_problems_counts() {
        let mut base =
            text::tests::report(vec![row(true, false), row(false, false), row(false, true)]);
        base.remote_head = Some("abc".into());
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
