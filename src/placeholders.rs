//! Rendering the fork's own files in place. The workshop's manifests carry
//! install.sh's placeholders as bare uppercase tokens standing as whole YAML
//! values (`eks.amazonaws.com/role-arn: KARPENTER_IRSA # Replace`). Rendering
//! replaces just that scalar with the participant's value, double-quoted, and
//! keeps every other byte: comments, indentation, other quoting, a missing
//! final newline. Nothing else in a file is read as a template, so Argo's own
//! `{{inputs.parameters.AWS_REGION}}` and a parameter *named* `AWS_REGION`
//! come out byte-identical.
//!
//! The tool owns the values it wrote, never whole files: each [`Placement`]
//! remembers where a token stood and every text written there, so a changed
//! value is replaced only where ours still stands, and a scalar the
//! participant changed is kept (and reported).

mod line;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub(crate) use line::quote;

use crate::values::Values;

/// Which tokens are placeholders, in which file. Tokens are per file, as
/// install.sh's `sed` lines are: `AWS_REGION` is a placeholder in the add-on
/// manifests but only a parameter name in the workflow.
pub(crate) struct Rule {
    /// Relative to the clone root, `/`-separated.
    pub(crate) path: &'static str,
    pub(crate) tokens: &'static [&'static str],
}

/// install.sh's tokens for the add-on manifests, plus `CLUSTER_NAME` (the
/// embedded workshop's; the upstream spells the name out).
const ADDON_TOKENS: &[&str] = &[
    "ARGO_WORKFLOWS_BUCKET_ARN",
    "ARGO_WORKFLOWS_BUCKET_NAME",
    "ARGO_WORKFLOWS_IRSA",
    "AWS_REGION",
    "CLUSTER_ENDPOINT",
    "CLUSTER_NAME",
    "KARPENTER_INSTANCE_PROFILE",
    "KARPENTER_IRSA",
];

pub(crate) const RULES: &[Rule] = &[
    Rule {
        path: "gitops/add-ons/02-karpenter.yaml",
        tokens: ADDON_TOKENS,
    },
    Rule {
        path: "gitops/add-ons/03-argo-workflows.yaml",
        tokens: ADDON_TOKENS,
    },
    Rule {
        path: "gitops/karpenter-provisioner/01-default-karpenter-provisioner.yaml",
        tokens: &[
            "CLUSTER_NAME",
            "CLUSTER_PRIMARY_SECURITY_GROUP_ID",
            "CLUSTER_SECURITY_GROUP_ID",
            "KARPENTER_INSTANCE_PROFILE",
        ],
    },
    Rule {
        path: "upgrades-workflows/upgrade-validate-workflow.yaml",
        tokens: &[
            "AWS_CLUSTER_IAM_ROLE_NAME",
            "AWS_VPC_ID",
            "CLUSTER_NAME",
            "CLUSTER_SECURITY_GROUP_ID",
            "REGION_AWS",
        ],
    },
];

/// Whether `token` is one of install.sh's placeholders, in any file (the
/// scanner reports one left unrendered wherever it stands).
pub(crate) fn is_token(token: &str) -> bool {
    RULES.iter().any(|r| r.tokens.contains(&token))
}

/// The value each token stands for.
pub(crate) fn value_of(token: &str) -> Option<&'static str> {
    Some(match token {
        "ARGO_WORKFLOWS_BUCKET_ARN" => "argo_workflows_bucket_arn",
        "ARGO_WORKFLOWS_BUCKET_NAME" => "argo_workflows_bucket_name",
        "ARGO_WORKFLOWS_IRSA" => "argo_workflows_irsa",
        "AWS_REGION" | "REGION_AWS" => "aws_region",
        "AWS_VPC_ID" => "aws_vpc_id",
        "AWS_CLUSTER_IAM_ROLE_NAME" => "cluster_iam_role_name",
        "CLUSTER_ENDPOINT" => "cluster_endpoint",
        "CLUSTER_NAME" => "cluster_name",
        "CLUSTER_PRIMARY_SECURITY_GROUP_ID" | "CLUSTER_SECURITY_GROUP_ID" => {
            "cluster_primary_security_group_id"
        }
        "KARPENTER_INSTANCE_PROFILE" => "karpenter_instance_profile",
        "KARPENTER_IRSA" => "karpenter_irsa",
        _ => return None,
    })
}

/// Where a placeholder stood, and what we wrote there.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Placement {
    /// 1-based, as last seen.
    pub(crate) line: usize,
    /// The mapping key the scalar is the value of (empty for a list item).
    pub(crate) key: String,
    pub(crate) token: String,
    /// The value's name (`karpenter_irsa`).
    pub(crate) value: String,
    /// Every scalar text we have written there, oldest first: any of them
    /// standing there is ours to replace.
    pub(crate) wrote: Vec<String>,
}

/// Placements by file.
pub(crate) type Placements = BTreeMap<String, Vec<Placement>>;

/// One scalar replaced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Edit {
    pub(crate) line: usize,
    pub(crate) value: String,
    /// The token, or the old value we had written.
    pub(crate) was: String,
}

/// A scalar the participant changed where we had written a value that is
/// now out of date: theirs is kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Kept {
    pub(crate) line: usize,
    pub(crate) key: String,
    pub(crate) value: String,
}

/// What rendering one file's text gives.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Outcome {
    pub(crate) text: String,
    pub(crate) placements: Vec<Placement>,
    pub(crate) edits: Vec<Edit>,
    pub(crate) kept: Vec<Kept>,
    /// Values a token needs that were not given, sorted, without duplicates.
    pub(crate) missing: Vec<&'static str>,
}

impl Outcome {
    pub(crate) fn changed(&self) -> bool {
        !self.edits.is_empty()
    }
}

/// Render `text` (the file of `rule`) with `values`, given what we placed before.
pub(crate) fn render(rule: &Rule, text: &str, values: &Values, before: &[Placement]) -> Outcome {
    let mut placements: Vec<Placement> = before.to_vec();
    let mut seen = vec![false; placements.len()];
    let mut out = Outcome::default();
    let mut replacements: Vec<(usize, std::ops::Range<usize>, String)> = Vec::new();
    for found in line::values(text) {
        let value = &found.value;
        // A parameter's or variable's name is never a placeholder.
        if value.key == "name" {
            continue;
        }
        let raw = value.raw(found.line);
        let key = value.key.as_ref();
        let at = found.offset + value.span.start..found.offset + value.span.end;
        if rule.tokens.contains(&value.content.as_ref()) {
            let token = value.content.to_string();
            let name = value_of(&token).expect("every rule token has a value");
            let Some(given) = values.get(name) else {
                out.missing.push(name);
                continue;
            };
            let written = quote(given);
            let index = nearest(&placements, &seen, found.line_no, |p| {
                p.key == key && p.token == token
            })
            .unwrap_or_else(|| {
                placements.push(Placement {
                    line: found.line_no,
                    key: key.to_string(),
                    token: token.clone(),
                    value: name.to_string(),
                    wrote: Vec::new(),
                });
                seen.push(false);
                placements.len() - 1
            });
            record(
                &mut placements[index],
                &mut seen[index],
                found.line_no,
                &written,
            );
            out.edits.push(Edit {
                line: found.line_no,
                value: name.to_string(),
                was: token,
            });
            replacements.push((found.line_no, at, written));
            continue;
        }
        let Some(index) = nearest(&placements, &seen, found.line_no, |p| {
            p.key == key && p.wrote.iter().any(|w| w == raw)
        }) else {
            continue;
        };
        let name = placements[index].value.clone();
        let Some(given) = values.get(&name) else {
            seen[index] = true;
            continue;
        };
        let written = quote(given);
        if raw != written {
            out.edits.push(Edit {
                line: found.line_no,
                value: name,
                was: raw.to_string(),
            });
            replacements.push((found.line_no, at, written.clone()));
        }
        record(
            &mut placements[index],
            &mut seen[index],
            found.line_no,
            &written,
        );
    }
    for (placement, seen) in placements.iter().zip(&seen) {
        let outdated = values
            .get(&placement.value)
            .is_some_and(|v| placement.wrote.last() != Some(&quote(v)));
        if !seen && outdated {
            out.kept.push(Kept {
                line: placement.line,
                key: placement.key.clone(),
                value: placement.value.clone(),
            });
        }
    }
    out.text = splice(text, &replacements);
    out.placements = placements;
    out.missing.sort_unstable();
    out.missing.dedup();
    out
}

/// The unseen placement matching `pred` closest to `line_no`.
fn nearest(
    placements: &[Placement],
    seen: &[bool],
    line_no: usize,
    pred: impl Fn(&Placement) -> bool,
) -> Option<usize> {
    placements
        .iter()
        .enumerate()
        .filter(|(i, p)| !seen[*i] && pred(p))
        .min_by_key(|(_, p)| p.line.abs_diff(line_no))
        .map(|(i, _)| i)
}

fn record(placement: &mut Placement, seen: &mut bool, line_no: usize, written: &str) {
    placement.line = line_no;
    if placement.wrote.last().map(String::as_str) != Some(written) {
        placement.wrote.retain(|w| w != written);
        placement.wrote.push(written.to_string());
    }
    *seen = true;
}

fn splice(text: &str, replacements: &[(usize, std::ops::Range<usize>, String)]) -> String {
    let mut out = String::with_capacity(text.len() + 64 * replacements.len());
    let mut at = 0;
    for (_, range, with) in replacements {
        out.push_str(&text[at..range.start]);
        out.push_str(with);
        at = range.end;
    }
    out.push_str(&text[at..]);
    out
}

/// Tokens of `rule` still standing as whole values in `text`, by line.
#[cfg(test)]
pub(crate) fn leftover(rule: &Rule, text: &str) -> Vec<(usize, String)> {
    line::values(text)
        .into_iter()
        .filter(|f| f.value.key != "name" && rule.tokens.contains(&f.value.content.as_ref()))
        .map(|f| (f.line_no, f.value.content.to_string()))
        .collect()
}

/// The rule for a file, if it is one we render.
#[cfg(test)]
pub(crate) fn rule(path: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.path == path)
}

#[cfg(test)]
mod tests;
