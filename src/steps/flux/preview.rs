//! What the flux step would do, read from the cluster: install Flux (and from
//! where), and which objects it would apply with which fields.

use super::install::install_source;
use super::{Wanted, compare};
use crate::change::Change;
use crate::ctx::Ctx;
use crate::error::Result;
use crate::{flux, kube};

pub(in crate::steps) async fn preview(ctx: &mut Ctx) -> Result<Vec<Change>> {
    let cluster = ctx.cluster().await?;
    let mut out = Vec::new();
    let missing = flux::missing(&cluster).await?;
    if !missing.is_empty() {
        out.push(Change::InstallFlux {
            from: install_source(ctx)?.describe(),
        });
    }
    let known = crate::steps::remote_url(ctx).is_some();
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
                out.push(Change::Apply {
                    object: kube::label(kind, namespace, name),
                    fields: vec![if known { "new" } else { "to sync the fork" }.into()],
                    taken_over_from: None,
                });
            }
            return Ok(out);
        }
    };
    let want = Wanted::gather(ctx).await?;
    for change in compare(ctx, &cluster, &types, &want).await? {
        out.push(Change::Apply {
            taken_over_from: change.adoption.as_ref().map(|a| a.from()),
            object: change.label,
            fields: change.fields,
        });
    }
    Ok(out)
}
