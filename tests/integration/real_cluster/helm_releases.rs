//! Removed APIs inside Helm releases, on the real cluster: a release whose
//! stored manifest holds `policy/v1beta1` (as an install from before 1.21
//! left it) makes the real helm-controller's upgrade fail; `verify` names the
//! release and the object, `--fix-helm-releases` rewrites the stored
//! manifest after saving the Secret, and the upgrade then goes through.

use std::io::{Read, Write};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use harness::cluster::helmrepo::Chart;
use serde_json::{Value, json};

use super::fixture::Real;
use super::ready;

const HR: [&str; 4] = ["-n", "flux-system", "helmrelease", "metrics-server"];
const V1: &str = "sh.helm.release.v1.metrics-server.v1";
const SUBJECT: &str = "release kube-system/metrics-server v1 PodDisruptionBudget/metrics-server";
const NEW_PDB: &str = "apiVersion: policy/v1\nkind: PodDisruptionBudget";
const OLD_PDB: &str = "apiVersion: policy/v1beta1\nkind: PodDisruptionBudget";

fn chart(version: &str) -> Chart {
    Chart::configmap_and_pdb(
        "metrics-server",
        version,
        "metrics-server-installed",
        "metrics-server",
        &[("by", "helm-controller")],
    )
}

#[test]
fn a_release_stored_with_a_removed_api_is_found_rewritten_and_upgraded() {
    let mut r = Real::start();
    // The workshop's version, and the next one the upgrade goes to (listed
    // from the start: source-controller reads the index every 10 minutes).
    r.helm.add(&chart("3.12.1"));
    r.helm.add(&chart("3.12.2"));
    r.set_up();
    assert!(ready(&r.get(&HR)));
    let secret = r.get(&["-n", "kube-system", "secret", V1]);
    let manifest = release_of(&secret)["manifest"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(manifest.contains(NEW_PDB), "{manifest}");

    // The stored release as a chart installed long ago left it.
    let mut old = release_of(&secret);
    old["manifest"] = json!(manifest.replace(NEW_PDB, OLD_PDB));
    put_release(&r, V1, &old);
    // The next upgrade fails: Helm cannot build the current release's objects.
    r.cluster.kubectl_ok(&[
        "patch",
        HR[0],
        HR[1],
        HR[2],
        HR[3],
        "--type",
        "merge",
        "-p",
        r#"{"spec":{"chart":{"spec":{"version":"3.12.2"}}}}"#,
    ]);
    let failed = r.cluster.wait_for(
        "the upgrade to fail on the stored policy/v1beta1",
        Duration::from_secs(120),
        || {
            let hr = r.get(&HR);
            let message = ready_message(&hr, "False")?;
            message
                .contains("current release manifest")
                .then_some(message)
        },
    );
    assert!(failed.contains("policy/v1beta1"), "{failed}");

    // verify names the release, its revision and the object.
    let target = ["--target-version", "1.33", "-o", "json"];
    let out = r.w.cmd(&[&["verify"], &target[..]].concat()).run();
    assert_eq!(out.code, 4, "{}", r.diagnose(&out));
    let report = out.json();
    let item = helm_item(&report, SUBJECT);
    assert_eq!(item["severity"], "blocking", "{item}");
    let message = item["message"].as_str().unwrap();
    assert!(
        message.starts_with("stored as policy/v1beta1, removed in 1.25"),
        "{item}"
    );
    assert!(message.ends_with("use policy/v1"), "{item}");
    assert_eq!(item["fix"], "eks-workshop verify --fix-helm-releases");
    let problems = report["problems"].to_string();
    assert!(
        problems.contains(&format!("helm releases: {SUBJECT}")),
        "{problems}"
    );
    assert_eq!(
        stored_manifest(&r),
        manifest.replace(NEW_PDB, OLD_PDB),
        "verify alone writes nothing"
    );

    // --dry-run says what the fix would write and where the original would
    // go, and writes neither.
    let saved_dir = r.w.dir().join(".eks-workshop/helm-releases");
    let saved_path = saved_dir.join(format!("kube-system.{V1}.json"));
    let versions = secret_versions(&r);
    let dry = [&["verify", "--fix-helm-releases", "--dry-run"], &target[..]].concat();
    let out = r.w.cmd(&dry).run();
    assert_eq!(out.code, 4, "{}", r.diagnose(&out));
    let item = helm_item(&out.json(), SUBJECT).clone();
    assert_eq!(item["severity"], "blocking", "{item}");
    assert!(
        item["message"].as_str().unwrap().ends_with(&format!(
            "--fix-helm-releases would write: rewritten to policy/v1 (dry run: nothing written; the original would be saved to {})",
            saved_path.display()
        )),
        "{item}"
    );
    assert_eq!(secret_versions(&r), versions, "the dry run wrote no Secret");
    assert!(!saved_dir.exists(), "the dry run saved nothing");

    // In a terminal the fix names each release it would rewrite and asks;
    // declined, nothing is written and the release still blocks.
    let fix = [&["verify", "--fix-helm-releases"], &target[..2]].concat();
    let out = r.w.cmd(&fix).in_pty(b"n");
    let screen = &out.stdout;
    assert_eq!(out.code, 4, "{screen}");
    for said in [
        "--fix-helm-releases would rewrite the stored manifest of:",
        &format!("release kube-system/metrics-server v1 (Secret kube-system/{V1})"),
        "Rewrite these stored releases?",
        "the stored releases were left as they are",
    ] {
        assert!(screen.contains(said), "{said:?} in\n{screen}");
    }
    assert_eq!(secret_versions(&r), versions, "declined: no Secret written");
    assert!(!saved_dir.exists(), "declined: nothing saved");

    // --fix-helm-releases saves the Secret, then rewrites the manifest.
    let fix = [&["verify", "--fix-helm-releases"], &target[..]].concat();
    let out = r.w.cmd(&fix).run();
    let report = out.json();
    let item = helm_item(&report, SUBJECT);
    assert_eq!(item["severity"], "fine", "{}", r.diagnose(&out));
    assert_eq!(
        item["message"],
        format!(
            "was stored as policy/v1beta1: rewritten to policy/v1 (original saved to {})",
            saved_path.display()
        )
    );
    let saved: Value = serde_json::from_slice(&std::fs::read(&saved_path).unwrap()).unwrap();
    assert_eq!(
        release_of(&saved),
        old,
        "the saved Secret holds the old release"
    );
    assert_eq!(mode(&saved_path), 0o600);
    assert_eq!(
        stored_manifest(&r),
        manifest,
        "back to what the chart renders"
    );
    assert!(
        !report["problems"].to_string().contains("helm releases:"),
        "{report}"
    );

    // helm-controller's next try goes through. It keeps trying on its own
    // (seen: `status.failures` climbing with the default of no retries): the
    // edited release no longer matched the digest in its history, so it
    // cleared the history and upgrades a release it did not write whatever
    // the retries left. The annotation `flux reconcile helmrelease` sets only
    // brings the next try forward.
    let at = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        .to_string();
    let annotation = format!("reconcile.fluxcd.io/requestedAt={at}");
    r.cluster.kubectl_ok(&[
        "annotate",
        "--overwrite",
        HR[0],
        HR[1],
        HR[2],
        HR[3],
        &annotation,
    ]);
    let upgraded = r.cluster.wait_for(
        "the upgrade to 3.12.2 to succeed",
        Duration::from_secs(120),
        || {
            let hr = r.get(&HR);
            let at_new = hr["status"]["history"][0]["chartVersion"] == "3.12.2";
            (ready(&hr) && at_new).then_some(hr)
        },
    );
    assert!(
        ready_message(&upgraded, "True")
            .unwrap()
            .starts_with("Helm upgrade succeeded"),
        "{upgraded}"
    );
    let v2 = r.get(&[
        "-n",
        "kube-system",
        "secret",
        "sh.helm.release.v1.metrics-server.v2",
    ]);
    assert_eq!(v2["metadata"]["labels"]["status"], "deployed", "{v2}");

    // Again: the current revision (v2) is clean, nothing is written.
    let versions = secret_versions(&r);
    let out = r.w.cmd(&fix).run();
    let report = out.json();
    let item = helm_item(&report, "release kube-system/metrics-server v2");
    assert_eq!(item["severity"], "fine", "{}", r.diagnose(&out));
    assert_eq!(
        item["message"],
        "deployed: no deprecated or removed API in its stored manifest"
    );
    assert!(
        !report["problems"].to_string().contains("helm releases:"),
        "{report}"
    );
    assert_eq!(secret_versions(&r), versions);
    assert_eq!(std::fs::read_dir(&saved_dir).unwrap().count(), 1);
}

/// The helm releases section's item about `subject`.
fn helm_item<'a>(report: &'a Value, subject: &str) -> &'a Value {
    let section = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "helm releases")
        .unwrap_or_else(|| panic!("no helm releases section: {report}"));
    let items = section["items"].as_array().unwrap();
    items
        .iter()
        .find(|i| i["subject"] == subject)
        .unwrap_or_else(|| panic!("no item {subject}: {section}"))
}

/// The Ready condition's message when its status is `status`.
fn ready_message(obj: &Value, status: &str) -> Option<String> {
    let conditions = obj["status"]["conditions"].as_array()?;
    let ready = conditions.iter().find(|c| c["type"] == "Ready")?;
    (ready["status"] == status).then(|| ready["message"].as_str().unwrap_or_default().to_string())
}

/// The release a Helm Secret (as `kubectl get -o json` shows it) holds:
/// the API's base64, Helm's base64, gzip, JSON.
fn release_of(secret: &Value) -> Value {
    let outer = secret["data"]["release"].as_str().expect("data.release");
    let helms = STANDARD.decode(outer).unwrap();
    let gzipped = STANDARD.decode(helms).unwrap();
    let mut json = Vec::new();
    flate2::read::GzDecoder::new(gzipped.as_slice())
        .read_to_end(&mut json)
        .unwrap();
    serde_json::from_slice(&json).unwrap()
}

/// Stores `release` in Secret `name` as Helm would.
fn put_release(r: &Real, name: &str, release: &Value) {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(release.to_string().as_bytes()).unwrap();
    let helms = STANDARD.encode(gz.finish().unwrap());
    let secret = json!({
        "apiVersion": "v1", "kind": "Secret",
        "metadata": {"name": name, "namespace": "kube-system"},
        "data": {"release": STANDARD.encode(helms)},
    });
    r.cluster.apply_yaml(&secret.to_string());
}

fn stored_manifest(r: &Real) -> String {
    let secret = r.get(&["-n", "kube-system", "secret", V1]);
    release_of(&secret)["manifest"]
        .as_str()
        .unwrap()
        .to_string()
}

/// resourceVersion of each of Helm's Secrets.
fn secret_versions(r: &Real) -> Vec<String> {
    let list = r.get(&["secrets", "-A", "-l", "owner=helm"]);
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            s["metadata"]["resourceVersion"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}

fn mode(path: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}
