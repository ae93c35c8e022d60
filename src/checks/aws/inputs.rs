//! The workshop values the AWS checks ask about.

use crate::config::Settings;

/// The values the checks ask about.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Inputs {
    pub(super) region: String,
    pub(super) cluster: String,
    pub(super) vpc: String,
    pub(super) role: String,
    pub(super) security_group: String,
}

impl Inputs {
    /// The values, or the names of those missing.
    pub(super) fn of(settings: &Settings) -> std::result::Result<Inputs, Vec<&'static str>> {
        let values = &settings.values;
        let region = settings
            .region
            .as_deref()
            .or_else(|| values.get("aws_region"));
        let mut missing = Vec::new();
        let mut get = |name: &'static str, value: Option<&str>| match value {
            Some(v) if !v.trim().is_empty() => v.to_string(),
            _ => {
                missing.push(name);
                String::new()
            }
        };
        let inputs = Inputs {
            region: get("aws_region", region),
            cluster: get("cluster_name", values.get("cluster_name")),
            vpc: get("aws_vpc_id", values.get("aws_vpc_id")),
            role: get("cluster_iam_role_name", values.get("cluster_iam_role_name")),
            security_group: get(
                "cluster_primary_security_group_id",
                values.get("cluster_primary_security_group_id"),
            ),
        };
        if missing.is_empty() {
            Ok(inputs)
        } else {
            Err(missing)
        }
    }
}

/// Why the checks are skipped when `missing` values are.
pub(super) fn missing(missing: &[&str]) -> String {
    let region = if missing.contains(&"aws_region") {
        ", or pass --region"
    } else {
        ""
    };
    format!(
        "no {} value (give it in a --values file or the terraform outputs and run `eks-workshop setup` again{region})",
        missing.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_inputs_are_the_values_and_missing_ones_are_named() {
        let mut settings =
            Settings::new("aws-samples/eks-cluster-upgrades-workshop".parse().unwrap());
        let missing = Inputs::of(&settings).unwrap_err();
        // cluster_name has a default.
        assert_eq!(
            missing,
            [
                "aws_region",
                "aws_vpc_id",
                "cluster_iam_role_name",
                "cluster_primary_security_group_id"
            ]
        );
        for (k, v) in [
            ("aws_region", "eu-west-1"),
            ("aws_vpc_id", "vpc-1"),
            ("cluster_iam_role_name", "role"),
            ("cluster_primary_security_group_id", "sg-1"),
        ] {
            settings.values.set(k, v);
        }
        settings.region = Some("us-east-2".into());
        let inputs = Inputs::of(&settings).unwrap();
        assert_eq!(inputs.region, "us-east-2", "--region wins");
        assert_eq!(inputs.cluster, crate::values::DEFAULT_CLUSTER_NAME);
        assert_eq!(
            (inputs.vpc.as_str(), inputs.security_group.as_str()),
            ("vpc-1", "sg-1")
        );
        assert_eq!(
            super::missing(&["aws_vpc_id"]),
            "no aws_vpc_id value (give it in a --values file or the terraform outputs and run `eks-workshop setup` again)"
        );
        assert!(super::missing(&["aws_region"]).ends_with(", or pass --region)"));
    }
}
