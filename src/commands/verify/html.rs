//! `verify --report FILE.html`: the whole report as one self-contained page
//! (no external file, style or script): every finding of every check grouped
//! as blocking / to do / fine, each with its file:line or object and the fix,
//! and the checks that were skipped with why.

use std::path::Path;

use crate::error::Result;
use crate::flux::cluster_report::ClusterReport;
use crate::readiness::reading::Reading;
use crate::readiness::{self, Report};
use crate::verdict::{Item, Section, Severity};

/// One line of the page: which check found it, and the finding.
pub(super) struct Line {
    pub(super) check: String,
    pub(super) item: Item,
}

/// Everything `verify` found, as the page's lines: the API scan's findings
/// and problems, the preflight, the cluster's Flux objects, and each section.
pub(super) fn lines(
    report: &Report,
    strict: bool,
    refused: &[readiness::Problem],
    cluster: Option<&ClusterReport>,
    sections: &[Section],
) -> Vec<Line> {
    let target = report.target_version;
    let mut out = Vec::new();
    let mut push = |check: &str, item: Item| {
        out.push(Line {
            check: check.to_string(),
            item,
        })
    };
    for f in &report.findings {
        let failing = f.reachable && (f.removed_in_target || strict);
        let severity = if failing {
            Severity::Blocking
        } else {
            Severity::ToDo
        };
        let removed = f.status();
        let applied = if f.reachable || f.source == "cluster" {
            ""
        } else {
            " (not applied by Flux)"
        };
        let fix = match f.replacement.as_str() {
            "" => "remove it, or move to a supported API".to_string(),
            r => {
                format!("use {r} (`eks-workshop verify --fix` converts what converts mechanically)")
            }
        };
        let message = format!(
            "{} {} uses {}: {removed}{applied}",
            f.kind, f.name, f.api_version
        );
        push(
            "APIs",
            Item::new(
                severity,
                place(&f.file, f.line, f.source, &f.namespace, &f.kind, &f.name),
                message,
            )
            .fix(fix),
        );
    }
    for p in report.problems.iter() {
        push(
            "repository",
            Item::new(
                Severity::Blocking,
                place(&p.file, p.line, "repo", "", "", ""),
                &p.message,
            ),
        );
    }
    for p in refused {
        push(
            "preflight",
            Item::new(
                Severity::Blocking,
                place(&p.file, p.line, "repo", "", "", ""),
                &p.message,
            ),
        );
    }
    if let Some(c) = cluster {
        if !c.flux_installed {
            push(
                "Flux",
                Item::new(Severity::Blocking, &c.context, "Flux is not installed")
                    .fix("eks-workshop setup"),
            );
        }
        for r in &c.rows {
            let subject = format!("{} {}/{}", r.kind, r.namespace, r.name);
            let item = if r.ok {
                Item::new(Severity::Fine, subject, format!("Ready at {}", r.revision))
            } else {
                Item::new(Severity::Blocking, subject, &r.message)
                    .fix("fix what the message names, then `eks-workshop sync`")
            };
            push("Flux", item);
        }
        if c.at_head() == Some(false) {
            let message = format!(
                "the cluster has not applied the head of `{}`: {}",
                c.branch,
                c.behind.join("; ")
            );
            push(
                "Flux",
                Item::new(Severity::Blocking, &c.branch, message).fix("eks-workshop sync"),
            );
        }
    }
    if report.findings.is_empty() && report.problems.is_empty() {
        push(
            "APIs",
            Item::new(
                Severity::Fine,
                "repository",
                format!("no API deprecated or removed at {target}"),
            ),
        );
    }
    for s in sections {
        for i in &s.items {
            push(&super::text::title(s.name), i.clone());
        }
    }
    out
}

fn place(file: &str, line: usize, source: &str, namespace: &str, kind: &str, name: &str) -> String {
    match (source, line) {
        ("cluster", 0) => format!("{kind} {namespace}/{name} (cluster)"),
        ("cluster", _) => format!("{kind} {namespace}/{name} (cluster, {file}:{line})"),
        (_, 0) if file.is_empty() => "repository".into(),
        (_, 0) => file.to_string(),
        _ => format!("{file}:{line}"),
    }
}

pub(super) fn write(
    path: &Path,
    target: &str,
    lines: &[Line],
    sections: &[Section],
    reading: &[Reading],
) -> Result<()> {
    let page = page(target, lines, sections, reading);
    crate::fsx::write_atomic(path, page.as_bytes(), None)
}

fn page(target: &str, lines: &[Line], sections: &[Section], reading: &[Reading]) -> String {
    let count = |s: Severity| lines.iter().filter(|l| l.item.severity == s).count();
    let mut body = String::new();
    body.push_str(&format!(
        "<h1>Upgrade to Kubernetes {}: what blocks it</h1>\n<p class=\"summary\" id=\"summary\" data-blocking=\"{}\" data-to-do=\"{}\" data-fine=\"{}\">{} blocking, {} to do, {} fine</p>\n",
        esc(target),
        count(Severity::Blocking),
        count(Severity::ToDo),
        count(Severity::Fine),
        count(Severity::Blocking),
        count(Severity::ToDo),
        count(Severity::Fine),
    ));
    body.push_str("<p><label><input type=\"checkbox\" id=\"show-fine\" checked> show what is fine</label></p>\n");
    for severity in [Severity::Blocking, Severity::ToDo, Severity::Fine] {
        let id = severity.label().replace(' ', "-");
        let group: Vec<&Line> = lines
            .iter()
            .filter(|l| l.item.severity == severity)
            .collect();
        body.push_str(&format!(
            "<section id=\"{id}\" class=\"{id}\">\n<h2>{} ({})</h2>\n",
            capital(severity.label()),
            group.len()
        ));
        if group.is_empty() {
            body.push_str("<p>Nothing.</p>\n</section>\n");
            continue;
        }
        body.push_str(
            "<table>\n<tr><th>Check</th><th>What</th><th>Finding</th><th>Fix</th></tr>\n",
        );
        for l in group {
            body.push_str(&format!(
                "<tr><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td></tr>\n",
                esc(&l.check),
                esc(&l.item.subject),
                esc(&l.item.message),
                esc(&l.item.fix)
            ));
        }
        body.push_str("</table>\n</section>\n");
    }
    let skipped: Vec<&Section> = sections.iter().filter(|s| s.skipped.is_some()).collect();
    body.push_str(&format!(
        "<section id=\"skipped\">\n<h2>Not checked ({})</h2>\n<ul>\n",
        skipped.len()
    ));
    for s in skipped {
        let why = s.skipped.as_deref().unwrap_or_default();
        body.push_str(&format!(
            "<li><b>{}</b>: {}</li>\n",
            esc(&super::text::title(s.name)),
            esc(why)
        ));
    }
    body.push_str("</ul>\n</section>\n");
    body.push_str(&format!(
        "<section id=\"read-before\">\n<h2>Before upgrading to {}, read</h2>\n<ul>\n",
        esc(target)
    ));
    for r in reading {
        body.push_str(&format!(
            "<li><a href=\"{}\">{}</a></li>\n",
            esc(&r.url),
            esc(&r.title)
        ));
    }
    body.push_str("</ul>\n</section>\n");
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>eks-workshop verify: Kubernetes {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n{body}<footer>eks-workshop {}</footer>\n<script>{SCRIPT}</script>\n</body>\n</html>\n",
        esc(target),
        esc(crate::VERSION),
    )
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:2em;max-width:80em}\
table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;padding:.3em .5em;text-align:left;vertical-align:top}\
.blocking h2{color:#b00}.to-do h2{color:#a60}.fine h2{color:#070}code{white-space:pre-wrap}footer{color:#777;margin-top:2em}";

/// The page's one script: the checkbox (or `#hide-fine` in the address)
/// hides the fine group; it marks the body once run, which the browser test
/// reads.
const SCRIPT: &str = "const box=document.getElementById('show-fine');\
const fine=document.getElementById('fine');\
const apply=()=>{fine.hidden=!box.checked;};\
box.addEventListener('change',apply);\
if(location.hash==='#hide-fine'){box.checked=false;}\
apply();\
document.body.dataset.loaded='yes';";

fn capital(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// Text as HTML: the five characters that could open markup.
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_cannot_open_markup() {
        assert_eq!(
            esc("<script>\"a\" & 'b'</script>"),
            "&lt;script&gt;&quot;a&quot; &amp; &#39;b&#39;&lt;/script&gt;"
        );
    }

    #[test]
    fn the_page_groups_by_severity_and_lists_the_skipped_checks() {
        let lines = vec![
            Line {
                check: "add-ons".into(),
                item: Item::new(Severity::Blocking, "flux-system/karpenter", "<old>").fix("bump"),
            },
            Line {
                check: "APIs".into(),
                item: Item::new(Severity::Fine, "repository", "clean"),
            },
        ];
        let sections = vec![Section::skipped("aws", "no credentials")];
        let target = crate::readiness::KubeVersion::parse("1.33").unwrap();
        let reading = crate::readiness::reading::before_upgrading(target);
        let page = page("1.33", &lines, &sections, &reading);
        assert!(page.contains("data-blocking=\"1\" data-to-do=\"0\" data-fine=\"1\""));
        assert!(page.contains(
            "<td><code>flux-system/karpenter</code></td><td>&lt;old&gt;</td><td>bump</td>"
        ));
        assert!(page.contains(
            "<section id=\"to-do\" class=\"to-do\">\n<h2>To do (0)</h2>\n<p>Nothing.</p>"
        ));
        assert!(page.contains("<li><b>AWS checks</b>: no credentials</li>"));
        assert!(page.contains(
            "<li><a href=\"https://github.com/kubernetes/kubernetes/blob/master/CHANGELOG/CHANGELOG-1.33.md\">"
        ));
        // Self-contained: links to read, nothing to load.
        assert!(!page.contains("src=") && !page.contains("<link"));
    }
}
