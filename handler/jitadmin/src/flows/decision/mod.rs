//! Deciding a created-stage request by the rules and carrying the decision out:
//!
//! - approve: resume with continue, detail "approve by rule X: reason" ([`Decision::short`]);
//! - deny: resume with `state: denied`, the same detail (the rule's reason);
//! - route: record an open approval in the store (the Teams card is posted from it), and
//!   leave the request waiting.
//!
//! The caller ([`crate::flows::request`]) runs this under the event's ledger key and writes
//! the returned [`Decided`] to the audit trail: the decision with its structured explanation,
//! the facts it was made on, and for a denial the denial `history.lastDenial` reads later.

mod approval;

use chrono::{DateTime, Utc};
use jitadmin_decide::{Decision, Outcome, RuleSet};
use jitadmin_events::callout::RequestCallout;

use super::request::resume_failed;
use super::Context;
use crate::audit::detail::{self, CalloutDetail, Denial};
use crate::audit::CalloutStep;
use crate::error::WorkError;
use crate::services::facts::{self, Sources};
use crate::services::requests::{self, NotOurs};
use crate::services::resume::{self, Waiting};

/// What deciding did, for the audit trail and the ledger.
#[derive(Debug, Clone)]
pub struct Decided {
    /// The decision; `None` when the request was not one to decide.
    pub decision: Option<Decision>,
    /// What came of it: approved or denied (and whether Entra took the resume), or routed.
    pub step: CalloutStep,
    /// One line for the ledger and logs.
    pub outcome: String,
    /// Audit detail: the decision, the facts, whether a resume was sent, and a denial.
    pub detail: CalloutDetail,
}

/// A callout whose request Entra does not hold as ours: nothing decided, resumed or posted.
fn not_ours(request: &RequestCallout, why: &NotOurs, key: &str) -> Decided {
    tracing::warn!(key, request_id = %request.access_package_assignment_request_id, "not decided: {why}");
    Decided {
        decision: None,
        step: CalloutStep::NotDecided,
        outcome: format!("not decided: {why}"),
        detail: CalloutDetail {
            access_package: request.access_package.as_ref().and_then(|p| p.id.clone()),
            requestor: request.requestor_user_id().map(str::to_string),
            resumed: Some(false),
            ..CalloutDetail::default()
        },
    }
}

/// Gather the facts of `request`, decide by `rules`, and carry the decision out.
/// `received_at` is when the callout arrived; `key` the event's ledger key.
pub async fn decide_created(
    ctx: &Context<'_>,
    rules: &RuleSet,
    request: &RequestCallout,
    received_at: DateTime<Utc>,
    key: &str,
) -> Result<Decided, WorkError> {
    let sources = Sources {
        graph: ctx.graph,
        store: Some(ctx.store),
        packages: &ctx.request.packages,
    };
    // Entra's record first: a request that is not there, not ours or not waiting for this
    // stage instance is not decided at all.
    let (known, unverified) = match requests::check(ctx.graph, request, &ctx.request.packages).await {
        Ok(Ok(details)) => (Some(details), None),
        Ok(Err(why)) => return Ok(not_ours(request, &why, key)),
        // Unverified, it may still be decided, but never approved: a fact is unavailable.
        Err(error) => (None, Some(error.to_string())),
    };
    let mut facts = facts::gather_with(sources, request, known, Utc::now()).await;
    if let Some(error) = unverified {
        facts.mark_unavailable(
            "request",
            format!("Entra's record of the request could not be read: {error}"),
        );
    }
    let decision = rules.decide(&facts);
    tracing::info!(
        key,
        request_id = %request.access_package_assignment_request_id,
        user = %facts.target.id,
        outcome = %decision.outcome,
        rule = decision.rule.as_deref(),
        unavailable = facts.unavailable.len(),
        "decided: {}",
        decision.short()
    );
    let detail_text = decision.short();
    let source = &ctx.request.resume_source;
    let em_approves = match decision.outcome {
        Outcome::Deny => false,
        _ => requests::em_approval(ctx.graph, request).await,
    };
    let (step, note) = match decision.outcome {
        // Entitlement management's own approver decides after us: we only pre-screen.
        Outcome::Approve | Outcome::Route if em_approves => {
            let waiting = Waiting::of(request).map_err(resume_failed(key))?;
            let text = format!("Pre-screened by jitadmin ({detail_text}); the approver in My Access decides.");
            let body = waiting.continue_body(source, &text);
            let result = resume::send(ctx.graph, &waiting, &body)
                .await
                .map_err(resume_failed(key))?;
            (CalloutStep::PreScreened(result.audited()), result.describe())
        }
        Outcome::Approve | Outcome::Deny => {
            let waiting = Waiting::of(request).map_err(resume_failed(key))?;
            let body = match decision.outcome {
                Outcome::Deny => waiting.deny_body(source, &detail_text),
                _ => waiting.continue_body(source, &detail_text),
            };
            let result = resume::send(ctx.graph, &waiting, &body)
                .await
                .map_err(resume_failed(key))?;
            let step = match decision.outcome {
                Outcome::Deny => CalloutStep::RuleDenied(result.audited()),
                _ => CalloutStep::RuleApproved(result.audited()),
            };
            (step, result.describe())
        }
        Outcome::Route => {
            let note = approval::open(ctx, request, &facts, &decision, received_at, key).await?;
            (CalloutStep::Routed, note)
        }
    };
    let detail = CalloutDetail {
        access_package: request.access_package.as_ref().and_then(|p| p.id.clone()),
        requestor: request.requestor_user_id().map(str::to_string),
        resumed: Some(step != CalloutStep::Routed),
        decision: serde_json::to_value(&decision).ok().map(|d| detail::read(&d)),
        facts: serde_json::to_value(&facts).ok(),
        denial: (decision.outcome == Outcome::Deny).then(|| Denial {
            reason: decision.reason.clone(),
            rule: decision.rule.clone().unwrap_or_default(),
        }),
        ..CalloutDetail::default()
    };
    Ok(Decided {
        step,
        outcome: format!("{}; {note}", decision.short()),
        detail,
        decision: Some(decision),
    })
}
