//! The steps: their ids and order (the plan's vocabulary), and the step as a
//! plan holds it, carrying what it aims at. What each step does lives in
//! `crate::steps`, one file each.

use serde::Serialize;

pub(crate) use crate::state::Driver;

use crate::addon_catalog::Addon;
use crate::readiness::KubeVersion;

/// A step as a plan holds it: its id and what it aims at.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Step {
    Prerequisites,
    Fork,
    Clone,
    Render,
    Addons,
    /// `verify --fix`: convert deprecated APIs for this version.
    Convert(KubeVersion),
    /// `upgrade`: bump add-on charts that do not support this version.
    Charts(KubeVersion),
    /// `reset`: HEAD's files are the ones this command's end left, by a
    /// new commit.
    Reset(crate::state::ResetPoint),
    Migrate,
    Push,
    Publish,
    Flux,
    /// `upgrade`: the Flux running supports this version (upgraded if not).
    FluxUpgrade(KubeVersion),
    Reconcile(Wait),
    /// `upgrade`: what blocks this version and the plan does not fix stops
    /// the hop before anything changes (and, at the hop's end, nothing does).
    Readiness {
        to: KubeVersion,
        driver: Driver,
        /// The hop's last step: it also says what the hop changed.
        end: bool,
    },
    /// `upgrade`: the control plane serves this version, moved by the driver.
    ControlPlane {
        to: KubeVersion,
        driver: Driver,
    },
    /// `upgrade`: no node's kubelet is older than this version.
    Nodes {
        to: KubeVersion,
        driver: Driver,
    },
    /// `teardown`: Flux's Kustomizations and HelmReleases suspended.
    SuspendFlux,
    /// `teardown`: no Karpenter pool, no node it launched.
    Karpenter,
    /// `teardown`: no Service of type LoadBalancer.
    LoadBalancers,
    /// `teardown`: no Flux object, CRD, controller or namespace.
    UninstallFlux,
    /// `teardown`: the cluster destroyed by the terraform in this directory
    /// (none: the command is printed).
    Destroy(Option<std::path::PathBuf>),
    /// `teardown --delete-fork`: the fork is gone from GitHub.
    DeleteFork,
}

/// What the reconcile step waits for.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub(crate) struct Wait {
    /// False under `--no-wait`: the step is skipped.
    pub(crate) wait: bool,
    /// Setup: wait for every add-on enabled in the fork's HEAD.
    pub(crate) enabled_addons: bool,
    /// Add-ons whose HelmRelease must be Ready.
    #[serde(serialize_with = "names")]
    pub(crate) addons: Vec<&'static Addon>,
    /// Add-ons whose HelmRelease must be gone (pruned and uninstalled).
    #[serde(serialize_with = "names")]
    pub(crate) removed: Vec<&'static Addon>,
    /// `reset`: the add-ons as that command's end enables them (the files
    /// the reset commits, read before they are committed, for the plan):
    /// the HelmRelease of every other add-on must be gone too.
    pub(crate) reset_to: Option<crate::state::ResetPoint>,
    /// `sync`: wait for the fork's branch head as it is now, not for the
    /// commit eks-workshop pushed last (the participant may have pushed since).
    pub(crate) tip: bool,
    /// Ask Flux to reconcile and judge its answer even when its objects
    /// look done: after an upgrade the same revision can fail (`sync`, and
    /// `upgrade` after the control plane moved).
    pub(crate) always: bool,
    /// `upgrade`: done once Flux answered a request made after the control
    /// plane last moved (asked when it has not), so a second run that finds
    /// everything done asks nothing.
    pub(crate) since_control_plane: bool,
}

impl Wait {
    /// Waiting, for nothing beyond the pushed commit.
    pub(crate) fn commit() -> Wait {
        Wait {
            wait: true,
            ..Wait::default()
        }
    }
}

fn names<S: serde::Serializer>(addons: &[&'static Addon], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(addons.iter().map(|a| a.name))
}

impl Step {
    pub(crate) fn id(&self) -> StepId {
        match self {
            Step::Prerequisites => StepId::Prerequisites,
            Step::Fork => StepId::Fork,
            Step::Clone => StepId::Clone,
            Step::Render => StepId::Render,
            Step::Addons => StepId::Addons,
            Step::Convert(_) => StepId::Convert,
            Step::Charts(_) => StepId::Charts,
            Step::Reset(_) => StepId::Reset,
            Step::Migrate => StepId::Migrate,
            Step::Push => StepId::Push,
            Step::Publish => StepId::Publish,
            Step::Flux => StepId::Flux,
            Step::FluxUpgrade(_) => StepId::FluxUpgrade,
            Step::Reconcile(_) => StepId::Reconcile,
            Step::Readiness { .. } => StepId::Readiness,
            Step::ControlPlane { .. } => StepId::ControlPlane,
            Step::Nodes { .. } => StepId::Nodes,
            Step::SuspendFlux => StepId::SuspendFlux,
            Step::Karpenter => StepId::Karpenter,
            Step::LoadBalancers => StepId::LoadBalancers,
            Step::UninstallFlux => StepId::UninstallFlux,
            Step::Destroy(_) => StepId::Destroy,
            Step::DeleteFork => StepId::DeleteFork,
        }
    }

    /// The id as text: the step's key in the state file.
    pub(crate) fn name(&self) -> &'static str {
        self.id().name()
    }
}

impl Serialize for Step {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        self.id().serialize(s)
    }
}

/// A step's id: its key in the state file, and its place in the order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum StepId {
    Prerequisites,
    Fork,
    Clone,
    Render,
    Addons,
    Convert,
    Charts,
    Reset,
    Migrate,
    Push,
    Publish,
    Flux,
    FluxUpgrade,
    Reconcile,
    Readiness,
    ControlPlane,
    Nodes,
    SuspendFlux,
    Karpenter,
    LoadBalancers,
    UninstallFlux,
    Destroy,
    DeleteFork,
}

impl Serialize for StepId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl StepId {
    /// Every step a plan can hold, in the order they run: `status` lists
    /// each one that the last command's plan holds or that ever ran. A new
    /// step missing here fails `every_step_is_listed` below.
    pub(crate) const ALL: [StepId; 23] = [
        StepId::Prerequisites,
        StepId::Fork,
        StepId::Clone,
        StepId::Render,
        StepId::Addons,
        StepId::Convert,
        StepId::Charts,
        StepId::Reset,
        StepId::Migrate,
        StepId::Push,
        StepId::Publish,
        StepId::Flux,
        StepId::FluxUpgrade,
        StepId::Reconcile,
        StepId::Readiness,
        StepId::ControlPlane,
        StepId::Nodes,
        StepId::SuspendFlux,
        StepId::Karpenter,
        StepId::LoadBalancers,
        StepId::UninstallFlux,
        StepId::Destroy,
        StepId::DeleteFork,
    ];

    /// What `setup` runs, in order (`--until` names one of them).
    pub(crate) const SETUP: [StepId; 9] = [
        StepId::Prerequisites,
        StepId::Fork,
        StepId::Clone,
        StepId::Render,
        StepId::Addons,
        StepId::Migrate,
        StepId::Push,
        StepId::Flux,
        StepId::Reconcile,
    ];

    pub(crate) fn name(self) -> &'static str {
        match self {
            StepId::Prerequisites => "prerequisites",
            StepId::Fork => "fork",
            StepId::Clone => "clone",
            StepId::Render => "render",
            StepId::Addons => "addons",
            StepId::Convert => "convert",
            StepId::Charts => "charts",
            StepId::Reset => "reset",
            StepId::Migrate => "migrate",
            StepId::Push => "push",
            StepId::Publish => "publish",
            StepId::Flux => "flux",
            StepId::FluxUpgrade => "flux-upgrade",
            StepId::Reconcile => "reconcile",
            StepId::Readiness => "readiness",
            StepId::ControlPlane => "control-plane",
            StepId::Nodes => "nodes",
            StepId::SuspendFlux => "suspend-flux",
            StepId::Karpenter => "karpenter",
            StepId::LoadBalancers => "load-balancers",
            StepId::UninstallFlux => "uninstall-flux",
            StepId::Destroy => "destroy",
            StepId::DeleteFork => "delete-fork",
        }
    }

    pub(crate) fn title(self) -> &'static str {
        match self {
            StepId::Prerequisites => "checking tools and settings",
            StepId::Fork => "making sure your fork exists",
            StepId::Clone => "cloning your fork",
            StepId::Render => "rendering manifests with your values",
            StepId::Addons => "enabling and disabling add-ons",
            StepId::Convert => "converting deprecated Kubernetes APIs",
            StepId::Charts => "bumping add-on charts to versions that support the target",
            StepId::Reset => "putting the fork's files back (a new commit)",
            StepId::Migrate => "migrating manifests to the Flux APIs the cluster serves",
            StepId::Push => "committing and pushing",
            StepId::Publish => "pushing your commits (fast-forward only)",
            StepId::Flux => "bootstrapping Flux",
            StepId::FluxUpgrade => "upgrading Flux to a release that supports the target",
            StepId::Reconcile => "waiting for Flux to apply the pushed commit",
            StepId::Readiness => "checking what blocks the target version",
            StepId::ControlPlane => "upgrading the control plane",
            StepId::Nodes => "replacing nodes older than the control plane",
            StepId::SuspendFlux => "suspending Flux's Kustomizations and HelmReleases",
            StepId::Karpenter => "removing Karpenter's node pools and the nodes they launched",
            StepId::LoadBalancers => {
                "removing Services of type LoadBalancer and their load balancers"
            }
            StepId::UninstallFlux => "uninstalling Flux",
            StepId::Destroy => "destroying the cluster with terraform",
            StepId::DeleteFork => "deleting your fork on GitHub",
        }
    }

    /// For clap: a step id, or an error listing them.
    pub(crate) fn parse(s: &str) -> std::result::Result<StepId, String> {
        StepId::SETUP
            .into_iter()
            .find(|st| st.name() == s)
            .ok_or_else(|| {
                let ids: Vec<_> = StepId::SETUP.iter().map(|s| s.name()).collect();
                format!("unknown step `{s}`; steps: {}", ids.join(", "))
            })
    }

    /// Earlier steps whose work this step's check reads: while one of them
    /// is still to run, a dry run cannot check this one.
    pub(crate) fn needs_done(self) -> &'static [StepId] {
        match self {
            // Flux's check reads the cluster; it needs the fork's URL only
            // for what the objects should say (see `flux::check`).
            StepId::Prerequisites
            | StepId::Fork
            | StepId::Flux
            | StepId::FluxUpgrade
            | StepId::ControlPlane
            | StepId::Nodes
            | StepId::SuspendFlux
            | StepId::Karpenter
            | StepId::LoadBalancers
            | StepId::UninstallFlux
            | StepId::Destroy
            | StepId::DeleteFork => &[],
            StepId::Clone | StepId::Reconcile => &[StepId::Fork],
            StepId::Readiness => &[StepId::Fork, StepId::Clone],
            StepId::Render
            | StepId::Addons
            | StepId::Convert
            | StepId::Charts
            | StepId::Reset
            | StepId::Migrate
            | StepId::Push
            | StepId::Publish => &[StepId::Fork, StepId::Clone],
        }
    }

    /// Earlier steps that give this one work even when its check finds it
    /// done now: the push pushes their commits, the wait waits for them.
    pub(crate) fn runs_after(self) -> &'static [StepId] {
        match self {
            StepId::Push => &[
                StepId::Convert,
                StepId::Charts,
                StepId::Reset,
                StepId::Migrate,
            ],
            StepId::Reconcile => &[
                StepId::Convert,
                StepId::Charts,
                StepId::Reset,
                StepId::Migrate,
                StepId::Push,
                StepId::Publish,
                StepId::Flux,
                StepId::ControlPlane,
            ],
            // Nodes on the old version are found only once the control plane moved.
            StepId::Nodes => &[StepId::ControlPlane],
            StepId::Prerequisites
            | StepId::Fork
            | StepId::Clone
            | StepId::Render
            | StepId::Addons
            | StepId::Convert
            | StepId::Charts
            | StepId::Reset
            | StepId::Migrate
            | StepId::Publish
            | StepId::Flux
            | StepId::FluxUpgrade
            | StepId::Readiness
            | StepId::ControlPlane
            | StepId::SuspendFlux
            | StepId::Karpenter
            | StepId::LoadBalancers
            | StepId::UninstallFlux
            | StepId::Destroy
            | StepId::DeleteFork => &[],
        }
    }

    /// Steps that need a cluster are skipped offline.
    pub(crate) fn needs_cluster(self) -> bool {
        matches!(
            self,
            StepId::Flux
                | StepId::FluxUpgrade
                | StepId::Reconcile
                | StepId::Readiness
                | StepId::ControlPlane
                | StepId::Nodes
                | StepId::SuspendFlux
                | StepId::Karpenter
                | StepId::LoadBalancers
                | StepId::UninstallFlux
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_step_is_listed_once_in_order() {
        // `id` matches every variant; a step missing from ALL is caught here.
        for step in StepId::ALL {
            let listed = StepId::ALL.iter().filter(|s| **s == step).count();
            assert_eq!(listed, 1, "{step:?}");
        }
        let check = |s: StepId| match s {
            StepId::Prerequisites
            | StepId::Fork
            | StepId::Clone
            | StepId::Render
            | StepId::Addons
            | StepId::Convert
            | StepId::Charts
            | StepId::Reset
            | StepId::Migrate
            | StepId::Push
            | StepId::Publish
            | StepId::Flux
            | StepId::FluxUpgrade
            | StepId::Reconcile
            | StepId::Readiness
            | StepId::ControlPlane
            | StepId::Nodes
            | StepId::SuspendFlux
            | StepId::Karpenter
            | StepId::LoadBalancers
            | StepId::UninstallFlux
            | StepId::Destroy
            | StepId::DeleteFork => StepId::ALL.contains(&s),
        };
        assert!(StepId::ALL.into_iter().all(check));
        assert!(StepId::ALL.is_sorted(), "in the order they run");
        assert!(StepId::SETUP.iter().all(|s| StepId::ALL.contains(s)));
    }
}
