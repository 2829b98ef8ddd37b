//! An approver's click on a card (`adaptiveCard/action`, after the Bot Framework token, the
//! tenant and the channel were checked by the `teams` function): verify the card's signed
//! data, authorise the clicker, claim the decision (first approver wins), resume the
//! request in Entra, and answer with the refreshed card, updating the posted message for
//! everyone (Universal Actions for Adaptive Cards:
//! <https://learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/cards/universal-actions-for-adaptive-cards/work-with-universal-actions-for-adaptive-cards>).

use chrono::{DateTime, Utc};
use jitadmin_events::bot::{Activity, AdaptiveCardInvokeValue, InvokeResponse};
use jitadmin_store::{Approval, ApprovalStatus, Claim, Versioned};
use jitadmin_teams::card::{self, ActionData, CardError, CardState, Verb};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::apply::{self, Applied};
use crate::audit::detail::ApprovalDetail;
use crate::audit::{self, Action, Entry, TeamsAction};
use crate::flows::Context;
use crate::queue::{keys, Event, TeamsDecision};
use crate::services::approvals;
use crate::services::teams::{cards, Teams};

/// The answer to a click, and the decision to retry through the queue if any.
#[derive(Debug)]
pub struct ClickAnswer {
    /// The invoke response (HTTP 200 with `{statusCode, type, value}`).
    pub response: InvokeResponse,
    /// Set when the decision is recorded but not yet applied: the event to queue.
    pub retry: Option<Event>,
}

impl ClickAnswer {
    fn answer(response: InvokeResponse) -> Self {
        ClickAnswer { response, retry: None }
    }
}

/// Who holds a decision's claim (the claim's text).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Claimant {
    id: String,
    name: String,
    verb: Verb,
}

/// The clicker.
struct Clicker<'a> {
    id: &'a str,
    name: String,
}

impl Clicker<'_> {
    /// What every audit entry of a click says: who, what, and their reason.
    fn detail(&self, data: &ActionData) -> ApprovalDetail {
        ApprovalDetail {
            approver_id: Some(self.id.to_string()),
            approver_name: Some(self.name.clone()),
            verb: Some(data.verb.as_str().to_string()),
            reason: data.reason.clone(),
            ..ApprovalDetail::default()
        }
    }
}

/// Handle the click in `activity`. `invocation_id` correlates a queued retry.
pub async fn handle(
    ctx: &Context<'_>,
    teams: &Teams,
    activity: &Activity,
    value: &AdaptiveCardInvokeValue,
    invocation_id: &str,
    now: DateTime<Utc>,
) -> ClickAnswer {
    let raw = Value::Object(value.action.data.clone());
    let data = match ActionData::from_invoke(value.action.verb.as_deref(), &raw) {
        Ok(data) => data,
        Err(error) => return refused_data(ctx, activity, &raw, &error, now).await,
    };
    // The MAC first: nothing is read for data we did not sign.
    let expired_at = match teams.signer().verify(&data, now) {
        Ok(()) => None,
        Err(CardError::Expired { expired_at }) => Some(expired_at),
        Err(error) => return refused_data(ctx, activity, &raw, &error, now).await,
    };
    let Some(clicker_id) = activity.from_aad_object_id().filter(|id| !id.is_empty()) else {
        return ClickAnswer::answer(InvokeResponse::error(
            403,
            "Forbidden",
            "Teams did not say who you are (no Entra object id).",
        ));
    };
    let clicker = Clicker {
        id: clicker_id,
        name: activity
            .from
            .name
            .clone()
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| clicker_id.to_string()),
    };
    let approval = match ctx.store.approval_get(&data.stage_instance_id).await {
        Ok(Some(a)) if a.value.request_id == data.request_id => a,
        Ok(_) => {
            return ClickAnswer::answer(InvokeResponse::error(
                404,
                "NotFound",
                "This approval is not known to jitadmin.",
            ))
        }
        Err(error) => {
            tracing::warn!(stage_instance = %data.stage_instance_id, %error, "cannot read the approval");
            return unavailable("The approval could not be read; try again in a moment.");
        }
    };
    let audit_click = ApprovalDetail {
        activity_id: activity.reply_to_id.clone(),
        ..clicker.detail(&data)
    };
    let clicked = Action::Teams(TeamsAction::Clicked);
    approvals::audit(ctx.store, &approval.value, clicker.id, clicked, now, audit_click).await;

    if let Some(expired_at) = expired_at {
        let state = match approval.value.status {
            ApprovalStatus::Open => CardState::Expired {
                at: expired_at,
                why: "The approval window closed before this click.".into(),
            },
            _ => cards::state_of(&approval.value),
        };
        refuse(ctx, &approval.value, &clicker, &data, "the card expired", now).await;
        return ClickAnswer::answer(InvokeResponse::card(cards::render_in(teams, &approval.value, &state)));
    }
    if approval.value.status != ApprovalStatus::Open {
        let why = match cards::verb_of(&approval.value) {
            Some(_) => format!("already decided by {}", cards::decider_of(&approval.value)),
            None => "the approval is closed".to_string(),
        };
        refuse(ctx, &approval.value, &clicker, &data, &why, now).await;
        return ClickAnswer::answer(already(teams, &approval.value, clicker.id));
    }
    if let Some(party) = party_to(&approval.value, clicker.id) {
        refuse(ctx, &approval.value, &clicker, &data, party.why(), now).await;
        return ClickAnswer::answer(InvokeResponse::error(403, "Forbidden", party.message()));
    }
    match teams.approvers().contains(ctx.graph, clicker.id).await {
        Ok(true) => {}
        Ok(false) => {
            let why = format!("not a member of the approvers group {}", teams.approvers().group());
            refuse(ctx, &approval.value, &clicker, &data, &why, now).await;
            return ClickAnswer::answer(InvokeResponse::error(
                403,
                "Forbidden",
                "Only members of the approvers group can approve or deny requests.",
            ));
        }
        Err(error) => {
            tracing::warn!(group = %teams.approvers().group(), %error, "cannot read the approvers group");
            return unavailable("jitadmin could not check who may approve; try again in a moment.");
        }
    }
    if !teams.config().approvers_allow_guests {
        match ctx.graph.get_user(clicker.id).await {
            Ok(user)
                if user
                    .user_type
                    .as_deref()
                    .is_some_and(|t| t.eq_ignore_ascii_case("Guest")) =>
            {
                let why = "a guest account (JITADMIN_APPROVERS_ALLOW_GUESTS is off)";
                refuse(ctx, &approval.value, &clicker, &data, why, now).await;
                return ClickAnswer::answer(InvokeResponse::error(
                    403,
                    "Forbidden",
                    "Guest accounts cannot approve or deny requests.",
                ));
            }
            Ok(_) => {}
            Err(error) => {
                tracing::warn!(%error, "cannot read the clicker's account type");
                return unavailable("jitadmin could not check who may approve; try again in a moment.");
            }
        }
    }
    decide(ctx, teams, approval, &clicker, &data, invocation_id, now).await
}

/// How the clicker is party to the request, which keeps them from deciding it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Party {
    /// They would get the right.
    Target,
    /// They asked for someone else.
    Requester,
}

impl Party {
    fn why(self) -> &'static str {
        match self {
            Party::Target => "the target cannot decide their own request",
            Party::Requester => "who filed the request cannot decide it",
        }
    }

    fn message(self) -> &'static str {
        match self {
            Party::Target => "You cannot approve or deny your own request.",
            Party::Requester => "You filed this request, so someone else must approve or deny it.",
        }
    }
}

fn party_to(approval: &Approval, clicker: &str) -> Option<Party> {
    if approval.user.eq_ignore_ascii_case(clicker) {
        return Some(Party::Target);
    }
    approval
        .requested_by
        .as_deref()
        .filter(|by| by.eq_ignore_ascii_case(clicker))
        .map(|_| Party::Requester)
}

/// The clicker may decide: claim, record, resume, answer.
async fn decide(
    ctx: &Context<'_>,
    teams: &Teams,
    approval: Versioned<Approval>,
    clicker: &Clicker<'_>,
    data: &ActionData,
    invocation_id: &str,
    now: DateTime<Utc>,
) -> ClickAnswer {
    let claimant = Claimant {
        id: clicker.id.to_string(),
        name: clicker.name.clone(),
        verb: data.verb,
    };
    let claim_text = serde_json::to_string(&claimant).unwrap_or_default();
    let claim_key = keys::teams_decision(&approval.value.stage_instance_id);
    match ctx.store.claim(&claim_key, &claim_text).await {
        Ok(Claim::Won) => {}
        Ok(Claim::Lost { winner, at }) => {
            let winner: Option<Claimant> = serde_json::from_str(&winner).ok();
            let current = ctx
                .store
                .approval_get(&approval.value.stage_instance_id)
                .await
                .ok()
                .flatten()
                .map(|a| a.value)
                .unwrap_or(approval.value);
            return match winner {
                // Teams delivered the same click twice: answer as the first time.
                Some(w) if w.id.eq_ignore_ascii_case(clicker.id) => {
                    ClickAnswer::answer(InvokeResponse::card(cards::render(teams, &current)))
                }
                Some(w) => {
                    let why = format!("already decided by {}", w.name);
                    refuse(ctx, &current, clicker, data, &why, now).await;
                    ClickAnswer::answer(InvokeResponse::card(card::already_decided(&w.name, w.verb, at)))
                }
                None => ClickAnswer::answer(already(teams, &current, clicker.id)),
            };
        }
        Err(error) => {
            tracing::warn!(claim = %claim_key, %error, "cannot claim the decision");
            return unavailable("The decision could not be recorded; try again in a moment.");
        }
    }
    let recorded = approvals::save(ctx.store, approval, |a| {
        if a.status == ApprovalStatus::Open {
            a.status = match data.verb {
                Verb::Approve => ApprovalStatus::Approved,
                Verb::Deny => ApprovalStatus::Denied,
            };
            a.decided_by = Some(clicker.id.to_string());
            a.decided_by_name = Some(clicker.name.clone());
            a.decided_at = Some(now);
            a.reason = data.reason.clone();
        }
    })
    .await;
    let recorded = match recorded {
        Ok(a) if a.decided_by.as_deref() == Some(clicker.id) && a.decided_at == Some(now) => a,
        // Closed meanwhile (maintain found the request expired): show that.
        Ok(a) => {
            let _ = ctx.store.claim_release(&claim_key).await;
            return ClickAnswer::answer(already(teams, &a, clicker.id));
        }
        Err(error) => {
            tracing::warn!(claim = %claim_key, %error, "cannot record the decision");
            let _ = ctx.store.claim_release(&claim_key).await;
            return unavailable("The decision could not be recorded; try again in a moment.");
        }
    };
    let current = match ctx.store.approval_get(&recorded.stage_instance_id).await {
        Ok(Some(v)) => v,
        _ => return unavailable("The decision was recorded but could not be read back; try again in a moment."),
    };
    let budget = teams.config().resume_budget;
    let applied = apply::apply(ctx, current, Some(budget), false).await;
    let verb_action = match data.verb {
        Verb::Approve => TeamsAction::Approved,
        Verb::Deny => TeamsAction::Denied,
    };
    let (action, resume, approval, retry) = match applied {
        Applied::Done(a) => (verb_action, "resumed".to_string(), a, false),
        Applied::Closed(a) => (
            TeamsAction::CardExpired,
            a.closed_why.clone().unwrap_or_default(),
            a,
            false,
        ),
        Applied::Failed(a) => (TeamsAction::Failed, a.closed_why.clone().unwrap_or_default(), a, false),
        Applied::Pending(a, why) => (TeamsAction::Applying, why, a, true),
    };
    let detail = ApprovalDetail {
        resume: Some(resume.clone()),
        detail_text: Some(apply::detail_text(&approval)),
        ..clicker.detail(data)
    };
    approvals::audit(
        ctx.store,
        &approval,
        clicker.id,
        Action::Teams(action),
        Utc::now(),
        detail,
    )
    .await;
    tracing::info!(
        request_id = %approval.request_id,
        stage_instance = %approval.stage_instance_id,
        approver = clicker.id,
        verb = data.verb.as_str(),
        action = %Action::Teams(action),
        "{resume}"
    );
    cards::update_posted(ctx.store, teams, &approval, Utc::now()).await;
    let retry = retry.then(|| {
        TeamsDecision::event(
            &approval.stage_instance_id,
            &approval.request_id,
            &approval.user,
            invocation_id,
            now,
        )
    });
    ClickAnswer {
        response: InvokeResponse::card(cards::render(teams, &approval)),
        retry,
    }
}

/// The answer for `clicker`'s click on an approval that is no longer open: another approver
/// is told who decided, as soon as the decision is recorded (whether or not Entra has taken it
/// yet); the decider sees the card as it stands (applying, approved, denied, or the error).
fn already(teams: &Teams, approval: &Approval, clicker: &str) -> InvokeResponse {
    let by_someone_else = approval
        .decided_by
        .as_deref()
        .is_some_and(|decider| !decider.eq_ignore_ascii_case(clicker));
    match (cards::verb_of(approval), approval.decided_at) {
        (Some(verb), Some(at)) if by_someone_else && approval.closed_why.is_none() => {
            InvokeResponse::card(card::already_decided(&cards::decider_of(approval), verb, at))
        }
        _ => InvokeResponse::card(cards::render(teams, approval)),
    }
}

/// A click refused on the approval it names: audited with who, what and why.
async fn refuse(
    ctx: &Context<'_>,
    approval: &Approval,
    clicker: &Clicker<'_>,
    data: &ActionData,
    why: &str,
    now: DateTime<Utc>,
) {
    tracing::info!(
        request_id = %approval.request_id,
        approver = clicker.id,
        verb = data.verb.as_str(),
        "click refused: {why}"
    );
    let detail = ApprovalDetail {
        why: Some(why.to_string()),
        ..clicker.detail(data)
    };
    let refused = Action::Teams(TeamsAction::Refused);
    approvals::audit(ctx.store, approval, clicker.id, refused, now, detail).await;
}

/// The audit trail of card data we did not sign: under the clicker (whom Teams' token
/// names), never under a request id the data claims.
pub const UNSIGNED_CARD_DATA: &str = "teams:unsigned-card-data";

/// Card data that is malformed or not signed by us: a 400 invoke error. Nothing the data says
/// is trusted or kept: the refusal is audited under the clicker, at most once a minute per
/// clicker, with their name cut short.
async fn refused_data(
    ctx: &Context<'_>,
    activity: &Activity,
    raw: &Value,
    error: &CardError,
    now: DateTime<Utc>,
) -> ClickAnswer {
    let (code, message) = match error {
        CardError::BadMac => ("BadRequest", "This card's data was altered; it cannot be used."),
        _ => ("BadRequest", "This card's data is not what jitadmin sends."),
    };
    let actor = activity.from_aad_object_id().unwrap_or("(unknown)");
    tracing::warn!(from = ?actor, "card action refused: {error}");
    let once_a_minute = format!("refused-card:{actor}:{}", now.timestamp().div_euclid(60));
    match ctx.store.ledger_begin(&once_a_minute).await {
        Ok(entry) if entry.status == jitadmin_store::LedgerStatus::Done => {
            return ClickAnswer::answer(InvokeResponse::error(400, code, message));
        }
        _ => {}
    }
    let verb = raw
        .get("verb")
        .and_then(Value::as_str)
        .filter(|v| matches!(*v, "approve" | "deny"))
        .map(str::to_string);
    let detail = ApprovalDetail {
        approver_id: activity.from_aad_object_id().map(str::to_string),
        approver_name: activity.from.name.as_deref().map(|n| n.chars().take(100).collect()),
        verb,
        why: Some(error.to_string()),
        ..ApprovalDetail::default()
    };
    let entry = Entry {
        request_id: UNSIGNED_CARD_DATA,
        user: actor,
        actor,
        action: Action::Teams(TeamsAction::Refused),
        at: now,
        detail,
    };
    audit::append_logged(ctx.store, entry).await;
    let _ = ctx
        .store
        .ledger_finish(&once_a_minute, jitadmin_store::LedgerOutcome::Done("audited".into()))
        .await;
    ClickAnswer::answer(InvokeResponse::error(400, code, message))
}

fn unavailable(message: &str) -> ClickAnswer {
    ClickAnswer::answer(InvokeResponse::error(500, "ServiceUnavailable", message))
}
