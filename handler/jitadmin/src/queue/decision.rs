//! A decision made in Teams whose resume failed transiently (or outlasted the click's
//! budget): `teams` queues it, and `process` applies it again until Entra answers.
//! MessageId = [`keys::teams_decision`] (one decision per stage instance), SessionId = the
//! requestor (ordered with their other events).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{keys, Event, VERSION};

/// A recorded decision to apply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TeamsDecision {
    /// Envelope version.
    pub version: u32,
    /// [`keys::teams_decision`] of the stage instance (also the MessageId).
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

impl TeamsDecision {
    /// The event for a recorded decision.
    pub fn event(
        stage_instance_id: &str,
        request_id: &str,
        user: &str,
        correlation_id: &str,
        decided_at: DateTime<Utc>,
    ) -> Event {
        Event::TeamsDecision(TeamsDecision {
            version: VERSION,
            key: keys::teams_decision(stage_instance_id),
            stage_instance_id: stage_instance_id.to_string(),
            request_id: request_id.to_string(),
            user: user.to_string(),
            correlation_id: correlation_id.to_string(),
            decided_at,
        })
    }
}
