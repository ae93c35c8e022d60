//! `verify`'s disruption readiness: what would hold a node roll (the
//! upgrade drains every node older than the control plane through the
//! Eviction API) or make it hurt, read from the objects Flux applies (each
//! named with the file and line it comes from) and from the cluster's
//! PodDisruptionBudgets as they stand.
//!
//! Blocking: a budget that allows no disruption (`maxUnavailable: 0`,
//! `minAvailable: 100%`, `minAvailable` at least the replicas it covers, or
//! live `disruptionsAllowed: 0` over pods it expects): every eviction it
//! covers is refused, so the node cannot be drained. To do: a workload of
//! one replica (down while its node drains), a container without a
//! readiness probe (counted ready, and a budget healthy, before it serves),
//! replicas not spread across zones, Karpenter's `do-not-disrupt` /
//! `do-not-evict` annotations, and a NodePool disruption budget of zero
//! nodes (Karpenter replaces none of them for drift).

use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use kube::api::{Api, ListParams};

use crate::ctx::Ctx;
use crate::error::Result;
use crate::manifests::Tree;
use crate::manifests::objects::RepoObject;
use crate::manifests::objects::body::Body;

mod rules;

/// An object Flux applies, with what the rules read of it.
type Object = RepoObject<Body>;
use crate::verdict::{Item, Section, Severity};

pub(crate) const NAME: &str = "disruption";

pub(crate) async fn section(ctx: &Ctx, tree: &Tree) -> Result<Section> {
    let objects: Vec<Object> = tree.bodies();
    let mut items = rules::repo(&objects);
    if !ctx.offline() {
        let cluster = ctx.cluster().await?;
        let api: Api<PodDisruptionBudget> = Api::all(cluster.client.clone());
        let params = ListParams::default();
        match crate::kube::retry::idempotent(|| api.list(&params)).await {
            Ok(list) => items.extend(rules::live(&list.items, &objects)),
            Err(::kube::Error::Api(s)) if s.code == 403 => items.push(Item::new(
                Severity::ToDo,
                "PodDisruptionBudgets (cluster)",
                format!(
                    "context `{}` may not list PodDisruptionBudgets in all namespaces: their live state is not checked",
                    cluster.context
                ),
            )),
            Err(e) => return Err(cluster.error("list PodDisruptionBudgets", e)),
        }
    }
    Ok(Section::ran(NAME, items))
}

/// `Kind namespace/name (file:line)`.
fn subject(o: &Object) -> String {
    format!(
        "{} {}/{} ({})",
        o.kind(),
        o.namespace(),
        o.name(),
        o.place()
    )
}

/// An item about a repo object, with its facts.
fn about(o: &Object, severity: Severity, check: &'static str, message: String) -> Item {
    Item::new(severity, subject(o), message)
        .fact("check", check)
        .fact("kind", o.kind())
        .fact("namespace", o.namespace())
        .fact("name", o.name())
        .fact("file", &o.file)
        .fact("line", o.line)
}
