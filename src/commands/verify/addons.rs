//! `verify`'s add-on versions: each HelmRelease in the repo (and live), its
//! chart and version, and whether that version supports the target.

use std::path::Path;

use crate::ctx::Ctx;
use crate::error::Result;
use crate::scan::KubeVersion;
use crate::verdict::Section;

pub(super) async fn section(
    _ctx: &mut Ctx,
    _clone: &Path,
    _target: KubeVersion,
) -> Result<Section> {
    Ok(Section::skipped("add-ons", "not built yet"))
}
