//! A request's (or a user's) audit trail as steps in time order, for people (one line per
//! step: time, actor, action, a short summary) or as JSON.
//!
//! Known actions get a readable summary; anything else (including actions added later) is
//! shown by its `outcome` detail or a shortened detail. The trail also shows when each
//! event was received (the `receivedAt` its records carry), which no record of its own holds.

use chrono::{DateTime, Utc};
use jitadmin_store::AuditRecord;
use serde::Serialize;
use serde_json::Value;

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
        let d = &e.detail;
        if e.action.starts_with("callout.") {
            let received = d
                .get("receivedAt")
                .and_then(Value::as_str)
                .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                .map(|t| t.with_timezone(&Utc));
            let key = d.get("key").and_then(Value::as_str).unwrap_or_default().to_string();
            if let Some(at) = received.filter(|at| !arrivals.contains(&(key.clone(), *at))) {
                arrivals.push((key, at));
                let stage = text(d, "stage").unwrap_or_else(|| "?".into());
                steps.push(Step {
                    at,
                    actor: "entitlement-management".into(),
                    action: RECEIVED.into(),
                    request_id: e.request_id.clone(),
                    user: e.user.clone(),
                    summary: format!("callout received: {stage}"),
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
            summary: summary(&e.action, d),
            detail: d.clone(),
        });
    }
    steps.sort_by_key(|s| s.at);
    steps
}

fn text(d: &Value, key: &str) -> Option<String> {
    match d.get(key)? {
        Value::String(s) => Some(s.clone()),
        Value::Null => None,
        other => Some(other.to_string()),
    }
}

fn pick(d: &Value, keys: &[&str]) -> Option<String> {
    keys.iter().find_map(|k| text(d, k))
}

fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let cut: String = s.chars().take(max.saturating_sub(1)).collect();
    format!("{cut}…")
}

/// A readable line for one action.
pub fn summary(action: &str, d: &Value) -> String {
    let outcome = text(d, "outcome");
    let mut line = match action {
        a if a.starts_with("callout.created.") => {
            let decision = d.get("decision").cloned().unwrap_or(Value::Null);
            let verdict = text(&decision, "outcome").unwrap_or_else(|| a["callout.created.".len()..].to_string());
            let rule = text(&decision, "rule")
                .map(|r| format!(" by rule {r}"))
                .unwrap_or_default();
            let reason = text(&decision, "reason").map(|r| format!(": {r}")).unwrap_or_default();
            let route = text(&decision, "routeTo")
                .map(|r| format!(" → {r}"))
                .unwrap_or_default();
            let resumed = if a.ends_with(".resumed") {
                "; resumed in Entra"
            } else {
                ""
            };
            format!("decided {verdict}{rule}{reason}{route}{resumed}")
        }
        a if a.starts_with("callout.granted") => format!("access granted ({})", outcome.unwrap_or_default()),
        a if a.starts_with("callout.removed") => format!("access removed ({})", outcome.unwrap_or_default()),
        "callout.failed" => format!("failed: {}", outcome.unwrap_or_default()),
        "callout.duplicate" => format!(
            "duplicate delivery, nothing changed (earlier: {})",
            text(d, "earlierOutcome").unwrap_or_default()
        ),
        "device.sync-requested" => format!(
            "device sync requested: {}",
            pick(d, &["deviceName", "deviceId"]).unwrap_or_default()
        ),
        "device.sync-skipped" => format!(
            "device sync skipped: {} ({})",
            pick(d, &["deviceName", "deviceId"]).unwrap_or_default(),
            text(d, "why").unwrap_or_default()
        ),
        "device.checked-in" => format!(
            "device checked in: {} at {}",
            pick(d, &["deviceName", "deviceId"]).unwrap_or_default(),
            text(d, "lastSyncDateTime").unwrap_or_default()
        ),
        "device.not-checked-in" => format!(
            "device did not check in: {} ({})",
            pick(d, &["deviceName", "deviceId"]).unwrap_or_default(),
            text(d, "why").unwrap_or_default()
        ),
        "user.notified" => format!("user notified by {}", text(d, "channel").unwrap_or_default()),
        "user.not-notified" => format!("user not notified: {}", text(d, "why").unwrap_or_default()),
        "teams.card.posted" => format!(
            "approval card posted{}",
            pick(d, &["channel", "channelId", "conversationId"])
                .map(|c| format!(" to {c}"))
                .unwrap_or_default()
        ),
        "teams.clicked" => format!(
            "{} clicked {}",
            pick(d, &["approverName", "approver", "approverId"]).unwrap_or_else(|| "someone".into()),
            pick(d, &["verb", "action"]).unwrap_or_default()
        ),
        "teams.approved" | "teams.denied" => format!(
            "{} by {}{}",
            &action["teams.".len()..],
            pick(d, &["approverName", "approver", "approverId"]).unwrap_or_else(|| "an approver".into()),
            text(d, "reason").map(|r| format!(": {r}")).unwrap_or_default()
        ),
        "teams.refused" => format!(
            "click refused for {}: {}",
            pick(d, &["approverName", "approver", "approverId"]).unwrap_or_else(|| "someone".into()),
            pick(d, &["reason", "why"]).unwrap_or_default()
        ),
        "teams.card.expired" => "approval card expired".to_string(),
        _ => match outcome {
            Some(o) => o,
            None => shorten(&d.to_string(), 120),
        },
    };
    if let Some(replay) = text(d, "replay") {
        line.push_str(&format!(" (replay {replay})"));
    }
    shorten(&line, 240)
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
        assert_eq!(summary("future.thing", &json!({"outcome": "did it"})), "did it");
        assert_eq!(summary("future.thing", &json!({"a": 1})), r#"{"a":1}"#);
    }
}
