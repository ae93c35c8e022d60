//! Each command's plan, as data: the steps it runs and what the reconcile
//! step waits for. A pure function of the command, so `resume` replays
//! exactly what the interrupted command would have run, and `--dry-run`
//! shows it.

mod step;

pub(crate) use step::{Driver, Step, StepId, Wait};

use serde::Serialize;

use crate::addon_catalog::{self, Addon};
use crate::error::Result;
use crate::readiness::KubeVersion;
use crate::state::LastCommand;

/// The steps of one command, each carrying what it aims at.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub(crate) struct Plan {
    pub(crate) steps: Vec<Step>,
}

impl Plan {
    /// The step with this id, if the plan holds it.
    pub(crate) fn step(&self, id: StepId) -> Option<&Step> {
        self.steps.iter().find(|s| s.id() == id)
    }

    /// The plan with each wait judged on what Flux says now, without asking
    /// it again (`status` only reads; `resume` of a sync finishes it).
    pub(crate) fn judged_only(self) -> Plan {
        let steps = self
            .steps
            .into_iter()
            .map(|step| match step {
                Step::Reconcile(wait) => Step::Reconcile(Wait {
                    always: false,
                    ..wait
                }),
                other => other,
            })
            .collect();
        Plan { steps }
    }

    /// What the plan's reconcile step waits for (none: the pushed commit).
    pub(crate) fn wait(&self) -> Wait {
        match self.step(StepId::Reconcile) {
            Some(Step::Reconcile(wait)) => wait.clone(),
            _ => Wait::commit(),
        }
    }
}

/// The edits of the fork's files, then the push, then the wait.
fn edit(wait: Wait) -> Vec<Step> {
    vec![
        Step::Clone,
        Step::Render,
        Step::Addons,
        Step::Migrate,
        Step::Push,
        Step::Reconcile(wait),
    ]
}

/// The plan of `command`. Unknown add-on names are refused.
pub(crate) fn plan(command: &LastCommand) -> Result<Plan> {
    let find = |names: &[String]| -> Result<Vec<&'static Addon>> {
        names.iter().map(|n| addon_catalog::find(n)).collect()
    };
    Ok(match command {
        LastCommand::Setup { until } => {
            let end = match until {
                Some(id) => StepId::parse(id).map_err(|why| {
                    crate::error::Error::usage(why, "pass one of the step ids to --until")
                })?,
                None => StepId::Reconcile,
            };
            let wait = Wait {
                enabled_addons: true,
                ..Wait::commit()
            };
            let steps = vec![
                Step::Prerequisites,
                Step::Fork,
                Step::Clone,
                Step::Render,
                Step::Addons,
                Step::Migrate,
                Step::Push,
                Step::Flux,
                Step::Reconcile(wait),
            ];
            debug_assert!(steps.iter().map(Step::id).eq(StepId::SETUP));
            Plan {
                steps: steps.into_iter().filter(|s| s.id() <= end).collect(),
            }
        }
        LastCommand::EnableAddon { names, wait } => Plan {
            steps: edit(Wait {
                wait: *wait,
                addons: find(names)?,
                ..Wait::default()
            }),
        },
        LastCommand::DisableAddon { names, wait } => Plan {
            steps: edit(Wait {
                wait: *wait,
                removed: find(names)?,
                ..Wait::default()
            }),
        },
        LastCommand::Sync { push } => {
            let wait = Step::Reconcile(Wait {
                enabled_addons: true,
                tip: true,
                always: true,
                ..Wait::commit()
            });
            Plan {
                steps: if *push {
                    vec![Step::Clone, Step::Publish, wait]
                } else {
                    vec![Step::Clone, wait]
                },
            }
        }
        LastCommand::Upgrade { from, to, driver } => Plan {
            steps: upgrade(KubeVersion::parse(from)?, KubeVersion::parse(to)?, driver),
        },
        LastCommand::Reset { to } => Plan { steps: reset(*to) },
        LastCommand::Teardown {
            terraform,
            delete_fork,
        } => {
            let mut steps = vec![
                Step::SuspendFlux,
                Step::Karpenter,
                Step::LoadBalancers,
                Step::UninstallFlux,
                Step::Destroy(terraform.clone()),
            ];
            if *delete_fork {
                steps.push(Step::DeleteFork);
            }
            Plan { steps }
        }
        LastCommand::VerifyFix { target_version } => Plan {
            steps: vec![
                Step::Clone,
                Step::Convert(KubeVersion::parse(target_version)?),
                Step::Migrate,
                Step::Push,
                Step::Reconcile(Wait::commit()),
            ],
        },
    })
}

/// `reset --to`: the files that command left, in a new commit on HEAD
/// (history kept), pushed as any commit is, and waited for until Flux has
/// applied it: every add-on it enables Ready, every other one pruned and gone.
fn reset(to: crate::state::ResetPoint) -> Vec<Step> {
    vec![
        Step::Clone,
        Step::Reset(to),
        Step::Push,
        Step::Reconcile(Wait {
            enabled_addons: true,
            reset_to: Some(to),
            ..Wait::commit()
        }),
    ]
}

/// `upgrade`: one hop per minor version after `from` up to `to`, each
/// complete before the next. A hop: what blocks the version, stopped before
/// anything changes; Flux upgraded if it does not support the version; the
/// fixes in Git (conversions, add-on chart bumps, the Flux migration), pushed
/// and applied by Flux; the control plane moved by the driver; the nodes
/// rolled; Flux asked again and judged on the new version; and nothing left
/// that blocks it.
fn upgrade(from: KubeVersion, to: KubeVersion, driver: &Driver) -> Vec<Step> {
    let mut steps = Vec::new();
    let mut at = from;
    while at < to {
        let hop = at.next_minor();
        steps.extend([
            Step::Clone,
            Step::Readiness {
                to: hop,
                driver: driver.clone(),
                end: false,
            },
            Step::FluxUpgrade(hop),
            Step::Convert(hop),
            Step::Charts(hop),
            Step::Migrate,
            Step::Push,
            Step::Reconcile(Wait {
                enabled_addons: true,
                ..Wait::commit()
            }),
            Step::ControlPlane {
                to: hop,
                driver: driver.clone(),
            },
            Step::Nodes {
                to: hop,
                driver: driver.clone(),
            },
            Step::Reconcile(Wait {
                enabled_addons: true,
                tip: true,
                since_control_plane: true,
                ..Wait::commit()
            }),
            Step::Readiness {
                to: hop,
                driver: driver.clone(),
                end: true,
            },
        ]);
        at = hop;
    }
    steps
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(p: &Plan) -> Vec<StepId> {
        p.steps.iter().map(Step::id).collect()
    }

    #[test]
    fn setup_runs_every_setup_step_and_waits_for_the_enabled_addons() {
        let p = plan(&LastCommand::Setup { until: None }).unwrap();
        assert_eq!(ids(&p), StepId::SETUP.to_vec());
        assert!(p.wait().wait && p.wait().enabled_addons);
        assert!(p.step(StepId::Convert).is_none());
    }

    #[test]
    fn setup_until_stops_at_that_step() {
        let p = plan(&LastCommand::Setup {
            until: Some("clone".into()),
        })
        .unwrap();
        assert_eq!(
            ids(&p),
            [StepId::Prerequisites, StepId::Fork, StepId::Clone]
        );
        assert!(
            plan(&LastCommand::Setup {
                until: Some("nope".into())
            })
            .is_err()
        );
    }

    #[test]
    fn enable_and_disable_wait_for_their_addons_only() {
        let names = vec!["karpenter".to_string()];
        let on = plan(&LastCommand::EnableAddon {
            names: names.clone(),
            wait: true,
        })
        .unwrap();
        assert_eq!(on.steps, edit(on.wait()));
        assert_eq!(on.wait().addons[0].name, "karpenter");
        assert!(on.wait().removed.is_empty() && !on.wait().enabled_addons);
        let off = plan(&LastCommand::DisableAddon { names, wait: false }).unwrap();
        assert_eq!(off.wait().removed[0].name, "karpenter");
        assert!(!off.wait().wait && off.wait().addons.is_empty());
        assert!(
            plan(&LastCommand::EnableAddon {
                names: vec!["nope".into()],
                wait: true
            })
            .is_err()
        );
    }

    #[test]
    fn sync_pushes_the_clone_s_commits_and_waits_for_the_fork_s_tip() {
        let p = plan(&LastCommand::Sync { push: true }).unwrap();
        assert_eq!(ids(&p), [StepId::Clone, StepId::Publish, StepId::Reconcile]);
        let wait = p.wait();
        assert!(wait.wait && wait.tip && wait.enabled_addons);
        assert!(p.step(StepId::Push).is_none(), "nothing is committed");
        let p = plan(&LastCommand::Sync { push: false }).unwrap();
        assert_eq!(ids(&p), [StepId::Clone, StepId::Reconcile]);
    }

    #[test]
    fn verify_fix_converts_in_the_engine_then_pushes() {
        let p = plan(&LastCommand::VerifyFix {
            target_version: "1.33".into(),
        })
        .unwrap();
        assert_eq!(
            ids(&p),
            [
                StepId::Clone,
                StepId::Convert,
                StepId::Migrate,
                StepId::Push,
                StepId::Reconcile
            ]
        );
        assert_eq!(
            p.step(StepId::Convert),
            Some(&Step::Convert(KubeVersion::parse("1.33").unwrap()))
        );
    }

    #[test]
    fn reset_commits_the_recorded_files_then_pushes_and_waits_for_the_prune() {
        use crate::state::ResetPoint;
        for to in [ResetPoint::Setup, ResetPoint::Addons] {
            let p = plan(&LastCommand::Reset { to }).unwrap();
            assert_eq!(
                ids(&p),
                [
                    StepId::Clone,
                    StepId::Reset,
                    StepId::Push,
                    StepId::Reconcile
                ]
            );
            assert_eq!(p.step(StepId::Reset), Some(&Step::Reset(to)));
            let wait = p.wait();
            assert!(wait.wait && wait.enabled_addons);
            assert_eq!(wait.reset_to, Some(to));
            assert!(!wait.tip && !wait.always, "the commit reset pushed, once");
            assert!(p.step(StepId::Publish).is_none(), "a normal push");
        }
        // The push and the wait run after the reset's commit, even when
        // their checks find the fork up to date before it.
        assert!(StepId::Push.runs_after().contains(&StepId::Reset));
        assert!(StepId::Reconcile.runs_after().contains(&StepId::Reset));
        assert!(!StepId::Reset.needs_cluster());
    }

    #[test]
    fn teardown_removes_what_makes_cloud_resources_before_flux_and_flux_before_the_cluster() {
        let p = plan(&LastCommand::Teardown {
            terraform: Some("/tf".into()),
            delete_fork: false,
        })
        .unwrap();
        assert_eq!(
            ids(&p),
            [
                StepId::SuspendFlux,
                StepId::Karpenter,
                StepId::LoadBalancers,
                StepId::UninstallFlux,
                StepId::Destroy
            ]
        );
        assert_eq!(
            p.step(StepId::Destroy),
            Some(&Step::Destroy(Some("/tf".into())))
        );
        let p = plan(&LastCommand::Teardown {
            terraform: None,
            delete_fork: true,
        })
        .unwrap();
        assert_eq!(p.steps.last(), Some(&Step::DeleteFork), "the fork last");
    }

    #[test]
    fn upgrade_plans_one_complete_hop_per_minor_version() {
        let p = plan(&LastCommand::Upgrade {
            from: "1.33".into(),
            to: "1.35".into(),
            driver: Driver::Manual,
        })
        .unwrap();
        let hop = [
            StepId::Clone,
            StepId::Readiness,
            StepId::FluxUpgrade,
            StepId::Convert,
            StepId::Charts,
            StepId::Migrate,
            StepId::Push,
            StepId::Reconcile,
            StepId::ControlPlane,
            StepId::Nodes,
            StepId::Reconcile,
            StepId::Readiness,
        ];
        assert_eq!(ids(&p), [hop, hop].concat());
        let to: Vec<String> = p
            .steps
            .iter()
            .filter_map(|s| match s {
                Step::ControlPlane { to, .. } => Some(to.to_string()),
                _ => None,
            })
            .collect();
        assert_eq!(
            to,
            ["1.34", "1.35"],
            "the first hop is complete before the next"
        );
        let nothing = plan(&LastCommand::Upgrade {
            from: "1.34".into(),
            to: "1.34".into(),
            driver: Driver::Manual,
        })
        .unwrap();
        assert!(nothing.steps.is_empty());
    }
}
