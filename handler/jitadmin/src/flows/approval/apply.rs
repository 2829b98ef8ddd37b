//! Carrying a recorded decision out in Entra, through the one resume path
//! ([`crate::services::resume::send`]), and writing what became of it into the approval.

use std::time::Duration;

use chrono::{DateTime, Utc};
use jitadmin_events::callout::Stage;
use jitadmin_graph::GraphError;
use jitadmin_store::{Approval, ApprovalStatus, Versioned};
use jitadmin_teams::card::Verb;

use crate::flows::Context;
use crate::services::approvals::save;
use crate::services::resume::{self, NotWaiting, ResumeResult, Waiting};
use crate::services::teams::cards::{decider_of, verb_of};

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

/// The waiting stage, from what the approval recorded of its callout.
fn waiting_of(approval: &Approval) -> Result<Waiting, GraphError> {
    Waiting::new(
        &approval.request_id,
        approval.callback_uri_path.as_deref(),
        approval.stage.clone().unwrap_or(Stage::AssignmentRequestCreated),
        &approval.stage_instance_id,
    )
}

/// Resume the request with the decision recorded in `approval` (decided, not yet applied),
/// waiting at most `budget` for Entra. `retry`: an earlier attempt may have reached Entra,
/// so "already resumed" (approve) or "already denied" (deny) means it did.
pub async fn apply(ctx: &Context<'_>, approval: Versioned<Approval>, budget: Option<Duration>, retry: bool) -> Applied {
    let decided = approval.value.clone();
    let waiting = match waiting_of(&decided) {
        Ok(w) => w,
        Err(why) => return close_failed(ctx, approval, format!("the request cannot be resumed: {why}")).await,
    };
    let source = &ctx.request.resume_source;
    let text = detail_text(&decided);
    let body = match verb_of(&decided) {
        Some(Verb::Deny) => waiting.deny_body(source, &text),
        _ => waiting.continue_body(source, &text),
    };
    let send = resume::send(ctx.graph, &waiting, &body);
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
        Ok(ResumeResult::Resumed) => finish(ctx, approval, now, None).await,
        Ok(ResumeResult::AlreadyDone(why)) if retry && ours(&decided, &why) => finish(ctx, approval, now, None).await,
        Ok(ResumeResult::AlreadyDone(why)) => {
            let why = format!("Entra no longer waits for this decision ({})", why.describe());
            match save(ctx.store, approval, |a| {
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
        Err(error) => close_failed(ctx, approval, format!("Entra refused the decision: {error}")).await,
    }
}

/// Whether Entra's "not waiting" is our own earlier attempt having landed.
fn ours(decided: &Approval, why: &NotWaiting) -> bool {
    match (verb_of(decided), why) {
        (Some(Verb::Deny), NotWaiting::Decided(state)) => state.to_ascii_lowercase().contains("denied"),
        (Some(Verb::Deny), _) => false,
        (_, why) => *why == NotWaiting::AlreadyResumed,
    }
}

async fn finish(ctx: &Context<'_>, approval: Versioned<Approval>, now: DateTime<Utc>, why: Option<String>) -> Applied {
    let decided = approval.value.clone();
    match save(ctx.store, approval, |a| {
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

async fn close_failed(ctx: &Context<'_>, approval: Versioned<Approval>, message: String) -> Applied {
    let decided = approval.value.clone();
    match save(ctx.store, approval, |a| a.closed_why = Some(message.clone())).await {
        Ok(a) => Applied::Failed(a),
        Err(e) => Applied::Pending(decided, format!("{message}; and the store failed: {e}")),
    }
}
