//! Approval cards: one per request stage routed to humans.

use chrono::{DateTime, Utc};
use jitadmin_events::callout::Stage;
use serde::{Deserialize, Serialize};

use super::SINGLE_ROW;
use crate::entity::{ETag, Query, WriteMode};
use crate::store::{Record, Table, Versioned};
use crate::{Result, Store};

/// Where an approval stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ApprovalStatus {
    /// Waiting for an approver.
    Open,
    /// Approved.
    Approved,
    /// Denied.
    Denied,
    /// Nobody decided in time.
    Expired,
}

/// Where the Teams card was posted, so it can be refreshed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardRef {
    /// The Bot Connector service URL.
    #[serde(rename = "cardServiceUrl")]
    pub service_url: String,
    /// The conversation (channel thread) id.
    #[serde(rename = "cardConversationId")]
    pub conversation_id: String,
    /// The card activity's id.
    #[serde(rename = "cardActivityId")]
    pub activity_id: String,
}

/// An approval, keyed by the request's stage instance id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Approval {
    /// The custom extension stage instance id (the key).
    pub stage_instance_id: String,
    /// The access package assignment request id.
    pub request_id: String,
    /// The object id of the assignment's target (who would get the right).
    pub user: String,
    /// The object id of who filed the request, when someone else than the target did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requested_by: Option<String>,
    /// The access package id.
    pub access_package: String,
    /// The posted card, once posted.
    #[serde(flatten)]
    pub card: Option<CardRef>,
    /// Where it stands.
    pub status: ApprovalStatus,
    /// Who decided.
    pub decided_by: Option<String>,
    /// When.
    pub decided_at: Option<DateTime<Utc>>,
    /// The decider's reason.
    pub reason: Option<String>,
    /// When it expires if nobody decides.
    pub expires_at: DateTime<Utc>,
    /// The stage that waits (stored in the Graph enum spelling), to build the resume body from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage: Option<Stage>,
    /// The callout's `callbackUriPath` (the resume target), when it had one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub callback_uri_path: Option<String>,
    /// What the card shows (the app's card model as JSON), to re-render it in every state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card_json: Option<String>,
    /// Set just before the card is posted and cleared when its [`CardRef`] is stored: found set
    /// with no card, an earlier attempt may have posted a card whose reference was lost.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub posting_since: Option<DateTime<Utc>>,
    /// The decider's display name (`decided_by` is their object id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_by_name: Option<String>,
    /// When entitlement management accepted the decision (the resume); `None` while a recorded
    /// decision is still being applied.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applied_at: Option<DateTime<Utc>>,
    /// Why an approval closed without a decision here (expired, cancelled, decided elsewhere).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_why: Option<String>,
}

impl Record for Approval {
    const KIND: &'static str = "approval";
    const TABLE: Table = Table::Approvals;
}

impl Store {
    /// Inserts a new approval; [`crate::StoreError::AlreadyExists`] if its stage already has one.
    pub async fn approval_insert(&self, approval: &Approval) -> Result<ETag> {
        let id = &approval.stage_instance_id;
        self.write(id, SINGLE_ROW, id, approval, WriteMode::Insert).await
    }

    /// One approval with its ETag.
    pub async fn approval_get(&self, stage_instance_id: &str) -> Result<Option<Versioned<Approval>>> {
        self.read(stage_instance_id, SINGLE_ROW, stage_instance_id).await
    }

    /// Replaces an approval if it is unchanged since read with `etag`;
    /// [`crate::StoreError::ETagMismatch`] otherwise.
    pub async fn approval_replace(&self, approval: &Approval, etag: &ETag) -> Result<ETag> {
        let id = &approval.stage_instance_id;
        self.write(id, SINGLE_ROW, id, approval, WriteMode::Replace(etag.clone()))
            .await
    }

    /// All open approvals, soonest expiry first.
    pub async fn approvals_open(&self) -> Result<Vec<Versioned<Approval>>> {
        let mut open: Vec<_> = self
            .scan::<Approval>(&Query::default())
            .await?
            .into_iter()
            .filter(|v| v.value.status == ApprovalStatus::Open)
            .collect();
        open.sort_by_key(|v| v.value.expires_at);
        Ok(open)
    }
}
