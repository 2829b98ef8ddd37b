//! A readable timeline of what happened, for `jitadmin dev --demo`.

use std::fmt::Write as _;
use std::time::Instant;

/// Lines stamped with the time since the timeline began.
#[derive(Debug)]
pub struct Timeline {
    started: Instant,
    lines: Vec<(f64, String, String)>,
}

impl Default for Timeline {
    fn default() -> Self {
        Timeline {
            started: Instant::now(),
            lines: Vec::new(),
        }
    }
}

impl Timeline {
    /// A timeline starting now.
    pub fn new() -> Self {
        Timeline::default()
    }

    /// Record what `actor` did, and print it at once.
    pub fn add(&mut self, actor: &str, what: impl Into<String>) {
        let at = self.started.elapsed().as_secs_f64();
        let what = what.into();
        println!("{}", Self::format(at, actor, &what));
        self.lines.push((at, actor.to_owned(), what));
    }

    /// Every line so far.
    pub fn lines(&self) -> impl Iterator<Item = (&str, &str)> {
        self.lines
            .iter()
            .map(|(_, actor, what)| (actor.as_str(), what.as_str()))
    }

    /// The whole timeline as text.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for (at, actor, what) in &self.lines {
            let _ = writeln!(out, "{}", Self::format(*at, actor, what));
        }
        out
    }

    fn format(at: f64, actor: &str, what: &str) -> String {
        format!("{at:>8.3}s  {actor:<14} {what}")
    }
}
