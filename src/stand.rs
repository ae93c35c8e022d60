//! Where a step stands: the one word the engine, the UI, the state file,
//! `status` and `sync` use for it.

use serde::{Deserialize, Serialize};

/// Where a step stands. Each view shows a part of it: a check finds
/// `AlreadyDone`, `ToDo` or `Skipped`; a run ends `Ran`, `AlreadyDone`,
/// `Skipped` or `Failed`; the state file records `Ran` (for both kinds of
/// done), `Skipped` or `Failed`; a dry run adds `After`, and `status`
/// `Unknown`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum Stand {
    /// The world showed it done before anything ran.
    #[serde(rename = "already-done")]
    AlreadyDone,
    /// Done, by this run (in the state file: done by some run).
    #[serde(rename = "done")]
    Ran,
    /// Still to do.
    #[serde(rename = "would-run")]
    ToDo,
    /// Not for this run (offline, `--no-wait`).
    #[serde(rename = "skipped")]
    Skipped,
    /// Checked only once an earlier step has run.
    #[serde(rename = "after")]
    After,
    /// The check itself failed (`status` only reads, so it says so).
    #[serde(rename = "unknown")]
    Unknown,
    /// The run failed.
    #[serde(rename = "failed")]
    Failed,
}

impl Stand {
    /// The id JSON shows.
    pub(crate) fn id(self) -> &'static str {
        match self {
            Stand::AlreadyDone => "already-done",
            Stand::Ran => "done",
            Stand::ToDo => "would-run",
            Stand::Skipped => "skipped",
            Stand::After => "after",
            Stand::Unknown => "unknown",
            Stand::Failed => "failed",
        }
    }

    /// What the state file keeps: done is done, whichever run did it.
    pub(crate) fn recorded(self) -> Stand {
        match self {
            Stand::AlreadyDone => Stand::Ran,
            other => other,
        }
    }

    /// The world shows the step done (now, or by this run).
    pub(crate) fn is_done(self) -> bool {
        match self {
            Stand::AlreadyDone | Stand::Ran => true,
            Stand::ToDo | Stand::Skipped | Stand::After | Stand::Unknown | Stand::Failed => false,
        }
    }

    /// The word `status`'s table shows for what a check finds now.
    pub(crate) fn now_word(self) -> &'static str {
        match self {
            Stand::AlreadyDone | Stand::Ran => "done",
            Stand::ToDo => "to do",
            Stand::After => "after",
            Stand::Skipped => "skipped",
            Stand::Unknown => "unknown",
            Stand::Failed => "failed",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_state_file_s_words_read_back() {
        for (word, stand) in [
            ("done", Stand::Ran),
            ("skipped", Stand::Skipped),
            ("failed", Stand::Failed),
        ] {
            let read: Stand = serde_json::from_str(&format!("\"{word}\"")).unwrap();
            assert_eq!(read, stand);
            assert_eq!(
                serde_json::to_string(&stand).unwrap(),
                format!("\"{word}\"")
            );
        }
        assert_eq!(Stand::AlreadyDone.recorded(), Stand::Ran);
        assert_eq!(Stand::AlreadyDone.id(), "already-done");
    }
}
