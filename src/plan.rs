//! Each command's plan, as data: the steps it runs and what the reconcile
//! step waits for. A pure function of the command, so `resume` replays
//! exactly what the interrupted command would have run, and `--dry-run`
//! shows it.

mod step;

pub(crate) use step::Step;

use serde::Serialize;

use crate::addon_catalog::{self, Addon};
use crate::error::Result;
use crate::readiness::KubeVersion;
use crate::state::LastCommand;

/// The steps of one command and its wait targets.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub(crate) struct Plan {
    pub(crate) steps: Vec<Step>,
    pub(crate) targets: Targets,
}

/// What the reconcile (and convert) steps aim at.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub(crate) struct Targets {
    /// False under `--no-wait`: the reconcile step is skipped.
    pub(crate) wait: bool,
    /// Setup: wait for every add-on enabled in the fork's HEAD.
    pub(crate) enabled_addons: bool,
    /// Add-ons whose HelmRelease must be Ready.
    #[serde(serialize_with = "names")]
    pub(crate) addons: Vec<&'static Addon>,
    /// Add-ons whose HelmRelease must be gone (pruned and uninstalled).
    #[serde(serialize_with = "names")]
    pub(crate) removed: Vec<&'static Addon>,
    /// `verify --fix`: the Kubernetes version deprecated APIs are converted for.
    pub(crate) convert_to: Option<KubeVersion>,
    /// `sync`: wait for the fork's branch head as it is now, not for the
    /// commit eks-workshop pushed last (the participant may have pushed since).
    pub(crate) tip: bool,
}

impl Targets {
    /// Waiting, for nothing beyond the pushed commit.
    pub(crate) fn commit() -> Targets {
        Targets {
            wait: true,
            ..Targets::default()
        }
    }
}

/// The steps that change the fork's files, in the order they run.
const EDIT: [Step; 6] = [
    Step::Clone,
    Step::Render,
    Step::Addons,
    Step::Migrate,
    Step::Push,
    Step::Reconcile,
];

/// The plan of `command`. Unknown add-on names are refused.
pub(crate) fn plan(command: &LastCommand) -> Result<Plan> {
    let find = |names: &[String]| -> Result<Vec<&'static Addon>> {
        names.iter().map(|n| addon_catalog::find(n)).collect()
    };
    Ok(match command {
        LastCommand::Setup { until } => {
            let end = match until {
                Some(id) => Step::parse(id).map_err(|why| {
                    crate::error::Error::usage(why, "pass one of the step ids to --until")
                })?,
                None => Step::Reconcile,
            };
            Plan {
                steps: Step::SETUP.into_iter().filter(|s| *s <= end).collect(),
                targets: Targets {
                    enabled_addons: true,
                    ..Targets::commit()
                },
            }
        }
        LastCommand::EnableAddon { names, wait } => Plan {
            steps: EDIT.to_vec(),
            targets: Targets {
                wait: *wait,
                addons: find(names)?,
                ..Targets::default()
            },
        },
        LastCommand::DisableAddon { names, wait } => Plan {
            steps: EDIT.to_vec(),
            targets: Targets {
                wait: *wait,
                removed: find(names)?,
                ..Targets::default()
            },
        },
        LastCommand::Sync { push } => Plan {
            steps: if *push {
                vec![Step::Clone, Step::Publish, Step::Reconcile]
            } else {
                vec![Step::Clone, Step::Reconcile]
            },
            targets: Targets {
                enabled_addons: true,
                tip: true,
                ..Targets::commit()
            },
        },
        LastCommand::VerifyFix { target_version } => Plan {
            steps: vec![
                Step::Clone,
                Step::Convert,
                Step::Migrate,
                Step::Push,
                Step::Reconcile,
            ],
            targets: Targets {
                convert_to: Some(KubeVersion::parse(target_version)?),
                ..Targets::commit()
            },
        },
    })
}

fn names<S: serde::Serializer>(addons: &[&'static Addon], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(addons.iter().map(|a| a.name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn setup_runs_every_setup_step_and_waits_for_the_enabled_addons() {
        let p = plan(&LastCommand::Setup { until: None }).unwrap();
        assert_eq!(p.steps, Step::SETUP.to_vec());
        assert!(p.targets.wait && p.targets.enabled_addons);
        assert!(!p.steps.contains(&Step::Convert));
    }

    #[test]
    fn setup_until_stops_at_that_step() {
        let p = plan(&LastCommand::Setup {
            until: Some("clone".into()),
        })
        .unwrap();
        assert_eq!(p.steps, [Step::Prerequisites, Step::Fork, Step::Clone]);
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
        assert_eq!(on.steps, EDIT.to_vec());
        assert_eq!(on.targets.addons[0].name, "karpenter");
        assert!(on.targets.removed.is_empty() && !on.targets.enabled_addons);
        let off = plan(&LastCommand::DisableAddon { names, wait: false }).unwrap();
        assert_eq!(off.targets.removed[0].name, "karpenter");
        assert!(!off.targets.wait && off.targets.addons.is_empty());
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
        assert_eq!(p.steps, [Step::Clone, Step::Publish, Step::Reconcile]);
        assert!(p.targets.wait && p.targets.tip && p.targets.enabled_addons);
        assert!(!p.steps.contains(&Step::Push), "nothing is committed");
        let p = plan(&LastCommand::Sync { push: false }).unwrap();
        assert_eq!(p.steps, [Step::Clone, Step::Reconcile]);
    }

    #[test]
    fn verify_fix_converts_in_the_engine_then_pushes() {
        let p = plan(&LastCommand::VerifyFix {
            target_version: "1.33".into(),
        })
        .unwrap();
        assert_eq!(
            p.steps,
            [
                Step::Clone,
                Step::Convert,
                Step::Migrate,
                Step::Push,
                Step::Reconcile
            ]
        );
        assert_eq!(
            p.targets.convert_to,
            Some(KubeVersion::parse("1.33").unwrap())
        );
    }
}
