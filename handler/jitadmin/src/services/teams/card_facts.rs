//! What a card shows, from the facts the request was decided on and the decision that
//! routed it. Facts that could not be fetched are said to be unavailable, never guessed.

use chrono::{DateTime, Utc};
use jitadmin_decide::{Decision, Facts};
use jitadmin_teams::card::{Answer, ApprovalCard, DeviceLine, HistoryLine, RequestedBy, Requestor};

/// The card of an approval routed by `decision` on `facts`, for the stage instance
/// `stage_instance_id`, open until `expires_at`.
pub fn approval_card(
    stage_instance_id: &str,
    facts: &Facts,
    decision: &Decision,
    expires_at: DateTime<Utc>,
) -> ApprovalCard {
    let requestor = &facts.target;
    let request = &facts.request;
    let some = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_string());
    ApprovalCard {
        stage_instance_id: stage_instance_id.to_string(),
        request_id: request.id.clone(),
        expires_at,
        requestor: Requestor {
            display_name: some(&requestor.display_name).unwrap_or_else(|| requestor.id.clone()),
            upn: requestor.user_principal_name.clone(),
            department: some(&requestor.department),
            manager: requestor.manager.as_ref().and_then(|m| some(&m.display_name)),
        },
        requested_by: facts.is_on_behalf().then(|| facts.requester()).map(|by| RequestedBy {
            display_name: some(&by.display_name).unwrap_or_else(|| by.id.clone()),
            upn: by.user_principal_name.clone(),
        }),
        access_package: some(&request.access_package.display_name)
            .or_else(|| some(&request.access_package.id))
            .unwrap_or_else(|| "(unknown access package)".into()),
        duration: match (request.duration_hours, &request.end) {
            (Some(hours), _) => Some(hours_text(hours)),
            (None, None) => Some("no end date".into()),
            (None, Some(_)) => None,
        },
        justification: some(&request.justification),
        answers: request
            .answers
            .iter()
            .map(|a| Answer {
                question: a.question.clone(),
                answer: a.shown().to_string(),
            })
            .collect(),
        devices: facts
            .devices
            .iter()
            .map(|d| DeviceLine {
                name: some(&d.device_name).unwrap_or_else(|| d.id.clone()),
                os: some(&format!("{} {}", d.operating_system, d.os_version)),
                compliance: some(&d.compliance_state).unwrap_or_else(|| "unknown".into()),
                last_sync: d.last_sync_date_time,
            })
            .collect(),
        history: history(facts),
        explanation: explanation(facts, decision),
    }
}

fn hours_text(hours: f64) -> String {
    if (hours - hours.round()).abs() < 0.01 {
        let h = hours.round() as i64;
        format!("{h} hour{}", if h == 1 { "" } else { "s" })
    } else {
        format!("{hours:.1} hours")
    }
}

fn history(facts: &Facts) -> Vec<HistoryLine> {
    if facts.is_unavailable("history") {
        return vec![HistoryLine {
            at: facts.now,
            text: "History unavailable: the store could not be read.".into(),
        }];
    }
    let h = &facts.history;
    let mut lines = vec![HistoryLine {
        at: facts.now,
        text: format!(
            "{} grant(s), {} hour(s) elevated in the last {} days{}",
            h.grants_last30_days,
            (h.elevated_hours_last30_days * 10.0).round() / 10.0,
            crate::services::facts::HISTORY_DAYS,
            if h.active_elevation { "; elevated now" } else { "" }
        ),
    }];
    if let Some(denial) = &h.last_denial {
        lines.push(HistoryLine {
            at: denial.date_time,
            text: format!("Last denied: {}", denial.reason),
        });
    }
    lines
}

fn explanation(facts: &Facts, decision: &Decision) -> String {
    let mut text = format!("Routed to approvers: {}", decision.short());
    if !facts.unavailable.is_empty() {
        let names: Vec<&str> = facts.unavailable.iter().map(|u| u.fact.as_str()).collect();
        text.push_str(&format!(" Unavailable facts: {}.", names.join(", ")));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_and_fractional_hours_read_naturally() {
        assert_eq!(hours_text(8.0), "8 hours");
        assert_eq!(hours_text(1.0), "1 hour");
        assert_eq!(hours_text(1.5), "1.5 hours");
    }
}
