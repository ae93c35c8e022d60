//! The per-participant values the templates need: the workshop's terraform
//! outputs (ARNs, IDs, the endpoint) plus the cluster name. None is secret.
//!
//! They come from a values file (a flat YAML/JSON map, or the JSON printed by
//! `terraform output -json`), from running `terraform output -json` in the
//! participant's terraform directory, or from prompts; later sources win.

use std::collections::BTreeMap;
use std::path::Path;

use serde_yaml::Value as Yaml;

use crate::child::Child;
use crate::error::{Error, Result};
use crate::fsx;

mod shape;
pub(crate) use shape::check;

pub(crate) struct ValueSpec {
    pub(crate) name: &'static str,
    /// A short prompt text.
    pub(crate) description: &'static str,
    /// Used when no value is given; only the cluster name has one.
    pub(crate) default: Option<&'static str>,
}

const fn spec(name: &'static str, description: &'static str) -> ValueSpec {
    ValueSpec {
        name,
        description,
        default: None,
    }
}

/// The default `cluster_name`, the name the workshop's terraform gives it.
pub(crate) const DEFAULT_CLUSTER_NAME: &str = "eks-upgrades-workshop";

/// Every value a template may use, sorted by name.
pub(crate) const KNOWN: &[ValueSpec] = &[
    spec(
        "argo_workflows_bucket_arn",
        "ARN of the S3 bucket for Argo Workflows artifacts",
    ),
    spec(
        "argo_workflows_bucket_name",
        "Name of the S3 bucket for Argo Workflows artifacts",
    ),
    spec(
        "argo_workflows_irsa",
        "IAM role ARN for the Argo Workflows service accounts (IRSA)",
    ),
    spec("aws_region", "AWS region of the cluster (e.g. us-west-2)"),
    spec("aws_vpc_id", "ID of the cluster's VPC (vpc-...)"),
    spec(
        "cluster_endpoint",
        "API server endpoint of the EKS cluster (https://...)",
    ),
    spec(
        "cluster_iam_role_name",
        "Name of the EKS cluster's IAM role",
    ),
    ValueSpec {
        name: "cluster_name",
        description: "Name of the EKS cluster",
        default: Some(DEFAULT_CLUSTER_NAME),
    },
    spec(
        "cluster_primary_security_group_id",
        "The cluster's primary security group ID (sg-...)",
    ),
    spec(
        "karpenter_instance_profile",
        "Instance profile for the nodes Karpenter launches",
    ),
    spec(
        "karpenter_irsa",
        "IAM role ARN for the Karpenter controller (IRSA)",
    ),
];

/// The spec of a known value.
pub(crate) fn known(name: &str) -> Option<&'static ValueSpec> {
    KNOWN.iter().find(|spec| spec.name == name)
}

fn known_names() -> String {
    KNOWN
        .iter()
        .map(|spec| spec.name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Values by name. Only given values are stored; [`Values::get`] falls back to
/// a [`ValueSpec::default`].
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Values(BTreeMap<String, String>);

impl Values {
    /// Read a values file: a flat map of name: value (YAML or JSON), or the
    /// JSON printed by `terraform output -json`.
    pub(crate) fn from_file(path: &Path) -> Result<Self> {
        let text = read_text(path, fsx::INPUT_CAP)?;
        Self::parse(&text).map_err(|reason| values_error(path, reason))
    }

    /// Run `terraform output -json` in `dir` (found on PATH; else OpenTofu's
    /// `tofu`, the same command).
    pub(crate) fn from_terraform_dir(dir: &Path) -> Result<Self> {
        let found = which::which("terraform").or_else(|_| which::which("tofu"));
        let terraform = found.map_err(|_| Error::ToolMissing {
            tool: "terraform",
            needed_for: "reading the outputs of --terraform-dir".into(),
        })?;
        Self::from_terraform(&terraform, dir)
    }

    fn from_terraform(terraform: &Path, dir: &Path) -> Result<Self> {
        if !dir.is_dir() {
            return Err(Error::NotFound {
                what: "terraform directory",
                name: dir.display().to_string(),
                help: "pass the directory where `terraform apply` ran (terraform/clusters in the workshop repo)".into(),
            });
        }
        let command = "terraform output -json";
        let output = Child::at(terraform)
            .args(["output", "-json"])
            .dir(dir)
            .run()?;
        let stdout = String::from_utf8_lossy(&output.stdout);
        Self::parse(&stdout)
            .map_err(|reason| values_error(dir, format!("`{command}` printed {reason}")))
    }

    /// Read the outputs from a terraform state file (format version 4:
    /// `outputs.<name>.value`), with no terraform binary needed.
    pub(crate) fn from_terraform_state(path: &Path) -> Result<Self> {
        let text = read_text(path, fsx::TERRAFORM_STATE_CAP)?;
        let state: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
            values_error(path, format!("is not a terraform state file (JSON): {e}"))
        })?;
        match state.get("version").and_then(|v| v.as_u64()) {
            Some(4) => {}
            Some(v) => {
                return Err(values_error(
                    path,
                    format!(
                        "is terraform state format {v}; eks-workshop reads format 4 (terraform 0.12 and later)"
                    ),
                ));
            }
            None => {
                return Err(values_error(
                    path,
                    "is not a terraform state file: no `version`",
                ));
            }
        }
        let Some(serde_json::Value::Object(outputs)) = state.get("outputs") else {
            return Err(values_error(
                path,
                "has no `outputs`: has `terraform apply` run?",
            ));
        };
        let entries = outputs
            .iter()
            .map(|(name, output)| {
                let value = serde_yaml::to_value(output.get("value")).unwrap_or(Yaml::Null);
                (name.clone(), value)
            })
            .collect();
        Self::from_outputs(entries).map_err(|reason| values_error(path, reason))
    }

    /// Every value has its shape, and the bucket ARN names the bucket.
    pub(crate) fn check_all(&self) -> Result<()> {
        for (name, value) in self.iter() {
            if let Err(expected) = check(name, value) {
                return Err(invalid(name, value, expected));
            }
        }
        if let (Some(arn), Some(bucket)) = (
            self.get("argo_workflows_bucket_arn"),
            self.get("argo_workflows_bucket_name"),
        ) && shape::bucket_of_arn(arn) != Some(bucket)
        {
            return Err(invalid(
                "argo_workflows_bucket_arn",
                arn,
                "the ARN of the bucket argo_workflows_bucket_name names (arn:aws:s3:::BUCKET)",
            ));
        }
        Ok(())
    }

    /// Parse a values file's text; the error is the reason, without the path.
    pub(crate) fn parse(text: &str) -> Result<Self, String> {
        let document: Yaml =
            serde_yaml::from_str(text).map_err(|e| format!("is not valid YAML or JSON: {e}"))?;
        let map = match document {
            Yaml::Mapping(map) => map,
            Yaml::Null => return Err("is empty".into()),
            _ => return Err("is not a map of name: value".into()),
        };
        let mut entries = Vec::with_capacity(map.len());
        for (key, value) in map {
            let Yaml::String(key) = key else {
                return Err(format!("has a key that is not a string: {}", inline(&key)));
            };
            entries.push((key, value));
        }
        let terraform = entries
            .iter()
            .filter(|(_, v)| is_terraform_output(v))
            .count();
        if terraform > 0 && terraform == entries.len() {
            Self::from_terraform_outputs(entries)
        } else {
            Self::from_flat(entries)
        }
    }

    /// `{"name": {"sensitive": false, "type": "string", "value": "..."}}`.
    /// Terraform prints every output of the configuration, so outputs we do
    /// not use are skipped rather than refused.
    fn from_terraform_outputs(entries: Vec<(String, Yaml)>) -> Result<Self, String> {
        let values = entries
            .into_iter()
            .map(|(name, output)| {
                let value = output.get("value").cloned().unwrap_or(Yaml::Null);
                (name, value)
            })
            .collect();
        Self::from_outputs(values)
    }

    /// Terraform's outputs by name, unknown ones skipped.
    fn from_outputs(entries: Vec<(String, Yaml)>) -> Result<Self, String> {
        let mut values = Values::default();
        for (name, value) in entries {
            if known(&name).is_none() {
                continue;
            }
            if let Some(value) = scalar(&name, value)? {
                values.set(name, value);
            }
        }
        Ok(values)
    }

    /// A hand-written map: an unknown name is most likely a typo, so it is an
    /// error rather than silently unused.
    fn from_flat(entries: Vec<(String, Yaml)>) -> Result<Self, String> {
        let mut values = Values::default();
        for (name, value) in entries {
            if known(&name).is_none() {
                return Err(format!(
                    "unknown value `{name}`; the known values are {}",
                    known_names()
                ));
            }
            if let Some(value) = scalar(&name, value)? {
                values.set(name, value);
            }
        }
        Ok(values)
    }

    /// Add `other` on top: its values win.
    pub(crate) fn merge(&mut self, other: Values) {
        self.0.extend(other.0);
    }

    pub(crate) fn set(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.0.insert(name.into(), value.into());
    }

    /// The given value, or else the value's default.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0
            .get(name)
            .map(String::as_str)
            .or_else(|| known(name).and_then(|spec| spec.default))
    }

    /// The given values (defaults not included), sorted by name.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_str()))
    }

    #[cfg(test)]
    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<'a> IntoIterator for &'a Values {
    type Item = (&'a str, &'a str);
    type IntoIter = Box<dyn Iterator<Item = (&'a str, &'a str)> + 'a>;

    fn into_iter(self) -> Self::IntoIter {
        Box::new(self.iter())
    }
}

fn is_terraform_output(value: &Yaml) -> bool {
    match value {
        Yaml::Mapping(map) => {
            map.contains_key("value")
                && map
                    .keys()
                    .all(|key| matches!(key.as_str(), Some("value" | "type" | "sensitive")))
        }
        _ => false,
    }
}

/// A value as text: strings as they are, numbers and booleans stringified,
/// empty (`name:` or `""`) as not given, so it is asked for later.
fn scalar(name: &str, value: Yaml) -> Result<Option<String>, String> {
    Ok(match value {
        Yaml::Null => None,
        Yaml::String(s) if s.trim().is_empty() => None,
        Yaml::String(s) => Some(s),
        Yaml::Bool(b) => Some(b.to_string()),
        Yaml::Number(n) => Some(n.to_string()),
        Yaml::Mapping(_) => {
            return Err(format!(
                "`{name}` is a nested map; values are flat name: value pairs"
            ));
        }
        Yaml::Sequence(_) => {
            return Err(format!(
                "`{name}` is a list; values are flat name: value pairs"
            ));
        }
        Yaml::Tagged(tagged) => return scalar(name, tagged.value),
    })
}

fn inline(value: &Yaml) -> String {
    serde_yaml::to_string(value)
        .unwrap_or_default()
        .trim()
        .to_string()
}

fn invalid(name: &str, given: &str, expected: &str) -> Error {
    Error::InvalidValue {
        name: name.to_string(),
        given: given.to_string(),
        expected: expected.to_string(),
    }
}

/// A values or terraform state file's text, read with a cap: what is not a
/// regular UTF-8 file of at most `cap` bytes is refused as a values file.
fn read_text(path: &Path, cap: u64) -> Result<String> {
    fsx::read_text(path, cap).map_err(|refused| match refused {
        fsx::Refused::Io(e) if e.kind() == std::io::ErrorKind::NotFound => {
            values_error(path, "does not exist")
        }
        fsx::Refused::Io(e) => Error::io(path, "read", e),
        refused => values_error(path, refused.reason()),
    })
}

fn values_error(path: &Path, reason: impl Into<String>) -> Error {
    Error::ValuesFile {
        path: path.to_path_buf(),
        reason: reason.into(),
    }
}

#[cfg(test)]
mod tests;
