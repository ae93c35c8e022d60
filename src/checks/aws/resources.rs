//! What the upgrade needs to exist: free IP addresses in the cluster's subnets,
//! the cluster's IAM role and its security group. From the CLI's JSON.

use serde_json::Value;

use super::{could_not, parse};
use crate::aws_cli::{Failed, Reply};
use crate::verdict::{Item, Severity};

/// EKS creates new control-plane network interfaces in the cluster's subnets
/// during an upgrade: it needs up to five free IP addresses, so a subnet
/// with this many or fewer counts as full.
const IPS_NEEDED: u64 = 5;

/// The subnets the cluster's control plane uses (`cluster.resourcesVpcConfig
/// .subnetIds` of `aws eks describe-cluster`), when the reply names any.
pub(super) fn cluster_subnets(reply: &Reply) -> Option<Vec<String>> {
    let json = parse(reply).ok()?;
    let ids: Vec<String> = json["cluster"]["resourcesVpcConfig"]["subnetIds"]
        .as_array()?
        .iter()
        .filter_map(|id| id.as_str().map(String::from))
        .collect();
    (!ids.is_empty()).then_some(ids)
}

/// `aws ec2 describe-subnets --filters Name=vpc-id,Values=VPC`: each of the
/// cluster's subnets (`cluster`; every subnet of the VPC when the cluster's
/// are not known) fine or to do by its free addresses, and blocking when
/// none has room. EKS places the new interfaces only in the cluster's own
/// subnets, so room elsewhere in the VPC does not count.
pub(super) fn subnets(vpc: &str, reply: &Reply, cluster: Option<&[String]>) -> Vec<Item> {
    let subject = format!("VPC {vpc}");
    let json = match parse(reply) {
        Ok(json) => json,
        Err(failed) => return vec![could_not(&subject, "list its subnets", reply, &failed)],
    };
    let mut list = json["Subnets"].as_array().cloned().unwrap_or_default();
    let mut items = Vec::new();
    if let Some(ids) = cluster {
        let id_of = |s: &Value| s["SubnetId"].as_str().unwrap_or_default().to_string();
        for id in ids
            .iter()
            .filter(|id| !list.iter().any(|s| id_of(s) == **id))
        {
            items.push(
                Item::new(
                    Severity::ToDo,
                    format!("subnet {id}"),
                    format!("the cluster uses it, but it is not in VPC {vpc}, so its free addresses are unknown"),
                )
                .fix("check aws_vpc_id (`terraform output aws_vpc_id` shows the workshop's)"),
            );
        }
        list.retain(|s| ids.contains(&id_of(s)));
        if list.is_empty() {
            return items;
        }
    } else if list.is_empty() {
        return vec![
            Item::new(Severity::Blocking, subject, "has no subnets: EKS cannot place the new control-plane network interfaces")
                .fix("check aws_vpc_id (`terraform output aws_vpc_id` shows the workshop's) and aws_region"),
        ];
    }
    let mut roomy = 0;
    for subnet in &list {
        let id = subnet["SubnetId"].as_str().unwrap_or("(no id)");
        let zone = subnet["AvailabilityZone"].as_str().unwrap_or("?");
        let subject = format!("subnet {id} ({zone})");
        let Some(free) = subnet["AvailableIpAddressCount"].as_u64() else {
            items.push(Item::new(
                Severity::ToDo,
                subject,
                "the reply gives no AvailableIpAddressCount",
            ));
            continue;
        };
        if free > IPS_NEEDED {
            roomy += 1;
            items.push(Item::new(
                Severity::Fine,
                subject,
                format!("{free} free IP addresses"),
            ));
        } else {
            items.push(
                Item::new(
                    Severity::ToDo,
                    subject,
                    format!("only {free} free IP addresses; an upgrade needs more than {IPS_NEEDED} in a cluster subnet"),
                )
                .fix("free addresses (delete unused network interfaces) or give the cluster another subnet"),
            );
        }
    }
    if roomy == 0 {
        let whose = if cluster.is_some() {
            "none of the cluster's subnets"
        } else {
            "no subnet"
        };
        items.push(
            Item::new(
                Severity::Blocking,
                subject,
                format!("{whose} has more than {IPS_NEEDED} free IP addresses: the upgrade cannot create the new control-plane network interfaces"),
            )
            .fix("free IP addresses in a cluster subnet, or add subnets with room (`aws eks update-cluster-config --resources-vpc-config subnetIds=…`)"),
        );
    }
    items
}

/// `aws iam get-role --role-name NAME`.
pub(super) fn role(name: &str, reply: &Reply) -> Item {
    let subject = format!("IAM role {name}");
    match parse(reply) {
        Ok(json) => {
            let arn = json["Role"]["Arn"].as_str().unwrap_or("no ARN in the reply");
            Item::new(Severity::Fine, subject, format!("exists ({arn})"))
        }
        Err(Failed::NotFound(_)) => Item::new(
            Severity::Blocking,
            subject,
            "does not exist: EKS acts as the cluster's IAM role to upgrade it",
        )
        .fix("check cluster_iam_role_name (`terraform output cluster_iam_role_name`), or recreate the role with `terraform apply`"),
        Err(failed) => could_not(&subject, "look it up", reply, &failed),
    }
}

/// `aws ec2 describe-security-groups --group-ids ID`.
pub(super) fn security_group(id: &str, reply: &Reply) -> Item {
    let subject = format!("security group {id}");
    let found = |json: &Value| {
        json["SecurityGroups"]
            .as_array()
            .and_then(|groups| groups.iter().find(|g| g["GroupId"] == id))
            .cloned()
    };
    match parse(reply) {
        Ok(json) => match found(&json) {
            Some(group) => {
                let vpc = group["VpcId"].as_str().unwrap_or("?");
                Item::new(Severity::Fine, subject, format!("exists (in {vpc})"))
            }
            None => missing_group(subject),
        },
        Err(Failed::NotFound(_)) => missing_group(subject),
        Err(failed) => could_not(&subject, "look it up", reply, &failed),
    }
}

fn missing_group(subject: String) -> Item {
    Item::new(
        Severity::Blocking,
        subject,
        "does not exist: the control plane's new network interfaces join the cluster security group",
    )
    .fix("check cluster_primary_security_group_id (`aws eks describe-cluster --name <cluster> --query cluster.resourcesVpcConfig.clusterSecurityGroupId`)")
}

#[cfg(test)]
mod tests {
    use super::super::tests::{failed, ok};
    use super::*;

    #[test]
    fn subnets_need_more_than_five_free_addresses_somewhere() {
        let reply = ok(r#"{"Subnets": [
            {"SubnetId": "subnet-a", "AvailabilityZone": "us-west-2a", "AvailableIpAddressCount": 250},
            {"SubnetId": "subnet-b", "AvailabilityZone": "us-west-2b", "AvailableIpAddressCount": 5}
        ]}"#);
        let items = subnets("vpc-1", &reply, None);
        assert_eq!(items.len(), 2, "{items:?}");
        assert_eq!(items[0].severity, Severity::Fine);
        assert_eq!(items[0].subject, "subnet subnet-a (us-west-2a)");
        assert_eq!(items[0].message, "250 free IP addresses");
        assert_eq!(items[1].severity, Severity::ToDo);
        assert!(items[1].message.starts_with("only 5 free"), "{items:?}");

        let full = ok(
            r#"{"Subnets": [{"SubnetId": "subnet-b", "AvailabilityZone": "z", "AvailableIpAddressCount": 3}]}"#,
        );
        let items = subnets("vpc-1", &full, None);
        assert_eq!(items.len(), 2);
        assert_eq!(items[1].severity, Severity::Blocking);
        assert_eq!(items[1].subject, "VPC vpc-1");

        let none = subnets("vpc-1", &ok(r#"{"Subnets": []}"#), None);
        assert_eq!(none[0].severity, Severity::Blocking);
        assert!(none[0].message.contains("no subnets"), "{none:?}");
    }

    #[test]
    fn only_the_cluster_s_own_subnets_count() {
        let reply = ok(r#"{"Subnets": [
            {"SubnetId": "subnet-a", "AvailabilityZone": "us-west-2a", "AvailableIpAddressCount": 250},
            {"SubnetId": "subnet-b", "AvailabilityZone": "us-west-2b", "AvailableIpAddressCount": 3}
        ]}"#);
        let cluster =
            ok(r#"{"cluster": {"resourcesVpcConfig": {"subnetIds": ["subnet-b", "subnet-x"]}}}"#);
        let ids = cluster_subnets(&cluster).unwrap();
        assert_eq!(ids, ["subnet-b", "subnet-x"]);
        let items = subnets("vpc-1", &reply, Some(&ids));
        let seen: Vec<(&str, Severity)> = items
            .iter()
            .map(|i| (i.subject.as_str(), i.severity))
            .collect();
        // subnet-a's room is elsewhere in the VPC: EKS cannot use it.
        assert_eq!(
            seen,
            [
                ("subnet subnet-x", Severity::ToDo),
                ("subnet subnet-b (us-west-2b)", Severity::ToDo),
                ("VPC vpc-1", Severity::Blocking),
            ]
        );
        assert!(items[0].message.contains("not in VPC vpc-1"), "{items:?}");
        assert!(
            items[2]
                .message
                .starts_with("none of the cluster's subnets has more than 5 free IP addresses"),
            "{items:?}"
        );
        // None of the cluster's subnets in the VPC: each is to do, nothing blocks unseen.
        let elsewhere = subnets("vpc-1", &reply, Some(&["subnet-y".to_string()]));
        assert_eq!(elsewhere.len(), 1);
        assert_eq!(elsewhere[0].severity, Severity::ToDo);
        assert_eq!(cluster_subnets(&ok(r#"{"cluster": {}}"#)), None);
    }

    #[test]
    fn the_role_and_the_group_exist_or_block() {
        let role_ok = role(
            "r",
            &ok(r#"{"Role": {"RoleName": "r", "Arn": "arn:aws:iam::1:role/r"}}"#),
        );
        assert_eq!(role_ok.severity, Severity::Fine);
        assert_eq!(role_ok.message, "exists (arn:aws:iam::1:role/r)");
        let gone = role("r", &failed(Failed::NotFound("NoSuchEntity".into())));
        assert_eq!(gone.severity, Severity::Blocking);
        assert_eq!(gone.subject, "IAM role r");

        let sg = r#"{"SecurityGroups": [{"GroupId": "sg-1", "VpcId": "vpc-1"}]}"#;
        assert_eq!(security_group("sg-1", &ok(sg)).message, "exists (in vpc-1)");
        assert_eq!(security_group("sg-2", &ok(sg)).severity, Severity::Blocking);
        assert_eq!(
            security_group(
                "sg-1",
                &failed(Failed::NotFound("InvalidGroup.NotFound".into()))
            )
            .severity,
            Severity::Blocking
        );
    }

    #[test]
    fn a_call_that_failed_otherwise_says_which_and_why() {
        let denied = failed(Failed::Other(
            "An error occurred (AccessDenied) when calling the GetRole operation: no".into(),
        ));
        let item = role("r", &denied);
        assert_eq!(item.severity, Severity::ToDo);
        assert_eq!(
            item.message,
            "could not look it up: `aws test call` failed: An error occurred (AccessDenied) when calling the GetRole operation: no"
        );
        assert_eq!(subnets("vpc-1", &denied, None)[0].severity, Severity::ToDo);
        let garbled = subnets("vpc-1", &ok("not json"), None);
        assert!(garbled[0].message.contains("not JSON"), "{garbled:?}");
    }
}
