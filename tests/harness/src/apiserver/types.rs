//! The resource types the server knows: built-ins plus whatever CRDs registered.

use super::util::api_version;
use serde_json::Value;

/// One resource type (a table in the store), as discovery describes it.
#[derive(Clone, Debug, PartialEq)]
pub struct ResourceType {
    pub group: String,
    /// Served versions, the storage (preferred) version first.
    pub versions: Vec<String>,
    pub plural: String,
    pub singular: String,
    pub kind: String,
    pub namespaced: bool,
    /// Whether writes to the main resource ignore `status` (and `/status` exists).
    pub status_subresource: bool,
    pub short_names: Vec<String>,
    pub categories: Vec<String>,
    /// CRD-backed types are invisible until their CRD is Established.
    pub established: bool,
    pub from_crd: bool,
}

impl ResourceType {
    fn builtin(group: &str, plural: &str, kind: &str, namespaced: bool, status: bool) -> Self {
        ResourceType {
            group: group.into(),
            versions: vec!["v1".into()],
            plural: plural.into(),
            singular: kind.to_lowercase(),
            kind: kind.into(),
            namespaced,
            status_subresource: status,
            short_names: vec![],
            categories: vec![],
            established: true,
            from_crd: false,
        }
    }

    fn short(mut self, names: &[&str]) -> Self {
        self.short_names = names.iter().map(|s| s.to_string()).collect();
        self
    }

    /// The storage version: what objects are kept as.
    pub fn storage_version(&self) -> &str {
        &self.versions[0]
    }

    /// The storage apiVersion, `v1` or `group/version`.
    pub fn storage_api_version(&self) -> String {
        api_version(&self.group, self.storage_version())
    }

    pub fn serves(&self, version: &str) -> bool {
        self.versions.iter().any(|v| v == version)
    }

    /// Verbs as discovery lists them.
    pub fn verbs() -> Vec<&'static str> {
        vec![
            "create",
            "delete",
            "deletecollection",
            "get",
            "list",
            "patch",
            "update",
            "watch",
        ]
    }
}

/// All known types; CRDs come and go.
#[derive(Clone, Debug)]
pub struct Registry {
    types: Vec<ResourceType>,
}

impl Registry {
    /// The built-in types a fresh cluster has (the subset eks-workshop and Flux touch).
    pub fn builtin() -> Self {
        let b = ResourceType::builtin;
        Registry {
            types: vec![
                b("", "namespaces", "Namespace", false, true).short(&["ns"]),
                b("", "secrets", "Secret", true, false),
                b("", "configmaps", "ConfigMap", true, false).short(&["cm"]),
                b("", "serviceaccounts", "ServiceAccount", true, false).short(&["sa"]),
                b("", "services", "Service", true, true).short(&["svc"]),
                // Every cluster has them; `upgrade` lists nodes and their pods.
                b("", "nodes", "Node", false, true).short(&["no"]),
                b("", "pods", "Pod", true, true).short(&["po"]),
                b("apps", "deployments", "Deployment", true, true).short(&["deploy"]),
                // What a real API server also serves and the workshop's repo
                // applies (a real server serves far more; eks-workshop's
                // preflight checks each applied kind against discovery).
                b("apps", "statefulsets", "StatefulSet", true, true),
                b("apps", "daemonsets", "DaemonSet", true, true),
                b(
                    "policy",
                    "poddisruptionbudgets",
                    "PodDisruptionBudget",
                    true,
                    true,
                )
                .short(&["pdb"]),
                b("batch", "cronjobs", "CronJob", true, true),
                b("batch", "jobs", "Job", true, true),
                b("networking.k8s.io", "ingresses", "Ingress", true, true).short(&["ing"]),
                b(
                    "rbac.authorization.k8s.io",
                    "clusterroles",
                    "ClusterRole",
                    false,
                    false,
                ),
                b(
                    "rbac.authorization.k8s.io",
                    "clusterrolebindings",
                    "ClusterRoleBinding",
                    false,
                    false,
                ),
                b("rbac.authorization.k8s.io", "roles", "Role", true, false),
                b(
                    "rbac.authorization.k8s.io",
                    "rolebindings",
                    "RoleBinding",
                    true,
                    false,
                ),
                ResourceType {
                    versions: vec!["v2".into()],
                    ..b(
                        "autoscaling",
                        "horizontalpodautoscalers",
                        "HorizontalPodAutoscaler",
                        true,
                        true,
                    )
                }
                .short(&["hpa"]),
                b(
                    "apiextensions.k8s.io",
                    "customresourcedefinitions",
                    "CustomResourceDefinition",
                    false,
                    true,
                )
                .short(&["crd", "crds"]),
            ],
        }
    }

    /// Established types only: what clients may use.
    pub fn visible(&self) -> impl Iterator<Item = &ResourceType> {
        self.types.iter().filter(|t| t.established)
    }

    /// The type served at `/apis/{group}/{version}/{plural}` (established only).
    pub fn find(&self, group: &str, version: &str, plural: &str) -> Option<&ResourceType> {
        self.visible()
            .find(|t| t.group == group && t.plural == plural && t.serves(version))
    }

    /// The type for an object's `apiVersion` + `kind` (established only).
    pub fn by_kind(&self, group: &str, version: &str, kind: &str) -> Option<&ResourceType> {
        self.visible()
            .find(|t| t.group == group && t.kind == kind && t.serves(version))
    }

    /// Any registered type by group and plural, established or not.
    pub fn get_any(&self, group: &str, plural: &str) -> Option<&ResourceType> {
        self.types
            .iter()
            .find(|t| t.group == group && t.plural == plural)
    }

    /// Adds or replaces a type (keyed by group + plural). Returns the previous one.
    pub fn upsert(&mut self, t: ResourceType) -> Option<ResourceType> {
        match self
            .types
            .iter_mut()
            .find(|x| x.group == t.group && x.plural == t.plural)
        {
            Some(x) => Some(std::mem::replace(x, t)),
            None => {
                self.types.push(t);
                None
            }
        }
    }

    pub fn remove(&mut self, group: &str, plural: &str) -> Option<ResourceType> {
        let i = self
            .types
            .iter()
            .position(|t| t.group == group && t.plural == plural)?;
        Some(self.types.remove(i))
    }

    pub fn set_established(&mut self, group: &str, plural: &str) {
        if let Some(t) = self
            .types
            .iter_mut()
            .find(|t| t.group == group && t.plural == plural)
        {
            t.established = true;
        }
    }

    /// Groups with their versions, in registration order (core group excluded).
    pub fn groups(&self) -> Vec<(String, Vec<String>)> {
        let mut out: Vec<(String, Vec<String>)> = Vec::new();
        for t in self.visible().filter(|t| !t.group.is_empty()) {
            let entry = match out.iter_mut().find(|(g, _)| *g == t.group) {
                Some(e) => e,
                None => {
                    out.push((t.group.clone(), Vec::new()));
                    out.last_mut().expect("just pushed")
                }
            };
            for v in &t.versions {
                if !entry.1.contains(v) {
                    entry.1.push(v.clone());
                }
            }
        }
        out
    }
}

/// Reads a CRD object into the type it defines; `Err` is an Invalid message.
pub fn type_from_crd(crd: &Value) -> Result<ResourceType, String> {
    let spec = crd.get("spec").ok_or("spec: Required value")?;
    let s = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_string);
    let group = s(spec.get("group")).ok_or("spec.group: Required value")?;
    let names = spec.get("names").ok_or("spec.names: Required value")?;
    let plural = s(names.get("plural")).ok_or("spec.names.plural: Required value")?;
    let kind = s(names.get("kind")).ok_or("spec.names.kind: Required value")?;
    let expected = format!("{plural}.{group}");
    let name = super::util::meta_str(crd, "name").unwrap_or_default();
    if name != expected {
        return Err(format!(
            "metadata.name: Invalid value: \"{name}\": must be spec.names.plural+\".\"+spec.group"
        ));
    }
    let scope = s(spec.get("scope")).unwrap_or_else(|| "Namespaced".into());
    let list = |v: Option<&Value>| -> Vec<String> {
        v.and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut versions = Vec::new();
    let mut status_subresource = false;
    for v in spec
        .get("versions")
        .and_then(Value::as_array)
        .ok_or("spec.versions: Required value")?
    {
        let vname = s(v.get("name")).ok_or("spec.versions[].name: Required value")?;
        if v.get("subresources")
            .and_then(|r| r.get("status"))
            .is_some()
        {
            status_subresource = true;
        }
        if v.get("served").and_then(Value::as_bool) == Some(false) {
            continue;
        }
        // The storage version goes first: it is the preferred one.
        if v.get("storage").and_then(Value::as_bool) == Some(true) {
            versions.insert(0, vname);
        } else {
            versions.push(vname);
        }
    }
    if versions.is_empty() {
        return Err("spec.versions: Invalid value: must have at least one served version".into());
    }
    Ok(ResourceType {
        singular: s(names.get("singular")).unwrap_or_else(|| kind.to_lowercase()),
        short_names: list(names.get("shortNames")),
        categories: list(names.get("categories")),
        group,
        versions,
        plural,
        kind,
        namespaced: scope != "Cluster",
        status_subresource,
        established: false,
        from_crd: true,
    })
}
