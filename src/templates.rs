//! The manifests that need per-participant values, as minijinja templates
//! embedded at build time. Each overwrites one file of the clone, the file in
//! which install.sh `sed`-replaced uppercase placeholders.
//!
//! Values go in through the `quote` filter, which writes a double-quoted YAML
//! scalar: whatever a value holds, the manifest stays valid YAML.

use minijinja::{AutoEscape, Environment, UndefinedBehavior};

#[cfg(test)]
use crate::addons::Addon;
use crate::error::{Error, Result};
use crate::values::{self, Values};

pub(crate) const KARPENTER: &str = "karpenter.yaml.j2";
pub(crate) const KARPENTER_PROVISIONER: &str = "karpenter-provisioner.yaml.j2";
pub(crate) const ARGO_WORKFLOWS: &str = "argo-workflows.yaml.j2";
pub(crate) const UPGRADE_VALIDATE_WORKFLOW: &str = "upgrade-validate-workflow.yaml.j2";

struct Template {
    name: &'static str,
    /// The file it overwrites, relative to the clone root.
    path: &'static str,
    source: &'static str,
}

const TEMPLATES: &[Template] = &[
    Template {
        name: KARPENTER,
        path: "gitops/add-ons/02-karpenter.yaml",
        source: include_str!("../templates/karpenter.yaml.j2"),
    },
    Template {
        name: KARPENTER_PROVISIONER,
        path: "gitops/karpenter-provisioner/01-default-karpenter-provisioner.yaml",
        source: include_str!("../templates/karpenter-provisioner.yaml.j2"),
    },
    Template {
        name: ARGO_WORKFLOWS,
        path: "gitops/add-ons/03-argo-workflows.yaml",
        source: include_str!("../templates/argo-workflows.yaml.j2"),
    },
    Template {
        name: UPGRADE_VALIDATE_WORKFLOW,
        path: "upgrades-workflows/upgrade-validate-workflow.yaml",
        source: include_str!("../templates/upgrade-validate-workflow.yaml.j2"),
    },
];

/// A rendered template and where it goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Rendered {
    /// Relative to the clone root, `/`-separated.
    pub(crate) path: &'static str,
    pub(crate) contents: String,
    pub(crate) template: &'static str,
}

/// Every template, in a fixed order.
pub(crate) fn render_all(values: &Values) -> Result<Vec<Rendered>> {
    TEMPLATES
        .iter()
        .map(|t| render_template(t, values))
        .collect()
}

#[cfg(test)]
/// The templates of one add-on (none for metrics-server).
pub(crate) fn render_for_addon(addon: &Addon, values: &Values) -> Result<Vec<Rendered>> {
    addon
        .templates
        .iter()
        .map(|name| render(name, values))
        .collect()
}

#[cfg(test)]
/// One template by name.
pub(crate) fn render(name: &str, values: &Values) -> Result<Rendered> {
    let template = find(name).ok_or_else(|| Error::NotFound {
        what: "template",
        name: name.to_string(),
        help: format!(
            "the templates are {}",
            names().collect::<Vec<_>>().join(", ")
        ),
    })?;
    render_template(template, values)
}

/// Every template name, in the order [`render_all`] renders them.
pub(crate) fn names() -> impl Iterator<Item = &'static str> {
    TEMPLATES.iter().map(|t| t.name)
}

#[cfg(test)]
/// The file a template overwrites, relative to the clone root.
pub(crate) fn target_path(name: &str) -> Option<&'static str> {
    find(name).map(|t| t.path)
}

/// The values the named templates use, sorted, without duplicates.
pub(crate) fn required_values(names: &[&str]) -> Vec<&'static str> {
    let mut needed: Vec<&'static str> = names
        .iter()
        .filter_map(|name| find(name))
        .flat_map(used_values)
        .collect();
    needed.sort_unstable();
    needed.dedup();
    needed
}

#[cfg(test)]
/// What is left of a placeholder in `text`: install.sh's uppercase ones
/// (`KARPENTER_IRSA`) and template syntax. Argo's own expressions
/// (`{{workflow.parameters.x}}`, `{{inputs.…}}`, `{{steps.…}}`) are not ours
/// and do not count.
pub(crate) fn leftover_placeholders(text: &str) -> Vec<String> {
    const ARGO: &[&str] = &[
        "{{workflow.",
        "{{inputs.",
        "{{steps.",
        "{{tasks.",
        "{{outputs.",
    ];
    let mut found = Vec::new();
    for spec in values::KNOWN {
        let upper = spec.name.to_uppercase();
        let is_word = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
        let whole_word = text.match_indices(&upper).any(|(at, _)| {
            !is_word(text[..at].chars().next_back())
                && !is_word(text[at + upper.len()..].chars().next())
        });
        if whole_word {
            found.push(upper);
        }
    }
    for open in ["{{", "{%", "{#"] {
        for (at, _) in text.match_indices(open) {
            if !ARGO.iter().any(|argo| text[at..].starts_with(argo)) {
                let end = text[at..].find('\n').map_or(text.len(), |n| at + n);
                found.push(text[at..end].to_string());
            }
        }
    }
    found
}

fn find(name: &str) -> Option<&'static Template> {
    TEMPLATES.iter().find(|t| t.name == name)
}

fn used_values(template: &Template) -> Vec<&'static str> {
    let env = environment();
    let Ok(compiled) = env.template_from_named_str(template.name, template.source) else {
        return Vec::new();
    };
    let mut used: Vec<&'static str> = compiled
        .undeclared_variables(false)
        .iter()
        .filter_map(|name| values::known(name).map(|spec| spec.name))
        .collect();
    used.sort_unstable();
    used
}

fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_auto_escape_callback(|_| AutoEscape::None);
    env.set_keep_trailing_newline(true);
    env.set_trim_blocks(true);
    env.add_filter("quote", quote);
    env
}

/// A double-quoted YAML scalar. JSON's string escapes are valid in YAML's
/// double-quoted style, so serde_json writes it.
fn quote(value: String) -> String {
    serde_json::to_string(&value).unwrap_or_default()
}

fn render_template(template: &'static Template, values: &Values) -> Result<Rendered> {
    let env = environment();
    let context = values.with_defaults();
    let compiled = env
        .template_from_named_str(template.name, template.source)
        .map_err(|e| template_error(template.name, &e))?;
    // Name the missing value up front: strict undefined would also stop the
    // render, but its error does not say which variable it was.
    let mut undeclared: Vec<String> = compiled.undeclared_variables(false).into_iter().collect();
    undeclared.sort();
    if let Some(missing) = undeclared
        .into_iter()
        .find(|name| !context.contains_key(name.as_str()))
    {
        return Err(Error::MissingTemplateValue {
            template: template.name.to_string(),
            name: missing,
        });
    }
    let contents = compiled
        .render(&context)
        .map_err(|e| template_error(template.name, &e))?;
    Ok(Rendered {
        path: template.path,
        contents,
        template: template.name,
    })
}

/// Templates are embedded and tested, so this is not expected to happen.
fn template_error(template: &str, err: &minijinja::Error) -> Error {
    Error::Command {
        command: format!("render template {template}"),
        message: format!("{err:#}"),
    }
}

#[cfg(test)]
mod tests;
