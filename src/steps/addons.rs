//! addons: the add-ons the participant asked for are enabled (or disabled) in
//! the clone's `gitops/add-ons/kustomization.yaml`, by editing exactly their
//! resource lines.

use super::Checked;
use crate::addon_catalog::{self, ADDONS_KUSTOMIZATION};
use crate::ctx::Ctx;
use crate::effect::Effect;
use crate::error::{Error, Result};
use crate::{fsx, kustomize};

pub(super) fn check(ctx: &Ctx) -> Result<Checked> {
    let (text, edited) = desired(ctx)?;
    if edited == text {
        return Ok(Checked::done(describe(ctx)));
    }
    Ok(Checked::to_do("kustomization lines to change"))
}

/// The kustomization's edit, when it needs one.
pub(super) fn effects(ctx: &Ctx) -> Result<Vec<Effect>> {
    let (text, edited) = desired(ctx)?;
    if edited == text {
        return Ok(Vec::new());
    }
    let clone = ctx.config.clone_dir();
    let edit = super::edit_effect(
        &clone,
        ADDONS_KUSTOMIZATION,
        text.as_bytes(),
        edited.into_bytes(),
        Vec::new(),
    )?;
    Ok(vec![edit])
}

/// The working tree's kustomization text, and that text with every wish applied.
fn desired(ctx: &Ctx) -> Result<(String, String)> {
    edit(&ctx.config.clone_dir(), &ctx.config.settings.addons)
}

/// The add-ons kustomization in the clone at `root` (reached without a
/// symlink, read with a cap), and its text with `wishes` applied.
pub(crate) fn edit(
    root: &std::path::Path,
    wishes: &std::collections::BTreeMap<String, bool>,
) -> Result<(String, String)> {
    let path = fsx::in_clone(root, ADDONS_KUSTOMIZATION)?;
    let text = addon_catalog::read_kustomization(&path)?;
    let edited = apply_wishes(&text, wishes).map_err(|reason| Error::Kustomization {
        path: path.to_path_buf(),
        reason,
    })?;
    Ok((text, edited))
}

/// Apply name → enabled wishes to a kustomization's text, byte-exactly.
pub(crate) fn apply_wishes(
    text: &str,
    wishes: &std::collections::BTreeMap<String, bool>,
) -> std::result::Result<String, String> {
    let mut text = text.to_string();
    for (name, &enabled) in wishes {
        let addon = addon_catalog::find(name).map_err(|e| e.to_string())?;
        if let Some(new) = kustomize::set_enabled(&text, addon.entry_in(&text), enabled)? {
            text = new;
        }
    }
    Ok(text)
}

pub(super) fn describe(ctx: &Ctx) -> String {
    let wishes = &ctx.config.settings.addons;
    if wishes.is_empty() {
        return "no add-on changes asked for".into();
    }
    wishes
        .iter()
        .map(|(n, on)| format!("{n} {}", if *on { "enabled" } else { "disabled" }))
        .collect::<Vec<_>>()
        .join(", ")
}
