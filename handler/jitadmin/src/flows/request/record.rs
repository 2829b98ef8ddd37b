//! Writing a callout's outcome: the ledger entry of the event's key and an audit entry.

use jitadmin_store::{LedgerOutcome, LedgerStatus, Store};

use crate::audit::detail::CalloutDetail;
use crate::audit::{self, Action, Entry};
use crate::error::WorkError;
use crate::queue::CalloutEvent;

/// What a callout is about, for the audit trail.
#[derive(Debug, Clone)]
pub struct Subject<'a> {
    /// The event.
    pub event: &'a CalloutEvent,
    /// The operator's replay marker, when it is a replay.
    pub replay: Option<&'a str>,
    /// The request (or, for pre-expiration without one, the stage instance).
    pub request_id: &'a str,
    /// The target user.
    pub user: &'a str,
}

/// What handling did, to write down.
#[derive(Debug, Clone)]
pub struct Done {
    /// The audit action.
    pub action: Action,
    /// One line for the ledger and logs.
    pub outcome: String,
    /// What the action adds to the detail.
    pub detail: CalloutDetail,
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

/// Write the audit entry, then mark the key done (in that order: a retry after a lost
/// ledger write repeats an idempotent action and its audit, never loses the audit).
pub async fn done(store: &Store, subject: &Subject<'_>, done: &Done) -> Result<(), WorkError> {
    let detail = CalloutDetail {
        outcome: Some(done.outcome.clone()),
        ..done.detail.clone()
    };
    audit(store, subject, done.action.clone(), detail).await?;
    store
        .ledger_finish(&subject.event.key, LedgerOutcome::Done(done.outcome.clone()))
        .await
        .map_err(store_error(&subject.event.key))?;
    Ok(())
}

/// Record a failure (best effort: the invocation fails anyway).
pub async fn failed(store: &Store, subject: &Subject<'_>, error: &WorkError) {
    let key = &subject.event.key;
    let text = error.to_string();
    if let Err(e) = store.ledger_finish(key, LedgerOutcome::Failed(text.clone())).await {
        tracing::warn!(key, error = %e, "could not record the failure in the ledger");
    }
    let detail = CalloutDetail {
        outcome: Some(text),
        transient: Some(error.is_transient()),
        ..CalloutDetail::default()
    };
    if let Err(e) = audit(store, subject, Action::CalloutFailed, detail).await {
        tracing::warn!(key, error = %e, "could not record the failure in the audit trail");
    }
}

/// Audit a duplicate delivery or replay of a key already done.
pub async fn duplicate(store: &Store, subject: &Subject<'_>, earlier: &str) -> Result<(), WorkError> {
    let detail = CalloutDetail {
        outcome: Some("already done; nothing changed".into()),
        earlier_outcome: Some(earlier.to_string()),
        ..CalloutDetail::default()
    };
    audit(store, subject, Action::CalloutDuplicate, detail).await
}

/// The entry, with what every callout entry carries: the key, the stage, when and by which
/// invocation it was received, and the operator's replay marker.
async fn audit(store: &Store, subject: &Subject<'_>, action: Action, detail: CalloutDetail) -> Result<(), WorkError> {
    let event = subject.event;
    let detail = CalloutDetail {
        key: Some(event.key.clone()),
        stage: Some(event.stage.as_str().to_string()),
        stage_instance_id: event.stage_instance_id.clone(),
        correlation_id: Some(event.correlation_id.clone()),
        received_at: Some(event.received_at),
        replay: subject.replay.map(str::to_string),
        ..detail
    };
    audit::append(
        store,
        Entry::by_jitadmin(subject.request_id, subject.user, action, detail),
    )
    .await
    .map_err(store_error(&event.key))
}
