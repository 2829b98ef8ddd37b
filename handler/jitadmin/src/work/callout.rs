//! Entitlement-management callout events: what each stage leads to.
//!
//! - created: decided by the rules when `JITADMIN_RULES` is set ([`crate::decision`]);
//!   otherwise resume with continue when `JITADMIN_CREATED_STAGE=continue`, else leave the
//!   request waiting;
//! - approved: resume with continue if EM waits for us (non-null callbackConfiguration);
//! - granted / removed: record the elevation's start / end, then as approved;
//! - pre-expiration: record.

use jitadmin_events::callout::{Callout, PreExpirationCallout, RequestCallout, Stage};
use jitadmin_store::Elevation;
use serde_json::json;

use super::record::{self, Action, Subject};
use super::resume;
use super::{Handled, WorkError};
use crate::app::App;
use crate::config::CreatedStage;
use crate::queue::QueuedEvent;

const UNKNOWN: &str = "(unknown)";

/// Handle one callout event.
pub async fn handle(app: &App, event: &QueuedEvent) -> Result<Handled, WorkError> {
    let callout = Callout::from_value(event.payload.clone()).map_err(|source| WorkError::Payload {
        key: event.key.clone(),
        source,
    })?;
    let key = callout.idempotency_key().unwrap_or_else(|| event.key.clone());
    let subject = Subject {
        event,
        key: &key,
        request_id: callout.request_id().or(callout.stage_instance_id()).unwrap_or(UNKNOWN),
        user: callout.target_user_id().unwrap_or(UNKNOWN),
    };
    let store = app.store();

    if let Some(earlier) = record::begin(store, &key).await? {
        tracing::info!(kind = "callout", key = %key, request_id = subject.request_id, user = subject.user, earlier = %earlier, "duplicate callout: already done, nothing changed");
        record::duplicate(store, &subject, &earlier).await?;
        return Ok(Handled::Duplicate(earlier));
    }

    match act(app, &callout, event, &key).await {
        Ok(action) => {
            record::done(store, &subject, &action).await?;
            tracing::info!(kind = "callout", key = %key, request_id = subject.request_id, user = subject.user, action = %action.action, "{}", action.outcome);
            Ok(Handled::Done(action.outcome))
        }
        Err(error) => {
            tracing::warn!(kind = "callout", key = %key, request_id = subject.request_id, user = subject.user, transient = error.is_transient(), "callout failed: {error}");
            record::failed(store, &subject, &error).await;
            Err(error)
        }
    }
}

async fn act(app: &App, callout: &Callout, event: &QueuedEvent, key: &str) -> Result<Action, WorkError> {
    match callout {
        Callout::Request(request) => request_stage(app, request, event, key).await,
        Callout::PreExpiration(expiring) => Ok(pre_expiration(expiring)),
        Callout::ConnectionTest(_) => Ok(Action {
            action: "callout.connection-test".into(),
            outcome: "connection test: nothing to do".into(),
            detail: json!({}),
        }),
    }
}

async fn request_stage(
    app: &App,
    request: &RequestCallout,
    event: &QueuedEvent,
    key: &str,
) -> Result<Action, WorkError> {
    let name = stage_name(&request.stage);
    if let (Stage::AssignmentRequestCreated, Some(rules)) = (&request.stage, app.rules()) {
        let decided = crate::decision::decide_created(app, rules, request, event.received_at, key).await?;
        return Ok(Action {
            action: decided.action,
            outcome: format!("{}: {}", request.stage, decided.outcome),
            detail: decided.detail,
        });
    }
    let mut notes = Vec::new();
    match request.stage {
        Stage::AssignmentRequestGranted => notes.push(elevation_granted(app, request, event, key).await?),
        Stage::AssignmentRequestRemoved => notes.push(elevation_removed(app, request, event, key).await?),
        _ => {}
    }
    let resume = match (&request.stage, app.config().created_stage) {
        (Stage::AssignmentRequestCreated, CreatedStage::Wait) => {
            notes.push("left waiting (JITADMIN_CREATED_STAGE=wait)".to_string());
            None
        }
        (Stage::AssignmentRequestCreated, CreatedStage::Continue) => {
            Some("Continued automatically by jitadmin (JITADMIN_CREATED_STAGE=continue).")
        }
        _ if request.looks_launch_and_wait() => Some("Recorded by jitadmin."),
        _ => None,
    };
    let mut action = format!("callout.{name}");
    if let Some(detail) = resume {
        let result = resume::continue_request(app, request, key, detail).await?;
        action.push('.');
        action.push_str(result.tag());
        notes.push(result.describe());
    }
    if notes.is_empty() {
        notes.push("recorded".to_string());
    }
    Ok(Action {
        action,
        outcome: format!("{}: {}", request.stage, notes.join("; ")),
        detail: json!({
            "accessPackage": request.access_package.as_ref().and_then(|p| p.id.clone()),
            "requestor": request.requestor_user_id(),
            "resumed": resume.is_some(),
        }),
    })
}

async fn elevation_granted(
    app: &App,
    request: &RequestCallout,
    event: &QueuedEvent,
    key: &str,
) -> Result<String, WorkError> {
    let Some(user) = request.target_user_id() else {
        return Ok("granted, but the callout names no target user: no elevation recorded".into());
    };
    let elevation = Elevation {
        user: user.to_string(),
        access_package: access_package_id(request).to_string(),
        request_id: request.access_package_assignment_request_id.clone(),
        granted_at: event.received_at,
        removed_at: None,
    };
    app.store()
        .elevation_granted(&elevation)
        .await
        .map_err(|source| WorkError::Store {
            key: key.to_string(),
            source,
        })?;
    Ok("elevation recorded".into())
}

async fn elevation_removed(
    app: &App,
    request: &RequestCallout,
    event: &QueuedEvent,
    key: &str,
) -> Result<String, WorkError> {
    let Some(user) = request.target_user_id() else {
        return Ok("removed, but the callout names no target user: no elevation closed".into());
    };
    let closed = app
        .store()
        .elevation_removed(user, access_package_id(request), event.received_at)
        .await
        .map_err(|source| WorkError::Store {
            key: key.to_string(),
            source,
        })?;
    Ok(format!("{} elevation(s) closed", closed.len()))
}

fn pre_expiration(expiring: &PreExpirationCallout) -> Action {
    let when = match expiring.stage {
        Stage::AssignmentOneDayBeforeExpiration => "one day",
        _ => "fourteen days",
    };
    Action {
        action: format!("callout.{}", stage_name(&expiring.stage)),
        outcome: format!("{}: assignment expires in {when}; recorded", expiring.stage),
        detail: json!({
            "accessPackage": expiring.access_package.as_ref().and_then(|p| p.id.clone()),
            "assignment": expiring.assignment.as_ref().and_then(|a| a.id.clone()),
        }),
    }
}

fn access_package_id(request: &RequestCallout) -> &str {
    request
        .access_package
        .as_ref()
        .and_then(|p| p.id.as_deref())
        .unwrap_or(UNKNOWN)
}

/// `created`, `approved`, `granted`, `removed`, `expiring-14d`, `expiring-1d`.
fn stage_name(stage: &Stage) -> &'static str {
    match stage {
        Stage::AssignmentRequestCreated => "created",
        Stage::AssignmentRequestApproved => "approved",
        Stage::AssignmentRequestGranted => "granted",
        Stage::AssignmentRequestRemoved => "removed",
        Stage::AssignmentFourteenDaysBeforeExpiration => "expiring-14d",
        Stage::AssignmentOneDayBeforeExpiration => "expiring-1d",
        _ => "other",
    }
}
