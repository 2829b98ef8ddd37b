//! What a provisioning run found and did, step by step, as text or JSON.

use serde::Serialize;

/// What one action does (or would do, in a dry run).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Change {
    /// Already as wanted.
    Unchanged,
    /// Missing: created.
    Create,
    /// Different: changed.
    Update,
}

impl Change {
    /// The word in the plan.
    pub fn word(self) -> &'static str {
        match self {
            Change::Unchanged => "ok",
            Change::Create => "create",
            Change::Update => "update",
        }
    }
}

/// One thing a step checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Action {
    /// What it is about, in words.
    pub what: String,
    /// What it needs.
    pub change: Change,
}

impl Action {
    /// An action.
    pub fn new(change: Change, what: impl Into<String>) -> Action {
        Action {
            what: what.into(),
            change,
        }
    }
}

/// One step's outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StepReport {
    /// 1-based.
    pub number: usize,
    /// The step's name.
    pub name: String,
    /// What it checked.
    pub actions: Vec<Action>,
}

/// The whole run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    /// Whether nothing was to be changed (`--dry-run`).
    pub dry_run: bool,
    /// Warnings shown before the plan.
    pub warnings: Vec<String>,
    /// Steps done, in order.
    pub steps: Vec<StepReport>,
    /// How many steps there are.
    pub total_steps: usize,
    /// The step that failed and why (the earlier steps stay done).
    pub failure: Option<String>,
}

impl Report {
    /// Actions that change something.
    pub fn changes(&self) -> usize {
        self.steps
            .iter()
            .flat_map(|s| &s.actions)
            .filter(|a| a.change != Change::Unchanged)
            .count()
    }

    /// The closing line: `5 steps, 0 changes: ...`.
    pub fn summary(&self) -> String {
        let changes = self.changes();
        let head = format!(
            "{} steps, {changes} change{}",
            self.total_steps,
            if changes == 1 { "" } else { "s" }
        );
        match (&self.failure, self.dry_run, changes) {
            (Some(_), _, _) => format!("{head} before the failure; steps done so far stay done, run again to finish"),
            (None, true, 0) => format!("{head}: everything is already in place (dry run)"),
            (None, true, _) => format!("{head} to make (dry run: nothing was changed)"),
            (None, false, 0) => format!("{head}: everything is already in place"),
            (None, false, _) => format!("{head} made"),
        }
    }

    /// The report for people.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        if self.dry_run {
            out.push_str("jitadmin provision: dry run, nothing will be changed\n");
        }
        for w in &self.warnings {
            out.push_str(&format!("WARNING: {w}\n"));
        }
        for step in &self.steps {
            out.push_str(&format!("[{}/{}] {}\n", step.number, self.total_steps, step.name));
            for a in &step.actions {
                let word = match (self.dry_run, a.change) {
                    (true, Change::Create) => "would create",
                    (true, Change::Update) => "would update",
                    (_, c) => c.word(),
                };
                out.push_str(&format!("      {word:<12} {}\n", a.what));
            }
        }
        if let Some(f) = &self.failure {
            out.push_str(&format!("FAILED: {f}\n"));
        }
        out.push_str(&self.summary());
        out
    }

    /// The report as JSON.
    pub fn to_json(&self) -> String {
        let mut v = serde_json::to_value(self).unwrap_or_default();
        v["changes"] = serde_json::json!(self.changes());
        v["summary"] = serde_json::json!(self.summary());
        serde_json::to_string_pretty(&v).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(change: Change, dry_run: bool) -> Report {
        Report {
            dry_run,
            total_steps: 5,
            steps: vec![StepReport {
                number: 1,
                name: "custom extensions".into(),
                actions: vec![Action::new(change, "\"jitadmin request\"")],
            }],
            ..Report::default()
        }
    }

    #[test]
    fn a_run_with_nothing_to_do_says_so() {
        let r = report(Change::Unchanged, false);
        assert_eq!(r.summary(), "5 steps, 0 changes: everything is already in place");
    }

    #[test]
    fn a_dry_run_says_what_it_would_do() {
        let r = report(Change::Create, true);
        let text = r.to_text();
        assert!(
            text.contains("would create") && text.contains("dry run: nothing was changed"),
            "{text}"
        );
        assert!(r.to_json().contains("\"changes\": 1"));
    }
}
