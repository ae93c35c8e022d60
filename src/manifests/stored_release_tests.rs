use std::io::Write;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

use super::*;

fn v(s: &str) -> KubeVersion {
    KubeVersion::parse(s).unwrap()
}

/// A manifest as Helm renders it: each template after `---` and its
/// `# Source:` comment.
const MANIFEST: &str = "---
# Source: demo/templates/configmap.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: demo
data:
  note: \"apiVersion: policy/v1beta1\"
---
# Source: demo/templates/pdb.yaml
apiVersion: policy/v1beta1   # old chart
kind: PodDisruptionBudget
metadata:
  name: demo
  namespace: apps
spec:
  minAvailable: 1
---
# Source: demo/templates/psp.yaml
apiVersion: policy/v1beta1
kind: PodSecurityPolicy
metadata:
  name: demo
spec: {}
---
# Source: demo/templates/cronjob.yaml
apiVersion: \"batch/v1beta1\"
kind: CronJob
metadata:
  name: demo
";

fn release_json(manifest: &str) -> Value {
    json!({
        "name": "demo", "namespace": "apps", "version": 3,
        "info": {"status": "deployed", "description": "Upgrade complete"},
        "chart": {"metadata": {"name": "demo", "version": "1.0.0"}, "templates": [{"name": "t", "data": "YQ=="}]},
        "config": {"replicas": 2, "ratio": 0.5},
        "manifest": manifest,
    })
}

/// What Helm writes: base64(gzip(json)).
fn stored(json: &Value) -> Vec<u8> {
    let mut gz = GzEncoder::new(Vec::new(), Compression::default());
    gz.write_all(json.to_string().as_bytes()).unwrap();
    STANDARD.encode(gz.finish().unwrap()).into_bytes()
}

#[test]
fn decodes_what_helm_stores_through_the_apis_base64_too() {
    // As `kubectl get secret -o json` shows it: the API's base64 around Helm's.
    let secret = json!({
        "apiVersion": "v1", "kind": "Secret", "type": "helm.sh/release.v1",
        "metadata": {"name": "sh.helm.release.v1.demo.v3", "namespace": "apps"},
        "data": {"release": STANDARD.encode(stored(&release_json(MANIFEST)))},
    });
    let secret: k8s_openapi::api::core::v1::Secret = serde_json::from_value(secret).unwrap();
    let inner = &secret.data.unwrap()["release"].0;
    assert!(inner.starts_with(b"H4sI"), "still Helm's base64 of gzip");
    let r = decode(inner).unwrap();
    assert_eq!(
        (
            r.name.as_str(),
            r.namespace.as_str(),
            r.revision,
            r.status.as_str()
        ),
        ("demo", "apps", 3, "deployed")
    );
    assert_eq!(r.manifest, MANIFEST);
}

#[test]
fn releases_stored_before_compression_decode_too() {
    let plain = STANDARD.encode(release_json("").to_string());
    let r = decode(plain.as_bytes()).unwrap();
    assert_eq!((r.name.as_str(), r.revision), ("demo", 3));
    // Line breaks in the base64 are ignored, as a decoder of wrapped text would.
    let wrapped: Vec<u8> = plain
        .as_bytes()
        .chunks(60)
        .flat_map(|c| c.iter().copied().chain([b'\n']))
        .collect();
    assert_eq!(decode(&wrapped).unwrap().name, "demo");
}

#[test]
fn what_is_not_a_release_is_an_error() {
    assert!(decode(b"%%%").unwrap_err().starts_with("not base64"));
    let bad_gzip = STANDARD.encode([0x1f, 0x8b, 0x08, 0, 1, 2, 3]);
    assert!(
        decode(bad_gzip.as_bytes())
            .unwrap_err()
            .starts_with("not gzip")
    );
    let not_json = STANDARD.encode("{nope");
    assert!(
        decode(not_json.as_bytes())
            .unwrap_err()
            .starts_with("not JSON")
    );
    let array = STANDARD.encode("[1]");
    assert!(
        decode(array.as_bytes())
            .unwrap_err()
            .contains("not an object")
    );
}

#[test]
fn encoding_round_trips_and_keeps_every_other_field() {
    let r = decode(&stored(&release_json(MANIFEST))).unwrap();
    let again = decode(&r.with_manifest("kind: X\n").encode()).unwrap();
    assert_eq!(again.manifest, "kind: X\n");
    let mut expected = release_json("kind: X\n");
    assert_eq!(again.json, expected);
    expected["manifest"] = json!(MANIFEST);
    assert_eq!(decode(&r.encode()).unwrap().json, expected);
    // Helm's own writer compresses: the value starts as base64 of gzip.
    assert!(r.encode().starts_with(b"H4sI"));
}

#[test]
fn scan_reports_each_object_with_what_the_fix_would_do() {
    let hits = scan(MANIFEST, v("1.33"));
    let got: Vec<_> = hits
        .iter()
        .map(|h| {
            let f = &h.finding;
            (
                f.kind.as_str(),
                f.namespace.as_str(),
                f.api_version.as_str(),
                f.replacement.as_str(),
                f.line,
                f.source,
                h.fix.clone(),
            )
        })
        .collect();
    let to = |s: &str| Some(Fix::Rewrite(s.into()));
    assert_eq!(
        got,
        [
            (
                "PodDisruptionBudget",
                "apps",
                "policy/v1beta1",
                "policy/v1",
                11,
                "helm",
                to("policy/v1")
            ),
            (
                "PodSecurityPolicy",
                "",
                "policy/v1beta1",
                "",
                20,
                "helm",
                Some(Fix::Drop)
            ),
            (
                "CronJob",
                "",
                "batch/v1beta1",
                "batch/v1",
                27,
                "helm",
                to("batch/v1")
            ),
        ]
    );
    // Deprecated but still served at 1.24: reported, nothing to fix yet.
    let at_24 = scan(MANIFEST, v("1.24"));
    assert_eq!(at_24.len(), 3);
    assert!(
        at_24
            .iter()
            .all(|h| h.fix.is_none() && !h.finding.removed_in_target)
    );
    assert!(scan(MANIFEST, v("1.20")).is_empty());
}

#[test]
fn rewrite_changes_only_the_removed_apis_lines() {
    let new = rewrite(MANIFEST, v("1.33")).unwrap();
    let expected = MANIFEST
        .replace(
            "apiVersion: policy/v1beta1   # old chart",
            "apiVersion: policy/v1   # old chart",
        )
        .replace("apiVersion: \"batch/v1beta1\"", "apiVersion: \"batch/v1\"")
        .replace(
            "# Source: demo/templates/psp.yaml\napiVersion: policy/v1beta1\nkind: PodSecurityPolicy\nmetadata:\n  name: demo\nspec: {}\n",
            "",
        );
    assert_eq!(new, expected);
    // The ConfigMap's data, which mentions the old API, is untouched.
    assert!(new.contains("note: \"apiVersion: policy/v1beta1\""));
    assert!(scan(&new, v("1.33")).is_empty());
    assert_eq!(
        rewrite(&new, v("1.33")),
        None,
        "a second run changes nothing"
    );
    // Nothing the target removes: nothing to rewrite.
    assert_eq!(rewrite(MANIFEST, v("1.24")), None);
}

#[test]
fn a_replacement_not_yet_served_is_left_alone() {
    // resource.k8s.io/v1alpha3 goes in 1.34, the release v1 arrives in: a
    // 1.33 cluster could not build the rewritten object.
    let doc = "apiVersion: resource.k8s.io/v1alpha3\nkind: DeviceClass\nmetadata:\n  name: d\n";
    let hits = scan(doc, v("1.34"));
    assert!(
        matches!(&hits[0].fix, Some(Fix::Manual(why)) if why.contains("only served from")),
        "{hits:?}"
    );
    assert_eq!(rewrite(doc, v("1.34")), None);
}

#[test]
fn the_api_version_line_must_hold_exactly_the_old_api() {
    fn find(doc: &str) -> Option<&str> {
        api_version_value(doc, "policy/v1beta1").map(|r| &doc[r])
    }
    assert_eq!(find("apiVersion: policy/v1beta1\n"), Some("policy/v1beta1"));
    assert_eq!(
        find("kind: A\napiVersion: 'policy/v1beta1'\n"),
        Some("policy/v1beta1")
    );
    assert_eq!(
        find("apiVersion:   policy/v1beta1 # c\n"),
        Some("policy/v1beta1")
    );
    assert_eq!(find("apiVersion: policy/v1beta10\n"), None);
    assert_eq!(find("apiVersion: \"policy/v1beta1x\"\n"), None);
    assert_eq!(
        find("  apiVersion: policy/v1beta1\n"),
        None,
        "not top level"
    );
    assert_eq!(find("{apiVersion: policy/v1beta1}\n"), None, "flow style");
}
