use std::path::{Path, PathBuf};

use super::*;

/// The values of `templates/values.example.yaml`, which the README's offline
/// demo uses too.
fn example() -> Values {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/values.example.yaml");
    Values::from_file(&path).unwrap()
}

/// Every value set to install.sh's placeholder for it (`KARPENTER_IRSA`).
fn placeholders() -> Values {
    let mut values = Values::default();
    for spec in values::KNOWN {
        values.set(spec.name, spec.name.to_uppercase());
    }
    values
}

/// Compare `actual` with the committed file byte for byte; with
/// `UPDATE_SNAPSHOTS=1`, write it instead.
fn assert_file(path: &Path, actual: &str) {
    if updating() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; run with UPDATE_SNAPSHOTS=1 to create it",
            path.display()
        )
    });
    assert!(
        expected == actual,
        "{} differs from the rendered output; check the diff and run with UPDATE_SNAPSHOTS=1 to accept it\n--- rendered ---\n{actual}",
        path.display()
    );
}

fn updating() -> bool {
    std::env::var_os("UPDATE_SNAPSHOTS").is_some_and(|v| v == "1")
}

fn snapshot_path(template: &str) -> PathBuf {
    let name = template.strip_suffix(".j2").unwrap_or(template);
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("src/snapshots")
        .join(name)
}

#[test]
fn rendered_example_matches_snapshots() {
    for rendered in render_all(&example()).unwrap() {
        assert_file(&snapshot_path(rendered.template), &rendered.contents);
    }
}

#[test]
fn rendered_example_has_no_placeholders_left() {
    for rendered in render_all(&example()).unwrap() {
        let left = leftover_placeholders(&rendered.contents);
        assert!(left.is_empty(), "{}: {left:?}", rendered.template);
        assert!(rendered.contents.ends_with('\n'));
    }
}

#[test]
fn rendered_example_is_valid_yaml() {
    use serde::Deserialize;
    for rendered in render_all(&example()).unwrap() {
        for document in serde_yaml::Deserializer::from_str(&rendered.contents) {
            let value = serde_yaml::Value::deserialize(document);
            assert!(value.is_ok(), "{}: {value:?}", rendered.template);
        }
    }
}

/// The workshop's own copies of these files are the templates rendered with
/// install.sh's placeholders, so the two cannot drift apart.
#[test]
fn workshop_files_are_the_templates_with_placeholders() {
    let workshop: std::collections::BTreeMap<_, _> = crate::workshop::files().collect();
    for rendered in render_all(&placeholders()).unwrap() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("workshop")
            .join(rendered.path);
        assert_file(&path, &rendered.contents);
        // A file written just now is embedded by the next build.
        assert!(
            updating() || workshop.contains_key(rendered.path),
            "{} is not embedded",
            rendered.path
        );
        assert!(!leftover_placeholders(&rendered.contents).is_empty());
    }
}

#[test]
fn a_missing_value_is_named() {
    let mut values = example();
    values.set("karpenter_irsa", "x");
    let mut partial = Values::default();
    for (name, value) in values
        .iter()
        .filter(|(name, _)| *name != "cluster_endpoint")
    {
        partial.set(name, value);
    }
    match render(KARPENTER, &partial) {
        Err(Error::MissingTemplateValue { template, name }) => {
            assert_eq!(template, KARPENTER);
            assert_eq!(name, "cluster_endpoint");
        }
        other => panic!("expected MissingTemplateValue, got {other:?}"),
    }
}

#[test]
fn cluster_name_defaults() {
    let mut values = Values::default();
    for (name, value) in example().iter().filter(|(name, _)| *name != "cluster_name") {
        values.set(name, value);
    }
    let rendered = render(KARPENTER, &values).unwrap();
    assert!(
        rendered
            .contents
            .contains("clusterName: \"eks-upgrades-workshop\"")
    );
}

#[test]
fn values_are_quoted_yaml_scalars() {
    let mut values = example();
    values.set("karpenter_irsa", "a: \"b\"\n# c");
    let rendered = render(KARPENTER, &values).unwrap();
    let documents: Vec<serde_yaml::Value> = rendered
        .contents
        .split("\n---\n")
        .map(|d| serde_yaml::from_str(d).unwrap())
        .collect();
    let annotation = &documents[1]["spec"]["values"]["serviceAccount"]["annotations"]["eks.amazonaws.com/role-arn"];
    assert_eq!(annotation.as_str(), Some("a: \"b\"\n# c"));
}

#[test]
fn addons_render_their_own_templates() {
    let karpenter = crate::addons::find("karpenter").unwrap();
    let paths: Vec<_> = render_for_addon(karpenter, &example())
        .unwrap()
        .into_iter()
        .map(|r| r.path)
        .collect();
    assert_eq!(
        paths,
        [
            "gitops/add-ons/02-karpenter.yaml",
            "gitops/karpenter-provisioner/01-default-karpenter-provisioner.yaml"
        ]
    );
    let metrics = crate::addons::find("metrics-server").unwrap();
    assert!(
        render_for_addon(metrics, &Values::default())
            .unwrap()
            .is_empty()
    );
}

#[test]
fn required_values_come_from_the_templates() {
    assert_eq!(
        required_values(&[KARPENTER]),
        [
            "cluster_endpoint",
            "cluster_name",
            "karpenter_instance_profile",
            "karpenter_irsa"
        ]
    );
    let all: Vec<&str> = names().collect();
    let needed = required_values(&all);
    assert!(!needed.contains(&"argo_workflows_bucket_arn"), "{needed:?}");
    assert_eq!(
        target_path(UPGRADE_VALIDATE_WORKFLOW),
        Some("upgrades-workflows/upgrade-validate-workflow.yaml")
    );
    assert!(matches!(
        render("nope", &example()),
        Err(Error::NotFound { .. })
    ));
}

#[test]
fn leftovers_are_found() {
    assert_eq!(
        leftover_placeholders("role: KARPENTER_IRSA\n"),
        ["KARPENTER_IRSA"]
    );
    assert!(leftover_placeholders("role: MY_KARPENTER_IRSA_X\n").is_empty());
    assert_eq!(
        leftover_placeholders("a: {{ aws_region }}\n"),
        ["{{ aws_region }}"]
    );
    assert!(leftover_placeholders("a: \"{{workflow.parameters.vpc-id}}\"\n").is_empty());
}
