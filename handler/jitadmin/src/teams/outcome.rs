//! Carrying a recorded decision out in Entra, through the one resume path
//! ([`crate::work::resume::send`]), and writing what became of it into the approval.

use std::time::Duration;

use chrono::{DateTime, Utc};
use jitadmin_events::callout::{Callout, RequestCallout};
use jitadmin_store::{Approval, ApprovalStatus, AuditEvent, StoreError, Versioned};
use jitadmin_teams::card::Verb;
use serde_json::{json, Value};

use super::cards::{decider_of, verb_of};
use crate::app::App;
use crate::work::ResumeResult;

/// What became of a decision.
#[derive(Debug)]
pub enum Applied {
    /// Entra accepted it.
    Done(Approval),
    /// Entra no longer waited (timed out, cancelled, decided elsewhere): the approval is expired.
    Closed(Approval),
    /// Entra refused it for good: the approval shows the error.
    Failed(Approval),
    /// Not known yet (a transient failure, or the budget ran out): retry through the queue.
    Pending(Approval, String),
}

/// The resume detail approvers and the requestor see in Entra.
pub fn detail_text(approval: &Approval) -> String {
    let by = decider_of(approval);
    match (verb_of(approval), approval.reason.as_deref()) {
        (Some(Verb::Deny), reason) => format!("Denied in Teams by {by}: {}", reason.unwrap_or("no reason given")),
        (_, Some(reason)) => format!("Approved in Teams by {by}: {reason}"),
        (_, None) => format!("Approved in Teams by {by}."),
    }
}

/// The waiting request, rebuilt from what the approval recorded of its callout.
fn callout_of(approval: &Approval) -> Result<RequestCallout, String> {
    let mut value = json!({
        "Stage": approval.stage.as_deref().unwrap_or("assignmentRequestCreated"),
        "CustomExtensionStageInstanceId": approval.stage_instance_id,
        "AccessPackageAssignmentRequestId": approval.request_id,
    });
    if let Some(path) = &approval.callback_uri_path {
        value["CallbackUriPath"] = Value::String(path.clone());
    }
    match Callout::from_value(value) {
        Ok(Callout::Request(request)) => Ok(*request),
        Ok(_) => Err("the recorded stage is not a request stage".into()),
        Err(e) => Err(e.to_string()),
    }
}

/// Resume the request with the decision recorded in `approval` (decided, not yet applied),
/// waiting at most `budget` for Entra. `retry`: an earlier attempt may have reached Entra,
/// so "already resumed" (approve) or "already denied" (deny) means it did.
pub async fn apply(app: &App, approval: Versioned<Approval>, budget: Option<Duration>, retry: bool) -> Applied {
    let decided = approval.value.clone();
    let key = format!("teams-decision:{}", decided.stage_instance_id);
    let callout = match callout_of(&decided) {
        Ok(c) => c,
        Err(why) => return close_failed(app, approval, format!("the request cannot be resumed: {why}")).await,
    };
    let source = &app.config().resume_source;
    let text = detail_text(&decided);
    let body = match verb_of(&decided) {
        Some(Verb::Deny) => callout.resume_deny(source, &text),
        _ => callout.resume_continue(source, &text),
    };
    let send = crate::work::resume::send(app, &callout, &key, &body);
    let result = match budget {
        Some(budget) => match tokio::time::timeout(budget, send).await {
            Ok(result) => result,
            Err(_) => {
                let why = format!("Entra did not answer within {} ms", budget.as_millis());
                return Applied::Pending(decided, why);
            }
        },
        None => send.await,
    };
    let now = Utc::now();
    match result {
        Ok(ResumeResult::Resumed) => finish(app, approval, now, None).await,
        Ok(ResumeResult::AlreadyDone(why)) if retry && ours(&decided, &why) => finish(app, approval, now, None).await,
        Ok(ResumeResult::AlreadyDone(why)) => {
            let why = format!("Entra no longer waits for this decision ({why})");
            match save(app, approval, |a| {
                a.status = ApprovalStatus::Expired;
                a.closed_why = Some(why.clone());
                a.decided_at = Some(now);
            })
            .await
            {
                Ok(a) => Applied::Closed(a),
                Err(e) => Applied::Pending(decided, format!("the store failed: {e}")),
            }
        }
        Err(error) if error.is_transient() => Applied::Pending(decided, error.to_string()),
        Err(error) => close_failed(app, approval, format!("Entra refused the decision: {error}")).await,
    }
}

/// Whether Entra's "not waiting" is our own earlier attempt having landed.
fn ours(decided: &Approval, why: &str) -> bool {
    match verb_of(decided) {
        Some(Verb::Deny) => why.contains("denied"),
        _ => why == "already resumed",
    }
}

async fn finish(app: &App, approval: Versioned<Approval>, now: DateTime<Utc>, why: Option<String>) -> Applied {
    let decided = approval.value.clone();
    match save(app, approval, |a| {
        a.applied_at = Some(now);
        a.closed_why = why.clone();
    })
    .await
    {
        Ok(a) => Applied::Done(a),
        // Entra has it; only our record lags. A retry finds "already resumed" and finishes.
        Err(e) => Applied::Pending(decided, format!("resumed, but the store failed: {e}")),
    }
}

async fn close_failed(app: &App, approval: Versioned<Approval>, message: String) -> Applied {
    let decided = approval.value.clone();
    match save(app, approval, |a| a.closed_why = Some(message.clone())).await {
        Ok(a) => Applied::Failed(a),
        Err(e) => Applied::Pending(decided, format!("{message}; and the store failed: {e}")),
    }
}

/// Replace `approval` with `edit` applied, re-reading and re-applying on a concurrent change.
pub async fn save(
    app: &App,
    mut approval: Versioned<Approval>,
    edit: impl Fn(&mut Approval),
) -> Result<Approval, StoreError> {
    let store = app.store();
    for _ in 0..5 {
        let mut next = approval.value.clone();
        edit(&mut next);
        match store.approval_replace(&next, &approval.etag).await {
            Ok(_) => return Ok(next),
            Err(StoreError::ETagMismatch { .. }) => {
                let id = &approval.value.stage_instance_id;
                approval = store.approval_get(id).await?.ok_or_else(|| StoreError::NotFound {
                    record: "approval",
                    id: id.clone(),
                })?;
            }
            Err(e) => return Err(e),
        }
    }
    Err(StoreError::Contended {
        record: "approval",
        id: approval.value.stage_instance_id.clone(),
        attempts: 5,
    })
}

/// Append an audit event about `approval` (best effort: logged when the store fails).
pub async fn audit(app: &App, approval: &Approval, actor: &str, action: &str, at: DateTime<Utc>, extra: Value) {
    let mut detail = json!({
        "stageInstanceId": approval.stage_instance_id,
        "accessPackage": approval.access_package,
    });
    if let (Some(map), Value::Object(extra)) = (detail.as_object_mut(), extra) {
        map.extend(extra);
    }
    let event = AuditEvent {
        request_id: approval.request_id.clone(),
        user: approval.user.clone(),
        at,
        actor: actor.to_string(),
        action: action.to_string(),
        detail,
    };
    if let Err(error) = app.store().audit_append(&event).await {
        tracing::warn!(request_id = %approval.request_id, action, %error, "could not write the audit event");
    }
}
