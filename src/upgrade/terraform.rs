//! The `terraform` driver: the participant's workshop terraform, planned
//! with the new `cluster_version`, the plan read as JSON, and applied only
//! when it changes nothing but the cluster's version and its managed add-ons.
//!
//! Every variable goes through the environment (`TF_VAR_*`), never argv:
//! the workshop's `git_password` is the GitHub token, and the lesson's own
//! `terraform apply -var="git_password=$GITHUB_TOKEN"` shows it to `ps`.
//! `terraform` on PATH, else OpenTofu's `tofu` (the same commands).

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::Value;

use crate::child::{Child, Output};
use crate::error::{Error, Result};
use crate::kube::wait::Limits;

/// terraform, or tofu, found on PATH.
pub(crate) struct Terraform {
    child: Child,
    name: &'static str,
}

/// One resource the plan changes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Change {
    pub(crate) address: String,
    pub(crate) actions: Vec<String>,
}

impl Change {
    pub(crate) fn describe(&self) -> String {
        format!("{} ({})", self.address, self.actions.join(", "))
    }
}

/// What a plan would do, judged.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Review {
    /// The changes that move the cluster's version or its managed add-ons.
    pub(crate) allowed: Vec<Change>,
    /// Everything else it would change: the plan is not applied.
    pub(crate) refused: Vec<Change>,
}

/// Resource types of the cluster's own version and its EKS managed add-ons
/// (the workshop sets `most_recent = true`, so they move with it).
const VERSION_TYPES: &[&str] = &["aws_eks_cluster", "aws_eks_addon"];

/// What eks-workshop applied, or the fork: never changed by an upgrade's
/// apply (the workshop's cleanup removes `module.flux_v2` from the state
/// for the same reason).
fn managed_elsewhere(change: &Value) -> bool {
    let address = change["address"].as_str().unwrap_or_default();
    let kind = change["type"].as_str().unwrap_or_default();
    address.starts_with("module.flux_v2")
        || ["helm_release", "flux_bootstrap_git", "github_repository"].contains(&kind)
        || kind.starts_with("kubernetes_")
        || kind.starts_with("kubectl_")
}

impl Terraform {
    pub(crate) fn find(limits: &Limits) -> Result<Terraform> {
        Terraform::find_for(limits, "upgrading the control plane")
    }

    /// [`Terraform::find`], `needed_for` naming what it is for.
    pub(crate) fn find_for(limits: &Limits, needed_for: &str) -> Result<Terraform> {
        let (child, name) = match Child::find("terraform", needed_for) {
            Ok(child) => (child, "terraform"),
            Err(e) => match which::which("tofu") {
                Ok(path) => (Child::at(&path).named("tofu"), "tofu"),
                Err(_) => return Err(e),
            },
        };
        let child = child
            .interrupted(limits.interrupted())
            .timeout(limits.remaining().max(Duration::from_secs(1)));
        Ok(Terraform { child, name })
    }

    pub(crate) fn name(&self) -> &'static str {
        self.name
    }

    fn run(&self, dir: &Path, args: &[&str], vars: &[(&str, String)]) -> Result<Output> {
        let mut child = self.child.clone().dir(dir).args(args);
        for (name, value) in vars {
            child = child.env(&format!("TF_VAR_{name}"), value);
        }
        // No prompt can be answered, no colour codes in what we quote.
        child = child.env("TF_IN_AUTOMATION", "1");
        let out = child.output()?;
        if !out.status.success() {
            return Err(Error::Command {
                command: format!("{} {}", self.name, args.join(" ")),
                message: crate::outside::one_line(&String::from_utf8_lossy(&out.stderr)),
            });
        }
        Ok(out)
    }

    /// `init`, then `plan -out` into `plan_file`; the plan as JSON.
    pub(crate) fn plan(
        &self,
        dir: &Path,
        vars: &[(&str, String)],
        plan_file: &Path,
    ) -> Result<Value> {
        self.run(dir, &["init", "-input=false", "-no-color"], vars)?;
        let out = format!("-out={}", plan_file.display());
        self.run(dir, &["plan", "-input=false", "-no-color", &out], vars)?;
        let shown = self.run(
            dir,
            &["show", "-json", &plan_file.display().to_string()],
            vars,
        )?;
        serde_json::from_slice(&shown.stdout).map_err(|e| Error::Command {
            command: format!("{} show -json", self.name),
            message: format!("not the JSON of a plan: {e}"),
        })
    }

    /// `init`, as every command after it needs.
    pub(crate) fn init(&self, dir: &Path, vars: &[(&str, String)]) -> Result<()> {
        self.run(dir, &["init", "-input=false", "-no-color"], vars)?;
        Ok(())
    }

    /// The addresses the state holds (`state list`).
    pub(crate) fn state_list(&self, dir: &Path) -> Result<Vec<String>> {
        let out = self.run(dir, &["state", "list"], &[])?;
        Ok(String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(String::from)
            .collect())
    }

    /// `state rm ADDRESS`: terraform forgets it, the world keeps it.
    pub(crate) fn state_rm(&self, dir: &Path, address: &str) -> Result<()> {
        self.run(dir, &["state", "rm", "-no-color", address], &[])?;
        Ok(())
    }

    /// `destroy`, approved: everything the state holds.
    pub(crate) fn destroy(&self, dir: &Path, vars: &[(&str, String)]) -> Result<()> {
        self.run(
            dir,
            &["destroy", "-input=false", "-no-color", "-auto-approve"],
            vars,
        )?;
        Ok(())
    }

    /// Apply the saved plan (nothing but what was reviewed).
    pub(crate) fn apply(
        &self,
        dir: &Path,
        vars: &[(&str, String)],
        plan_file: &Path,
    ) -> Result<()> {
        let plan = plan_file.display().to_string();
        self.run(
            dir,
            &["apply", "-input=false", "-no-color", "-auto-approve", &plan],
            vars,
        )?;
        Ok(())
    }
}

/// Judge a plan (`show -json`): every resource it changes, and whether
/// that change only moves the cluster from `from` to `to`.
pub(crate) fn review(plan: &Value, from: &str, to: &str) -> Review {
    let mut review = Review::default();
    let changes = plan["resource_changes"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    for rc in &changes {
        let actions: Vec<String> = rc["change"]["actions"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(String::from)
                    .collect()
            })
            .unwrap_or_default();
        if actions.iter().all(|a| a == "no-op" || a == "read") {
            continue;
        }
        let change = Change {
            address: rc["address"].as_str().unwrap_or_default().to_string(),
            actions,
        };
        let kind = rc["type"].as_str().unwrap_or_default();
        let ok = !managed_elsewhere(rc)
            && (VERSION_TYPES.contains(&kind) || only_the_version_moves(&rc["change"], from, to));
        match ok {
            true => review.allowed.push(change),
            false => review.refused.push(change),
        }
    }
    review
}

/// Every value that differs between `before` and `after` is the cluster
/// version going from `from` to `to` (or known only after the apply).
fn only_the_version_moves(change: &Value, from: &str, to: &str) -> bool {
    let mut differs = Vec::new();
    diff(&change["before"], &change["after"], &mut differs);
    let unknown = &change["after_unknown"];
    !differs.is_empty()
        && differs.iter().all(|(path, before, after)| {
            let moved = before.as_str() == Some(from) && after.as_str() == Some(to);
            moved || known_after_apply(unknown, path)
        })
}

type Differ = (Vec<String>, Value, Value);

fn diff(before: &Value, after: &Value, out: &mut Vec<Differ>) {
    walk(before, after, &mut Vec::new(), out);
}

fn walk(before: &Value, after: &Value, at: &mut Vec<String>, out: &mut Vec<Differ>) {
    match (before, after) {
        (Value::Object(b), Value::Object(a)) => {
            let mut keys: Vec<&String> = b.keys().chain(a.keys()).collect();
            keys.sort();
            keys.dedup();
            for key in keys {
                at.push(key.clone());
                walk(
                    b.get(key).unwrap_or(&Value::Null),
                    a.get(key).unwrap_or(&Value::Null),
                    at,
                    out,
                );
                at.pop();
            }
        }
        (b, a) if b == a => {}
        (b, a) => out.push((at.clone(), b.clone(), a.clone())),
    }
}

/// `after_unknown` marks the value at `path`, or a map or list holding it,
/// as known only after the apply (an id, a computed output).
fn known_after_apply(unknown: &Value, path: &[String]) -> bool {
    let mut at = unknown;
    for key in path {
        if at == &Value::Bool(true) {
            return true;
        }
        match at.get(key) {
            Some(next) => at = next,
            None => return false,
        }
    }
    at == &Value::Bool(true)
}

/// Where the saved plan of a hop goes: beside the state file.
pub(crate) fn plan_path(work_dir: &Path, to: &str) -> PathBuf {
    work_dir.join(format!("upgrade-{to}.tfplan"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn plan(changes: Value) -> Value {
        json!({ "resource_changes": changes })
    }

    #[test]
    fn the_cluster_s_version_and_its_add_ons_may_move_nothing_else() {
        let p = plan(json!([
            {"address": "module.eks.aws_eks_cluster.this[0]", "type": "aws_eks_cluster",
             "change": {"actions": ["update"], "before": {"version": "1.33"}, "after": {"version": "1.34"}}},
            {"address": "module.eks.aws_eks_addon.this[\"coredns\"]", "type": "aws_eks_addon",
             "change": {"actions": ["update"], "before": {"addon_version": "a"}, "after": {"addon_version": "b"}}},
            {"address": "terraform_data.control_plane", "type": "terraform_data",
             "change": {"actions": ["delete", "create"],
                        "before": {"triggers_replace": "1.33", "id": "x", "output": {"version": "1.33"}},
                        "after": {"triggers_replace": "1.34"}, "after_unknown": {"id": true, "output": true}}},
            {"address": "aws_vpc.main", "type": "aws_vpc",
             "change": {"actions": ["no-op"], "before": {}, "after": {}}},
            {"address": "module.flux_v2.helm_release.flux", "type": "helm_release",
             "change": {"actions": ["update"], "before": {"version": "1.33"}, "after": {"version": "1.34"}}},
            {"address": "aws_iam_role.node", "type": "aws_iam_role",
             "change": {"actions": ["update"], "before": {"name": "a"}, "after": {"name": "b"}}},
        ]));
        let r = review(&p, "1.33", "1.34");
        let names = |cs: &[Change]| cs.iter().map(|c| c.address.clone()).collect::<Vec<_>>();
        assert_eq!(
            names(&r.allowed),
            [
                "module.eks.aws_eks_cluster.this[0]",
                "module.eks.aws_eks_addon.this[\"coredns\"]",
                "terraform_data.control_plane"
            ]
        );
        assert_eq!(
            names(&r.refused),
            ["module.flux_v2.helm_release.flux", "aws_iam_role.node"],
            "Flux's objects are never applied, even when only a version moves"
        );
    }
}
