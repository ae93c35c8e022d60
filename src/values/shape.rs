//! The shape each value must have, checked for every source (values file,
//! terraform, flags, environment, prompt) before anything is written, so a
//! region given as a role ARN fails here, not later on the cluster.
//!
//! Forms follow AWS's documented rules: IAM names and ARNs (IAM User Guide,
//! "IAM identifiers"), S3 bucket naming rules (S3 User Guide, "Bucket naming
//! rules"), EC2 resource IDs (`vpc-`/`sg-` and 8 or 17 hex digits), EKS cluster
//! names (CreateCluster API: 1-100 characters, a letter or digit first).

/// `Ok` if `value` has the shape of `name`; else the expected form, in words.
pub(crate) fn check(name: &str, value: &str) -> Result<(), &'static str> {
    let ok = match name {
        "aws_region" => is_region(value),
        "argo_workflows_irsa" | "karpenter_irsa" => is_role_arn(value),
        "argo_workflows_bucket_arn" => bucket_of_arn(value).is_some_and(is_bucket_name),
        "argo_workflows_bucket_name" => is_bucket_name(value),
        "aws_vpc_id" => is_resource_id(value, "vpc-"),
        "cluster_primary_security_group_id" => is_resource_id(value, "sg-"),
        "cluster_endpoint" => is_https_url(value),
        "cluster_iam_role_name" => is_iam_name(value, 64),
        "karpenter_instance_profile" => is_iam_name(value, 128),
        "cluster_name" => is_cluster_name(value),
        _ => true,
    };
    if ok { Ok(()) } else { Err(expected(name)) }
}

/// The expected form of a value, for messages.
pub(crate) fn expected(name: &str) -> &'static str {
    match name {
        "aws_region" => "an AWS region name such as us-west-2",
        "argo_workflows_irsa" | "karpenter_irsa" => {
            "an IAM role ARN such as arn:aws:iam::111122223333:role/NAME"
        }
        "argo_workflows_bucket_arn" => "an S3 bucket ARN such as arn:aws:s3:::BUCKET",
        "argo_workflows_bucket_name" => {
            "an S3 bucket name: 3-63 lowercase letters, digits, dots or hyphens, a letter or digit at each end"
        }
        "aws_vpc_id" => "a VPC ID: vpc- and 8 or 17 hex digits",
        "cluster_primary_security_group_id" => "a security group ID: sg- and 8 or 17 hex digits",
        "cluster_endpoint" => "an https:// URL such as https://ABC.gr7.us-west-2.eks.amazonaws.com",
        "cluster_iam_role_name" => "an IAM role name: 1-64 letters, digits or +=,.@_-",
        "karpenter_instance_profile" => {
            "an IAM instance profile name: 1-128 letters, digits or +=,.@_-"
        }
        "cluster_name" => {
            "an EKS cluster name: 1-100 letters, digits, _ or -, a letter or digit first"
        }
        _ => "a value",
    }
}

/// The bucket an S3 bucket ARN names (`arn:aws:s3:::NAME`).
pub(crate) fn bucket_of_arn(arn: &str) -> Option<&str> {
    let rest = arn.strip_prefix("arn:")?;
    let (partition, rest) = rest.split_once(':')?;
    if !is_partition(partition) {
        return None;
    }
    rest.strip_prefix("s3:::")
}

fn is_partition(p: &str) -> bool {
    matches!(
        p,
        "aws" | "aws-cn" | "aws-us-gov" | "aws-iso" | "aws-iso-b" | "aws-eusc"
    )
}

/// `us-west-2`, `eu-central-1`, `us-gov-west-1`, `ap-southeast-3`, `cn-north-1`.
fn is_region(v: &str) -> bool {
    let parts: Vec<&str> = v.split('-').collect();
    let Some((number, words)) = parts.split_last() else {
        return false;
    };
    (2..=4).contains(&parts.len())
        && words[0].len() == 2
        && words
            .iter()
            .all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase()))
        && !number.is_empty()
        && number.len() <= 2
        && number.bytes().all(|b| b.is_ascii_digit())
}

/// `arn:aws:iam::111122223333:role/optional/path/NAME`.
fn is_role_arn(v: &str) -> bool {
    let Some(rest) = v.strip_prefix("arn:") else {
        return false;
    };
    let mut parts = rest.splitn(5, ':');
    let (Some(partition), Some(service), Some(region), Some(account), Some(resource)) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return false;
    };
    let Some(path) = resource.strip_prefix("role/") else {
        return false;
    };
    let name = path.rsplit('/').next().unwrap_or_default();
    is_partition(partition)
        && service == "iam"
        && region.is_empty()
        && account.len() == 12
        && account.bytes().all(|b| b.is_ascii_digit())
        && is_iam_name(name, 64)
        && path.len() <= 512
}

fn is_iam_name(v: &str, max: usize) -> bool {
    (1..=max).contains(&v.len())
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"+=,.@_-".contains(&b))
}

fn is_bucket_name(v: &str) -> bool {
    let bytes = v.as_bytes();
    let edge_ok = |b: Option<&u8>| b.is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    let looks_like_ip = v.split('.').count() == 4 && v.split('.').all(|p| p.parse::<u8>().is_ok());
    (3..=63).contains(&v.len())
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'.' || *b == b'-')
        && edge_ok(bytes.first())
        && edge_ok(bytes.last())
        && !v.contains("..")
        && !looks_like_ip
}

fn is_resource_id(v: &str, prefix: &str) -> bool {
    v.strip_prefix(prefix).is_some_and(|hex| {
        matches!(hex.len(), 8 | 17)
            && hex
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    })
}

fn is_https_url(v: &str) -> bool {
    let Some(rest) = v.strip_prefix("https://") else {
        return false;
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = host.rsplit_once(':').map_or(
        host,
        |(h, port)| {
            if port.parse::<u16>().is_ok() { h } else { "" }
        },
    );
    !v.chars().any(char::is_whitespace) && is_dns_name(host)
}

/// A host name as DNS has it: at most 253 bytes of dot-separated labels, each
/// 1 to 63 letters, digits and hyphens, not beginning or ending with a hyphen
/// (`x..com` and `-x.com` are no host). The endpoint is rendered into the
/// fork's manifests, where a malformed one would fail only on the cluster.
fn is_dns_name(host: &str) -> bool {
    let is_label = |l: &str| {
        (1..=63).contains(&l.len())
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    };
    (1..=253).contains(&host.len()) && host.split('.').all(is_label)
}

fn is_cluster_name(v: &str) -> bool {
    (1..=100).contains(&v.len())
        && v.as_bytes()[0].is_ascii_alphanumeric()
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every key: one good value, and malformed ones that must be refused.
    const CASES: &[(&str, &str, &[&str])] = &[
        (
            "aws_region",
            "us-west-2",
            &[
                "arn:aws:iam::1:role/x",
                "US-WEST-2",
                "west",
                "us-west",
                "eu-west-1a",
            ],
        ),
        (
            "argo_workflows_irsa",
            "arn:aws:iam::111122223333:role/argo",
            &[
                "eu-west-1",
                "arn:aws:iam::1:role/x",
                "arn:aws:s3:::b",
                "arn:aws:iam::111122223333:user/x",
                "arn:aws-mars:iam::111122223333:role/argo",
            ],
        ),
        (
            "karpenter_irsa",
            "arn:aws-cn:iam::111122223333:role/path/karpenter",
            &[
                "role/karpenter",
                "arn:aws:iam:us-west-2:111122223333:role/k",
            ],
        ),
        (
            "argo_workflows_bucket_arn",
            "arn:aws:s3:::argo-artifacts-1",
            &[
                "argo-artifacts-1",
                "arn:aws:s3:::Bad_Bucket",
                "arn:aws:iam::111122223333:role/x",
                "arn:aws-mars:s3:::argo-artifacts-1",
            ],
        ),
        (
            "argo_workflows_bucket_name",
            "argo.artifacts-1",
            &[
                "ab",
                "Argo",
                "-argo",
                "a..b",
                "192.168.1.1",
                "arn:aws:s3:::x",
            ],
        ),
        (
            "aws_vpc_id",
            "vpc-0a1b2c3d4e5f67890",
            &["eu-west-1", "vpc-123", "vpc-0A1B2C3D", "sg-0a1b2c3d"],
        ),
        (
            "cluster_primary_security_group_id",
            "sg-0a1b2c3d",
            &["vpc-0a1b2c3d", "sg-xyz12345", "sg-"],
        ),
        (
            "cluster_endpoint",
            "https://ABC.gr7.us-west-2.eks.amazonaws.com",
            &[
                "vpc-123",
                "http://x.example",
                "https://",
                "https://a b",
                "https://x:port",
            ],
        ),
        (
            "cluster_iam_role_name",
            "eks-upgrades-workshop-cluster-2024",
            &["", "has space", "role/with/slash"],
        ),
        (
            "karpenter_instance_profile",
            "KarpenterNodeInstanceProfile-x",
            &["", "with:colon"],
        ),
        (
            "cluster_name",
            "eks-upgrades-workshop",
            &["", "-lead", "has.dot"],
        ),
    ];

    #[test]
    fn each_key_accepts_its_shape_and_refuses_others() {
        for (name, good, bad) in CASES {
            assert_eq!(check(name, good), Ok(()), "{name} = {good}");
            for b in *bad {
                assert_eq!(
                    check(name, b),
                    Err(expected(name)),
                    "{name} = {b:?} should be refused"
                );
            }
        }
        for spec in crate::values::KNOWN {
            assert!(
                CASES.iter().any(|(n, ..)| *n == spec.name),
                "{} has a shape test",
                spec.name
            );
        }
    }

    #[test]
    fn every_known_value_has_its_own_expected_form() {
        for spec in crate::values::KNOWN {
            assert_ne!(expected(spec.name), expected("unknown"), "{}", spec.name);
        }
    }

    #[test]
    fn a_bucket_name_is_refused_as_an_ip_address_only_with_four_numbers() {
        for name in ["123", "a.b.c.d", "1.2.3.x", "1.2.3"] {
            assert_eq!(check("argo_workflows_bucket_name", name), Ok(()), "{name}");
        }
        assert!(check("argo_workflows_bucket_name", "10.0.0.1").is_err());
    }

    #[test]
    fn an_endpoint_host_has_no_empty_or_malformed_labels() {
        let long = format!("https://{}.example.com", "a".repeat(64));
        for bad in [
            "https://x..com",
            "https://.x.com",
            "https://x.com.",
            "https://-x.com",
            "https://x-.com",
            "https://x_y.com",
            "https://..",
            long.as_str(),
        ] {
            assert!(check("cluster_endpoint", bad).is_err(), "{bad}");
        }
        for good in ["https://10.0.0.1:6443", "https://a-b.c.example:443/path"] {
            assert_eq!(check("cluster_endpoint", good), Ok(()), "{good}");
        }
    }

    #[test]
    fn the_example_values_have_their_shapes() {
        let v = crate::values::Values::parse(include_str!("../../templates/values.example.yaml"))
            .unwrap();
        for (name, value) in v.iter() {
            assert_eq!(check(name, value), Ok(()), "{name} = {value}");
        }
        v.check_all().unwrap();
    }
}
