//! `maintain`'s part: open approvals whose request Entra no longer waits on (the callback
//! timed out, the request was cancelled or decided elsewhere) or whose window passed are
//! closed, and their cards show it (Expired) for everyone.

use chrono::{DateTime, Utc};
use jitadmin_graph::resume::{classify_refused_resume, ResumeOutcome};
use jitadmin_store::{Approval, ApprovalStatus, Versioned};

use crate::audit::detail::ApprovalDetail;
use crate::audit::{Action, TeamsAction, ACTOR};
use crate::flows::Context;
use crate::services::approvals;
use crate::services::teams::cards;

/// What a run did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ExpireReport {
    /// Open approvals looked at.
    pub open: usize,
    /// Closed by this run.
    pub closed: usize,
    /// Cards that could not be updated.
    pub cards_not_updated: usize,
    /// Approvals whose request could not be read (tried again next run).
    pub unreadable: usize,
}

impl ExpireReport {
    /// One line for the run's report.
    pub fn describe(&self) -> String {
        format!(
            "{} open, {} closed, {} card update(s) failed, {} unreadable",
            self.open, self.closed, self.cards_not_updated, self.unreadable
        )
    }
}

/// Close the approvals Entra no longer waits on, at `now`.
pub async fn run(ctx: &Context<'_>, now: DateTime<Utc>) -> Result<ExpireReport, jitadmin_store::StoreError> {
    let open = ctx.store.approvals_open().await?;
    let mut report = ExpireReport {
        open: open.len(),
        ..ExpireReport::default()
    };
    for approval in open {
        let why = match why_closed(ctx, &approval.value, now).await {
            Ok(Some(why)) => why,
            Ok(None) => continue,
            Err(error) => {
                tracing::warn!(request_id = %approval.value.request_id, %error, "cannot read the request of an open approval");
                report.unreadable += 1;
                continue;
            }
        };
        match close(ctx, approval, &why, now).await {
            Ok(Some(updated)) => {
                report.closed += 1;
                if !updated {
                    report.cards_not_updated += 1;
                }
            }
            Ok(None) => {}
            Err(error) => {
                tracing::warn!(%error, "cannot close an approval");
                report.unreadable += 1;
            }
        }
    }
    Ok(report)
}

/// Why `approval` is over, or `None` while Entra still waits on it.
async fn why_closed(
    ctx: &Context<'_>,
    approval: &Approval,
    now: DateTime<Utc>,
) -> Result<Option<String>, jitadmin_graph::GraphError> {
    if approval.expires_at <= now {
        return Ok(Some("Nobody decided before the request timed out.".into()));
    }
    let request = match ctx.graph.get_assignment_request(&approval.request_id).await {
        Ok(r) => r,
        Err(e) if e.is_not_found() => return Ok(Some("The request no longer exists in Entra.".into())),
        Err(e) => return Err(e),
    };
    Ok(
        match classify_refused_resume(&request, Some(&approval.stage_instance_id)) {
            None => None,
            Some(ResumeOutcome::Expired) => Some("Entra stopped waiting: the request timed out.".into()),
            Some(ResumeOutcome::AlreadyDecided { state }) => Some(format!("The request was {state} in Entra.")),
            Some(ResumeOutcome::AlreadyResumed) => Some("The request was decided elsewhere.".into()),
            Some(other) => Some(format!("Entra no longer waits ({other:?}).")),
        },
    )
}

/// Close one approval; `Some(card updated)` when this run closed it.
async fn close(
    ctx: &Context<'_>,
    approval: Versioned<Approval>,
    why: &str,
    now: DateTime<Utc>,
) -> Result<Option<bool>, jitadmin_store::StoreError> {
    let saved = approvals::save(ctx.store, approval, |a| {
        if a.status == ApprovalStatus::Open {
            a.status = ApprovalStatus::Expired;
            a.closed_why = Some(why.to_string());
            a.decided_at = Some(now);
        }
    })
    .await?;
    // A click won the race: its own path updates the card.
    if saved.status != ApprovalStatus::Expired || saved.decided_at != Some(now) {
        return Ok(None);
    }
    let detail = ApprovalDetail {
        why: Some(why.to_string()),
        expires_at: Some(saved.expires_at),
        posted: Some(saved.card.is_some()),
        ..ApprovalDetail::default()
    };
    let expired = Action::Teams(TeamsAction::CardExpired);
    approvals::audit(ctx.store, &saved, ACTOR, expired, now, detail).await;
    let updated = match ctx.teams {
        Some(teams) if saved.card.is_some() => cards::update_posted(ctx.store, teams, &saved, now).await,
        _ => true,
    };
    Ok(Some(updated))
}
