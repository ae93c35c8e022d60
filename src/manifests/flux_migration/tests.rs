use std::collections::BTreeSet;
use std::fs;
use std::path::PathBuf;

use super::*;
use crate::manifests::migration::{migrate_repo, write_migrations};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/scan/migrate")
}

fn run(text: &str) -> Migrated {
    migrate("x.yaml", text.as_bytes(), &FluxApis::current())
}

fn new_text(m: &Migrated) -> &str {
    std::str::from_utf8(&m.bytes).unwrap()
}

#[test]
fn the_upstream_shaped_repo_migrates_to_the_goldens_and_a_second_run_changes_nothing() {
    let target = FluxApis::current();
    let before = fixtures().join("upstream");
    let after = fixtures().join("after");
    for rel in [
        "gitops/clusters/cluster-demo/infra.yaml",
        "gitops/add-ons/03-argo-workflows.yaml",
        "gitops/sources/karpenter.yaml",
    ] {
        let bytes = fs::read(before.join(rel)).unwrap();
        let m = migrate(rel, &bytes, &target);
        let golden = fs::read_to_string(after.join(rel)).unwrap();
        assert_eq!(new_text(&m), golden, "{rel}");
        assert!(m.changed() && m.unconverted.is_empty(), "{rel}: {m:?}");
        let again = migrate(rel, &m.bytes, &target);
        assert!(!again.changed(), "{rel}: {again:?}");
        assert_eq!(again.bytes, m.bytes);
    }
    let argo = migrate(
        "a.yaml",
        &fs::read(before.join("gitops/add-ons/03-argo-workflows.yaml")).unwrap(),
        &target,
    );
    let what: Vec<&str> = argo.changes.iter().map(|c| c.what.as_str()).collect();
    assert_eq!(
        what,
        vec![
            "HelmRelease argo-workflows: helm.toolkit.fluxcd.io/v2beta1 -> helm.toolkit.fluxcd.io/v2; quoted label `self-managed-add-on: true`"
        ]
    );
    assert_eq!(argo.changes[0].line, 16);
}

#[test]
fn karpenter_alpha_apis_are_reported_with_the_upgrade_path() {
    let rel = "gitops/karpenter-provisioner/01-default-karpenter-provisioner.yaml";
    let bytes = fs::read(fixtures().join("upstream").join(rel)).unwrap();
    let m = migrate(rel, &bytes, &FluxApis::current());
    assert!(!m.changed());
    assert_eq!(m.bytes, bytes);
    let lines: Vec<usize> = m.unconverted.iter().map(|c| c.line).collect();
    assert_eq!(lines, vec![1, 13]);
    assert!(m.unconverted[0].what.contains("karpenter.sh/v1 NodePool"));
    assert!(m.unconverted[0].what.contains("chart v0.33"));
    assert!(
        m.unconverted[1]
            .what
            .contains("karpenter.k8s.aws/v1 EC2NodeClass")
    );
}

#[test]
fn api_version_only_documents_change_as_flux_migrate_would() {
    let text = "\
# comment kept
apiVersion: \"source.toolkit.fluxcd.io/v1beta1\"   # quoted
kind: GitRepository
metadata:
  name: a
spec:
  interval: 1m
  url: https://example.com/a
---
apiVersion: source.toolkit.fluxcd.io/v1beta2
kind: OCIRepository
metadata: {name: b}
spec:
  url: oci://example.com/b
---
apiVersion: helm.toolkit.fluxcd.io/v3
kind: HelmRelease
metadata:
  name: future
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: c
data:
  apiVersion: source.toolkit.fluxcd.io/v1beta1
";
    let m = run(text);
    let expected = text
        .replacen(
            "source.toolkit.fluxcd.io/v1beta1\"",
            "source.toolkit.fluxcd.io/v1\"",
            1,
        )
        .replacen(
            "source.toolkit.fluxcd.io/v1beta2",
            "source.toolkit.fluxcd.io/v1",
            1,
        );
    assert_eq!(new_text(&m), expected);
    assert_eq!(m.changes.len(), 2);
    assert!(m.unconverted.is_empty(), "{:?}", m.unconverted);
}

#[test]
fn kustomization_patches_become_patches_entries() {
    let text = "\
apiVersion: kustomize.toolkit.fluxcd.io/v1beta2
kind: Kustomization
metadata:
  name: apps
spec:
  interval: 1m
  prune: true
  sourceRef:
    kind: GitRepository
    name: flux-system
  patchesStrategicMerge:
  - apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
    spec:
      replicas: 2
  patchesJson6902:
  - target:
      kind: Deployment
      name: web
    patch:
    - op: add
      path: /metadata/annotations/x
      value: y
  validation: server
";
    let m = run(text);
    assert!(m.unconverted.is_empty(), "{:?}", m.unconverted);
    let new = new_text(&m);
    assert!(
        new.contains("  patches:\n  - patch: |\n      apiVersion: apps/v1\n"),
        "{new}"
    );
    assert!(
        !new.contains("validation") && !new.contains("patchesStrategicMerge"),
        "{new}"
    );
    let v: serde_yaml::Value = serde_yaml::from_str(new).unwrap();
    let patches = v["spec"]["patches"].as_sequence().unwrap();
    assert_eq!(patches.len(), 2);
    let smp: serde_yaml::Value =
        serde_yaml::from_str(patches[0]["patch"].as_str().unwrap()).unwrap();
    assert_eq!(smp["spec"]["replicas"], 2);
    assert_eq!(smp["metadata"]["name"], "web");
    assert_eq!(patches[1]["target"]["kind"], "Deployment");
    let ops: serde_yaml::Value =
        serde_yaml::from_str(patches[1]["patch"].as_str().unwrap()).unwrap();
    assert_eq!(ops[0]["op"], "add");
    assert_eq!(ops[0]["value"], "y");
    assert!(!run(new).changed(), "idempotent");
}

#[test]
fn helm_release_values_file_and_post_renderer_patches_move() {
    let text = "\
apiVersion: helm.toolkit.fluxcd.io/v2beta1
kind: HelmRelease
metadata:
  name: web
spec:
  interval: 5m
  chart:
    spec:
      chart: web
      valuesFile: values-prod.yaml # prod
      sourceRef:
        kind: HelmRepository
        name: repo
  postRenderers:
    - kustomize:
        patchesStrategicMerge:
          - kind: Deployment
            apiVersion: apps/v1
            metadata:
              name: web
";
    let m = run(text);
    assert!(m.unconverted.is_empty(), "{:?}", m.unconverted);
    let new = new_text(&m);
    assert!(
        new.contains("      valuesFiles:\n        - values-prod.yaml # prod\n"),
        "{new}"
    );
    let v: serde_yaml::Value = serde_yaml::from_str(new).unwrap();
    let patch = v["spec"]["postRenderers"][0]["kustomize"]["patches"][0]["patch"]
        .as_str()
        .unwrap();
    assert_eq!(
        patch,
        "kind: Deployment\napiVersion: apps/v1\nmetadata:\n  name: web\n"
    );
    assert!(!run(new).changed());
}

#[test]
fn git_implementation_is_dropped_and_unknown_fields_are_reported() {
    let text = "\
apiVersion: source.toolkit.fluxcd.io/v1beta2
kind: GitRepository
metadata:
  name: a
spec:
  interval: 1m
  gitImplementation: libgit2
  url: https://example.com/a
---
apiVersion: source.toolkit.fluxcd.io/v1beta2
kind: GitRepository
metadata:
  name: b
spec:
  accessFrom:
    namespaceSelectors: []
  url: https://example.com/b
";
    let m = run(text);
    let new = new_text(&m);
    assert!(!new.contains("gitImplementation"), "{new}");
    assert_eq!(m.unconverted.len(), 1);
    assert_eq!(m.unconverted[0].line, 10);
    assert!(
        m.unconverted[0]
            .what
            .contains("spec.accessFrom is not a field")
    );
    assert!(
        new.ends_with(&text[text.find("---").unwrap()..]),
        "b left as it was"
    );
}

#[test]
fn a_flow_style_line_that_must_change_is_refused_by_name() {
    let text = "\
apiVersion: kustomize.toolkit.fluxcd.io/v1beta1
kind: Kustomization
metadata:
  name: a
spec:
  prune: true
  patchesStrategicMerge: [{kind: Deployment}]
";
    let m = run(text);
    assert!(!m.changed());
    let why = &m.unconverted[0].what;
    assert!(
        why.contains("not a block list")
            && why.contains("`patchesStrategicMerge: [{kind: Deployment}]`"),
        "{why}"
    );
    // A flow-style value on a line the migration must edit is refused by line.
    let text = "\
apiVersion: helm.toolkit.fluxcd.io/v2beta1
kind: HelmRelease
metadata:
  name: a
spec:
  interval: 1m
  chart:
    spec: {chart: a, valuesFile: v.yaml, sourceRef: {kind: HelmRepository, name: r}}
";
    let m = run(text);
    assert!(!m.changed(), "{m:?}");
    assert!(
        m.unconverted[0]
            .what
            .contains("spec.chart.spec.valuesFile is not a field"),
        "{:?}",
        m.unconverted
    );
}

#[test]
fn label_values_that_are_not_strings_are_quoted_in_any_object() {
    let text = "\
apiVersion: v1
kind: ConfigMap
metadata:
  name: c
  labels:
    on: yes
    count: 3
    ok: \"fine\"
    version: 0.28.2
  annotations:
    flag: False  # as written
";
    let m = run(text);
    let new = new_text(&m);
    assert_eq!(
        new,
        text.replace("count: 3", "count: \"3\"")
            .replace("flag: False", "flag: \"False\"")
    );
    assert!(!run(new).changed());
}

#[test]
fn preflight_lists_unserved_kinds_and_non_string_values() {
    let objects = vec![
        AppliedObject {
            file: "gitops/clusters/cluster-demo/infra.yaml".into(),
            line: 1,
            api_version: "kustomize.toolkit.fluxcd.io/v1beta1".into(),
            kind: "Kustomization".into(),
            name: "infrastructure".into(),
            non_strings: Vec::new(),
        },
        AppliedObject {
            file: "gitops/add-ons/a.yaml".into(),
            line: 4,
            api_version: "v1".into(),
            kind: "ConfigMap".into(),
            name: "c".into(),
            non_strings: vec![(8, "labels.on: true is not a string; quote it".into())],
        },
    ];
    let served: BTreeSet<(String, String)> = [
        ("kustomize.toolkit.fluxcd.io/v1", "Kustomization"),
        ("v1", "ConfigMap"),
    ]
    .iter()
    .map(|(a, k)| ((*a).to_owned(), (*k).to_owned()))
    .collect();
    let p = preflight(&objects, &served);
    assert!(!p.ok());
    assert_eq!(p.unserved.len(), 1);
    assert_eq!(
        p.unserved[0].served_instead,
        vec!["kustomize.toolkit.fluxcd.io/v1"]
    );
    assert_eq!(p.unserved[0].line, 1);
    assert_eq!(
        p.non_strings,
        vec![(
            "gitops/add-ons/a.yaml".into(),
            8,
            "labels.on: true is not a string; quote it".into()
        )]
    );
}

#[test]
fn the_repo_is_planned_without_writing_then_written_once() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&fixtures().join("upstream"), dir.path());
    let target = FluxApis::current();
    let planned = migrate_repo(dir.path(), &target).unwrap();
    let paths: Vec<&str> = planned.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(
        paths,
        vec![
            "gitops/add-ons/03-argo-workflows.yaml",
            "gitops/clusters/cluster-demo/infra.yaml",
            "gitops/karpenter-provisioner/01-default-karpenter-provisioner.yaml",
            "gitops/sources/karpenter.yaml",
        ]
    );
    let untouched = fs::read(dir.path().join(paths[1])).unwrap();
    assert_eq!(
        untouched,
        fs::read(fixtures().join("upstream").join(paths[1])).unwrap()
    );
    let written = write_migrations(dir.path(), &planned).unwrap();
    assert_eq!(written.len(), 3);
    assert_eq!(
        fs::read_to_string(dir.path().join(paths[1])).unwrap(),
        fs::read_to_string(fixtures().join("after").join(paths[1])).unwrap()
    );
    let again = migrate_repo(dir.path(), &target).unwrap();
    assert!(again.iter().all(|f| !f.migrated.changed()));

    // The preflight over the same tree, before migrating, names the unserved objects.
    let fresh = tempfile::tempdir().unwrap();
    copy_dir(&fixtures().join("upstream"), fresh.path());
    let tree = crate::manifests::Tree::read(fresh.path(), "gitops/clusters/cluster-demo").unwrap();
    let objects = tree.preflight_objects();
    let kinds: Vec<(&str, &str)> = objects
        .iter()
        .map(|o| (o.file.as_str(), o.kind.as_str()))
        .collect();
    assert!(
        kinds.contains(&("gitops/clusters/cluster-demo/infra.yaml", "Kustomization")),
        "{kinds:?}"
    );
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let dest = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            fs::create_dir_all(&dest).unwrap();
            copy_dir(&entry.path(), &dest);
        } else {
            fs::copy(entry.path(), dest).unwrap();
        }
    }
}

#[test]
fn a_crlf_file_migrates_as_its_lf_twin_and_keeps_its_crlfs() {
    let lf = "\
apiVersion: kustomize.toolkit.fluxcd.io/v1beta2
kind: Kustomization
metadata:
  name: apps
spec:
  interval: 1m
  patchesStrategicMerge:
  - apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: web
  validation: server
";
    let crlf = lf.replace('\n', "\r\n");
    let m = run(&crlf);
    assert!(m.changed() && m.unconverted.is_empty(), "{m:?}");
    let twin = run(lf);
    assert_eq!(new_text(&m), new_text(&twin).replace('\n', "\r\n"));
    assert_eq!(m.changes, twin.changes, "same lines");
    assert!(!run(new_text(&m)).changed(), "idempotent");

    let mixed = crlf.replacen("\r\n", "\n", 1);
    let m = run(&mixed);
    assert!(!m.changed() && m.bytes == mixed.as_bytes(), "{m:?}");
    assert!(
        m.unconverted
            .iter()
            .any(|u| u.what.contains("mixes CRLF and LF")),
        "{m:?}"
    );
}
