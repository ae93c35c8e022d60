//! The steps' names and order: the plan's vocabulary. What each step does
//! lives in `crate::steps`, one file each.

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Step {
    Prerequisites,
    Fork,
    Clone,
    Render,
    Addons,
    Convert,
    Migrate,
    Push,
    Publish,
    Flux,
    Reconcile,
}

impl serde::Serialize for Step {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.id())
    }
}

impl Step {
    /// Every step a plan can hold, in the order they run: `status` lists
    /// each one that the last command's plan holds or that ever ran. A new
    /// step missing here fails `every_step_is_listed` below.
    pub(crate) const ALL: [Step; 11] = [
        Step::Prerequisites,
        Step::Fork,
        Step::Clone,
        Step::Render,
        Step::Addons,
        Step::Convert,
        Step::Migrate,
        Step::Push,
        Step::Publish,
        Step::Flux,
        Step::Reconcile,
    ];

    /// What `setup` runs, in order (`--until` names one of them).
    pub(crate) const SETUP: [Step; 9] = [
        Step::Prerequisites,
        Step::Fork,
        Step::Clone,
        Step::Render,
        Step::Addons,
        Step::Migrate,
        Step::Push,
        Step::Flux,
        Step::Reconcile,
    ];

    pub(crate) fn id(self) -> &'static str {
        match self {
            Step::Prerequisites => "prerequisites",
            Step::Fork => "fork",
            Step::Clone => "clone",
            Step::Render => "render",
            Step::Addons => "addons",
            Step::Convert => "convert",
            Step::Migrate => "migrate",
            Step::Push => "push",
            Step::Publish => "publish",
            Step::Flux => "flux",
            Step::Reconcile => "reconcile",
        }
    }

    pub(crate) fn title(self) -> &'static str {
        match self {
            Step::Prerequisites => "checking tools and settings",
            Step::Fork => "making sure your fork exists",
            Step::Clone => "cloning your fork",
            Step::Render => "rendering manifests with your values",
            Step::Addons => "enabling and disabling add-ons",
            Step::Convert => "converting deprecated Kubernetes APIs",
            Step::Migrate => "migrating manifests to the Flux APIs the cluster serves",
            Step::Push => "committing and pushing",
            Step::Publish => "pushing your commits (fast-forward only)",
            Step::Flux => "bootstrapping Flux",
            Step::Reconcile => "waiting for Flux to apply the pushed commit",
        }
    }

    /// For clap: a step id, or an error listing them.
    pub(crate) fn parse(s: &str) -> std::result::Result<Step, String> {
        Step::SETUP
            .into_iter()
            .find(|st| st.id() == s)
            .ok_or_else(|| {
                let ids: Vec<_> = Step::SETUP.iter().map(|s| s.id()).collect();
                format!("unknown step `{s}`; steps: {}", ids.join(", "))
            })
    }

    /// Earlier steps whose work this step's check reads: while one of them
    /// is still to run, a dry run cannot check this one.
    pub(crate) fn needs_done(self) -> &'static [Step] {
        match self {
            // Flux's check reads the cluster; it needs the fork's URL only
            // for what the objects should say (see `flux::check`).
            Step::Prerequisites | Step::Fork | Step::Flux => &[],
            Step::Clone | Step::Reconcile => &[Step::Fork],
            Step::Render
            | Step::Addons
            | Step::Convert
            | Step::Migrate
            | Step::Push
            | Step::Publish => &[Step::Fork, Step::Clone],
        }
    }

    /// Earlier steps that give this one work even when its check finds it
    /// done now: the push pushes their commits, the wait waits for them.
    pub(crate) fn runs_after(self) -> &'static [Step] {
        match self {
            Step::Push => &[Step::Convert, Step::Migrate],
            Step::Reconcile => &[
                Step::Convert,
                Step::Migrate,
                Step::Push,
                Step::Publish,
                Step::Flux,
            ],
            Step::Prerequisites
            | Step::Fork
            | Step::Clone
            | Step::Render
            | Step::Addons
            | Step::Convert
            | Step::Migrate
            | Step::Publish
            | Step::Flux => &[],
        }
    }

    /// Steps that need a cluster are skipped offline.
    pub(crate) fn needs_cluster(self) -> bool {
        matches!(self, Step::Flux | Step::Reconcile)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_step_is_listed_once_in_order() {
        // `id` matches every variant; a step missing from ALL is caught here.
        for step in Step::ALL {
            let listed = Step::ALL.iter().filter(|s| **s == step).count();
            assert_eq!(listed, 1, "{step:?}");
        }
        let check = |s: Step| match s {
            Step::Prerequisites
            | Step::Fork
            | Step::Clone
            | Step::Render
            | Step::Addons
            | Step::Convert
            | Step::Migrate
            | Step::Push
            | Step::Publish
            | Step::Flux
            | Step::Reconcile => Step::ALL.contains(&s),
        };
        assert!(Step::ALL.into_iter().all(check));
        assert!(Step::ALL.is_sorted(), "in the order they run");
        assert!(Step::SETUP.iter().all(|s| Step::ALL.contains(s)));
    }
}
