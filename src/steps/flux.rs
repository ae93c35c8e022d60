//! flux: make sure Flux runs on the cluster and syncs from the fork.

use super::Check;
use crate::engine::Ctx;
use crate::error::Result;

pub(super) async fn check(_ctx: &mut Ctx) -> Result<Check> {
    Ok(Check::Skipped("cluster support is not built yet".into()))
}

pub(super) async fn run(_ctx: &mut Ctx) -> Result<String> {
    Ok("cluster support is not built yet".into())
}
