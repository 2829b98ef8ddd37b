//! Posting an open approval's card into the approvers' channel, once.
//!
//! `process` calls this for a routed request after the approval is stored (with what the
//! card shows). The card's conversation and activity ids are stored in the approval; a
//! retry or replay of the event finds them and posts nothing. A 429 or 5xx from the Bot
//! Connector fails the event, and the queue retries it (the connector's own retry is off
//! here: Service Bus backs off, spec B2.6).
//!
//! The window that remains: the approval is marked `postingSince` before the POST and the
//! mark is replaced by the card's ids after it. If the process dies between the Connector's
//! success and that store write, or the POST's answer is lost (timeout, dropped connection),
//! nothing tells whether a card exists: the retry finds the mark without ids and posts again
//! (audited as `teams.card.reposted`: "maybe a duplicate"). A duplicate is harmless to the
//! decision (both copies carry the same signed stage instance, and the first click wins) but
//! only the stored copy is updated for everyone. A missing card would be worse (the request
//! would wait unseen until it times out), so a lost answer errs towards posting again.

use chrono::Utc;
use jitadmin_store::{ApprovalStatus, CardRef};
use jitadmin_teams::card::{self, CardState};
use jitadmin_teams::connector::{ConnectorError, ConnectorRetry};
use serde_json::json;

use super::{actions, cards, outcome, ACTOR};
use crate::app::App;
use crate::work::WorkError;

/// Post the card of the open approval of `stage_instance_id` unless it was posted already.
/// `key` is the event's ledger key (for errors). The text says what was done.
pub async fn post_card(app: &App, stage_instance_id: &str, key: &str) -> Result<String, WorkError> {
    let Some(teams) = app.teams() else {
        return Ok("no card: Teams is off (JITADMIN_BOT_APP_ID unset)".into());
    };
    let store_error = |source| WorkError::Store {
        key: key.to_string(),
        source,
    };
    let store = app.store();
    let Some(approval) = store.approval_get(stage_instance_id).await.map_err(store_error)? else {
        return Ok("no card: the approval is gone".into());
    };
    if let Some(card) = &approval.value.card {
        return Ok(format!("card already posted (activity {})", card.activity_id));
    }
    if approval.value.status != ApprovalStatus::Open {
        return Ok(format!("no card: the approval is already {:?}", approval.value.status));
    }
    let repost = approval.value.posting_since;
    let now = Utc::now();
    let marked = outcome::save(app, approval, |a| a.posting_since = Some(now))
        .await
        .map_err(store_error)?;

    let config = teams.config();
    let model = cards::model_of(&marked);
    let body = card::render(&model, &CardState::Pending, teams.signer());
    let summary = format!(
        "Local admin request: {} asks for {}",
        model.requestor.display_name, model.access_package
    );
    // One attempt: a throttled or failed POST goes back to the queue, which backs off.
    let connector = teams.connector().clone().with_retry(ConnectorRetry::none());
    let posted = connector
        .post_card_to_channel(
            &config.service_url,
            &config.channel_id,
            &config.tenant_id,
            &body,
            &summary,
        )
        .await;
    let posted = match posted {
        Ok(posted) => posted,
        Err(error) => {
            // 429 and 4xx: the Connector did not post; a retry is not a repost. (After a 5xx or a
            // lost answer it may have: the mark stays.)
            if matches!(error, ConnectorError::Throttled { .. } | ConnectorError::Refused { .. }) {
                if let Some(current) = store.approval_get(stage_instance_id).await.ok().flatten() {
                    let _ = outcome::save(app, current, |a| a.posting_since = repost).await;
                }
            }
            let detail = json!({"error": error.to_string(), "transient": error.is_transient()});
            outcome::audit(app, &marked, ACTOR, actions::CARD_POST_FAILED, Utc::now(), detail).await;
            return Err(WorkError::Teams {
                key: key.to_string(),
                source: error,
            });
        }
    };
    let card_ref = CardRef {
        service_url: config.service_url.clone(),
        conversation_id: posted.conversation_id.clone(),
        activity_id: posted.activity_id.clone(),
    };
    let current = store
        .approval_get(stage_instance_id)
        .await
        .map_err(store_error)?
        .ok_or_else(|| {
            store_error(jitadmin_store::StoreError::NotFound {
                record: "approval",
                id: stage_instance_id.to_string(),
            })
        })?;
    let saved = outcome::save(app, current, |a| {
        a.card = Some(card_ref.clone());
        a.posting_since = None;
    })
    .await
    .map_err(store_error)?;
    let action = if repost.is_some() {
        actions::CARD_REPOSTED
    } else {
        actions::CARD_POSTED
    };
    let detail = json!({
        "conversationId": posted.conversation_id,
        "activityId": posted.activity_id,
        "channelId": config.channel_id,
        "maybeDuplicate": repost.is_some(),
    });
    outcome::audit(app, &saved, ACTOR, action, Utc::now(), detail).await;
    tracing::info!(
        request_id = %saved.request_id,
        stage_instance = %saved.stage_instance_id,
        activity_id = %posted.activity_id,
        repost = repost.is_some(),
        "approval card posted"
    );
    // The approval may have closed while we posted (maintain): show that state at once.
    if saved.status != ApprovalStatus::Open {
        cards::update_posted(app, teams, &saved, Utc::now()).await;
    }
    Ok(format!("card posted (activity {})", posted.activity_id))
}
