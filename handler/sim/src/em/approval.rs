//! Entitlement management's own approval stage: a person approves or denies in My Access.
//!
//! Configured on the policy as `requestApprovalSettings`
//! (<https://learn.microsoft.com/graph/api/resources/accesspackageassignmentapprovalsettings>):
//! approval for new requests and for updates separately, and one stage
//! (<https://learn.microsoft.com/graph/api/resources/accesspackageapprovalstage>) with its
//! primary approvers (`singleUser`, `groupMembers`), `durationBeforeAutomaticDenial` (the request
//! is denied when nobody decides in time) and, when `isEscalationEnabled`, escalation approvers
//! who may decide once `durationBeforeEscalation` has passed.
//!
//! Order: the stage names place the approval between the request workflow's "request is
//! created" and "request is approved" callouts
//! (<https://learn.microsoft.com/entra/id-governance/entitlement-management-logic-apps-integration>),
//! so the sim runs created (and waits for its resume), then the approval, then approved.
//! Durations are simulated time (scaled like callback timeouts).

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use crate::duration::{parse_iso8601, to_iso8601};

/// Who may approve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Approver {
    /// `#microsoft.graph.singleUser`.
    User(String),
    /// `#microsoft.graph.groupMembers`.
    GroupMembers(String),
}

/// One approval stage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApprovalStage {
    /// Primary approvers.
    pub primary: Vec<Approver>,
    /// Denied automatically when nobody decided within this (simulated) time.
    pub automatic_denial_after: Duration,
    /// Escalation: after this long, these approvers may decide too.
    pub escalation: Option<(Duration, Vec<Approver>)>,
}

/// A policy's `requestApprovalSettings`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ApprovalSettings {
    /// New requests need approval.
    pub required_for_add: bool,
    /// Updates (extensions) need approval.
    pub required_for_update: bool,
    /// The stage (the sim models one).
    pub stage: Option<ApprovalStage>,
}

impl ApprovalSettings {
    /// One stage with `approvers`, denied after 14 days, required for new requests and updates.
    pub fn single_stage(approvers: Vec<Approver>) -> ApprovalSettings {
        ApprovalSettings {
            required_for_add: true,
            required_for_update: true,
            stage: Some(ApprovalStage {
                primary: approvers,
                automatic_denial_after: Duration::from_secs(14 * 86_400),
                escalation: None,
            }),
        }
    }

    /// Whether a request of `request_type` waits for a person.
    pub fn applies_to(&self, request_type: &str) -> bool {
        if self.stage.is_none() {
            return false;
        }
        if crate::em::request_kinds::is_update(request_type) {
            self.required_for_update
        } else {
            self.required_for_add && !request_type.to_ascii_lowercase().ends_with("remove")
        }
    }

    /// Graph's JSON.
    pub fn to_graph(&self) -> Value {
        let approvers = |list: &[Approver]| -> Vec<Value> {
            list.iter()
                .map(|a| match a {
                    Approver::User(id) => json!({"@odata.type": "#microsoft.graph.singleUser", "userId": id}),
                    Approver::GroupMembers(id) => {
                        json!({"@odata.type": "#microsoft.graph.groupMembers", "groupId": id})
                    }
                })
                .collect()
        };
        let stages: Vec<Value> = self
            .stage
            .iter()
            .map(|s| {
                json!({
                    "durationBeforeAutomaticDenial": to_iso8601(s.automatic_denial_after),
                    "isApproverJustificationRequired": false,
                    "isEscalationEnabled": s.escalation.is_some(),
                    "durationBeforeEscalation": s.escalation.as_ref().map_or("PT0S".to_string(), |(d, _)| to_iso8601(*d)),
                    "primaryApprovers": approvers(&s.primary),
                    "fallbackPrimaryApprovers": [],
                    "escalationApprovers": s.escalation.as_ref().map_or_else(Vec::new, |(_, a)| approvers(a)),
                    "fallbackEscalationApprovers": [],
                })
            })
            .collect();
        json!({
            "isApprovalRequiredForAdd": self.required_for_add,
            "isApprovalRequiredForUpdate": self.required_for_update,
            "isRequestorJustificationRequired": true,
            "stages": stages,
        })
    }

    /// Reads Graph's JSON (`null` or absent: no approval); the error names the field.
    pub fn from_graph(value: &Value) -> Result<ApprovalSettings, String> {
        if value.is_null() {
            return Ok(ApprovalSettings::default());
        }
        let flag = |name: &str| value.get(name).and_then(Value::as_bool).unwrap_or(false);
        let stages = value
            .get("stages")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let stage = match stages.first() {
            None => None,
            Some(s) => {
                let duration = |name: &str| -> Result<Duration, String> {
                    match s.get(name).and_then(Value::as_str) {
                        Some(text) => parse_iso8601(text).ok_or_else(|| format!("{name} {text:?} is not a duration")),
                        None => Ok(Duration::from_secs(14 * 86_400)),
                    }
                };
                let escalation = match s.get("isEscalationEnabled").and_then(Value::as_bool) {
                    Some(true) => Some((
                        duration("durationBeforeEscalation")?,
                        approvers(s, "escalationApprovers")?,
                    )),
                    _ => None,
                };
                Some(ApprovalStage {
                    primary: approvers(s, "primaryApprovers")?,
                    automatic_denial_after: duration("durationBeforeAutomaticDenial")?,
                    escalation,
                })
            }
        };
        Ok(ApprovalSettings {
            required_for_add: flag("isApprovalRequiredForAdd"),
            required_for_update: flag("isApprovalRequiredForUpdate"),
            stage,
        })
    }
}

fn approvers(stage: &Value, name: &str) -> Result<Vec<Approver>, String> {
    let list = stage.get(name).and_then(Value::as_array).cloned().unwrap_or_default();
    list.iter()
        .map(|a| {
            let kind = a.get("@odata.type").and_then(Value::as_str).unwrap_or_default();
            let id = |key: &str| {
                a.get(key)
                    .and_then(Value::as_str)
                    .map(str::to_owned)
                    .ok_or_else(|| format!("{name}: {kind} needs {key}"))
            };
            match kind.trim_start_matches('#') {
                "microsoft.graph.singleUser" => Ok(Approver::User(id("userId")?)),
                "microsoft.graph.groupMembers" => Ok(Approver::GroupMembers(id("groupId")?)),
                other => Err(format!("{name}: approvers of type {other:?} are not simulated")),
            }
        })
        .collect()
}

/// Where a request's approval stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApprovalView {
    /// When the request started waiting for a person.
    pub since: DateTime<Utc>,
    /// Whether the escalation approvers may decide now.
    pub escalated: bool,
    /// The decision: who, approve or deny, and their justification.
    pub decision: Option<ApprovalDecision>,
}

/// A person's decision, or the automatic denial.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApprovalDecision {
    /// The approver's object id; `None` for the automatic denial.
    pub by: Option<String>,
    /// Approved or denied.
    pub approved: bool,
    /// Their justification.
    pub justification: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_read_back_from_their_graph_form() {
        let settings = ApprovalSettings {
            required_for_add: true,
            required_for_update: false,
            stage: Some(ApprovalStage {
                primary: vec![Approver::User("u-1".into())],
                automatic_denial_after: Duration::from_secs(3 * 86_400),
                escalation: Some((Duration::from_secs(86_400), vec![Approver::GroupMembers("g-1".into())])),
            }),
        };
        assert_eq!(ApprovalSettings::from_graph(&settings.to_graph()), Ok(settings.clone()));
        assert!(settings.applies_to("userAdd"));
        assert!(!settings.applies_to("userUpdate"));
        assert!(!settings.applies_to("adminRemove"));
        assert_eq!(
            ApprovalSettings::from_graph(&Value::Null),
            Ok(ApprovalSettings::default())
        );
        let bad = json!({"stages": [{"primaryApprovers": [{"@odata.type": "#microsoft.graph.requestorManager"}]}]});
        assert!(ApprovalSettings::from_graph(&bad).is_err());
    }
}
