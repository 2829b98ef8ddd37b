//! The Teams part of `jitadmin dev --demo`: the routed request's card appears in the
//! approvers' channel, an approver clicks Approve in (simulated) Teams, the request is
//! resumed in Entra, and everyone's card shows the outcome.

use std::time::Duration;

use serde_json::Value;

use super::timeline::Timeline;
use super::DevEnvironment;

/// The approvers' click on the card of `request_id` (routed, waiting), told on `timeline`.
pub async fn approve_in_teams(env: &DevEnvironment, timeline: &mut Timeline, request_id: &str, requestor: &str) {
    let bot = env.sim.bot();
    let found = bot
        .wait_for_activities(Duration::from_secs(30), |all| {
            all.iter().any(|a| card_text(a.card()).contains(request_id))
        })
        .await;
    let Some(activity) = found
        .ok()
        .and_then(|all| all.into_iter().find(|a| card_text(a.card()).contains(request_id)))
    else {
        timeline.add("teams (sim)", "no approval card was posted (is the bot configured?)");
        return;
    };
    let channel = bot
        .conversation(&activity.conversation_id)
        .map(|c| c.channel_id)
        .unwrap_or_default();
    timeline.add(
        "teams (sim)",
        format!(
            "approval card posted in channel {channel} (activity {}): {}",
            activity.id,
            activity.summary().unwrap_or("a card")
        ),
    );
    let approver = env.sim.with_state(|s| {
        let group = s
            .groups
            .iter()
            .find(|g| g.display_name.contains(super::settings::APPROVERS_GROUP_NAME))?;
        let id = group.members.iter().find(|m| !m.eq_ignore_ascii_case(requestor))?;
        s.user(id).cloned()
    });
    let Some(approver) = approver else {
        timeline.add("teams (sim)", "the scenario has no approver to click");
        return;
    };
    let clicked = env
        .sim
        .teams_client()
        .click(&approver.id, &activity.conversation_id, &activity.id, "approve")
        .send()
        .await;
    let outcome = match clicked {
        Ok(outcome) => outcome,
        Err(error) => {
            timeline.add("teams (sim)", format!("the click could not be sent: {error}"));
            return;
        }
    };
    let answer = match (&outcome.status, outcome.card()) {
        (Some(status), Some(card)) => format!("{status}, refreshed card: {}", headline(card)),
        (Some(status), None) => format!("{status} {}", outcome.body.clone().unwrap_or(Value::Null)),
        (None, _) => format!("no answer: {}", outcome.error.clone().unwrap_or_default()),
    };
    timeline.add(
        "teams (sim)",
        format!(
            "{} clicks Approve -> /api/teams/messages answers {answer}",
            approver.display_name
        ),
    );
    let resumed = env
        .sim
        .wait_for_request(request_id, Duration::from_secs(30), |r| !r.resumes.is_empty())
        .await;
    if let Ok(request) = resumed {
        for resume in &request.resumes {
            let detail = resume
                .body
                .pointer("/data/customExtensionStageInstanceDetail")
                .and_then(Value::as_str)
                .unwrap_or("no detail");
            timeline.add(
                "entra (sim)",
                format!("resume received -> {} ({detail})", resume.status),
            );
        }
    }
    let granted = env
        .sim
        .wait_for_request(request_id, Duration::from_secs(30), |r| r.state == "delivered")
        .await;
    if let Ok(request) = granted {
        timeline.add(
            "entra (sim)",
            format!("request {} is {} / {}", request.id, request.state, request.status),
        );
    }
    // Everyone else sees the base message, updated by a PUT.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let base = bot.card(&activity.conversation_id, &activity.id);
        let text = card_text(base.as_ref());
        if text.contains("Approved") || tokio::time::Instant::now() >= deadline {
            let updates = bot
                .activity(&activity.conversation_id, &activity.id)
                .map(|a| a.history.len())
                .unwrap_or_default();
            timeline.add(
                "teams (sim)",
                format!(
                    "the channel's card now reads: {} ({updates} update(s))",
                    base.as_ref().map(headline).unwrap_or_default()
                ),
            );
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn card_text(card: Option<&Value>) -> String {
    card.map(Value::to_string).unwrap_or_default()
}

/// The card's texts, joined, short: what a person reads at a glance.
fn headline(card: &Value) -> String {
    let mut texts = Vec::new();
    collect_texts(card, &mut texts);
    let joined = texts.join(" ");
    let short: String = joined.chars().take(120).collect();
    if joined.chars().count() > 120 {
        format!("{short}…")
    } else {
        short
    }
}

fn collect_texts(value: &Value, out: &mut Vec<String>) {
    if out.len() >= 6 {
        return;
    }
    match value {
        Value::Object(map) => {
            if let Some(Value::String(text)) = map.get("text") {
                out.push(text.clone());
            }
            for (key, v) in map {
                if key != "actions" {
                    collect_texts(v, out);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_texts(v, out)),
        _ => {}
    }
}
