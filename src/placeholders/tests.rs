use super::*;

fn values(pairs: &[(&str, &str)]) -> Values {
    let mut v = Values::default();
    for (k, val) in pairs {
        v.set(*k, *val);
    }
    v
}

const KARPENTER: &str = "\
apiVersion: helm.toolkit.fluxcd.io/v2beta1
kind: HelmRelease
metadata:
  labels:
    self-managed-add-on: true
spec:
  values:
    serviceAccount:
      name: karpenter # SA created via eksctl or
      annotations:
        eks.amazonaws.com/role-arn: KARPENTER_IRSA # Replace
    settings:
      aws:
        clusterName: eks-upgrades-workshop
        clusterEndpoint: CLUSTER_ENDPOINT # Replace
        # interruptionQueueName: KARPENTER_IRSA
  install: {}";

const IRSA: &str = "arn:aws:iam::111122223333:role/karpenter";
const ENDPOINT: &str = "https://ABC.gr7.us-west-2.eks.amazonaws.com";

fn karpenter_rule() -> &'static Rule {
    rule("gitops/add-ons/02-karpenter.yaml").unwrap()
}

#[test]
fn only_the_placeholder_scalars_change() {
    let v = values(&[("karpenter_irsa", IRSA), ("cluster_endpoint", ENDPOINT)]);
    let out = render(karpenter_rule(), KARPENTER, &v, &[]);
    let before: Vec<_> = KARPENTER.lines().collect();
    let after: Vec<_> = out.text.lines().collect();
    assert_eq!(before.len(), after.len());
    let changed: Vec<usize> = (0..before.len())
        .filter(|&i| before[i] != after[i])
        .collect();
    assert_eq!(changed, [10, 14]);
    assert_eq!(
        after[10],
        format!("        eks.amazonaws.com/role-arn: \"{IRSA}\" # Replace")
    );
    assert_eq!(
        after[14],
        format!("        clusterEndpoint: \"{ENDPOINT}\" # Replace")
    );
    assert!(!out.text.ends_with('\n'), "no final newline added");
    assert_eq!(out.edits.len(), 2);
    assert!(out.missing.is_empty());
    assert!(leftover(karpenter_rule(), &out.text).is_empty());
    // The result is still the same YAML, values aside.
    let doc: serde_yaml::Value = serde_yaml::from_str(&out.text).unwrap();
    assert_eq!(
        doc["spec"]["values"]["serviceAccount"]["annotations"]["eks.amazonaws.com/role-arn"],
        IRSA
    );
}

#[test]
fn rendering_again_changes_nothing() {
    let v = values(&[("karpenter_irsa", IRSA), ("cluster_endpoint", ENDPOINT)]);
    let first = render(karpenter_rule(), KARPENTER, &v, &[]);
    let second = render(karpenter_rule(), &first.text, &v, &first.placements);
    assert_eq!(second.text, first.text);
    assert!(!second.changed());
    assert_eq!(second.placements, first.placements);
    assert!(second.kept.is_empty());
}

#[test]
fn a_missing_value_is_named_and_its_token_left() {
    let v = values(&[("karpenter_irsa", IRSA)]);
    let out = render(karpenter_rule(), KARPENTER, &v, &[]);
    assert_eq!(out.missing, ["cluster_endpoint"]);
    assert_eq!(
        leftover(karpenter_rule(), &out.text),
        [(15, "CLUSTER_ENDPOINT".to_string())]
    );
}

#[test]
fn a_changed_value_replaces_ours_and_keeps_theirs() {
    let v = values(&[("karpenter_irsa", IRSA), ("cluster_endpoint", ENDPOINT)]);
    let first = render(karpenter_rule(), KARPENTER, &v, &[]);
    // The participant sets their own role ARN and adds a line above.
    let theirs = first
        .text
        .replace(&quote(IRSA), "arn:aws:iam::1:role/mine")
        .replace("kind: HelmRelease\n", "kind: HelmRelease\n# my note\n");
    let new_endpoint = "https://NEW.gr7.us-west-2.eks.amazonaws.com";
    let v2 = values(&[
        ("karpenter_irsa", "arn:aws:iam::111122223333:role/other"),
        ("cluster_endpoint", new_endpoint),
    ]);
    let out = render(karpenter_rule(), &theirs, &v2, &first.placements);
    assert!(
        out.text
            .contains("role-arn: arn:aws:iam::1:role/mine # Replace")
    );
    assert!(out.text.contains(&format!(
        "clusterEndpoint: {} # Replace",
        quote(new_endpoint)
    )));
    assert!(out.text.contains("# my note\n"));
    assert_eq!(out.edits.len(), 1);
    assert_eq!(out.edits[0].line, 16);
    assert_eq!(
        out.kept,
        [Kept {
            line: 11,
            key: "eks.amazonaws.com/role-arn".into(),
            value: "karpenter_irsa".into()
        }]
    );
    // The old value stays known as ours, so HEAD (still holding it) re-renders too.
    let endpoint = out
        .placements
        .iter()
        .find(|p| p.token == "CLUSTER_ENDPOINT")
        .unwrap();
    assert_eq!(endpoint.wrote, [quote(ENDPOINT), quote(new_endpoint)]);
    let from_head = render(karpenter_rule(), &first.text, &v2, &out.placements);
    assert!(from_head.text.contains(&quote(new_endpoint)));
}

#[test]
fn argo_expressions_and_parameter_names_are_not_placeholders() {
    let workflow = "\
      inputs:
        parameters:
          - name: AWS_REGION
            value: REGION_AWS
          - name: CLUSTER_NAME
            value: eks-upgrades-workshop
        args: ['./validate-aws-basics.sh {{inputs.parameters.AWS_REGION}}']
        script: |
          - AWS_VPC_ID
        value: AWS_VPC_ID
";
    let rule = rule("upgrades-workflows/upgrade-validate-workflow.yaml").unwrap();
    let v = values(&[("aws_region", "eu-west-1"), ("aws_vpc_id", "vpc-0abc")]);
    let out = render(rule, workflow, &v, &[]);
    let expected = workflow
        .replace("value: REGION_AWS", "value: \"eu-west-1\"")
        .replace("        value: AWS_VPC_ID", "        value: \"vpc-0abc\"");
    assert_eq!(out.text, expected);
    assert!(
        out.text.contains("          - AWS_VPC_ID\n"),
        "block scalar content untouched"
    );
}

#[test]
fn tokens_are_per_file() {
    let text = "region: AWS_REGION\nid: AWS_VPC_ID\n";
    let v = values(&[("aws_region", "eu-west-1"), ("aws_vpc_id", "vpc-0abc")]);
    let addon = render(karpenter_rule(), text, &v, &[]);
    assert_eq!(addon.text, "region: \"eu-west-1\"\nid: AWS_VPC_ID\n");
}

#[test]
fn quoted_placeholders_and_crlf_keep_their_line_endings() {
    let text = "a: \"KARPENTER_IRSA\"\r\nb: 'CLUSTER_NAME'\r\n";
    let v = values(&[("karpenter_irsa", IRSA), ("cluster_name", "demo")]);
    let out = render(karpenter_rule(), text, &v, &[]);
    assert_eq!(out.text, format!("a: {}\r\nb: \"demo\"\r\n", quote(IRSA)));
}

#[test]
fn a_value_that_needs_escaping_stays_one_scalar() {
    let v = values(&[("karpenter_irsa", "x\" # y: z")]);
    let out = render(karpenter_rule(), "a: KARPENTER_IRSA\n", &v, &[]);
    let doc: serde_yaml::Value = serde_yaml::from_str(&out.text).unwrap();
    assert_eq!(doc["a"], "x\" # y: z");
}

#[test]
fn every_rule_token_has_a_known_value() {
    for rule in RULES {
        for token in rule.tokens {
            let name = value_of(token).unwrap();
            assert!(crate::values::known(name).is_some(), "{token} -> {name}");
        }
    }
}

#[test]
fn the_embedded_workshop_holds_placeholders_the_same_way() {
    let example =
        crate::values::Values::parse(include_str!("../../templates/values.example.yaml")).unwrap();
    for rule in RULES {
        let (_, bytes) = crate::workshop::files()
            .find(|(p, _)| *p == rule.path)
            .unwrap_or_else(|| panic!("{} is embedded", rule.path));
        let text = std::str::from_utf8(bytes).unwrap();
        assert!(
            !leftover(rule, text).is_empty(),
            "{} has placeholders",
            rule.path
        );
        let out = render(rule, text, &example, &[]);
        assert!(out.missing.is_empty(), "{}: {:?}", rule.path, out.missing);
        assert!(leftover(rule, &out.text).is_empty());
        serde_yaml::Deserializer::from_str(&out.text).for_each(|doc| {
            serde_yaml::Value::deserialize(doc).unwrap_or_else(|e| panic!("{}: {e}", rule.path));
        });
    }
}
