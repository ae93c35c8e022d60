//! flux: Flux runs on the cluster and syncs the fork: installed if missing
//! (`flux install`, else `--flux-manifests`), then the Namespace, the Secret
//! with the HTTPS credentials, the GitRepository and the Kustomization,
//! server-side applied. Re-running applies nothing when all are as wanted.

use ::kube::api::ApiResource;
use k8s_openapi::api::core::v1::{Namespace, Secret as SecretObject};
use serde_json::Value;

mod install;

use super::Checked;
use crate::config::{CLUSTER_PATH, Secret};
use crate::ctx::Ctx;
use crate::effect::{Effect, Object};
use crate::error::{Error, Result};
use crate::flux::{self, Sync, Types};
use crate::kube::{self, Cluster};

pub(super) async fn check(ctx: &Ctx) -> Result<Checked> {
    let cluster = ctx.cluster().await?;
    let missing = flux::missing(&cluster).await?;
    if !missing.is_empty() {
        return Ok(Checked::to_do(format!(
            "Flux is not installed (missing {})",
            missing.join(", ")
        )));
    }
    let Some(types) = flux::types(&cluster).await? else {
        return Ok(Checked::to_do("the cluster does not serve Flux's APIs yet"));
    };
    if ctx.remote_url().is_none() {
        // Only a dry run gets here: setup forks first.
        return Ok(Checked::to_do(
            "to apply: the objects that sync the fork, once it is made",
        ));
    }
    let want = Wanted::gather(ctx).await?;
    let plan = compare(ctx, &cluster, &types, &want).await?;
    if plan.is_empty() {
        return Ok(Checked::done(format!(
            "Flux syncs {} ({}) from ./{CLUSTER_PATH}",
            want.url, want.branch
        )));
    }
    let names: Vec<String> = plan.iter().map(|c| c.what()).collect();
    Ok(Checked::to_do(format!("to apply: {}", names.join("; "))))
}

/// Install Flux when it is missing (the step is planned again after it:
/// only then are its kinds served); then each object that differs from
/// what it should be, applied.
pub(super) async fn effects(ctx: &Ctx) -> Result<Vec<Effect>> {
    let cluster = ctx.cluster().await?;
    let mut out = Vec::new();
    let missing = flux::missing(&cluster).await?;
    if !missing.is_empty() {
        let source = install::install_source(ctx)?;
        let served = super::control_plane::served(ctx).await?;
        install::supports(&source, served)?;
        out.push(Effect::InstallFlux {
            from: source.describe(),
        });
    }
    let known = ctx.remote_url().is_some();
    let types = match flux::types(&cluster).await? {
        Some(types) if missing.is_empty() && known => types,
        // Not served before the install (or the fork not made yet): every
        // object is applied.
        _ => {
            let ns = Some(flux::NAMESPACE);
            for (kind, namespace, name) in [
                ("Namespace", None, flux::NAMESPACE),
                ("Secret", ns, flux::NAME),
                ("GitRepository", ns, flux::NAME),
                ("Kustomization", ns, flux::NAME),
            ] {
                out.push(Effect::Apply {
                    object: kube::label(kind, namespace, name),
                    fields: vec![if known { "new" } else { "to sync the fork" }.into()],
                    taken_over_from: None,
                    object_to_apply: None,
                });
            }
            return Ok(out);
        }
    };
    let want = Wanted::gather(ctx).await?;
    for change in compare(ctx, &cluster, &types, &want).await? {
        let warning = change.adoption.as_ref().map(|a| a.warning(&change));
        let said = change.applied();
        out.push(Effect::Apply {
            taken_over_from: change.adoption.as_ref().map(|a| a.from()),
            object: change.label,
            fields: change.fields,
            object_to_apply: Some(Box::new(Object {
                resource: change.resource,
                desired: change.desired,
                warning,
                said,
            })),
        });
    }
    Ok(out)
}

/// Install Flux's controllers (see [`install::install`]).
/// Where an install would take Flux from, as the plan names it.
pub(super) fn install_source(ctx: &Ctx) -> Result<String> {
    Ok(install::install_source(ctx)?.describe())
}

pub(super) async fn install(ctx: &Ctx) -> Result<String> {
    let cluster = ctx.cluster().await?;
    install::install(ctx, &cluster, &ctx.limits()).await
}

/// Server-side apply one object; `label` is what the step's line says of it.
pub(super) async fn apply(ctx: &Ctx, label: &str, object: &Object) -> Result<String> {
    ctx.check_interrupt()?;
    let cluster = ctx.cluster().await?;
    if let Some(warning) = &object.warning {
        ctx.ui.warn(warning);
    }
    ctx.ui.progress(&format!("applying {label}"));
    kube::apply(&cluster, &object.resource, &object.desired).await?;
    crate::pause::point(&format!("flux:applied:{}", object.resource.kind));
    Ok(object.said.clone())
}

/// What the objects should say. Owned, so the context stays borrowable.
struct Wanted {
    url: String,
    branch: String,
    login: String,
    token: Secret,
}

impl Wanted {
    async fn gather(ctx: &Ctx) -> Result<Wanted> {
        let url = ctx.fork_url()?;
        Ok(Wanted {
            url,
            branch: ctx.config.settings.branch.clone(),
            login: ctx.login().await?,
            token: ctx.token()?,
        })
    }

    fn sync(&self) -> Sync<'_> {
        Sync {
            url: &self.url,
            branch: &self.branch,
            login: &self.login,
            token: &self.token,
            path: format!("./{CLUSTER_PATH}"),
        }
    }
}

/// One object to apply, and why.
struct Change {
    label: String,
    resource: ApiResource,
    desired: Value,
    fields: Vec<String>,
    /// Someone else made it: whom we take it over from.
    adoption: Option<Adoption>,
}

impl Change {
    fn what(&self) -> String {
        let from = match &self.adoption {
            Some(a) => format!("; taken over from {}", a.from()),
            None => String::new(),
        };
        format!("{} ({}{from})", self.label, self.fields.join(", "))
    }

    fn applied(&self) -> String {
        match &self.adoption {
            Some(a) => format!("{} (taken over from {})", self.label, a.whom()),
            None => self.label.clone(),
        }
    }
}

/// An existing object someone else wrote (terraform's `flux2-sync` Helm
/// chart, `flux bootstrap`, kubectl): our apply forces its conflicting fields
/// over to us, since a non-forced one fails on every field they own.
struct Adoption {
    /// `namespace/name` of the Helm release whose labels it carries.
    helm_release: Option<String>,
    /// Field managers owning the fields we change.
    managers: Vec<String>,
    /// The fields we change that they own.
    taken: Vec<String>,
}

impl Adoption {
    fn of(live: &Value, fields: &[String]) -> Option<Adoption> {
        let mut managers: Vec<String> = Vec::new();
        let mut taken = Vec::new();
        for field in fields {
            let owners = flux::owners_of(live, field);
            if !owners.is_empty() {
                taken.push(field.clone());
            }
            for owner in owners {
                if !managers.contains(&owner) {
                    managers.push(owner);
                }
            }
        }
        let helm_release = flux::helm_release(live);
        if helm_release.is_none() && managers.is_empty() {
            return None;
        }
        Some(Adoption {
            helm_release,
            managers,
            taken,
        })
    }

    /// The Helm release, else the field managers.
    fn whom(&self) -> String {
        match &self.helm_release {
            Some(release) => format!("Helm release {release}"),
            None => self.from(),
        }
    }

    fn from(&self) -> String {
        let managers: Vec<String> = self.managers.iter().map(|m| format!("`{m}`")).collect();
        let managers = match managers.len() {
            0 => String::new(),
            1 => format!("field manager {}", managers[0]),
            _ => format!("field managers {}", managers.join(", ")),
        };
        match (&self.helm_release, managers.is_empty()) {
            (Some(release), true) => format!("Helm release {release}"),
            (Some(release), false) => format!("Helm release {release} ({managers})"),
            (None, _) => managers,
        }
    }

    fn warning(&self, change: &Change) -> String {
        let fields = if self.taken.is_empty() {
            change.fields.join(", ")
        } else {
            self.taken.join(", ")
        };
        let mut text = format!(
            "taking over {} from {}: {fields} set to the workshop's values",
            change.label,
            self.from()
        );
        if let Some(release) = &self.helm_release {
            text.push_str(&format!(
                "; it keeps Helm's labels, so upgrading {release} (say, `terraform apply`) sets them back, and uninstalling it deletes the object"
            ));
        }
        text
    }
}

/// The objects that differ from what they should be, in apply order.
async fn compare(
    ctx: &Ctx,
    cluster: &Cluster,
    types: &Types,
    want: &Wanted,
) -> Result<Vec<Change>> {
    let sync = want.sync();
    let ns = Some(flux::NAMESPACE);
    let objects = [
        (ApiResource::erase::<Namespace>(&()), None, sync.namespace()),
        (ApiResource::erase::<SecretObject>(&()), ns, sync.secret()),
        (
            types.git_repository.clone(),
            ns,
            sync.git_repository(&types.git_repository),
        ),
        (
            types.kustomization.clone(),
            ns,
            sync.kustomization(&types.kustomization),
        ),
    ];
    let mut plan = Vec::new();
    for (resource, namespace, desired) in objects {
        let name = if namespace.is_none() {
            flux::NAMESPACE
        } else {
            flux::NAME
        };
        let live = kube::get(cluster, &resource, namespace, name).await?;
        if resource.kind == types.kustomization.kind {
            refuse_other_path(ctx, live.as_ref())?;
        }
        let fields = flux::differences(live.as_ref(), &desired);
        if !fields.is_empty() {
            let adoption = live.as_ref().and_then(|l| Adoption::of(l, &fields));
            plan.push(Change {
                adoption,
                label: kube::label(&resource.kind, namespace, name),
                resource,
                desired,
                fields,
            });
        }
    }
    Ok(plan)
}

/// An existing `flux-system` Kustomization syncing another path belongs to
/// some other set-up: refused unless --force.
fn refuse_other_path(ctx: &Ctx, live: Option<&Value>) -> Result<()> {
    let Some(live) = live else {
        return Ok(());
    };
    let path = live
        .pointer("/spec/path")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if flux::same_path(path, CLUSTER_PATH) || ctx.config.force {
        return Ok(());
    }
    Err(Error::usage(
        format!(
            "the cluster's Flux Kustomization {}/{} syncs path `{path}`, not `./{CLUSTER_PATH}`",
            flux::NAMESPACE,
            flux::NAME
        ),
        "this cluster is bootstrapped for something else: use another --context, or pass --force to point it at the workshop (Flux then prunes what it applied from the old path)",
    ))
}
