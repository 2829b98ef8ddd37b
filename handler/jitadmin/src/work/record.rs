//! Writing outcomes: the ledger entry of the event's key and an audit event.

use chrono::Utc;
use jitadmin_store::{AuditEvent, LedgerOutcome, LedgerStatus, Store};
use serde_json::{json, Value};

use super::WorkError;
use crate::queue::QueuedEvent;

/// Who jitadmin's own actions are attributed to in the audit trail.
pub const ACTOR: &str = "jitadmin";

/// What an event is about, for the audit trail.
#[derive(Debug, Clone)]
pub struct Subject<'a> {
    /// The event.
    pub event: &'a QueuedEvent,
    /// Its idempotency key.
    pub key: &'a str,
    /// The request (or, for pre-expiration without one, the stage instance).
    pub request_id: &'a str,
    /// The target user.
    pub user: &'a str,
}

/// What handling did, to write down.
#[derive(Debug, Clone)]
pub struct Action {
    /// Audit action, e.g. `callout.created.waiting`.
    pub action: String,
    /// One line for the ledger and logs.
    pub outcome: String,
    /// Extra audit detail.
    pub detail: Value,
}

fn store_error(key: &str) -> impl Fn(jitadmin_store::StoreError) -> WorkError + '_ {
    move |source| WorkError::Store {
        key: key.to_string(),
        source,
    }
}

/// Start handling `key`: `Some(outcome)` when it is already done.
pub async fn begin(store: &Store, key: &str) -> Result<Option<String>, WorkError> {
    let entry = store.ledger_begin(key).await.map_err(store_error(key))?;
    Ok((entry.status == LedgerStatus::Done).then(|| entry.outcome.unwrap_or_default()))
}

/// Write the audit event, then mark the key done (in that order: a retry after a lost
/// ledger write repeats an idempotent action and its audit, never loses the audit).
pub async fn done(store: &Store, subject: &Subject<'_>, action: &Action) -> Result<(), WorkError> {
    audit(store, subject, &action.action, &action.outcome, action.detail.clone()).await?;
    store
        .ledger_finish(subject.key, LedgerOutcome::Done(action.outcome.clone()))
        .await
        .map_err(store_error(subject.key))?;
    Ok(())
}

/// Record a failure (best effort: the invocation fails anyway).
pub async fn failed(store: &Store, subject: &Subject<'_>, error: &WorkError) {
    let text = error.to_string();
    if let Err(e) = store
        .ledger_finish(subject.key, LedgerOutcome::Failed(text.clone()))
        .await
    {
        tracing::warn!(key = subject.key, error = %e, "could not record the failure in the ledger");
    }
    let detail = json!({"transient": error.is_transient()});
    if let Err(e) = audit(store, subject, "callout.failed", &text, detail).await {
        tracing::warn!(key = subject.key, error = %e, "could not record the failure in the audit trail");
    }
}

/// Audit a duplicate delivery or replay of a key already done.
pub async fn duplicate(store: &Store, subject: &Subject<'_>, earlier: &str) -> Result<(), WorkError> {
    let detail = json!({"earlierOutcome": earlier});
    audit(
        store,
        subject,
        "callout.duplicate",
        "already done; nothing changed",
        detail,
    )
    .await
}

async fn audit(
    store: &Store,
    subject: &Subject<'_>,
    action: &str,
    outcome: &str,
    extra: Value,
) -> Result<(), WorkError> {
    let event = subject.event;
    let mut detail = json!({
        "key": subject.key,
        "stage": event.stage,
        "stageInstanceId": event.stage_instance_id,
        "correlationId": event.correlation_id,
        "receivedAt": event.received_at,
        "outcome": outcome,
    });
    if let (Some(map), Value::Object(extra)) = (detail.as_object_mut(), extra) {
        map.extend(extra);
    }
    // An operator's replay says so in the trail.
    if let (Some(map), Some(replay)) = (detail.as_object_mut(), &event.replay) {
        map.insert("replay".into(), Value::String(replay.clone()));
    }
    store
        .audit_append(&AuditEvent {
            request_id: subject.request_id.to_string(),
            user: subject.user.to_string(),
            at: Utc::now(),
            actor: ACTOR.to_string(),
            action: action.to_string(),
            detail,
        })
        .await
        .map_err(store_error(subject.key))?;
    Ok(())
}
