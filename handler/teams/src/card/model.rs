//! What an approval card shows, and where the approval stands.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Everything an approval card shows. The app stores it with the approval so that later
/// states (applying, approved, denied, expired, error) re-render the same facts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApprovalCard {
    /// The custom extension stage instance id (the approval's key).
    pub stage_instance_id: String,
    /// The access package assignment request id.
    pub request_id: String,
    /// When the request times out if nobody decides; the card's actions are refused after it.
    pub expires_at: DateTime<Utc>,
    /// Who would get the right (the assignment's target).
    pub requestor: Requestor,
    /// Who asked, when someone asked for another person (a manager for a report, an admin).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requested_by: Option<RequestedBy>,
    /// The access package's display name.
    pub access_package: String,
    /// The requested duration, human readable ("8 hours").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<String>,
    /// The requestor's justification.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub justification: Option<String>,
    /// Answers to the policy's questions.
    #[serde(default)]
    pub answers: Vec<Answer>,
    /// The requestor's Intune devices.
    #[serde(default)]
    pub devices: Vec<DeviceLine>,
    /// Recent elevations and denials.
    #[serde(default)]
    pub history: Vec<HistoryLine>,
    /// Why the rules routed the request to humans ("routed because …").
    pub explanation: String,
}

/// The requestor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Requestor {
    /// Display name.
    pub display_name: String,
    /// User principal name.
    pub upn: String,
    /// Department.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<String>,
    /// The manager's display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manager: Option<String>,
}

/// Who filed a request for someone else.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestedBy {
    /// Display name.
    pub display_name: String,
    /// User principal name.
    pub upn: String,
}

/// A question of the access package policy and the requestor's answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Answer {
    /// The question's text.
    pub question: String,
    /// The answer's text.
    pub answer: String,
}

/// One of the requestor's devices.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeviceLine {
    /// Device name.
    pub name: String,
    /// Operating system and version ("Windows 11 23H2").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os: Option<String>,
    /// Intune compliance state as Intune spells it (`compliant`, `noncompliant`, `unknown`, ...).
    pub compliance: String,
    /// Last Intune check-in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_sync: Option<DateTime<Utc>>,
}

/// One line of the requestor's elevation history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HistoryLine {
    /// When.
    pub at: DateTime<Utc>,
    /// What happened ("elevated for 8 hours on PC-0042").
    pub text: String,
}

/// The two buttons; on the wire `approve` and `deny` (the `Action.Execute` verb).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verb {
    /// `approve`
    Approve,
    /// `deny`
    Deny,
}

impl Verb {
    /// The wire verb.
    pub fn as_str(self) -> &'static str {
        match self {
            Verb::Approve => "approve",
            Verb::Deny => "deny",
        }
    }

    /// Parse a wire verb.
    pub fn parse(s: &str) -> Option<Verb> {
        match s {
            "approve" => Some(Verb::Approve),
            "deny" => Some(Verb::Deny),
            _ => None,
        }
    }
}

impl std::fmt::Display for Verb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where the approval stands, as the card shows it. Only [`CardState::Pending`] has buttons.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "state")]
pub enum CardState {
    /// Waiting for an approver: Approve and Deny buttons.
    Pending,
    /// A decision is recorded and being applied (the resume is retried through the queue).
    Applying {
        /// Who decided.
        by: String,
        /// What they decided.
        verb: Verb,
        /// When.
        at: DateTime<Utc>,
    },
    /// Approved.
    Approved {
        /// Who approved.
        by: String,
        /// When.
        at: DateTime<Utc>,
        /// Their comment, if any.
        reason: Option<String>,
    },
    /// Denied.
    Denied {
        /// Who denied.
        by: String,
        /// When.
        at: DateTime<Utc>,
        /// Why (required to deny).
        reason: String,
    },
    /// No longer open without a decision here: timed out, cancelled, or decided elsewhere.
    Expired {
        /// When.
        at: DateTime<Utc>,
        /// Why, in words for the approvers; empty means "timed out".
        why: String,
    },
    /// Something went wrong that the approvers must know about. No buttons: for a failure
    /// the approver may simply retry, answer the invoke with an error instead (Teams shows
    /// it and leaves the card, buttons included, as it was).
    Error {
        /// What, in words for the approvers.
        message: String,
    },
}
