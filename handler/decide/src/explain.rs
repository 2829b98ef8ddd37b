//! Why a decision came out as it did: every rule evaluated, in order.

use crate::facts::Unavailable;
use serde::{Deserialize, Serialize};

/// The structured explanation of a [`Decision`](crate::Decision).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Explanation {
    /// Every rule evaluated, in order, up to the one that decided.
    pub rules: Vec<RuleTrace>,
    /// Set when no rule decided: the file's `default`, or `on_error`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fell_back: Option<Fallback>,
    /// Facts that could not be fetched.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unavailable: Vec<Unavailable>,
    /// Anything else worth saying (e.g. an approval withheld because facts were missing).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Which fallback decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Fallback {
    /// No rule matched.
    Default,
    /// A rule could not be evaluated, or facts were missing.
    OnError,
}

/// One rule's part in a decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RuleTrace {
    /// The rule's name.
    pub rule: String,
    /// Matched, not matched, or error.
    pub verdict: RuleVerdict,
    /// For a non-match: the source text of the first false sub-expression (or the
    /// limit exceeded); for an error: the source text that failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failed: Option<String>,
    /// One sentence: "matched", "false: requestor.userType == 'Guest'",
    /// "error in devices.exists(...): no such key: foo".
    pub detail: String,
}

/// Whether a rule matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum RuleVerdict {
    /// The rule's `when` was true (and its limits held): it decided.
    Matched,
    /// The rule's `when` was false, or a limit did not hold.
    NotMatched,
    /// The rule's `when` could not be evaluated.
    Error,
}
