//! render: the placeholders in the clone's files hold the participant's values.
//!
//! The files are rendered in place ([`crate::placeholders`]): only the
//! placeholder scalars change, and the participant's own edits, committed or
//! not, stay as they are. Done when no placeholder is left that a given value
//! fills and every value we wrote that still stands is the wanted one.

use super::Checked;
use crate::ctx::Ctx;
use crate::effect::Effect;
use crate::error::{Error, Result};
use crate::fsx;
use crate::placeholders::{self, Outcome, Rule};
use crate::state::Learned;

pub(super) fn check(ctx: &Ctx) -> Result<Checked> {
    let files = outcomes(ctx)?;
    let pending: Vec<&str> = files
        .iter()
        .filter(|(_, o)| o.changed() || !o.missing.is_empty())
        .map(|(rule, _)| rule.path)
        .collect();
    if pending.is_empty() {
        // Where our values sit, for the push's commit to know them.
        let mut found = Checked::done(summary(&files));
        for (rule, outcome) in files {
            found = found.learning(Learned::Placements(rule.path.into(), outcome.placements));
        }
        return Ok(found);
    }
    Ok(Checked::to_do(format!("to render: {}", pending.join(", "))))
}

/// The values to ask for first; then, once none is missing, each file's
/// edit (with where our values sit, recorded once it is written) and the
/// values of the participant's that stay. Every edited file is held to
/// parse before any is written.
pub(super) fn effects(ctx: &Ctx) -> Result<Vec<Effect>> {
    let files = outcomes(ctx)?;
    let mut asks: Vec<(&str, &str)> = files
        .iter()
        .flat_map(|(rule, o)| o.missing.iter().map(|m| (*m, rule.path)))
        .collect();
    asks.sort_by_key(|(name, _)| *name);
    asks.dedup_by_key(|(name, _)| *name);
    let mut out: Vec<Effect> = asks
        .into_iter()
        .map(|(value, template)| Effect::Ask {
            value: value.into(),
            template: template.into(),
        })
        .collect();
    let clone = ctx.config.clone_dir();
    for (rule, outcome) in files {
        for kept in &outcome.kept {
            out.push(Effect::Say {
                message: format!(
                    "{}:{}: `{}` holds your own value, kept; eks-workshop's `{}` was not written there",
                    rule.path, kept.line, kept.key, kept.value
                ),
                warning: true,
            });
        }
        let placed = Learned::Placements(rule.path.into(), outcome.placements.clone());
        if outcome.changed() {
            let before = fsx::read_string_in(&clone, rule.path)?.unwrap_or_default();
            let bytes = outcome.text.into_bytes();
            out.push(super::edit_effect(
                &clone,
                rule.path,
                before.as_bytes(),
                bytes,
                vec![placed],
            )?);
        }
    }
    Ok(out)
}

/// The step's line: what stands rendered now.
pub(super) fn line(ctx: &Ctx) -> String {
    match outcomes(ctx) {
        Ok(files) => {
            let values: usize = files.iter().map(|(_, o)| o.placements.len()).sum();
            format!("rendered {values} value(s) in {} file(s)", files.len())
        }
        Err(e) => e.to_string(),
    }
}
/// Each rendered file of the clone as it is, and what rendering it gives.
/// A file the clone lacks (the participant deleted it) is left alone; one
/// that is a symlink stops the step ([`fsx::read_string_in`]).
fn outcomes(ctx: &Ctx) -> Result<Vec<(&'static Rule, Outcome)>> {
    let clone = ctx.config.clone_dir();
    let mut files = Vec::new();
    for rule in placeholders::RULES {
        let Some(text) = fsx::read_string_in(&clone, rule.path)? else {
            continue;
        };
        let before = ctx.state.outputs.placements.get(rule.path);
        let outcome = placeholders::render(
            rule,
            &text,
            &ctx.config.settings.values,
            before.map_or(&[], Vec::as_slice),
        );
        files.push((rule, outcome));
    }
    Ok(files)
}

/// Ask for one value a placeholder of `template` needs, re-asking until
/// the answer has the value's shape; off a terminal (or under --yes) the
/// run stops there, naming it, before anything is written.
pub(super) fn ask(ctx: &mut Ctx, name: &str, template: &str) -> Result<()> {
    if !ctx.config.interactive() {
        // Named as a reader goes through the files: the first one lacking a value.
        let first = outcomes(ctx)?
            .into_iter()
            .find_map(|(rule, o)| o.missing.first().map(|m| (rule.path, *m)));
        let (template, name) = first.unwrap_or((template, name));
        return Err(Error::MissingTemplateValue {
            template: template.to_string(),
            name: name.to_string(),
        });
    }
    let spec = crate::values::known(name);
    let prompt = spec.map_or(name.to_string(), |v| format!("{} ({name})", v.description));
    loop {
        let answer = ctx.ui.ask(&prompt, spec.and_then(|v| v.default))?;
        let answer = answer.trim();
        match crate::values::check(name, answer) {
            Ok(()) => {
                ctx.config.settings.values.set(name, answer);
                return Ok(());
            }
            Err(expected) => ctx
                .ui
                .warn(&format!("`{answer}` is not {expected}; try again")),
        }
    }
}

fn summary(files: &[(&Rule, Outcome)]) -> String {
    let placed: usize = files.iter().map(|(_, o)| o.placements.len()).sum();
    let kept: Vec<String> = files
        .iter()
        .flat_map(|(rule, o)| {
            o.kept
                .iter()
                .map(move |k| format!("{}:{}", rule.path, k.line))
        })
        .collect();
    let mut detail = format!("{placed} value(s) in {} file(s) up to date", files.len());
    if !kept.is_empty() {
        detail.push_str(&format!("; your own values kept at {}", kept.join(", ")));
    }
    detail
}
