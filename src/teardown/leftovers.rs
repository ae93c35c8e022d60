//! What may be left in AWS once the cluster is gone: EC2 instances, load
//! balancers (ELBv2 and classic), network interfaces, volumes and security
//! groups tagged with the cluster (`kubernetes.io/cluster/<name>`, the tag
//! EKS, Karpenter and the load-balancer controllers put on what they make),
//! through the participant's `aws` CLI. Read-only; a call that fails is
//! named with why, never an error of the teardown.

use serde_json::Value;

use crate::aws_cli::{Aws, Reply};
use crate::error::Result;

/// One kind of resource, and what was found of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Found {
    pub(crate) kind: &'static str,
    /// Ids (or names) found, or why the call failed.
    pub(crate) ids: std::result::Result<Vec<String>, String>,
}

/// The tag key that marks a resource as the cluster's.
pub(crate) fn tag_key(cluster: &str) -> String {
    format!("kubernetes.io/cluster/{cluster}")
}

/// Everything tagged with `cluster`, kind by kind.
pub(crate) fn list(aws: &Aws, cluster: &str) -> Result<Vec<Found>> {
    let filter = format!("Name=tag-key,Values={}", tag_key(cluster));
    let ec2 = |what: &str| {
        vec![
            "ec2".into(),
            what.into(),
            "--filters".into(),
            filter.clone(),
        ]
    };
    let replies = aws.calls(&[
        ec2("describe-instances"),
        ec2("describe-network-interfaces"),
        ec2("describe-volumes"),
        ec2("describe-security-groups"),
        vec!["elbv2".into(), "describe-load-balancers".into()],
        vec!["elb".into(), "describe-load-balancers".into()],
    ])?;
    let [instances, enis, volumes, groups, elbv2, elb] =
        <[Reply; 6]>::try_from(replies).expect("six calls, six replies");
    let mut out = vec![Found {
        kind: "EC2 instances",
        ids: ids(&instances, instance_ids),
    }];
    out.push(Found {
        kind: "load balancers",
        ids: tagged_elbv2(aws, &elbv2, cluster),
    });
    out.push(Found {
        kind: "classic load balancers",
        ids: tagged_elb(aws, &elb, cluster),
    });
    for (kind, reply, path, id) in [
        (
            "network interfaces",
            &enis,
            "NetworkInterfaces",
            "NetworkInterfaceId",
        ),
        ("volumes", &volumes, "Volumes", "VolumeId"),
        ("security groups", &groups, "SecurityGroups", "GroupId"),
    ] {
        out.push(Found {
            kind,
            ids: ids(reply, |v| field_of(v, path, id)),
        });
    }
    Ok(out)
}

fn ids(
    reply: &Reply,
    read: impl Fn(&Value) -> Vec<String>,
) -> std::result::Result<Vec<String>, String> {
    match &reply.result {
        Ok(text) => serde_json::from_str::<Value>(text)
            .map(|v| read(&v))
            .map_err(|e| format!("`{}` did not answer JSON: {e}", reply.call)),
        Err(failed) => Err(format!("`{}`: {}", reply.call, failed.message())),
    }
}

/// Instances not terminated (a terminated one lingers in the list an hour).
pub(crate) fn instance_ids(v: &Value) -> Vec<String> {
    let reservations = v["Reservations"].as_array().into_iter().flatten();
    reservations
        .flat_map(|r| r["Instances"].as_array().into_iter().flatten())
        .filter(|i| i["State"]["Name"].as_str() != Some("terminated"))
        .filter_map(|i| i["InstanceId"].as_str().map(String::from))
        .collect()
}

fn field_of(v: &Value, list: &str, id: &str) -> Vec<String> {
    v[list]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|x| x[id].as_str().map(String::from))
        .collect()
}

/// Whether a `Tags` list (`[{Key, Value}]`) holds the cluster's tag key.
pub(crate) fn has_tag(tags: &Value, cluster: &str) -> bool {
    let key = tag_key(cluster);
    tags.as_array()
        .into_iter()
        .flatten()
        .any(|t| t["Key"].as_str() == Some(key.as_str()))
}

/// ELBv2 load balancers whose tags name the cluster (`describe-tags`, 20
/// at a time: the load-balancer list cannot be filtered by tag).
fn tagged_elbv2(
    aws: &Aws,
    listed: &Reply,
    cluster: &str,
) -> std::result::Result<Vec<String>, String> {
    let arns = ids(listed, |v| field_of(v, "LoadBalancers", "LoadBalancerArn"))?;
    let ask = ["elbv2", "describe-tags", "--resource-arns"];
    tagged(aws, &arns, &ask, "ResourceArn", cluster)
}

/// Classic load balancers whose tags name the cluster.
fn tagged_elb(
    aws: &Aws,
    listed: &Reply,
    cluster: &str,
) -> std::result::Result<Vec<String>, String> {
    let names = ids(listed, |v| {
        field_of(v, "LoadBalancerDescriptions", "LoadBalancerName")
    })?;
    let ask = ["elb", "describe-tags", "--load-balancer-names"];
    tagged(aws, &names, &ask, "LoadBalancerName", cluster)
}

/// Of `names`, those whose tags (asked with `ask`, 20 at a time, each
/// reply's `TagDescriptions` naming its load balancer by `named_by`) name
/// the cluster.
fn tagged(
    aws: &Aws,
    names: &[String],
    ask: &[&str],
    named_by: &str,
    cluster: &str,
) -> std::result::Result<Vec<String>, String> {
    let mut out = Vec::new();
    for chunk in names.chunks(20) {
        let mut args = ask.to_vec();
        args.extend(chunk.iter().map(String::as_str));
        let reply = aws.call(&args).map_err(|e| e.to_string())?;
        let found = ids(&reply, |v| {
            v["TagDescriptions"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|d| has_tag(&d["Tags"], cluster))
                .filter_map(|d| d[named_by].as_str().map(String::from))
                .collect()
        })?;
        out.extend(found);
    }
    Ok(out)
}

/// The listing as lines: each kind with what is left, or why it could not be asked.
pub(crate) fn render(found: &[Found], cluster: &str) -> String {
    let mut out = format!("what may be left in AWS, tagged {}:\n", tag_key(cluster));
    for f in found {
        let said = match &f.ids {
            Ok(ids) if ids.is_empty() => "none".to_string(),
            Ok(ids) => ids
                .iter()
                .map(|i| crate::outside::one_line(i))
                .collect::<Vec<_>>()
                .join(", "),
            Err(why) => format!("not listed: {}", crate::outside::one_line(why)),
        };
        out.push_str(&format!("  {}: {said}\n", f.kind));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn terminated_instances_are_not_left() {
        let v = json!({"Reservations": [{"Instances": [
            {"InstanceId": "i-1", "State": {"Name": "running"}},
            {"InstanceId": "i-2", "State": {"Name": "terminated"}},
            {"InstanceId": "i-3", "State": {"Name": "stopped"}}
        ]}]});
        assert_eq!(instance_ids(&v), ["i-1", "i-3"]);
        assert!(instance_ids(&json!({})).is_empty());
    }

    #[test]
    fn a_tag_names_the_cluster_by_its_key_whatever_its_value() {
        let tags = json!([{"Key": "kubernetes.io/cluster/demo", "Value": "owned"}]);
        assert!(has_tag(&tags, "demo"));
        assert!(!has_tag(&tags, "other"));
        assert!(!has_tag(&json!(null), "demo"));
    }

    #[test]
    fn the_listing_says_none_names_what_is_left_and_why_a_call_failed() {
        let found = vec![
            Found {
                kind: "EC2 instances",
                ids: Ok(vec!["i-1".into()]),
            },
            Found {
                kind: "volumes",
                ids: Ok(vec![]),
            },
            Found {
                kind: "security groups",
                ids: Err("`aws ec2 ...`: denied".into()),
            },
        ];
        let text = render(&found, "demo");
        assert!(text.starts_with("what may be left in AWS, tagged kubernetes.io/cluster/demo:\n"));
        assert!(text.contains("  EC2 instances: i-1\n"));
        assert!(text.contains("  volumes: none\n"));
        assert!(text.contains("  security groups: not listed: `aws ec2 ...`: denied\n"));
    }
}
