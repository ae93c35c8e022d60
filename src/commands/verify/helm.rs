//! `verify`'s look inside the cluster's Helm releases: removed APIs in each
//! release's stored manifest, and `--fix-helm-releases`.

use crate::ctx::Ctx;
use crate::error::Result;
use crate::scan::KubeVersion;
use crate::verdict::Section;

pub(super) async fn section(ctx: &mut Ctx, _target: KubeVersion, _fix: bool) -> Result<Section> {
    if ctx.offline() {
        return Ok(Section::skipped(
            "helm releases",
            "offline: there is no cluster to read them from",
        ));
    }
    Ok(Section::skipped("helm releases", "not built yet"))
}
