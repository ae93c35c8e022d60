//! `verify`'s AWS half: the VPC's subnets, the cluster IAM role and security
//! group, the cluster's and node groups' versions, the EKS managed add-ons.

use crate::ctx::Ctx;
use crate::scan::KubeVersion;
use crate::verdict::Section;

pub(super) async fn section(_ctx: &mut Ctx, _target: KubeVersion) -> Section {
    Section::skipped("aws", "not built yet")
}
