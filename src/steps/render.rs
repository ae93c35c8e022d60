//! render: the placeholders in the clone's files hold the participant's values.
//!
//! The files are rendered in place ([`crate::placeholders`]): only the
//! placeholder scalars change, and the participant's own edits, committed or
//! not, stay as they are. Done when no placeholder is left that a given value
//! fills and every value we wrote that still stands is the wanted one.

use super::Check;
use crate::change::{self, Change};
use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::fsx;
use crate::placeholders::{self, Outcome, Rule};

pub(super) fn check(ctx: &mut Ctx) -> Result<Check> {
    let files = outcomes(ctx)?;
    let pending: Vec<&str> = files
        .iter()
        .filter(|(_, o)| o.changed() || !o.missing.is_empty())
        .map(|(rule, _)| rule.path)
        .collect();
    if pending.is_empty() {
        return Ok(Check::Done(summary(&files)));
    }
    Ok(Check::Pending(format!("to render: {}", pending.join(", "))))
}

pub(super) fn run(ctx: &mut Ctx) -> Result<String> {
    ask_for_missing(ctx)?;
    let files = outcomes(ctx)?;
    // Stop before writing anything: nothing half-done.
    if let Some((rule, outcome)) = files.iter().find(|(_, o)| !o.missing.is_empty()) {
        return Err(Error::MissingTemplateValue {
            template: rule.path.to_string(),
            name: outcome.missing[0].to_string(),
        });
    }
    let clone = ctx.config.clone_dir();
    // Nor a file that no longer parses (or never did): push would commit it.
    for (rule, outcome) in files.iter().filter(|(_, o)| o.changed()) {
        super::must_parse(&clone, rule.path, outcome.text.as_bytes())?;
    }
    let mut written = 0;
    for (rule, outcome) in &files {
        for kept in &outcome.kept {
            ctx.ui.warn(&format!(
                "{}:{}: `{}` holds your own value, kept; eks-workshop's `{}` was not written there",
                rule.path, kept.line, kept.key, kept.value
            ));
        }
        ctx.state
            .outputs
            .placements
            .insert(rule.path.to_string(), outcome.placements.clone());
        if !outcome.changed() {
            continue;
        }
        if written == 1 {
            crate::pause::point("render:mid");
        }
        fsx::write_in(&clone, rule.path, outcome.text.as_bytes())?;
        written += 1;
        // Record what we wrote at once: a crash after this write leaves values we own.
        ctx.save()?;
    }
    let values: usize = files.iter().map(|(_, o)| o.edits.len()).sum();
    Ok(format!("rendered {values} value(s) in {written} file(s)"))
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

/// In a terminal, ask for every value a placeholder needs that was not
/// given, re-asking until the answer has the value's shape.
fn ask_for_missing(ctx: &mut Ctx) -> Result<()> {
    if !ctx.config.interactive() {
        return Ok(());
    }
    let mut needed: Vec<&'static str> = outcomes(ctx)?
        .into_iter()
        .flat_map(|(_, o)| o.missing)
        .collect();
    needed.sort_unstable();
    needed.dedup();
    for name in needed {
        let spec = crate::values::known(name);
        let prompt = spec.map_or(name.to_string(), |v| format!("{} ({name})", v.description));
        loop {
            let answer = ctx.ui.ask(&prompt, spec.and_then(|v| v.default))?;
            let answer = answer.trim();
            match crate::values::check(name, answer) {
                Ok(()) => {
                    ctx.config.settings.values.set(name, answer);
                    break;
                }
                Err(expected) => ctx
                    .ui
                    .warn(&format!("`{answer}` is not {expected}; try again")),
            }
        }
    }
    ctx.config.settings.values.check_all()
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

/// The dry run: each file's diff, and the values it would ask for.
pub(super) fn preview(ctx: &mut Ctx) -> Result<Vec<Change>> {
    let clone = ctx.config.clone_dir();
    let mut asks: Vec<&str> = Vec::new();
    let mut out = Vec::new();
    for (rule, outcome) in outcomes(ctx)? {
        asks.extend(outcome.missing.iter().copied());
        if outcome.changed() {
            let before = fsx::read_string_in(&clone, rule.path)?.unwrap_or_default();
            out.push(Change::Edit {
                path: rule.path.to_string(),
                diff: change::diff(rule.path, before.as_bytes(), outcome.text.as_bytes()),
            });
        }
    }
    asks.sort_unstable();
    asks.dedup();
    let asks = asks.into_iter().map(|v| Change::Ask { value: v.into() });
    Ok(asks.chain(out).collect())
}
