//! What the user sees: a spinner per step on a terminal, plain `✔ step — detail`
//! lines otherwise; prompts only when interactive. With `--output json` the
//! progress lines go to stderr so stdout carries only JSON.

use std::io::{IsTerminal, Write};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use console::style;
use indicatif::{ProgressBar, ProgressStyle};

use crate::config::Output;
use crate::error::{Error, Result};
use crate::stand::Stand;

pub(crate) struct Ui {
    tty: bool,
    /// Why prompting is impossible, if it is.
    no_prompt: Option<&'static str>,
    json: bool,
    started: Instant,
    spinner: Mutex<Option<ProgressBar>>,
}

impl Ui {
    /// `yes`: --yes was given; `input_tty`: stdin and stderr are terminals.
    pub(crate) fn new(output: Output, yes: bool, input_tty: bool) -> Ui {
        let tty = std::io::stderr().is_terminal();
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        if no_color || !tty {
            console::set_colors_enabled(false);
            console::set_colors_enabled_stderr(false);
        }
        Ui {
            tty,
            no_prompt: if yes {
                Some("--yes forbids prompts")
            } else if !input_tty {
                Some("standard input is not a terminal")
            } else {
                None
            },
            json: output == Output::Json,
            started: Instant::now(),
            spinner: Mutex::new(None),
        }
    }

    /// A step begins: a spinner on a terminal, nothing otherwise.
    pub(crate) fn begin(&self, id: &str, title: &str) {
        if !self.tty {
            return;
        }
        let bar = ProgressBar::new_spinner();
        bar.set_style(
            ProgressStyle::with_template("{spinner:.cyan} {prefix:.bold} {msg} {elapsed:.dim}")
                .expect("valid template"),
        );
        bar.set_prefix(id.to_string());
        bar.set_message(title.to_string());
        bar.enable_steady_tick(Duration::from_millis(100));
        *self.spinner.lock().expect("ui lock") = Some(bar);
    }

    /// Progress within a step (e.g. "waiting for the fork"): the spinner's
    /// message on a terminal, a plain line otherwise.
    pub(crate) fn progress(&self, message: &str) {
        if let Some(bar) = &*self.spinner.lock().expect("ui lock") {
            bar.set_message(crate::outside::one_line(message));
            return;
        }
        // The lock is released by now: `line` takes it again.
        self.line(&format!("  … {}", crate::outside::printable(message)));
    }

    /// A step ended.
    pub(crate) fn end(&self, id: &str, stand: Stand, detail: &str) {
        if let Some(bar) = self.spinner.lock().expect("ui lock").take() {
            bar.finish_and_clear();
        }
        let (symbol, note) = match stand {
            Stand::Ran => (style("✔").green(), ""),
            Stand::AlreadyDone => (style("✔").green(), "already done: "),
            Stand::Skipped => (style("-").dim(), "skipped: "),
            Stand::Failed | Stand::Unknown => (style("✘").red(), "failed: "),
            Stand::ToDo | Stand::After => (style("·").dim(), "to do: "),
        };
        // The detail can quote the fork or the cluster.
        let detail = crate::outside::printable(detail);
        self.line(&format!("{symbol} {} — {note}{detail}", style(id).bold()));
    }

    pub(crate) fn warn(&self, message: &str) {
        let message = crate::outside::printable(message);
        self.suspend(|| eprintln!("{} {message}", style("warning:").yellow().bold()));
    }

    pub(crate) fn note(&self, message: &str) {
        self.line(&crate::outside::printable(message));
    }

    pub(crate) fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }

    /// One line of progress: stdout for text output, stderr under --output json.
    fn line(&self, text: &str) {
        self.suspend(|| {
            if self.json {
                eprintln!("{text}");
            } else {
                let mut out = std::io::stdout().lock();
                let _ = writeln!(out, "{text}");
            }
        });
    }

    fn suspend(&self, f: impl FnOnce()) {
        match &*self.spinner.lock().expect("ui lock") {
            Some(bar) => bar.suspend(f),
            None => f(),
        }
    }

    fn can_prompt(&self, what: &str) -> Result<()> {
        match self.no_prompt {
            None => Ok(()),
            Some(why) => Err(Error::CannotPrompt {
                what: what.to_string(),
                why,
            }),
        }
    }

    pub(crate) fn ask(&self, what: &str, default: Option<&str>) -> Result<String> {
        self.can_prompt(what)?;
        let mut input = dialoguer::Input::<String>::new().with_prompt(what);
        if let Some(d) = default {
            input = input.default(d.to_string());
        }
        let mut answer = Err(Error::Interrupted);
        self.suspend(|| answer = input.interact_text().map_err(|_| Error::Interrupted));
        answer
    }

    pub(crate) fn ask_secret(&self, what: &str) -> Result<String> {
        self.can_prompt(what)?;
        let mut answer = Err(Error::Interrupted);
        self.suspend(|| {
            answer = dialoguer::Password::new()
                .with_prompt(what)
                .interact()
                .map_err(|_| Error::Interrupted)
        });
        answer
    }

    pub(crate) fn confirm(&self, question: &str) -> Result<bool> {
        self.can_prompt(question)?;
        let mut answer = Err(Error::Interrupted);
        self.suspend(|| {
            answer = dialoguer::Confirm::new()
                .with_prompt(question)
                .default(false)
                .interact()
                .map_err(|_| Error::Interrupted)
        });
        answer
    }
}
