//! What the tool itself generates, as minijinja templates embedded at build
//! time: the Flux objects that sync the participant's fork. The fork's own
//! files are never written from a template; they are rendered in place
//! (see [`crate::placeholders`]).
//!
//! Values go in through the `quote` filter, which writes a double-quoted YAML
//! scalar: whatever a value holds, the output stays valid YAML.

use minijinja::{AutoEscape, Environment, UndefinedBehavior};
use serde_json::Value;

pub(crate) const FLUX_SYNC: &str = "flux-sync.yaml.j2";
const FLUX_SYNC_SOURCE: &str = include_str!("../templates/flux-sync.yaml.j2");

/// The values [`FLUX_SYNC`] takes.
#[derive(Debug, serde::Serialize)]
pub(crate) struct FluxSync<'a> {
    pub(crate) name: &'a str,
    pub(crate) namespace: &'a str,
    pub(crate) git_repository_api_version: &'a str,
    pub(crate) git_repository_kind: &'a str,
    pub(crate) kustomization_api_version: &'a str,
    pub(crate) kustomization_kind: &'a str,
    pub(crate) url: &'a str,
    pub(crate) branch: &'a str,
    pub(crate) path: &'a str,
    pub(crate) sync_interval: &'a str,
    pub(crate) apply_interval: &'a str,
}

/// The GitRepository and the Kustomization, as JSON objects, in that order.
pub(crate) fn flux_sync(values: &FluxSync) -> (Value, Value) {
    let text = render(FLUX_SYNC, FLUX_SYNC_SOURCE, values);
    let mut docs = serde_yaml::Deserializer::from_str(&text).map(|doc| {
        serde::Deserialize::deserialize(doc).expect("the embedded template renders YAML")
    });
    let git_repository = docs.next().expect("the template has a GitRepository");
    let kustomization = docs.next().expect("the template has a Kustomization");
    (git_repository, kustomization)
}

/// The embedded templates are fixed and snapshot-tested, and every value is
/// quoted, so rendering cannot fail at run time.
fn render(name: &str, source: &str, values: &impl serde::Serialize) -> String {
    environment()
        .template_from_named_str(name, source)
        .and_then(|t| t.render(values))
        .unwrap_or_else(|e| panic!("embedded template {name}: {e:#}"))
}

fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_auto_escape_callback(|_| AutoEscape::None);
    env.set_keep_trailing_newline(true);
    env.set_trim_blocks(true);
    env.add_filter("quote", |value: String| crate::placeholders::quote(&value));
    env
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sync() -> FluxSync<'static> {
        FluxSync {
            name: "flux-system",
            namespace: "flux-system",
            git_repository_api_version: "source.toolkit.fluxcd.io/v1",
            git_repository_kind: "GitRepository",
            kustomization_api_version: "kustomize.toolkit.fluxcd.io/v1",
            kustomization_kind: "Kustomization",
            url: "https://github.com/me/eks-cluster-upgrades-workshop.git",
            branch: "main",
            path: "./gitops/clusters/cluster-demo",
            sync_interval: "1m0s",
            apply_interval: "10m0s",
        }
    }

    #[test]
    fn flux_sync_snapshot() {
        let text = render(FLUX_SYNC, FLUX_SYNC_SOURCE, &sync());
        assert_eq!(text, include_str!("snapshots/flux-sync.yaml"));
    }

    #[test]
    fn values_that_look_like_yaml_stay_strings() {
        let mut s = sync();
        s.branch = "x: [y] # z";
        s.url = "true";
        let (repo, _) = flux_sync(&s);
        assert_eq!(repo["spec"]["ref"]["branch"], "x: [y] # z");
        assert_eq!(repo["spec"]["url"], "true");
    }
}
