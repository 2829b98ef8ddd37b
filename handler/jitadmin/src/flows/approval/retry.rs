//! A decision made in Teams whose resume failed transiently (or outlasted the click's
//! budget) comes back through the queue ([`TeamsDecision`]): apply it again until Entra
//! answers, then bring the posted card up to date.

use chrono::Utc;
use jitadmin_teams::card::Verb;

use super::apply::{self, Applied};
use crate::audit::detail::ApprovalDetail;
use crate::audit::{Action, TeamsAction, ACTOR};
use crate::error::DecisionError;
use crate::flows::Context;
use crate::queue::TeamsDecision;
use crate::services::approvals;
use crate::services::teams::cards;

/// Apply the decision again. `Err` (the invocation fails and the queue retries) while Entra
/// cannot be reached; everything else is done, and says what happened.
pub async fn handle(ctx: &Context<'_>, event: &TeamsDecision) -> Result<String, DecisionError> {
    let Some(teams) = ctx.teams else {
        return Err(DecisionError::TeamsOff);
    };
    let approval = ctx.store.approval_get(&event.stage_instance_id).await?;
    let Some(approval) = approval else {
        return Ok(format!(
            "no approval for stage instance {}: nothing to do",
            event.stage_instance_id
        ));
    };
    let a = &approval.value;
    if a.applied_at.is_some() || a.closed_why.is_some() || cards::verb_of(a).is_none() {
        return Ok(format!("approval already {:?}; nothing to do", a.status));
    }
    let now = Utc::now();
    let (action, outcome, approval) = match apply::apply(ctx, approval, None, true).await {
        Applied::Done(a) => {
            let action = match cards::verb_of(&a) {
                Some(Verb::Deny) => TeamsAction::Denied,
                _ => TeamsAction::Approved,
            };
            (action, "resumed".to_string(), a)
        }
        Applied::Closed(a) => (TeamsAction::CardExpired, a.closed_why.clone().unwrap_or_default(), a),
        Applied::Failed(a) => (TeamsAction::Failed, a.closed_why.clone().unwrap_or_default(), a),
        Applied::Pending(_, why) => return Err(DecisionError::NotApplied(why)),
    };
    let detail = ApprovalDetail {
        approver_id: approval.decided_by.clone(),
        approver_name: approval.decided_by_name.clone(),
        verb: cards::verb_of(&approval).map(|v| v.as_str().to_string()),
        reason: approval.reason.clone(),
        resume: Some(outcome.clone()),
        via: Some("queue".into()),
        ..ApprovalDetail::default()
    };
    let actor = approval.decided_by.clone().unwrap_or_else(|| ACTOR.to_string());
    let action = Action::Teams(action);
    approvals::audit(ctx.store, &approval, &actor, action.clone(), now, detail).await;
    cards::update_posted(ctx.store, teams, &approval, now).await;
    Ok(format!("{action}: {outcome}"))
}
