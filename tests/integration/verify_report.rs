//! `verify`'s add-on table and its one report (text, JSON, a self-contained
//! HTML page that a headless Chromium loads), offline on the workshop repo.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::support::Workshop;

const KARPENTER: &str = "gitops/add-ons/02-karpenter.yaml";

fn addons(json: &Value) -> &Value {
    json["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "add-ons")
        .expect("an add-ons check")
}

#[test]
fn each_add_on_of_the_workshop_with_its_chart_version_and_support_at_1_33() {
    let w = Workshop::new();
    w.setup_offline();
    let out = w
        .cmd(&["verify", "--target-version", "1.33"])
        .run()
        .success();
    for row in [
        "flux-system/metrics-server  metrics-server  3.12.1   not checked  yes (1.27 and later)  3.5.0             gitops/add-ons/01-metrics-server.yaml:17",
        "flux-system/karpenter       karpenter       v0.27.3  not checked  no (up to 1.25)       1.5.0             gitops/add-ons/02-karpenter.yaml:22",
        "flux-system/argo-workflows  argo-workflows  0.28.2   not checked  unknown               0.45.21           gitops/add-ons/03-argo-workflows.yaml:54",
    ] {
        assert!(out.stdout.contains(row), "{row}\n{}", out.stdout);
    }
    assert!(
        out.stdout
            .contains("SUPPORTS 1.33         LOWEST THAT DOES"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("not enabled: Flux does not apply it yet")
    );
    assert!(
        out.stdout.contains("Helm releases skipped: offline"),
        "{}",
        out.stdout
    );
    // The report ends with what to read, built from the target.
    let changelog =
        "https://github.com/kubernetes/kubernetes/blob/master/CHANGELOG/CHANGELOG-1.33.md";
    assert!(
        out.stdout.contains("Before upgrading to 1.33, read:")
            && out.stdout.contains(changelog)
            && out.stdout.contains(
                "https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions-standard.html#kubernetes-1-33"
            ),
        "{}",
        out.stdout
    );

    let json = w
        .cmd(&["verify", "--target-version", "1.33", "-o", "json"])
        .run()
        .success()
        .json();
    assert_eq!(json["read_before"][0]["url"], changelog);
    let a = addons(&json);
    assert_eq!(a["skipped"], Value::Null);
    let rows = a["table"]["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[1][4], "no (up to 1.25)");
    let severities: Vec<&str> = a["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["severity"].as_str().unwrap())
        .collect();
    assert_eq!(severities, ["fine", "to-do", "to-do"]);
    assert!(
        a["items"][1]["fix"]
            .as_str()
            .unwrap()
            .contains("1.5.0 or later")
    );
}

#[test]
fn an_enabled_add_on_that_does_not_support_the_target_blocks_until_bumped() {
    let w = Workshop::new();
    w.setup_offline();
    w.cmd(&["enable-addon", "karpenter", "--yes"])
        .run()
        .success();
    let json = w
        .cmd(&["verify", "--target-version", "1.33", "-o", "json"])
        .run()
        .code(4)
        .json();
    let problems: Vec<&str> = json["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["message"].as_str().unwrap())
        .collect();
    assert!(
        problems
            .iter()
            .any(|p| p.starts_with("add-ons: flux-system/karpenter (gitops/add-ons/02-karpenter.yaml:22): chart karpenter v0.27.3 does not support Kubernetes 1.33")),
        "{problems:?}"
    );
    // The participant bumps the chart, as the workshop's lesson has them do.
    let path = w.clone_dir().join(KARPENTER);
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("v0.27.3", "1.5.0");
    std::fs::write(&path, text).unwrap();
    let out = w
        .cmd(&["verify", "--target-version", "1.33"])
        .run()
        .success();
    assert!(
        out.stdout
            .contains("karpenter       1.5.0    not checked  yes (up to 1.33)"),
        "{}",
        out.stdout
    );
    // verify reads and never writes: the participant's edit is theirs to commit.
    assert!(
        w.git(&["status", "--porcelain"])
            .contains("02-karpenter.yaml")
    );
}

/// Chromium, as `.ci/run` installs it (Debian's package).
fn chromium() -> &'static Path {
    let path = Path::new("/usr/bin/chromium");
    assert!(
        path.exists(),
        "Chromium is missing: `apt-get install chromium` (.ci/run installs it)"
    );
    path
}

/// The page after Chromium loaded it and ran its script.
fn rendered(page: &Path, fragment: &str) -> String {
    let profile = tempfile::tempdir().unwrap();
    let out = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("--dump-dom")
        .arg(format!("file://{}{fragment}", page.display()))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn the_html_report_opens_in_a_browser_grouped_by_what_blocks() {
    let w = Workshop::new();
    w.setup_offline();
    w.cmd(&["enable-addon", "karpenter", "--yes"])
        .run()
        .success();
    let page = w.dir().join("report.html");
    let page_arg = page.to_str().unwrap();
    let out = w
        .cmd(&["verify", "--target-version", "1.33", "--report", page_arg])
        .run()
        .code(4);
    assert!(out.stdout.contains("report written to"), "{}", out.stdout);
    let dom = rendered(&page, "");
    assert!(
        dom.contains("<body data-loaded=\"yes\">"),
        "the page's script ran:\n{dom}"
    );
    assert!(dom.contains("<h1>Upgrade to Kubernetes 1.33: what blocks it</h1>"));
    let blocking = section(&dom, "blocking");
    assert!(
        blocking
            .contains("<code>flux-system/karpenter (gitops/add-ons/02-karpenter.yaml:22)</code>")
            && blocking.contains(
                "1.5.0 or later supports it, and the way there is a migration a person makes"
            )
            && blocking.contains("https://karpenter.sh/v0.32/upgrading/v1beta1-migration/"),
        "{blocking}"
    );
    let to_do = section(&dom, "to-do");
    assert!(
        to_do.contains(
            "<code>gitops/applications/deprecated-manifests/02-deprecated-hpa.yaml:4</code>"
        ) && to_do.contains("use autoscaling/v2"),
        "{to_do}"
    );
    assert!(to_do.contains("flux-system/argo-workflows"), "{to_do}");
    assert!(section(&dom, "fine").contains("flux-system/metrics-server"));
    let skipped = section(&dom, "skipped");
    assert!(
        skipped.contains("<b>Helm releases</b>: offline"),
        "{skipped}"
    );
    assert!(skipped.contains("<b>AWS checks</b>"), "{skipped}");
    // Self-contained: nothing to load; the only links are what to read.
    assert!(
        !dom.contains("src=") && !dom.contains("<link"),
        "self-contained"
    );
    let reading = section(&dom, "read-before");
    assert_eq!(
        reading.matches("<a href=\"https://").count(),
        5,
        "{reading}"
    );
    assert_eq!(dom.matches("href=").count(), 5, "{dom}");
    // The script hides what is fine when asked.
    let hidden = rendered(&page, "#hide-fine");
    assert!(
        hidden.contains("<section id=\"fine\" class=\"fine\" hidden=\"\">"),
        "{hidden}"
    );
    assert!(!dom.contains("<section id=\"fine\" class=\"fine\" hidden"));
}

/// The `<section id=…>` of the page, up to its end.
fn section<'a>(dom: &'a str, id: &str) -> &'a str {
    let start = dom
        .find(&format!("<section id=\"{id}\""))
        .unwrap_or_else(|| panic!("no section {id}:\n{dom}"));
    let end = dom[start..].find("</section>").unwrap();
    &dom[start..start + end]
}

#[test]
fn a_report_path_that_cannot_be_written_is_refused_before_any_work() {
    let w = Workshop::new();
    w.setup_offline();
    let missing = w.dir().join("no-such-dir/report.html");
    let dir = w.dir().to_str().unwrap().to_string();
    for bad in [missing.to_str().unwrap(), dir.as_str()] {
        w.cmd(&["verify", "--target-version", "1.33", "--report", bad])
            .run()
            .bad(2, "--report");
    }
    assert!(!missing.parent().unwrap().exists());
}

#[test]
fn with_a_cluster_each_add_on_shows_the_version_helm_controller_installed() {
    let e = crate::world::env(true);
    e.setup(&[]).success();
    let json =
        e.w.cmd(&["verify", "--target-version", "1.33", "-o", "json"])
            .run()
            .success()
            .json();
    let rows = &addons(&json)["table"]["rows"];
    assert_eq!(rows[0][0], "flux-system/metrics-server");
    assert_eq!(rows[0][3], "3.12.1", "from status.history: {rows}");
    assert_eq!(rows[1][3], "not installed", "karpenter is not enabled");
    // The participant bumps the chart and commits, but has not pushed yet:
    // the cluster still runs the old chart, which verify says.
    let path =
        e.w.clone_dir()
            .join("gitops/add-ons/01-metrics-server.yaml");
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("3.12.1", "3.13.0");
    std::fs::write(&path, text).unwrap();
    e.w.git(&["commit", "-qam", "Bump metrics-server"]);
    // Exit 0: the cluster is at the fork's head, and a newer chart in the
    // clone is "to do" (push it before the upgrade), not blocking.
    let out =
        e.w.cmd(&["verify", "--target-version", "1.33"])
            .run()
            .success();
    assert!(
        out.stdout
            .contains("the cluster runs 3.12.1, the repo asks for 3.13.0"),
        "{}",
        out.stdout
    );
}
