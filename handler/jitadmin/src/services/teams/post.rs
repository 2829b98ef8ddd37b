//! Posting an open approval's card into the approvers' channel, once.
//!
//! `process` calls this for a routed request after the approval is stored (with what the
//! card shows). The card's conversation and activity ids are stored in the approval; a
//! retry or replay of the event finds them and posts nothing. A 429 or 5xx from the Bot
//! Connector fails the event, and the queue retries it (the connector's own retry is off
//! here: Service Bus backs off).
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

use jitadmin_store::Store;

use super::{cards, Teams};
use crate::audit::detail::ApprovalDetail;
use crate::audit::{Action, TeamsAction, ACTOR};
use crate::error::WorkError;
use crate::services::approvals;

/// Post the card of the open approval of `stage_instance_id` unless it was posted already.
/// `key` is the event's ledger key (for errors). The text says what was done.
pub async fn post_card(store: &Store, teams: &Teams, stage_instance_id: &str, key: &str) -> Result<String, WorkError> {
    let store_error = |source| WorkError::Store {
        key: key.to_string(),
        source,
    };
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
    let marked = approvals::save(store, approval, |a| a.posting_since = Some(now))
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
                    let _ = approvals::save(store, current, |a| a.posting_since = repost).await;
                }
            }
            let detail = ApprovalDetail {
                error: Some(error.to_string()),
                transient: Some(error.is_transient()),
                ..ApprovalDetail::default()
            };
            let action = Action::Teams(TeamsAction::CardPostFailed);
            approvals::audit(store, &marked, ACTOR, action, Utc::now(), detail).await;
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
    let saved = approvals::save(store, current, |a| {
        a.card = Some(card_ref.clone());
        a.posting_since = None;
    })
    .await
    .map_err(store_error)?;
    let action = Action::Teams(if repost.is_some() {
        TeamsAction::CardReposted
    } else {
        TeamsAction::CardPosted
    });
    let detail = ApprovalDetail {
        conversation_id: Some(posted.conversation_id.clone()),
        activity_id: Some(posted.activity_id.clone()),
        channel_id: Some(config.channel_id.clone()),
        maybe_duplicate: Some(repost.is_some()),
        ..ApprovalDetail::default()
    };
    approvals::audit(store, &saved, ACTOR, action, Utc::now(), detail).await;
    tracing::info!(
        request_id = %saved.request_id,
        stage_instance = %saved.stage_instance_id,
        activity_id = %posted.activity_id,
        repost = repost.is_some(),
        "approval card posted"
    );
    // The approval may have closed while we posted (maintain): show that state at once.
    if saved.status != ApprovalStatus::Open {
        cards::update_posted(store, teams, &saved, Utc::now()).await;
    }
    Ok(format!("card posted (activity {})", posted.activity_id))
}
