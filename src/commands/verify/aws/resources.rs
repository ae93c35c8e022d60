//! What the upgrade needs to exist: free IP addresses in the VPC's subnets,
//! the cluster's IAM role and its security group. From the CLI's JSON.

use serde_json::Value;

use super::{could_not, parse};
use crate::aws::{Failed, Reply};
use crate::verdict::{Item, Severity};

/// EKS creates new control-plane network interfaces in the cluster's subnets
/// during an upgrade: it needs up to five free IP addresses, so a subnet
/// with this many or fewer counts as full.
const IPS_NEEDED: u64 = 5;

/// `aws ec2 describe-subnets --filters Name=vpc-id,Values=VPC`: each subnet
/// fine or to do by its free addresses, and blocking when none has room.
pub(super) fn subnets(vpc: &str, reply: &Reply) -> Vec<Item> {
    let subject = format!("VPC {vpc}");
    let json = match parse(reply) {
        Ok(json) => json,
        Err(failed) => return vec![could_not(&subject, "list its subnets", reply, &failed)],
    };
    let list = json["Subnets"].as_array().cloned().unwrap_or_default();
    if list.is_empty() {
        return vec![
            Item::new(Severity::Blocking, subject, "has no subnets: EKS cannot place the new control-plane network interfaces")
                .fix("check aws_vpc_id (`terraform output aws_vpc_id` shows the workshop's) and aws_region"),
        ];
    }
    let mut items = Vec::new();
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
        items.push(
            Item::new(
                Severity::Blocking,
                subject,
                format!("no subnet has more than {IPS_NEEDED} free IP addresses: the upgrade cannot create the new control-plane network interfaces"),
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
        let items = subnets("vpc-1", &reply);
        assert_eq!(items.len(), 2, "{items:?}");
        assert_eq!(items[0].severity, Severity::Fine);
        assert_eq!(items[0].subject, "subnet subnet-a (us-west-2a)");
        assert_eq!(items[0].message, "250 free IP addresses");
        assert_eq!(items[1].severity, Severity::ToDo);
        assert!(items[1].message.starts_with("only 5 free"), "{items:?}");

        let full = ok(
            r#"{"Subnets": [{"SubnetId": "subnet-b", "AvailabilityZone": "z", "AvailableIpAddressCount": 3}]}"#,
        );
        let items = subnets("vpc-1", &full);
        assert_eq!(items.len(), 2);
        assert_eq!(items[1].severity, Severity::Blocking);
        assert_eq!(items[1].subject, "VPC vpc-1");

        let none = subnets("vpc-1", &ok(r#"{"Subnets": []}"#));
        assert_eq!(none[0].severity, Severity::Blocking);
        assert!(none[0].message.contains("no subnets"), "{none:?}");
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
        assert_eq!(subnets("vpc-1", &denied)[0].severity, Severity::ToDo);
        let garbled = subnets("vpc-1", &ok("not json"));
        assert!(garbled[0].message.contains("not JSON"), "{garbled:?}");
    }
}
