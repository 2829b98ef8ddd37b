//! An approval's card: what it shows (stored with the approval), the state it is in, and
//! bringing the posted message up to date for everyone (`PUT` of the activity).

use chrono::{DateTime, Utc};
use jitadmin_store::{Approval, ApprovalStatus};
use jitadmin_teams::card::{self, ApprovalCard, CardState, Requestor, Verb};
use serde_json::Value;

use jitadmin_store::Store;

use super::Teams;
use crate::audit::detail::ApprovalDetail;
use crate::audit::{Action, TeamsAction, ACTOR};
use crate::services::approvals;

/// The card model stored with `approval`, or a minimal one built from its ids when none
/// was stored (an approval opened before Teams was configured).
pub fn model_of(approval: &Approval) -> ApprovalCard {
    approval
        .card_json
        .as_deref()
        .and_then(|json| serde_json::from_str(json).ok())
        .unwrap_or_else(|| ApprovalCard {
            stage_instance_id: approval.stage_instance_id.clone(),
            request_id: approval.request_id.clone(),
            expires_at: approval.expires_at,
            requestor: Requestor {
                display_name: approval.user.clone(),
                upn: String::new(),
                department: None,
                manager: None,
            },
            requested_by: None,
            access_package: approval.access_package.clone(),
            duration: None,
            justification: None,
            answers: Vec::new(),
            devices: Vec::new(),
            history: Vec::new(),
            explanation: "The facts of this request were not recorded with it.".into(),
        })
}

/// The verb a decided approval records.
pub fn verb_of(approval: &Approval) -> Option<Verb> {
    match approval.status {
        ApprovalStatus::Approved => Some(Verb::Approve),
        ApprovalStatus::Denied => Some(Verb::Deny),
        _ => None,
    }
}

/// Who decided, for people: the display name, else the object id.
pub fn decider_of(approval: &Approval) -> String {
    approval
        .decided_by_name
        .clone()
        .or_else(|| approval.decided_by.clone())
        .unwrap_or_else(|| "an approver".into())
}

/// Where `approval` stands, as its card shows it.
pub fn state_of(approval: &Approval) -> CardState {
    let at = approval.decided_at.unwrap_or(approval.expires_at);
    match (approval.status, verb_of(approval)) {
        (ApprovalStatus::Open, _) => CardState::Pending,
        (ApprovalStatus::Expired, _) => CardState::Expired {
            at,
            why: approval.closed_why.clone().unwrap_or_default(),
        },
        (_, Some(verb)) if approval.applied_at.is_none() => match &approval.closed_why {
            Some(message) => CardState::Error {
                message: message.clone(),
            },
            None => CardState::Applying {
                by: decider_of(approval),
                verb,
                at,
            },
        },
        (ApprovalStatus::Approved, _) => CardState::Approved {
            by: decider_of(approval),
            at,
            reason: approval.reason.clone(),
        },
        (_, _) => CardState::Denied {
            by: decider_of(approval),
            at,
            reason: approval.reason.clone().unwrap_or_default(),
        },
    }
}

/// The Adaptive Card of `approval` in its current state.
pub fn render(teams: &Teams, approval: &Approval) -> Value {
    card::render(&model_of(approval), &state_of(approval), teams.signer())
}

/// The Adaptive Card of `approval` in `state`.
pub fn render_in(teams: &Teams, approval: &Approval, state: &CardState) -> Value {
    card::render(&model_of(approval), state, teams.signer())
}

/// Bring the posted message of `approval` up to date for everyone. A failure is logged and
/// audited (the clicking approver already has the new card) and reported as `false`.
pub async fn update_posted(store: &Store, teams: &Teams, approval: &Approval, at: DateTime<Utc>) -> bool {
    let Some(posted) = &approval.card else {
        return false;
    };
    let card = render(teams, approval);
    match teams
        .connector()
        .update_card(&posted.service_url, &posted.conversation_id, &posted.activity_id, &card)
        .await
    {
        Ok(()) => true,
        Err(error) => {
            tracing::warn!(
                request_id = %approval.request_id,
                stage_instance = %approval.stage_instance_id,
                activity_id = %posted.activity_id,
                transient = error.is_transient(),
                "the posted card could not be updated: {error}"
            );
            let detail = ApprovalDetail {
                activity_id: Some(posted.activity_id.clone()),
                error: Some(error.to_string()),
                ..ApprovalDetail::default()
            };
            let action = Action::Teams(TeamsAction::CardUpdateFailed);
            approvals::audit(store, approval, ACTOR, action, at, detail).await;
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn approval(status: ApprovalStatus) -> Approval {
        Approval {
            stage_instance_id: "i-1".into(),
            request_id: "r-1".into(),
            user: "u-1".into(),
            requested_by: None,
            access_package: "p-1".into(),
            card: None,
            status,
            decided_by: Some("oid-megan".into()),
            decided_at: Some("2026-11-28T10:00:00Z".parse().unwrap()),
            reason: Some("on call".into()),
            expires_at: "2026-11-29T10:00:00Z".parse().unwrap(),
            stage: None,
            callback_uri_path: None,
            card_json: None,
            posting_since: None,
            decided_by_name: Some("Megan Bowen".into()),
            applied_at: None,
            closed_why: None,
        }
    }

    #[test]
    fn a_decision_shows_applying_until_entra_accepted_it() {
        let decided = approval(ApprovalStatus::Approved);
        assert!(
            matches!(state_of(&decided), CardState::Applying { verb: Verb::Approve, ref by, .. } if by == "Megan Bowen")
        );
        let applied = Approval {
            applied_at: decided.decided_at,
            ..decided.clone()
        };
        assert!(
            matches!(state_of(&applied), CardState::Approved { ref reason, .. } if reason.as_deref() == Some("on call"))
        );
        let refused = Approval {
            closed_why: Some("Entra refused the decision".into()),
            ..decided
        };
        assert!(matches!(state_of(&refused), CardState::Error { .. }));
    }

    #[test]
    fn open_is_pending_and_closed_is_expired_with_the_reason() {
        assert_eq!(state_of(&approval(ApprovalStatus::Open)), CardState::Pending);
        let closed = Approval {
            closed_why: Some("The request was canceled in Entra.".into()),
            ..approval(ApprovalStatus::Expired)
        };
        assert!(matches!(state_of(&closed), CardState::Expired { ref why, .. } if why.contains("canceled")));
        let denied = Approval {
            applied_at: Some(chrono::Utc::now()),
            ..approval(ApprovalStatus::Denied)
        };
        assert!(matches!(state_of(&denied), CardState::Denied { ref reason, .. } if reason == "on call"));
    }

    #[test]
    fn a_missing_card_model_falls_back_to_the_ids() {
        let model = model_of(&approval(ApprovalStatus::Open));
        assert_eq!(model.request_id, "r-1");
        assert_eq!(model.requestor.display_name, "u-1");
    }
}
