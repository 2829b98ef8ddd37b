//! A decision made in Teams whose resume failed transiently (or outlasted the click's
//! budget): the `teams` function puts this on the events queue, and `process` applies the
//! decision again until Entra answers, then brings the posted card up to date.
//!
//! Its own envelope (`kind` = `teamsDecision`) beside the callout and watch envelopes;
//! MessageId = `teams-decision:{stage instance}` (one decision per stage instance),
//! SessionId = the requestor (ordered with their other events).

use azfn_runtime::{OutputMessage, ServiceBusMessage};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::outcome::{self, Applied};
use super::{actions, cards};
use crate::app::App;

/// The kind written in the message.
pub const KIND: &str = "teamsDecision";
/// The only envelope version so far.
pub const VERSION: u32 = 1;

/// The body of a decision message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DecisionEvent {
    /// Envelope version ([`VERSION`]).
    pub version: u32,
    /// Always [`KIND`].
    pub kind: String,
    /// `teams-decision:{stage instance}` (also the MessageId).
    pub key: String,
    /// The approval's stage instance id.
    pub stage_instance_id: String,
    /// The request.
    pub request_id: String,
    /// The requestor (the session).
    pub user: String,
    /// The invocation that received the click.
    pub correlation_id: String,
    /// When the decision was made.
    pub decided_at: DateTime<Utc>,
}

impl DecisionEvent {
    /// The event for a recorded decision.
    pub fn new(
        stage_instance_id: &str,
        request_id: &str,
        user: &str,
        correlation_id: &str,
        decided_at: DateTime<Utc>,
    ) -> Self {
        DecisionEvent {
            version: VERSION,
            kind: KIND.to_string(),
            key: format!("teams-decision:{stage_instance_id}"),
            stage_instance_id: stage_instance_id.to_string(),
            request_id: request_id.to_string(),
            user: user.to_string(),
            correlation_id: correlation_id.to_string(),
            decided_at,
        }
    }

    /// The output message.
    pub fn to_message(&self) -> OutputMessage {
        let session = if self.user.is_empty() { &self.key } else { &self.user };
        OutputMessage::new(self)
            .message_id(&self.key)
            .session_id(session)
            .correlation_id(&self.correlation_id)
            .subject(KIND)
            .property("correlationId", self.correlation_id.clone())
            .property("kind", KIND)
    }

    /// The decision event in a delivered message; `None` when the message is another kind.
    pub fn from_message(message: &ServiceBusMessage) -> Option<Result<DecisionEvent, String>> {
        if message.body.get("kind")?.as_str()? != KIND {
            return None;
        }
        Some(
            serde_json::from_value::<DecisionEvent>(message.body.clone())
                .map_err(|e| e.to_string())
                .and_then(|e| match e.version {
                    VERSION => Ok(e),
                    v => Err(format!("unsupported teamsDecision version {v}")),
                }),
        )
    }
}

/// Apply the decision again. `Err` (the invocation fails and the queue retries) while Entra
/// cannot be reached; everything else is done, and says what happened.
pub async fn handle(app: &App, event: &DecisionEvent) -> Result<String, String> {
    let Some(teams) = app.teams() else {
        return Err("a Teams decision arrived but Teams is off (JITADMIN_BOT_APP_ID unset)".into());
    };
    let approval = app
        .store()
        .approval_get(&event.stage_instance_id)
        .await
        .map_err(|e| format!("the store failed: {e}"))?;
    let Some(approval) = approval else {
        return Ok(format!(
            "no approval for stage instance {}: nothing to do",
            event.stage_instance_id
        ));
    };
    let a = &approval.value;
    if a.applied_at.is_some() || a.closed_why.is_some() || cards::verb_of(a).is_none() {
        return Ok(format!("approval already {:?}; nothing to do", a.status));
    }
    let now = Utc::now();
    let (action, outcome, approval) = match outcome::apply(app, approval, None, true).await {
        Applied::Done(a) => {
            let action = match cards::verb_of(&a) {
                Some(jitadmin_teams::card::Verb::Deny) => actions::DENIED,
                _ => actions::APPROVED,
            };
            (action, "resumed".to_string(), a)
        }
        Applied::Closed(a) => (actions::CARD_EXPIRED, a.closed_why.clone().unwrap_or_default(), a),
        Applied::Failed(a) => (actions::FAILED, a.closed_why.clone().unwrap_or_default(), a),
        Applied::Pending(_, why) => return Err(format!("the decision is still not applied: {why}")),
    };
    let detail = serde_json::json!({
        "approverId": approval.decided_by,
        "approverName": approval.decided_by_name,
        "verb": cards::verb_of(&approval).map(|v| v.as_str()),
        "reason": approval.reason,
        "resume": outcome,
        "via": "queue",
    });
    let actor = approval.decided_by.clone().unwrap_or_else(|| super::ACTOR.to_string());
    outcome::audit(app, &approval, &actor, action, now, detail).await;
    cards::update_posted(app, teams, &approval, now).await;
    Ok(format!("{action}: {outcome}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_decision_is_keyed_by_its_stage_instance_and_sessioned_by_the_requestor() {
        let event = DecisionEvent::new("i-1", "r-1", "u-1", "inv-1", Utc::now());
        let envelope = event.to_message().envelope().clone();
        assert_eq!(envelope.message_id.as_deref(), Some("teams-decision:i-1"));
        assert_eq!(envelope.session_id.as_deref(), Some("u-1"));
        let delivered = ServiceBusMessage {
            body: envelope.body,
            ..ServiceBusMessage::default()
        };
        assert_eq!(DecisionEvent::from_message(&delivered).unwrap().unwrap(), event);
    }

    #[test]
    fn callout_events_are_not_decisions() {
        let delivered = ServiceBusMessage {
            body: serde_json::json!({"kind": "callout", "version": 1}),
            ..ServiceBusMessage::default()
        };
        assert!(DecisionEvent::from_message(&delivered).is_none());
    }
}
