//! A callout's stage, under the event's idempotency key: a key the ledger says is done
//! changes nothing and says so (log and audit).
//!
//! - created: decided by the rules when `JITADMIN_RULES` is set ([`crate::flows::decision`]);
//!   otherwise resume with continue when `JITADMIN_CREATED_STAGE=continue`, else leave the
//!   request waiting;
//! - approved: resume with continue if entitlement management waits for us (a non-null
//!   `callbackConfiguration`);
//! - granted / removed: record the elevation's start / end (an update's grant continues the
//!   elevation), then as approved;
//! - pre-expiration: record.

mod record;

use jitadmin_events::callout::{Callout, PreExpirationCallout, RequestCallout, Stage};
use jitadmin_store::Elevation;

use super::{Context, Handled};
use crate::audit::detail::CalloutDetail;
use crate::audit::{Action, CalloutStep, StageName};
use crate::config::CreatedStage;
use crate::error::WorkError;
use crate::queue::CalloutEvent;
use crate::services::resume::{self, Waiting};
use record::{Done, Subject};

const UNKNOWN: &str = "(unknown)";

/// Handle one callout; `replay` is the operator's replay marker when it is a replay.
pub async fn handle(ctx: &Context<'_>, event: &CalloutEvent, replay: Option<&str>) -> Result<Handled, WorkError> {
    let callout = &event.callout;
    let key = event.key.as_str();
    let subject = Subject {
        event,
        replay,
        request_id: callout.request_id().or(callout.stage_instance_id()).unwrap_or(UNKNOWN),
        user: callout.target_user_id().unwrap_or(UNKNOWN),
    };
    let store = ctx.store;

    if let Some(earlier) = record::begin(store, key).await? {
        tracing::info!(kind = "callout", key, request_id = subject.request_id, user = subject.user, earlier = %earlier, "duplicate callout: already done, nothing changed");
        record::duplicate(store, &subject, &earlier).await?;
        return Ok(Handled::Duplicate(earlier));
    }

    match act(ctx, event).await {
        Ok(done) => {
            record::done(store, &subject, &done).await?;
            tracing::info!(kind = "callout", key, request_id = subject.request_id, user = subject.user, action = %done.action, "{}", done.outcome);
            Ok(Handled::Done(done.outcome))
        }
        Err(error) => {
            tracing::warn!(
                kind = "callout",
                key,
                request_id = subject.request_id,
                user = subject.user,
                transient = error.is_transient(),
                "callout failed: {error}"
            );
            record::failed(store, &subject, &error).await;
            Err(error)
        }
    }
}

async fn act(ctx: &Context<'_>, event: &CalloutEvent) -> Result<Done, WorkError> {
    match &event.callout {
        Callout::Request(request) => request_stage(ctx, request, event).await,
        Callout::PreExpiration(expiring) => Ok(pre_expiration(expiring)),
        Callout::ConnectionTest(_) => Ok(Done {
            action: Action::CalloutConnectionTest,
            outcome: "connection test: nothing to do".into(),
            detail: CalloutDetail::default(),
        }),
    }
}

async fn request_stage(ctx: &Context<'_>, request: &RequestCallout, event: &CalloutEvent) -> Result<Done, WorkError> {
    let key = event.key.as_str();
    let stage = StageName::of(&request.stage);
    if let (Stage::AssignmentRequestCreated, Some(rules)) = (&request.stage, ctx.rules) {
        let decided = super::decision::decide_created(ctx, rules, request, event.received_at, key).await?;
        return Ok(Done {
            action: Action::Callout(stage, decided.step),
            outcome: format!("{}: {}", request.stage, decided.outcome),
            detail: decided.detail,
        });
    }
    let mut notes = Vec::new();
    match request.stage {
        Stage::AssignmentRequestGranted => notes.push(elevation_granted(ctx, request, event).await?),
        Stage::AssignmentRequestRemoved => notes.push(elevation_removed(ctx, request, event).await?),
        _ => {}
    }
    let resume = match (&request.stage, ctx.request.created_stage) {
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
    let mut step = CalloutStep::Recorded;
    if let Some(detail) = resume {
        let waiting = Waiting::of(request).map_err(resume_failed(key))?;
        let body = waiting.continue_body(&ctx.request.resume_source, detail);
        let result = resume::send(ctx.graph, &waiting, &body)
            .await
            .map_err(resume_failed(key))?;
        step = CalloutStep::Resumed(result.audited());
        notes.push(result.describe());
    }
    if notes.is_empty() {
        notes.push("recorded".to_string());
    }
    Ok(Done {
        action: Action::Callout(stage, step),
        outcome: format!("{}: {}", request.stage, notes.join("; ")),
        detail: CalloutDetail {
            access_package: request.access_package.as_ref().and_then(|p| p.id.clone()),
            requestor: request.requestor_user_id().map(str::to_string),
            resumed: Some(resume.is_some()),
            ..CalloutDetail::default()
        },
    })
}

/// A failed resume, as the event's error.
pub(crate) fn resume_failed(key: &str) -> impl Fn(jitadmin_graph::GraphError) -> WorkError + '_ {
    move |source| WorkError::Resume {
        key: key.to_string(),
        source,
    }
}

fn store_failed(key: &str) -> impl Fn(jitadmin_store::StoreError) -> WorkError + '_ {
    move |source| WorkError::Store {
        key: key.to_string(),
        source,
    }
}

async fn elevation_granted(
    ctx: &Context<'_>,
    request: &RequestCallout,
    event: &CalloutEvent,
) -> Result<String, WorkError> {
    let Some(user) = request.target_user_id() else {
        return Ok("granted, but the callout names no target user: no elevation recorded".into());
    };
    if request.is_update() {
        // An extension: the elevation that began with the first grant goes on.
        return Ok(format!(
            "{} granted: the elevation continues",
            request.request_type.as_ref().map_or("update", |t| t.as_str())
        ));
    }
    let elevation = Elevation {
        user: user.to_string(),
        access_package: access_package_id(request).to_string(),
        request_id: request.access_package_assignment_request_id.clone(),
        granted_at: event.received_at,
        removed_at: None,
    };
    ctx.store
        .elevation_granted(&elevation)
        .await
        .map_err(store_failed(&event.key))?;
    Ok("elevation recorded".into())
}

async fn elevation_removed(
    ctx: &Context<'_>,
    request: &RequestCallout,
    event: &CalloutEvent,
) -> Result<String, WorkError> {
    let Some(user) = request.target_user_id() else {
        return Ok("removed, but the callout names no target user: no elevation closed".into());
    };
    let closed = ctx
        .store
        .elevation_removed(user, access_package_id(request), event.received_at)
        .await
        .map_err(store_failed(&event.key))?;
    Ok(format!("{} elevation(s) closed", closed.len()))
}

fn pre_expiration(expiring: &PreExpirationCallout) -> Done {
    let when = match expiring.stage {
        Stage::AssignmentOneDayBeforeExpiration => "one day",
        _ => "fourteen days",
    };
    Done {
        action: Action::Callout(StageName::of(&expiring.stage), CalloutStep::Recorded),
        outcome: format!("{}: assignment expires in {when}; recorded", expiring.stage),
        detail: CalloutDetail {
            access_package: expiring.access_package.as_ref().and_then(|p| p.id.clone()),
            assignment: expiring.assignment.as_ref().and_then(|a| a.id.clone()),
            ..CalloutDetail::default()
        },
    }
}

fn access_package_id(request: &RequestCallout) -> &str {
    request
        .access_package
        .as_ref()
        .and_then(|p| p.id.as_deref())
        .unwrap_or(UNKNOWN)
}
