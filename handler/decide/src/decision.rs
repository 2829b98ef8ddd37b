//! The outcome of deciding a request, with its explanation.

use crate::explain::{Explanation, RuleVerdict};
use serde::{Deserialize, Serialize};
use std::fmt;

/// What happens to the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// Resume the request: approved.
    Approve,
    /// Resume the request as denied, with the reason.
    Deny,
    /// Leave the request waiting and ask human approvers.
    Route,
}

impl Outcome {
    /// The names a rules file may use.
    pub const NAMES: [&'static str; 3] = ["approve", "deny", "route"];

    /// `approve`, `deny` or `route`.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Approve => "approve",
            Outcome::Deny => "deny",
            Outcome::Route => "route",
        }
    }

    /// Parses `approve`, `deny` or `route`.
    pub fn parse(s: &str) -> Option<Outcome> {
        match s {
            "approve" => Some(Outcome::Approve),
            "deny" => Some(Outcome::Deny),
            "route" => Some(Outcome::Route),
            _ => None,
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A decision on one request. Serialises (camelCase) for the audit trail and the Teams card.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Decision {
    /// Approve, deny or route.
    pub outcome: Outcome,
    /// The rule that decided; `None` for the default and for `on_error`.
    pub rule: Option<String>,
    /// The text the requestor sees on deny (placeholders filled in); a note otherwise.
    pub reason: String,
    /// Where to route (a rule's or the fallback's `route_to`), when routing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub route_to: Option<String>,
    /// How the decision was reached.
    pub explanation: Explanation,
}

impl Decision {
    /// One line (at most 200 characters) for the resume's detail text, e.g.
    /// `deny by rule deny-guests: Guests cannot be local administrators.`
    pub fn short(&self) -> String {
        let by = match (&self.rule, self.explanation.fell_back) {
            (Some(rule), _) => format!("{} by rule {rule}", self.outcome),
            (None, Some(crate::explain::Fallback::OnError)) => format!("{} on error", self.outcome),
            (None, _) => format!("{} by default", self.outcome),
        };
        truncate(&format!("{by}: {}", self.reason), 200)
    }

    /// A human-readable, multi-line rendering: the outcome, then every rule evaluated.
    pub fn to_text(&self) -> String {
        let mut out = format!("decision: {}\n", self.outcome);
        match &self.rule {
            Some(rule) => out.push_str(&format!("rule:     {rule}\n")),
            None => out.push_str(&format!(
                "rule:     (none: {})\n",
                match self.explanation.fell_back {
                    Some(crate::explain::Fallback::OnError) => "on_error",
                    _ => "default",
                }
            )),
        }
        out.push_str(&format!("reason:   {}\n", self.reason));
        if let Some(to) = &self.route_to {
            out.push_str(&format!("route to: {to}\n"));
        }
        for u in &self.explanation.unavailable {
            out.push_str(&format!("unavailable: {} ({})\n", u.fact, u.error));
        }
        out.push_str("rules:\n");
        for r in &self.explanation.rules {
            let mark = match r.verdict {
                RuleVerdict::Matched => "MATCH",
                RuleVerdict::NotMatched => "no",
                RuleVerdict::Error => "ERROR",
            };
            out.push_str(&format!("  {mark:5} {}: {}\n", r.rule, r.detail));
        }
        if let Some(note) = &self.explanation.note {
            out.push_str(&format!("note:     {note}\n"));
        }
        out
    }

    /// The structured form as pretty JSON (what `--json` prints).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
    }
}

/// Cuts `s` to at most `max` characters, ending in "…" when cut.
pub(crate) fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_short_form_fits_the_resume_detail() {
        let d = Decision {
            outcome: Outcome::Deny,
            rule: Some("deny-guests".into()),
            reason: "x".repeat(500),
            route_to: None,
            explanation: Explanation::default(),
        };
        let short = d.short();
        assert_eq!(short.chars().count(), 200);
        assert!(short.starts_with("deny by rule deny-guests: xxx"));
        assert!(short.ends_with('…'));
    }
}
