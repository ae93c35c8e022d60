//! `verify`'s AWS half: the cluster's subnets, the cluster IAM role and security
//! group, the cluster's and node groups' versions, the EKS managed add-ons,
//! and EKS's own upgrade insights for the target.
//!
//! Asked of AWS through the participant's `aws` CLI ([`crate::aws_cli`]: not the
//! SDK, which would cost many minutes of compile on two cores), read-only,
//! with the names and ids of the workshop's values. What cannot run is a
//! skip that says why (offline, a value missing, no `aws`, no credentials);
//! a call that fails otherwise is an item naming the call and the error.
//! The reading of each reply is a pure function, tested below and in the
//! submodules; `tests/integration/aws.rs` runs it all against moto.

use crate::aws_cli::{Aws, Failed, Reply};
use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::readiness::KubeVersion;
use crate::verdict::{Item, Section, Severity};

mod eks_addons;
mod inputs;
mod insights;
mod resources;
mod versions;

use inputs::Inputs;

const NAME: &str = "aws";

/// The AWS section; Ctrl-C stops `verify` (the one error not turned into
/// a skip). The `aws` calls block, so the runtime is told (the other worker
/// keeps watching for Ctrl-C).
pub(crate) async fn section(ctx: &Ctx, target: KubeVersion) -> Result<Section> {
    match tokio::task::block_in_place(|| run(ctx, target)) {
        Err(Error::Interrupted) => Err(Error::Interrupted),
        Err(e) => Ok(Section::skipped(NAME, format!("stopped: {e}"))),
        Ok(section) => Ok(section),
    }
}

fn run(ctx: &Ctx, target: KubeVersion) -> Result<Section> {
    if ctx.offline() {
        return Ok(Section::skipped(NAME, "offline (no AWS account is asked)"));
    }
    let inputs = match Inputs::of(&ctx.config.settings) {
        Ok(inputs) => inputs,
        Err(missing) => return Ok(Section::skipped(NAME, inputs::missing(&missing))),
    };
    let aws = match Aws::find(&inputs.region, ctx.interrupted.clone()) {
        Ok(aws) => aws,
        Err(Error::ToolMissing { .. }) => {
            return Ok(Section::skipped(
                NAME,
                "the aws CLI is not on PATH (install it, https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html, and configure credentials)",
            ));
        }
        Err(e) => return Err(e),
    };
    checks(&aws, &inputs, target)
}

fn args(parts: &[&str]) -> Vec<String> {
    parts.iter().map(|p| p.to_string()).collect()
}

/// Who is asking, then every check; only Ctrl-C is an error.
fn checks(aws: &Aws, i: &Inputs, target: KubeVersion) -> Result<Section> {
    let who = aws.call(&["sts", "get-caller-identity"])?;
    let identity = match parse(&who) {
        Ok(json) => json["Arn"].as_str().unwrap_or("?").to_string(),
        Err(Failed::Credentials(why)) => {
            return Ok(Section::skipped(
                NAME,
                format!(
                    "no usable AWS credentials (`{}`: {why}); run `aws configure` or `aws sso login`, or set AWS_PROFILE",
                    who.call
                ),
            ));
        }
        Err(failed) => {
            return Ok(Section::ran(
                NAME,
                vec![could_not("AWS", "ask who you are", &who, &failed)],
            ));
        }
    };
    let mut items = vec![Item::new(
        Severity::Fine,
        "AWS identity",
        format!("{identity} in {}", i.region),
    )];
    let c = i.cluster.as_str();
    let first = aws.calls(&[
        args(&[
            "ec2",
            "describe-subnets",
            "--filters",
            &format!("Name=vpc-id,Values={}", i.vpc),
        ]),
        args(&["iam", "get-role", "--role-name", &i.role]),
        args(&[
            "ec2",
            "describe-security-groups",
            "--group-ids",
            &i.security_group,
        ]),
        args(&["eks", "describe-cluster", "--name", c]),
        args(&["eks", "list-nodegroups", "--cluster-name", c]),
        args(&["eks", "list-addons", "--cluster-name", c]),
    ])?;
    let [subnets, role, group, cluster, nodegroups, addons] = &first[..] else {
        unreachable!("six calls, six replies")
    };
    let cluster_subnets = resources::cluster_subnets(cluster);
    items.extend(resources::subnets(
        &i.vpc,
        subnets,
        cluster_subnets.as_deref(),
    ));
    items.push(resources::role(&i.role, role));
    items.push(resources::security_group(&i.security_group, group));
    let (item, current) = versions::cluster(c, target, cluster);
    items.push(item);
    if matches!(cluster.result, Err(Failed::NotFound(_))) {
        // No cluster: its node groups and add-ons cannot be listed either.
        return Ok(Section::ran(NAME, items));
    }
    let ng_names = listed(
        &mut items,
        versions::nodegroup_names(nodegroups),
        "node groups",
        c,
        nodegroups,
        "none (nodes outside managed node groups, such as Karpenter's, are not checked here)",
    );
    let addon_names = listed(
        &mut items,
        eks_addons::names(addons),
        "EKS add-ons",
        c,
        addons,
        "none installed",
    );
    let target_text = target.to_string();
    let mut second: Vec<Vec<String>> = ng_names
        .iter()
        .map(|n| {
            args(&[
                "eks",
                "describe-nodegroup",
                "--cluster-name",
                c,
                "--nodegroup-name",
                n,
            ])
        })
        .collect();
    for n in &addon_names {
        second.push(args(&[
            "eks",
            "describe-addon",
            "--cluster-name",
            c,
            "--addon-name",
            n,
        ]));
        second.push(args(&[
            "eks",
            "describe-addon-versions",
            "--kubernetes-version",
            &target_text,
            "--addon-name",
            n,
        ]));
    }
    let replies = aws.calls(&second)?;
    let (ng_replies, addon_replies) = replies.split_at(ng_names.len());
    for (name, reply) in ng_names.iter().zip(ng_replies) {
        items.push(versions::nodegroup(c, name, target, current, reply));
    }
    for (name, pair) in addon_names.iter().zip(addon_replies.chunks(2)) {
        items.push(eks_addons::addon(c, name, target, &pair[0], &pair[1]));
    }
    // What EKS itself found for the target, from the cluster's audit log.
    let list = aws.calls(&[insights::list_args(c, target)])?;
    match insights::ids(c, &list[0]) {
        Err(item) => items.push(item),
        Ok(ids) if ids.is_empty() => items.push(Item::new(
            Severity::Fine,
            format!("EKS upgrade insights of cluster {c}"),
            format!("none for Kubernetes {target}"),
        )),
        Ok(ids) => {
            let calls: Vec<Vec<String>> = ids
                .iter()
                .map(|id| insights::describe_args(c, id))
                .collect();
            for (id, reply) in ids.iter().zip(aws.calls(&calls)?) {
                items.push(insights::item(id, &reply));
            }
        }
    }
    Ok(Section::ran(NAME, items))
}

/// The names a list call gave; none is a fine item saying so, a failed call
/// an item saying which and why.
fn listed(
    items: &mut Vec<Item>,
    names: std::result::Result<Vec<String>, Failed>,
    what: &str,
    cluster: &str,
    reply: &Reply,
    none: &str,
) -> Vec<String> {
    let subject = format!("{what} of cluster {cluster}");
    match names {
        Ok(names) if names.is_empty() => {
            items.push(Item::new(Severity::Fine, subject, none));
            Vec::new()
        }
        Ok(names) => names,
        Err(failed) => {
            items.push(could_not(&subject, "list them", reply, &failed));
            Vec::new()
        }
    }
}

/// A reply's JSON, or why there is none.
fn parse(reply: &Reply) -> std::result::Result<serde_json::Value, Failed> {
    let text = reply.result.as_ref().map_err(Clone::clone)?;
    serde_json::from_str(text)
        .map_err(|e| Failed::Other(format!("it printed something that is not JSON ({e})")))
}

/// The strings of a list reply's `key` (`aws eks list-addons`, `list-nodegroups`).
fn names(reply: &Reply, key: &str) -> std::result::Result<Vec<String>, Failed> {
    let json = parse(reply)?;
    Ok(json[key]
        .as_array()
        .map(|names| {
            names
                .iter()
                .filter_map(|n| n.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default())
}

/// A check that could not be made: to do (it is not known to block the
/// upgrade, and it is not a pass), naming the call and its error.
fn could_not(subject: &str, what: &str, reply: &Reply, failed: &Failed) -> Item {
    Item::new(
        Severity::ToDo,
        subject,
        format!(
            "could not {what}: `{}` failed: {}",
            reply.call,
            failed.message()
        ),
    )
    .fix(format!(
        "run `{}` yourself; if access was denied, allow it to your AWS identity",
        reply.call
    ))
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    pub(in crate::checks) fn ok(json: &str) -> Reply {
        Reply {
            call: "aws test call".into(),
            result: Ok(json.into()),
        }
    }

    pub(in crate::checks) fn failed(failed: Failed) -> Reply {
        Reply {
            call: "aws test call".into(),
            result: Err(failed),
        }
    }

    #[test]
    fn a_failed_call_is_to_do_and_names_the_call() {
        let item = could_not(
            "x",
            "look",
            &failed(Failed::Other("boom".into())),
            &Failed::Other("boom".into()),
        );
        assert_eq!(item.severity, Severity::ToDo);
        assert_eq!(item.message, "could not look: `aws test call` failed: boom");
        assert!(parse(&ok("{")).is_err());
    }
}
