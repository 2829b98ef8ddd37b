//! A request's (or a user's) audit trail as steps in time order, for people (one line per
//! step: time, actor, action, a short summary) or as JSON.
//!
//! Every action is read through its type ([`Action`]) and its detail through the detail type
//! of its area; an action written by a later version is shown by its `outcome` detail or a
//! shortened detail. The trail also shows when each
//! event was received (the `receivedAt` its records carry), which no record of its own holds.

use chrono::{DateTime, Utc};
use jitadmin_store::AuditRecord;
use serde::Serialize;
use serde_json::Value;

use super::detail::{self, ApprovalDetail, CalloutDetail, DeviceDetail, DriftDetail, NoticeDetail};
use super::{Action, CalloutStep, DeviceAction, StageName, TeamsAction};

/// One step of a trail.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Step {
    /// When.
    pub at: DateTime<Utc>,
    /// Who: `jitadmin`, an approver, `entitlement-management`, ...
    pub actor: String,
    /// What, e.g. `callout.received`, `callout.created.approved.resumed`, `device.sync-requested`.
    pub action: String,
    /// The request.
    pub request_id: String,
    /// The user.
    pub user: String,
    /// A short readable summary.
    pub summary: String,
    /// The whole detail (JSON output only).
    #[serde(skip_serializing_if = "Value::is_null")]
    pub detail: Value,
}

/// The pseudo-action of an event's arrival.
pub const RECEIVED: &str = "callout.received";

/// The steps of `records`, with the arrivals added, in time order.
pub fn steps(records: &[AuditRecord]) -> Vec<Step> {
    let mut steps: Vec<Step> = Vec::new();
    let mut arrivals: Vec<(String, DateTime<Utc>)> = Vec::new();
    for r in records {
        let e = &r.event;
        let action = Action::parse(&e.action);
        if action.is_callout() {
            let d: CalloutDetail = detail::read(&e.detail);
            let key = d.key.clone().unwrap_or_default();
            if let Some(at) = d.received_at.filter(|at| !arrivals.contains(&(key.clone(), *at))) {
                arrivals.push((key, at));
                steps.push(Step {
                    at,
                    actor: "entitlement-management".into(),
                    action: RECEIVED.into(),
                    request_id: e.request_id.clone(),
                    user: e.user.clone(),
                    summary: format!("callout received: {}", d.stage.as_deref().unwrap_or("?")),
                    detail: Value::Null,
                });
            }
        }
        steps.push(Step {
            at: e.at,
            actor: e.actor.clone(),
            action: e.action.clone(),
            request_id: e.request_id.clone(),
            user: e.user.clone(),
            summary: summary(&action, &e.detail),
            detail: e.detail.clone(),
        });
    }
    steps.sort_by_key(|s| s.at);
    steps
}

fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let cut: String = s.chars().take(max.saturating_sub(1)).collect();
    format!("{cut}…")
}

fn or_empty(text: &Option<String>) -> &str {
    text.as_deref().unwrap_or_default()
}

/// A readable line for one action and its stored detail.
pub fn summary(action: &Action, stored: &Value) -> String {
    let mut line = match action {
        Action::Callout(..)
        | Action::CalloutConnectionTest
        | Action::CalloutFailed
        | Action::CalloutDuplicate
        | Action::CalloutRefused(_) => callout_summary(action, &detail::read(stored)),
        Action::Device(device) => device_summary(*device, &detail::read(stored)),
        Action::UserNotified => {
            let d: NoticeDetail = detail::read(stored);
            format!("user notified by {}", or_empty(&d.channel))
        }
        Action::UserNotNotified => {
            let d: NoticeDetail = detail::read(stored);
            format!("user not notified: {}", or_empty(&d.why))
        }
        Action::Teams(TeamsAction::DriftPosted) => "drift notice posted to the approvers' channel".to_string(),
        Action::Teams(TeamsAction::DriftPostFailed) => {
            let d: DriftDetail = detail::read(stored);
            format!("drift notice not posted: {}", or_empty(&d.error))
        }
        Action::Teams(teams) => approval_summary(*teams, &detail::read(stored)),
        Action::WatchDrift => {
            let d: DriftDetail = detail::read(stored);
            format!(
                "member of {} without an active assignment ({})",
                or_empty(&d.group),
                or_empty(&d.action)
            )
        }
        Action::WatchDriftRemoved => {
            let d: DriftDetail = detail::read(stored);
            format!("removed from {}", or_empty(&d.group))
        }
        Action::Other(_) => match stored.get("outcome").and_then(Value::as_str) {
            Some(o) => o.to_string(),
            None => shorten(&stored.to_string(), 120),
        },
    };
    if let Some(replay) = stored.get("replay").and_then(Value::as_str) {
        line.push_str(&format!(" (replay {replay})"));
    }
    shorten(&line, 240)
}

fn callout_summary(action: &Action, d: &CalloutDetail) -> String {
    let outcome = or_empty(&d.outcome);
    match action {
        Action::Callout(
            StageName::Created,
            step @ (CalloutStep::RuleApproved(_) | CalloutStep::RuleDenied(_) | CalloutStep::Routed),
        ) => {
            let decision = d.decision.clone().unwrap_or_default();
            let verdict = decision.outcome.clone().unwrap_or_else(|| match step {
                CalloutStep::RuleApproved(_) => "approve".into(),
                CalloutStep::RuleDenied(_) => "deny".into(),
                _ => "route".into(),
            });
            let rule = decision.rule.map(|r| format!(" by rule {r}")).unwrap_or_default();
            let reason = decision.reason.map(|r| format!(": {r}")).unwrap_or_default();
            let route = decision.route_to.map(|r| format!(" → {r}")).unwrap_or_default();
            let resumed = if step.resumed() { "; resumed in Entra" } else { "" };
            format!("decided {verdict}{rule}{reason}{route}{resumed}")
        }
        Action::Callout(StageName::Granted, _) => format!("access granted ({outcome})"),
        Action::Callout(StageName::Removed, _) => format!("access removed ({outcome})"),
        Action::CalloutFailed => format!("failed: {outcome}"),
        Action::CalloutDuplicate => format!(
            "duplicate delivery, nothing changed (earlier: {})",
            or_empty(&d.earlier_outcome)
        ),
        _ => outcome.to_string(),
    }
}

fn device_summary(action: DeviceAction, d: &DeviceDetail) -> String {
    let device = d.device_name.as_deref().or(d.device_id.as_deref()).unwrap_or_default();
    match action {
        DeviceAction::SyncRequested => format!("device sync requested: {device}"),
        DeviceAction::SyncSkipped => format!("device sync skipped: {device} ({})", or_empty(&d.why)),
        DeviceAction::CheckedIn => format!(
            "device checked in: {device} at {}",
            d.last_sync_date_time.map(|t| t.to_rfc3339()).unwrap_or_default()
        ),
        DeviceAction::NotCheckedIn => format!("device did not check in: {device} ({})", or_empty(&d.why)),
    }
}

fn approval_summary(action: TeamsAction, d: &ApprovalDetail) -> String {
    let approver = d.approver_name.as_deref().or(d.approver_id.as_deref());
    match action {
        TeamsAction::CardPosted | TeamsAction::CardReposted => format!(
            "approval card {}{}",
            if action == TeamsAction::CardPosted {
                "posted"
            } else {
                "posted again"
            },
            d.channel_id
                .as_deref()
                .or(d.conversation_id.as_deref())
                .map(|c| format!(" to {c}"))
                .unwrap_or_default()
        ),
        TeamsAction::Clicked => format!("{} clicked {}", approver.unwrap_or("someone"), or_empty(&d.verb)),
        TeamsAction::Approved | TeamsAction::Denied => format!(
            "{} by {}{}",
            if action == TeamsAction::Approved {
                "approved"
            } else {
                "denied"
            },
            approver.unwrap_or("an approver"),
            d.reason.as_ref().map(|r| format!(": {r}")).unwrap_or_default()
        ),
        TeamsAction::Refused => format!(
            "click refused for {}: {}",
            approver.unwrap_or("someone"),
            d.why.as_deref().or(d.reason.as_deref()).unwrap_or_default()
        ),
        TeamsAction::CardExpired => "approval card expired".to_string(),
        TeamsAction::Applying => format!("decision recorded, applying: {}", or_empty(&d.resume)),
        TeamsAction::Failed => format!("Entra refused the decision: {}", or_empty(&d.resume)),
        TeamsAction::CardPostFailed | TeamsAction::CardUpdateFailed => format!(
            "approval card not {}: {}",
            if action == TeamsAction::CardPostFailed {
                "posted"
            } else {
                "updated"
            },
            or_empty(&d.error)
        ),
        TeamsAction::DriftPosted | TeamsAction::DriftPostFailed => String::new(),
    }
}

/// One line for people: `2026-11-28 10:00:01.123Z  jitadmin  callout.granted  access granted (...)`.
pub fn render_line(step: &Step, with_request: bool) -> String {
    let request = if with_request {
        format!("  [{}]", step.request_id)
    } else {
        String::new()
    };
    format!(
        "{}  {:<22} {:<34} {}{request}",
        step.at.format("%Y-%m-%d %H:%M:%S%.3fZ"),
        step.actor,
        step.action,
        step.summary
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use jitadmin_store::AuditEvent;
    use serde_json::json;

    fn record(action: &str, at: &str, detail: Value) -> AuditRecord {
        AuditRecord {
            id: action.into(),
            event: AuditEvent {
                request_id: "r1".into(),
                user: "u1".into(),
                at: DateTime::parse_from_rfc3339(at).unwrap().with_timezone(&Utc),
                actor: "jitadmin".into(),
                action: action.into(),
                detail,
            },
        }
    }

    #[test]
    fn arrivals_are_added_once_per_event_and_everything_is_in_time_order() {
        let records = [
            record(
                "callout.created.approved.resumed",
                "2026-01-01T10:00:02Z",
                json!({"key": "k1", "stage": "assignmentRequestCreated", "receivedAt": "2026-01-01T10:00:01Z",
                       "decision": {"outcome": "approve", "rule": "members", "reason": "ok"}}),
            ),
            record(
                "callout.duplicate",
                "2026-01-01T10:00:03Z",
                json!({"key": "k1", "receivedAt": "2026-01-01T10:00:01Z", "earlierOutcome": "x", "replay": "1@t"}),
            ),
        ];
        let steps = steps(&records);
        let actions: Vec<&str> = steps.iter().map(|s| s.action.as_str()).collect();
        assert_eq!(
            actions,
            [RECEIVED, "callout.created.approved.resumed", "callout.duplicate"]
        );
        assert_eq!(
            steps[1].summary,
            "decided approve by rule members: ok; resumed in Entra"
        );
        assert!(steps[2].summary.ends_with("(replay 1@t)"), "{}", steps[2].summary);
    }

    #[test]
    fn an_unknown_action_shows_its_outcome_or_its_detail() {
        assert_eq!(
            summary(&Action::parse("future.thing"), &json!({"outcome": "did it"})),
            "did it"
        );
        assert_eq!(summary(&Action::parse("future.thing"), &json!({"a": 1})), r#"{"a":1}"#);
    }
}
