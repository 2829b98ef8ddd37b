//! Routing: an open approval in the store, keyed by the stage instance, with what its Teams
//! card shows, and the card posted into the approvers' channel
//! ([`crate::services::teams::post`]).
//! The request stays waiting until an approver decides or EM's callback times out.

use chrono::{DateTime, Duration, Utc};
use jitadmin_decide::{Decision, Facts};
use jitadmin_events::callout::RequestCallout;
use jitadmin_store::{Approval, ApprovalStatus, StoreError};

use crate::error::WorkError;
use crate::flows::Context;
use crate::services::teams::{approval_card, post};

/// How long an approval stays open when the callout does not say how long EM waits.
pub const DEFAULT_APPROVAL_WINDOW: Duration = Duration::days(1);

/// The longest callback timeout entitlement management allows
/// (<https://learn.microsoft.com/graph/api/resources/customextensioncallbackconfiguration>):
/// a longer one in a callout is not believed.
pub const MAX_APPROVAL_WINDOW: Duration = Duration::days(14);

/// Record the open approval (one already there, from a retry or replay, is kept), then post
/// its card unless it was posted already.
pub async fn open(
    ctx: &Context<'_>,
    request: &RequestCallout,
    facts: &Facts,
    decision: &Decision,
    received_at: DateTime<Utc>,
    key: &str,
) -> Result<String, WorkError> {
    let user = facts.target.id.as_str();
    let window = request
        .callback_configuration
        .as_ref()
        .and_then(|c| c.timeout_length())
        .unwrap_or(DEFAULT_APPROVAL_WINDOW)
        .clamp(Duration::zero(), MAX_APPROVAL_WINDOW);
    let expires_at = received_at
        .checked_add_signed(window)
        .unwrap_or(received_at + DEFAULT_APPROVAL_WINDOW);
    let card = approval_card(&request.custom_extension_stage_instance_id, facts, decision, expires_at);
    let approval = Approval {
        stage_instance_id: request.custom_extension_stage_instance_id.clone(),
        request_id: request.access_package_assignment_request_id.clone(),
        user: user.to_string(),
        requested_by: facts.is_on_behalf().then(|| facts.requester().id.clone()),
        access_package: request
            .access_package
            .as_ref()
            .and_then(|p| p.id.clone())
            .unwrap_or_default(),
        card: None,
        status: ApprovalStatus::Open,
        decided_by: None,
        decided_at: None,
        reason: None,
        expires_at,
        stage: Some(request.stage.clone()),
        callback_uri_path: request.callback_uri_path.clone().filter(|p| !p.is_empty()),
        card_json: serde_json::to_string(&card).ok(),
        posting_since: None,
        decided_by_name: None,
        applied_at: None,
        closed_why: None,
    };
    let opened = match ctx.store.approval_insert(&approval).await {
        Ok(_) => format!("left waiting; approval open until {}", approval.expires_at.to_rfc3339()),
        Err(StoreError::AlreadyExists { .. }) => "left waiting; the approval was already open".to_string(),
        Err(source) => {
            return Err(WorkError::Store {
                key: key.to_string(),
                source,
            })
        }
    };
    let posted = match ctx.teams {
        Some(teams) => post::post_card(ctx.store, teams, &approval.stage_instance_id, key).await?,
        None => "no card: Teams is off (JITADMIN_BOT_APP_ID unset)".to_string(),
    };
    Ok(format!("{opened}; {posted}"))
}
