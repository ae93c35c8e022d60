//! Where a command left the fork when it finished: `reset --to` puts the
//! fork's files back as that command left them. Recorded by the engine once
//! a plan has run to its end and changed something.

use serde::{Deserialize, Serialize};

use super::{LastCommand, Learned, State};

/// A command whose end `reset --to` can go back to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum ResetPoint {
    /// The end of a whole `setup`.
    Setup,
    /// The end of the last `enable-addon` or `disable-addon`.
    Addons,
}

impl ResetPoint {
    pub(crate) fn name(self) -> &'static str {
        match self {
            ResetPoint::Setup => "setup",
            ResetPoint::Addons => "addons",
        }
    }

    /// The command(s) whose end it is, as the participant typed them.
    pub(crate) fn commands(self) -> &'static str {
        match self {
            ResetPoint::Setup => "`setup`",
            ResetPoint::Addons => "the last `enable-addon` or `disable-addon`",
        }
    }
}

impl std::fmt::Display for ResetPoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The commit a command left the fork at, and when.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct End {
    pub(crate) commit: String,
    /// Seconds since the Unix epoch.
    pub(crate) at: u64,
}

/// The point a finished run of `last` is recorded as, if any: a whole
/// setup, or an add-on command. The others (a sync of the participant's own
/// commits, a conversion, an upgrade, a reset, a teardown) are no lesson's
/// start.
pub(crate) fn point_of(last: &LastCommand) -> Option<ResetPoint> {
    match last {
        LastCommand::Setup { until: None } => Some(ResetPoint::Setup),
        LastCommand::EnableAddon { .. } | LastCommand::DisableAddon { .. } => {
            Some(ResetPoint::Addons)
        }
        LastCommand::Setup { until: Some(_) }
        | LastCommand::VerifyFix { .. }
        | LastCommand::Sync { .. }
        | LastCommand::Upgrade { .. }
        | LastCommand::Reset { .. }
        | LastCommand::Teardown { .. } => None,
    }
}

/// A step of the last command is about to change things: mark it, so that
/// its end is recorded when it finishes, also by a `resume` after a kill.
/// True when the mark is new (the state is saved once for it).
pub(crate) fn changing(state: &mut State) -> bool {
    let point = state.last_command.as_ref().and_then(point_of);
    if point.is_none() || state.outputs.changing == point {
        return false;
    }
    state.outputs.changing = point;
    true
}

/// What to learn once the last command's plan ran to its end: where it left
/// the fork (the commit its push step saw on it), when one of its steps ran
/// (in this run or a killed one it resumes). A command that found
/// everything done did not leave the fork anywhere new: a second `setup`
/// after `enable-addon` keeps setup's own end.
pub(crate) fn ended(state: &mut State, now: u64) -> Option<Learned> {
    let point = point_of(state.last_command.as_ref()?)?;
    if state.outputs.changing != Some(point) {
        return None;
    }
    let commit = state.outputs.pushed_commit.clone()?;
    state.outputs.changing = None;
    Some(Learned::Ended(point, End { commit, at: now }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{DEFAULT_UPSTREAM, Settings};

    fn state(last: LastCommand, pushed: Option<&str>) -> State {
        let mut s = State::new(Settings::new(DEFAULT_UPSTREAM.parse().unwrap()));
        s.last_command = Some(last);
        s.outputs.pushed_commit = pushed.map(String::from);
        s
    }

    /// The run (or an earlier, killed one) changed something.
    fn changed(mut s: State) -> State {
        assert!(changing(&mut s), "a new mark");
        assert!(!changing(&mut s), "marked once");
        s
    }

    #[test]
    fn a_whole_setup_and_the_addon_commands_record_their_end() {
        let mut setup = changed(state(LastCommand::Setup { until: None }, Some("abc")));
        assert_eq!(
            ended(&mut setup, 7),
            Some(Learned::Ended(
                ResetPoint::Setup,
                End {
                    commit: "abc".into(),
                    at: 7
                }
            ))
        );
        assert_eq!(setup.outputs.changing, None, "the mark is spent");
        assert_eq!(ended(&mut setup, 8), None);
        for last in [
            LastCommand::EnableAddon {
                names: vec!["karpenter".into()],
                wait: true,
            },
            LastCommand::DisableAddon {
                names: vec!["karpenter".into()],
                wait: false,
            },
        ] {
            let mut s = changed(state(last, Some("def")));
            assert!(matches!(
                ended(&mut s, 1),
                Some(Learned::Ended(ResetPoint::Addons, _))
            ));
        }
    }

    #[test]
    fn nothing_is_recorded_when_nothing_ran_nothing_was_pushed_or_no_lesson_ended() {
        let mut setup = state(LastCommand::Setup { until: None }, Some("abc"));
        assert_eq!(ended(&mut setup, 1), None, "a run that changed nothing");
        let mut unpushed = changed(state(LastCommand::Setup { until: None }, None));
        assert_eq!(ended(&mut unpushed, 1), None);
        // Another command's mark is not this one's.
        let mut addons = state(LastCommand::Setup { until: None }, Some("abc"));
        addons.outputs.changing = Some(ResetPoint::Addons);
        assert_eq!(ended(&mut addons, 1), None);
        for last in [
            LastCommand::Setup {
                until: Some("push".into()),
            },
            LastCommand::Sync { push: true },
            LastCommand::VerifyFix {
                target_version: "1.30".into(),
            },
            LastCommand::Reset {
                to: ResetPoint::Setup,
            },
        ] {
            let mut s = state(last.clone(), Some("abc"));
            assert!(!changing(&mut s), "{last:?} marks nothing");
            assert_eq!(ended(&mut s, 1), None, "{last:?}");
        }
    }

    #[test]
    fn a_learned_end_replaces_the_one_before_and_survives_the_file() {
        let mut s = state(LastCommand::Setup { until: None }, Some("abc"));
        let end = |commit: &str| End {
            commit: commit.into(),
            at: 1,
        };
        s.outputs
            .learn(Learned::Ended(ResetPoint::Addons, end("one")));
        s.outputs
            .learn(Learned::Ended(ResetPoint::Addons, end("two")));
        s.outputs
            .learn(Learned::Ended(ResetPoint::Setup, end("abc")));
        let json = serde_json::to_value(&s.outputs).unwrap();
        assert_eq!(json["ends"]["addons"]["commit"], "two");
        assert_eq!(json["ends"]["setup"]["commit"], "abc");
        let back: super::super::Outputs = serde_json::from_value(json).unwrap();
        assert_eq!(back.ends, s.outputs.ends);
    }

    #[test]
    fn a_state_file_from_before_the_record_reads_with_no_ends() {
        let old = serde_json::json!({"login": "p", "pushed_commit": "abc"});
        let outputs: super::super::Outputs = serde_json::from_value(old).unwrap();
        assert!(outputs.ends.is_empty());
        let json = serde_json::to_value(&outputs).unwrap();
        assert!(
            json.get("ends").is_none(),
            "no empty record written: {json}"
        );
    }
}
