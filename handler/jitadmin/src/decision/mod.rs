//! Deciding a created-stage request by the rules and carrying the decision out:
//!
//! - approve: resume with continue, detail "approve by rule X: reason" ([`Decision::short`]);
//! - deny: resume with `state: denied`, the same detail (the rule's reason);
//! - route: record an open approval in the store (the Teams card is posted from it), and
//!   leave the request waiting.
//!
//! The caller ([`crate::work`]) runs this under the event's ledger key and writes the
//! returned [`Decided`] to the audit trail: the decision with its structured explanation,
//! the facts it was made on, and for a denial the `denial` detail `history.lastDenial`
//! reads later.

mod approval;

use chrono::{DateTime, Utc};
use jitadmin_decide::{Decision, Outcome, RuleSet};
use jitadmin_events::callout::RequestCallout;
use serde_json::{json, Value};

use crate::app::App;
use crate::facts::{self, Sources};
use crate::work::WorkError;

/// What deciding did, for the audit trail and the ledger.
#[derive(Debug, Clone)]
pub struct Decided {
    /// The decision.
    pub decision: Decision,
    /// Audit action: `callout.created.approved.resumed`, `callout.created.denied.resumed`,
    /// `callout.created.routed`, or `...already-done` when the request was no longer waiting.
    pub action: String,
    /// One line for the ledger and logs.
    pub outcome: String,
    /// Audit detail: `decision`, `facts`, `resumed`, and `denial` for a denial.
    pub detail: Value,
}

/// Gather the facts of `request`, decide by `rules`, and carry the decision out.
/// `received_at` is when the callout arrived; `key` the event's ledger key.
pub async fn decide_created(
    app: &App,
    rules: &RuleSet,
    request: &RequestCallout,
    received_at: DateTime<Utc>,
    key: &str,
) -> Result<Decided, WorkError> {
    let sources = Sources {
        graph: app.graph(),
        store: Some(app.store()),
    };
    let facts = facts::gather(sources, request, Utc::now()).await;
    let decision = rules.decide(&facts);
    tracing::info!(
        key,
        request_id = %request.access_package_assignment_request_id,
        user = %facts.requestor.id,
        outcome = %decision.outcome,
        rule = decision.rule.as_deref(),
        unavailable = facts.unavailable.len(),
        "decided: {}",
        decision.short()
    );
    let detail_text = decision.short();
    let (step, note, resumed) = match decision.outcome {
        Outcome::Approve => {
            let body = request.resume_continue(&app.config().resume_source, &detail_text);
            let result = crate::work::resume::send(app, request, key, &body).await?;
            (format!("approved.{}", result.tag()), result.describe(), true)
        }
        Outcome::Deny => {
            let body = request.resume_deny(&app.config().resume_source, &detail_text);
            let result = crate::work::resume::send(app, request, key, &body).await?;
            (format!("denied.{}", result.tag()), result.describe(), true)
        }
        Outcome::Route => {
            let note = approval::open(app, request, &facts, &decision, received_at, key).await?;
            ("routed".to_string(), note, false)
        }
    };
    let mut detail = json!({
        "accessPackage": request.access_package.as_ref().and_then(|p| p.id.clone()),
        "requestor": request.requestor_user_id(),
        "resumed": resumed,
        "decision": decision,
        "facts": facts,
    });
    if decision.outcome == Outcome::Deny {
        if let (Some(map), Value::Object(denial)) = (
            detail.as_object_mut(),
            facts::denial_detail(&decision.reason, decision.rule.as_deref()),
        ) {
            map.extend(denial);
        }
    }
    Ok(Decided {
        action: format!("callout.created.{step}"),
        outcome: format!("{}; {note}", decision.short()),
        detail,
        decision,
    })
}
