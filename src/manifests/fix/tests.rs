use std::fs;
use std::path::{Path, PathBuf};

use super::*;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/scan/fix")
}

fn v(s: &str) -> KubeVersion {
    KubeVersion::parse(s).unwrap()
}

/// `<case>.before.yaml` becomes `<case>.after.yaml`, byte for byte, and a
/// second run changes nothing.
fn golden(case: &str) -> Outcome {
    golden_at(case, v("1.26"))
}

/// [`golden`] against `target`.
fn golden_at(case: &str, target: KubeVersion) -> Outcome {
    let before = fs::read_to_string(fixtures().join(format!("{case}.before.yaml"))).unwrap();
    let after = fs::read_to_string(fixtures().join(format!("{case}.after.yaml"))).unwrap();
    let outcome = fix_text(&before, false, target);
    let got = outcome.text.clone().expect("something converted");
    if got != after {
        let _ = fs::write(std::env::temp_dir().join(format!("{case}.got.yaml")), &got);
        panic!(
            "{case}: converted text differs (see {case}.got.yaml in the temp dir)\n--- got\n{got}"
        );
    }
    let again = fix_text(&after, false, target);
    assert!(
        again.text.is_none() && again.changed.is_empty(),
        "{case}: second run changed {:?}",
        again.changed
    );
    assert!(
        again.unconverted.is_empty(),
        "{case}: {:?}",
        again.unconverted
    );
    outcome
}

#[test]
fn ingress_to_networking_v1() {
    let outcome = golden("ingress");
    assert_eq!(
        outcome.changed,
        vec!["line 2: Ingress web: extensions/v1beta1 -> networking.k8s.io/v1".to_owned()]
    );
    assert!(outcome.unconverted.is_empty());
}

#[test]
fn hpa_v2beta1_metrics_get_targets() {
    golden("hpa-v2beta1");
}

#[test]
fn plain_renames_keep_everything_else() {
    let outcome = golden("renames");
    let lines: Vec<&str> = outcome
        .changed
        .iter()
        .map(|c| c.split(':').next().unwrap())
        .collect();
    assert_eq!(
        lines,
        vec!["line 2", "line 7", "line 17", "line 33", "line 43"]
    );
}

#[test]
fn admission_policies_and_bindings_only_change_their_api_version() {
    let outcome = golden_at("admission-policy", v("1.34"));
    assert_eq!(
        outcome.changed,
        [
            "line 2: ValidatingAdmissionPolicy demo-replica-limit: admissionregistration.k8s.io/v1beta1 -> admissionregistration.k8s.io/v1",
            "line 28: ValidatingAdmissionPolicyBinding demo-replica-limit: admissionregistration.k8s.io/v1beta1 -> admissionregistration.k8s.io/v1",
            "line 45: ValidatingAdmissionPolicy no-latest: admissionregistration.k8s.io/v1alpha1 -> admissionregistration.k8s.io/v1",
            "line 59: ValidatingAdmissionPolicyBinding no-latest: admissionregistration.k8s.io/v1alpha1 -> admissionregistration.k8s.io/v1",
        ]
    );
    assert!(outcome.unconverted.is_empty(), "{:?}", outcome.unconverted);
    // v1 is served from 1.30: a 1.30 cluster takes the converted policy.
    assert!(
        golden_at("admission-policy", v("1.31"))
            .unconverted
            .is_empty()
    );
}

#[test]
fn webhook_configurations_and_alpha_bindings_missing_a_default_are_refused() {
    let text = "\
apiVersion: admissionregistration.k8s.io/v1beta1
kind: ValidatingWebhookConfiguration
metadata:
  name: hook
webhooks:
- name: hook.example.com
  clientConfig:
    service: {name: hook, namespace: demo}
---
apiVersion: admissionregistration.k8s.io/v1alpha1
kind: ValidatingAdmissionPolicyBinding
metadata:
  name: limit
spec:
  policyName: limit
  validationActions: [Deny]
  paramRef:
    name: limit
    namespace: demo
---
apiVersion: admissionregistration.k8s.io/v1alpha1
kind: ValidatingAdmissionPolicyBinding
metadata:
  name: flow
spec:
  policyName: limit
  validationActions: [Deny]
  paramRef: {name: limit, parameterNotFoundAction: Deny}
";
    let outcome = fix_text(text, false, v("1.34"));
    assert!(outcome.text.is_none(), "{:?}", outcome.changed);
    let got: Vec<(usize, &str)> = outcome
        .unconverted
        .iter()
        .map(|(l, w)| (*l, w.as_str()))
        .collect();
    assert_eq!(got.len(), 3, "{got:?}");
    assert_eq!(got[0].0, 1);
    assert!(
        got[0]
            .1
            .starts_with("admissionregistration.k8s.io/v1 requires sideEffects"),
        "{got:?}"
    );
    assert_eq!(got[1].0, 10);
    assert!(
        got[1]
            .1
            .contains("spec.paramRef.parameterNotFoundAction, which v1alpha1 defaulted"),
        "{got:?}"
    );
    assert_eq!(got[2].0, 21);
    assert!(got[2].1.contains("paramRef is not block style"), "{got:?}");
}

#[test]
fn what_cannot_be_converted_is_reported_and_left_alone() {
    let text = fs::read_to_string(fixtures().join("unconverted.yaml")).unwrap();
    let outcome = fix_text(&text, false, v("1.26"));
    assert!(outcome.text.is_none(), "{:?}", outcome.changed);
    let got: Vec<(usize, &str)> = outcome
        .unconverted
        .iter()
        .map(|(l, w)| (*l, w.as_str()))
        .collect();
    let expect_prefixes = [
        (1, "PodSecurityPolicy has no replacement"),
        (8, "apps/v1 requires spec.selector"),
        (18, "not block-style YAML the fixer can edit"),
        (20, "a Flux API"),
        (25, "autoscaling/v2beta1 `pods` metrics"),
        (36, "apiextensions.k8s.io/v1 requires"),
    ];
    assert_eq!(got.len(), expect_prefixes.len(), "{got:?}");
    for ((line, why), (l, prefix)) in got.iter().zip(expect_prefixes) {
        assert_eq!(*line, l, "{why}");
        assert!(why.starts_with(prefix), "{why}");
    }
}

#[test]
fn replacements_not_yet_served_wait_for_the_upgrade() {
    let text =
        "apiVersion: autoscaling/v2beta2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: h\n";
    // Deprecated in 1.23, but autoscaling/v2 is new in 1.23: a 1.22 cluster would refuse it.
    let outcome = fix_text(text, false, v("1.23"));
    assert!(outcome.text.is_none());
    assert!(
        outcome.unconverted[0].1.contains("only served from 1.23"),
        "{:?}",
        outcome.unconverted
    );
    // Not deprecated yet at 1.22: nothing to say.
    let outcome = fix_text(text, false, v("1.22"));
    assert!(outcome.text.is_none() && outcome.unconverted.is_empty());
}

#[test]
fn json_manifests_are_reported() {
    let text = r#"{"apiVersion": "batch/v1beta1", "kind": "CronJob", "metadata": {"name": "j"}}"#;
    let outcome = fix_text(text, true, v("1.25"));
    assert!(outcome.text.is_none());
    assert_eq!(outcome.unconverted.len(), 1);
}

#[test]
fn fix_repo_rewrites_files_and_is_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    let apps = dir.path().join("gitops/applications");
    fs::create_dir_all(&apps).unwrap();
    for name in [
        "ingress.before.yaml",
        "renames.before.yaml",
        "unconverted.yaml",
    ] {
        fs::copy(
            fixtures().join(name),
            apps.join(name.replace(".before", "")),
        )
        .unwrap();
    }
    fs::write(
        apps.join("kustomization.yaml"),
        "resources:\n- ingress.yaml\n",
    )
    .unwrap();
    let report = fix_repo(dir.path(), v("1.26")).unwrap();
    let changed: Vec<&Path> = report.changed.iter().map(|(p, _)| p.as_path()).collect();
    assert_eq!(
        changed,
        vec![
            Path::new("gitops/applications/ingress.yaml"),
            Path::new("gitops/applications/renames.yaml")
        ]
    );
    assert_eq!(report.unconverted.len(), 6);
    assert!(
        report
            .unconverted
            .iter()
            .all(|(p, _, _)| p == Path::new("gitops/applications/unconverted.yaml"))
    );
    let ingress = fs::read_to_string(apps.join("ingress.yaml")).unwrap();
    assert_eq!(
        ingress,
        fs::read_to_string(fixtures().join("ingress.after.yaml")).unwrap()
    );
    let again = fix_repo(dir.path(), v("1.26")).unwrap();
    assert!(again.changed.is_empty());
    assert_eq!(again.unconverted, report.unconverted);
    // And the scan agrees: nothing convertible is left.
    let scan =
        super::super::scan::scan_at(dir.path(), v("1.26"), "gitops/applications", None).unwrap();
    let left: Vec<&str> = scan.findings.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(
        left,
        vec![
            "restricted",
            "no-selector",
            "flow",
            "karpenter",
            "pods-metric",
            "things.example.com"
        ]
    );
}

proptest::proptest! {
    #[test]
    fn fix_never_panics(
        api in proptest::sample::select(&["extensions/v1beta1", "autoscaling/v2beta1", "policy/v1beta1", "batch/v1beta1"][..]),
        kind in proptest::sample::select(&["Ingress", "HorizontalPodAutoscaler", "PodDisruptionBudget", "CronJob", "Deployment"][..]),
        body in "[a-zA-Z:\\- \n{}\\[\\]#\"']{0,200}",
    ) {
        let text = format!("apiVersion: {api}\nkind: {kind}\nspec:\n{body}");
        let outcome = fix_text(&text, false, v("1.26"));
        // Whatever was converted still parses, every document of it (a `---`
        // in the body makes two), where the input did.
        let parses = |t: &str| {
            serde_yaml::Deserializer::from_str(t)
                .all(|doc| <serde_yaml::Value as serde::Deserialize>::deserialize(doc).is_ok())
        };
        if let Some(new) = outcome.text
            && parses(&text)
        {
            assert!(parses(&new), "{text:?} became {new:?}");
        }
        let _ = fix_text(&body, true, v("1.26"));
    }
}

proptest::proptest! {
    /// The golden inputs, broken in small ways: whatever gets converted still
    /// parses, and the rest is left alone.
    #[test]
    fn fix_of_edited_fixtures_gives_valid_yaml(
        case in proptest::sample::select(&["ingress", "hpa-v2beta1", "renames"][..]),
        at in proptest::prelude::any::<usize>(),
        how in proptest::prelude::any::<u8>(),
        ch in proptest::sample::select(&[':', '-', ' ', '"', '#', '{', '\n'][..]),
    ) {
        let before = fs::read_to_string(fixtures().join(format!("{case}.before.yaml"))).unwrap();
        let text = crate::manifests::yaml::proptests::mutate(&before, at, how, ch);
        let outcome = fix_text(&text, false, v("1.26"));
        if let Some(new) = &outcome.text {
            let parses = |d: &yaml::Doc<'_>| serde_yaml::from_str::<serde_yaml::Value>(d.text).is_ok();
            let (old_docs, new_docs) = (yaml::split_docs(&text).unwrap(), yaml::split_docs(new).unwrap());
            assert_eq!(old_docs.len(), new_docs.len());
            for (old, new) in old_docs.iter().zip(&new_docs) {
                assert!(!parses(old) || parses(new), "broke a document:\n{}\n->\n{}", old.text, new.text);
            }
            assert!(fix_text(new, false, v("1.26")).text.is_none(), "not idempotent");
        }
    }
}

#[test]
fn flow_style_lines_that_do_not_change_pass_through() {
    let text = "\
apiVersion: rbac.authorization.k8s.io/v1beta1
kind: ClusterRole
metadata:
  name: all
  annotations: {note: kept}
rules:
  - apiGroups: [\"*\"]
    resources: [\"*\",
      \"pods\"]  # two lines
    verbs: [\"*\"]
extra:
  - --auth-mode=server
";
    let outcome = fix_text(text, false, v("1.22"));
    let new = outcome.text.expect("converted");
    assert_eq!(
        new,
        text.replace(
            "rbac.authorization.k8s.io/v1beta1",
            "rbac.authorization.k8s.io/v1"
        )
    );
    assert!(outcome.unconverted.is_empty(), "{:?}", outcome.unconverted);
}

#[test]
fn a_flow_style_line_that_must_change_is_refused_by_name() {
    let text = "\
apiVersion: networking.k8s.io/v1beta1
kind: Ingress
metadata:
  name: web
spec:
  backend: {serviceName: web, servicePort: 80}
";
    let outcome = fix_text(text, false, v("1.22"));
    assert!(outcome.text.is_none());
    let (line, why) = &outcome.unconverted[0];
    assert_eq!(*line, 1);
    assert!(
        why.contains("line 6") && why.contains("`backend: {serviceName: web, servicePort: 80}`"),
        "{why}"
    );
}
