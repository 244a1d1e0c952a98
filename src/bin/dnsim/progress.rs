//! The progress bar: indicatif on stderr, only when stderr is a terminal and
//! `--quiet` is off. Results never depend on it.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

pub struct Progress {
    bar: Option<ProgressBar>,
}

impl Progress {
    pub fn new(total_trials: u64, quiet: bool) -> Progress {
        if quiet || !std::io::stderr().is_terminal() {
            return Progress { bar: None };
        }
        let bar = ProgressBar::with_draw_target(Some(total_trials), ProgressDrawTarget::stderr());
        if let Ok(style) = ProgressStyle::with_template(
            "{spinner} {bar:40} {human_pos}/{human_len} trials  {elapsed} (eta {eta})",
        ) {
            bar.set_style(style);
        }
        Progress { bar: Some(bar) }
    }

    pub fn inc(&self, trials: u64) {
        if let Some(bar) = &self.bar {
            bar.inc(trials);
        }
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
