//! prerequisites: the tools this run needs are on PATH. git itself is built in
//! (libgit2), so offline nothing outside is required.

use super::Checked;
use crate::ctx::Ctx;
use crate::error::Result;
use crate::tools::{TOOLS, Tool};

pub(super) fn check(_ctx: &Ctx) -> Result<Checked> {
    let (found, missing): (Vec<_>, Vec<_>) =
        TOOLS.iter().partition(|t| which::which(t.name).is_ok());
    let names = |ts: &[&Tool]| ts.iter().map(|t| t.name).collect::<Vec<_>>().join(", ");
    let mut detail = format!(
        "git built in; found: {}",
        if found.is_empty() {
            "none".into()
        } else {
            names(&found)
        }
    );
    if !missing.is_empty() {
        detail.push_str(&format!("; not found (optional): {}", names(&missing)));
    }
    Ok(Checked::done(detail))
}
