//! `jitadmin rules check`: a summary of a valid file, or its problems.

use crate::compile::{Fallback, RuleSet, RulesError};
use crate::decision::Outcome;
use crate::diagnostic::Diagnostic;
use serde::Serialize;
use std::fmt;
use std::path::Path;

/// What a valid rules file does.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    /// The file.
    pub file: String,
    /// The rules in order.
    pub rules: Vec<RuleSummary>,
    /// The decision when no rule matches.
    pub default: FallbackSummary,
    /// The decision when facts are missing or a rule errors.
    pub on_error: FallbackSummary,
    /// The time zone of `now`.
    pub time_zone: String,
    /// What compiles but should change, each as `FILE:LINE:COL: message`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<Diagnostic>,
}

/// One rule in a [`Summary`].
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RuleSummary {
    /// Its name.
    pub name: String,
    /// Its decision.
    pub decision: Outcome,
    /// Its `when`, trimmed.
    pub when: String,
    /// Its `max_duration_hours`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_duration_hours: Option<f64>,
    /// Its `route_to`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub route_to: Option<String>,
}

/// `default` or `on_error` in a [`Summary`].
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FallbackSummary {
    /// The decision.
    pub decision: Outcome,
    /// The reason, placeholders as written.
    pub reason: String,
    /// Where to route.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub route_to: Option<String>,
}

impl From<&Fallback> for FallbackSummary {
    fn from(f: &Fallback) -> Self {
        FallbackSummary {
            decision: f.decision,
            reason: f.reason.source(),
            route_to: f.route_to.clone(),
        }
    }
}

impl RuleSet {
    /// What this rule set does.
    pub fn summary(&self) -> Summary {
        Summary {
            file: self.name.clone(),
            rules: self
                .rules
                .iter()
                .map(|r| RuleSummary {
                    name: r.name.clone(),
                    decision: r.decision,
                    when: r.when.split_whitespace().collect::<Vec<_>>().join(" "),
                    max_duration_hours: r.max_duration_hours,
                    route_to: r.route_to.clone(),
                })
                .collect(),
            default: (&self.default).into(),
            on_error: (&self.on_error).into(),
            time_zone: self.time_zone.name().to_string(),
            warnings: self.warnings.clone(),
        }
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{}: {} rule(s), time zone {}",
            self.file,
            self.rules.len(),
            self.time_zone
        )?;
        for (i, r) in self.rules.iter().enumerate() {
            let limit = r
                .max_duration_hours
                .map_or_else(String::new, |h| format!(" (at most {h}h)"));
            let to = r.route_to.as_ref().map_or_else(String::new, |t| format!(" to {t}"));
            writeln!(f, "  {}. {:7} {}{limit}{to}", i + 1, r.decision.as_str(), r.name)?;
        }
        writeln!(f, "  default:  {}", self.default.decision)?;
        write!(f, "  on_error: {}", self.on_error.decision)
    }
}

/// Checks a rules file: its summary, or every problem as `FILE:LINE:COL: message`.
pub fn check_file(path: impl AsRef<Path>) -> Result<Summary, Vec<Diagnostic>> {
    match RuleSet::from_file(path) {
        Ok(rules) => Ok(rules.summary()),
        Err(e @ RulesError::Io { .. }) => Err(e.diagnostics()),
        Err(RulesError::Invalid(d)) => Err(d.0),
    }
}

/// Checks rules given as text; `name` is used in diagnostics.
pub fn check_str(name: &str, text: &str) -> Result<Summary, Vec<Diagnostic>> {
    RuleSet::from_str(name, text).map(|r| r.summary()).map_err(|d| d.0)
}
