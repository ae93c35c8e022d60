use super::*;

fn parse(text: &str) -> Result<Values, String> {
    Values::parse(text)
}

#[test]
fn flat_yaml_and_json_maps() {
    let yaml = parse("aws_region: us-west-2\ncluster_name: demo\n").unwrap();
    let json = parse(r#"{"aws_region": "us-west-2", "cluster_name": "demo"}"#).unwrap();
    assert_eq!(yaml, json);
    assert_eq!(yaml.get("aws_region"), Some("us-west-2"));
}

#[test]
fn numbers_and_bools_are_stringified() {
    let values = parse("aws_vpc_id: 1234\ncluster_name: true\n").unwrap();
    assert_eq!(values.get("aws_vpc_id"), Some("1234"));
    assert_eq!(values.get("cluster_name"), Some("true"));
}

#[test]
fn empty_values_are_not_given() {
    let values = parse("aws_region:\nkarpenter_irsa: \"\"\n").unwrap();
    assert!(values.is_empty());
}

#[test]
fn terraform_output_json() {
    let text = r#"{
      "aws_region": {"sensitive": false, "type": "string", "value": "us-west-2"},
      "karpenter_irsa": {"sensitive": false, "type": "string", "value": "arn:aws:iam::111122223333:role/karpenter"},
      "oidc_provider_arn": {"sensitive": false, "type": "string", "value": "arn:aws:iam::111122223333:oidc-provider/x"},
      "subnets": {"sensitive": false, "type": ["list", "string"], "value": ["a", "b"]}
    }"#;
    let values = parse(text).unwrap();
    let got: Vec<_> = values.iter().collect();
    assert_eq!(
        got,
        [
            ("aws_region", "us-west-2"),
            ("karpenter_irsa", "arn:aws:iam::111122223333:role/karpenter")
        ]
    );
}

#[test]
fn unknown_keys_are_errors_naming_the_known_ones() {
    let err = parse("karpenter_irsaa: arn:aws:iam::1:role/x\n").unwrap_err();
    assert!(err.contains("`karpenter_irsaa`"), "{err}");
    assert!(
        err.ends_with(", karpenter_instance_profile, karpenter_irsa"),
        "{err}"
    );
}

#[test]
fn nested_maps_lists_and_garbage_are_errors() {
    for (text, expect) in [
        ("aws_region:\n  name: us-west-2\n", "nested map"),
        ("aws_region: [us-west-2]\n", "is a list"),
        ("- aws_region\n", "not a map"),
        ("aws_region: \"unterminated\n", "not valid YAML"),
        ("", "empty"),
        ("1: x\n", "not a string"),
    ] {
        let err = parse(text).unwrap_err();
        assert!(err.contains(expect), "{text:?}: {err}");
    }
}

#[test]
fn terraform_shape_must_be_all_or_nothing() {
    let text = r#"{"aws_region": {"value": "us-west-2"}, "cluster_name": "demo"}"#;
    assert!(parse(text).unwrap_err().contains("nested map"));
}

#[test]
fn a_key_that_is_not_a_string_is_quoted_in_the_error() {
    assert_eq!(
        parse("1: x\n").unwrap_err(),
        "has a key that is not a string: 1"
    );
}

#[test]
fn a_terraform_output_needs_a_value_and_no_other_keys() {
    for text in [
        r#"{"aws_region": {"value": "us-west-2", "description": "x"}}"#,
        r#"{"aws_region": {"type": "string", "sensitive": false}}"#,
    ] {
        let err = parse(text).unwrap_err();
        assert!(
            err.contains("`aws_region` is a nested map"),
            "{text}: {err}"
        );
    }
}

#[test]
fn from_file_attaches_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.yaml");
    match Values::from_file(&missing) {
        Err(Error::ValuesFile { path, reason }) => {
            assert_eq!(path, missing);
            assert_eq!(reason, "does not exist");
        }
        other => panic!("expected ValuesFile, got {other:?}"),
    }
    let bad = dir.path().join("bad.yaml");
    std::fs::write(&bad, "typo: x\n").unwrap();
    assert!(matches!(Values::from_file(&bad), Err(Error::ValuesFile { path, .. }) if path == bad));
}

#[test]
fn the_example_file_is_complete() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/values.example.yaml");
    let values = Values::from_file(&path).unwrap();
    assert!(KNOWN.iter().all(|spec| values.get(spec.name).is_some()));
    assert_eq!(
        values.iter().count(),
        KNOWN.len(),
        "every value given explicitly"
    );
}

#[test]
fn merge_later_wins_and_defaults_fill_in() {
    let mut values = parse("aws_region: us-east-1\naws_vpc_id: vpc-1\n").unwrap();
    values.merge(parse("aws_region: us-west-2\n").unwrap());
    assert_eq!(values.get("aws_region"), Some("us-west-2"));
    assert_eq!(values.get("aws_vpc_id"), Some("vpc-1"));
    assert_eq!(values.get("cluster_name"), Some(DEFAULT_CLUSTER_NAME));
    assert_eq!(values.get("karpenter_irsa"), None);
    values.set("cluster_name", "mine");
    assert_eq!(values.get("cluster_name"), Some("mine"));
}

#[test]
fn known_is_sorted_and_unique() {
    let names: Vec<&str> = KNOWN.iter().map(|spec| spec.name).collect();
    let mut sorted = names.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(names, sorted);
}

#[test]
fn a_missing_terraform_directory_is_an_error_with_or_without_terraform() {
    let dir = tempfile::tempdir().unwrap();
    let err = Values::from_terraform_dir(&dir.path().join("nope")).unwrap_err();
    assert!(
        matches!(err, Error::NotFound { .. } | Error::ToolMissing { .. }),
        "{err:?}"
    );
}

#[cfg(unix)]
mod terraform {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn fake_terraform(dir: &Path, script: &str) -> std::path::PathBuf {
        let path = dir.join("terraform");
        std::fs::write(&path, format!("#!/bin/sh\n{script}\n")).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        path
    }

    #[test]
    fn reads_the_outputs() {
        let dir = tempfile::tempdir().unwrap();
        let bin = fake_terraform(
            dir.path(),
            r#"[ "$1 $2" = "output -json" ] || exit 9
echo '{"aws_region": {"sensitive": false, "type": "string", "value": "us-west-2"}}'"#,
        );
        let values = Values::from_terraform(&bin, dir.path()).unwrap();
        assert_eq!(values.get("aws_region"), Some("us-west-2"));
    }

    #[test]
    fn failure_carries_stderr() {
        let dir = tempfile::tempdir().unwrap();
        let bin = fake_terraform(dir.path(), "echo 'No state file was found!' >&2; exit 1");
        match Values::from_terraform(&bin, dir.path()) {
            Err(Error::Command { command, message }) => {
                assert_eq!(command, "terraform output -json");
                assert!(message.contains("No state file was found!"), "{message}");
            }
            other => panic!("expected Command, got {other:?}"),
        }
    }

    #[test]
    fn missing_directory_is_not_found() {
        let dir = tempfile::tempdir().unwrap();
        let bin = fake_terraform(dir.path(), "exit 0");
        let err = Values::from_terraform(&bin, &dir.path().join("nope")).unwrap_err();
        assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
    }
}

#[test]
fn a_terraform_state_file_is_read_without_terraform() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("terraform.tfstate");
    let state = serde_json::json!({
        "version": 4,
        "terraform_version": "1.5.7",
        "outputs": {
            "aws_region": {"value": "eu-west-1", "type": "string"},
            "karpenter_irsa": {"value": "arn:aws:iam::111122223333:role/k", "type": "string", "sensitive": false},
            "configure_kubectl": {"value": "aws eks update-kubeconfig", "type": "string"}
        },
        "resources": []
    });
    std::fs::write(&path, state.to_string()).unwrap();
    let values = Values::from_terraform_state(&path).unwrap();
    assert_eq!(values.get("aws_region"), Some("eu-west-1"));
    assert_eq!(
        values.get("karpenter_irsa"),
        Some("arn:aws:iam::111122223333:role/k")
    );
    assert_eq!(values.iter().count(), 2, "unknown outputs are skipped");
    std::fs::write(&path, r#"{"version": 3, "outputs": {}}"#).unwrap();
    let err = Values::from_terraform_state(&path).unwrap_err().to_string();
    assert!(err.contains("format 3"), "{err}");
}

#[test]
fn check_all_names_the_key_and_the_form() {
    let values = parse("aws_region: arn:aws:iam::111122223333:role/x\n").unwrap();
    let err = values.check_all().unwrap_err();
    assert_eq!(err.exit_code(), 2);
    let text = err.to_string();
    assert!(
        text.contains("`aws_region`") && text.contains("AWS region"),
        "{text}"
    );
    let mismatch =
        parse("argo_workflows_bucket_arn: arn:aws:s3:::one\nargo_workflows_bucket_name: two\n")
            .unwrap();
    let text = mismatch.check_all().unwrap_err().to_string();
    assert!(text.contains("argo_workflows_bucket_arn"), "{text}");
}

#[test]
fn a_values_or_terraform_state_file_that_is_not_a_regular_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    for read in [Values::from_file, Values::from_terraform_state] {
        for (path, says) in [
            (dir.path(), "is a directory, not a regular file"),
            (Path::new("/dev/zero"), "is a device, not a regular file"),
        ] {
            let err = read(path).unwrap_err();
            assert_eq!(err.exit_code(), 2, "{err:?}");
            assert!(err.to_string().contains(says), "{err}");
        }
    }
}
