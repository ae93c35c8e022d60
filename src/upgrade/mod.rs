//! `eks-workshop upgrade`'s drivers of the things it upgrades.

// Wired by the upgrade command.
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) mod eks;
