//! `maintain`'s part: open approvals whose request Entra no longer waits on (the callback
//! timed out, the request was cancelled or decided elsewhere) or whose window passed are
//! closed, and their cards show it (Expired) for everyone.

use chrono::{DateTime, Utc};
use jitadmin_graph::resume::{classify_refused_resume, ResumeOutcome};
use jitadmin_store::{Approval, ApprovalStatus, Versioned};
use serde_json::json;

use super::{actions, cards, outcome, ACTOR};
use crate::app::App;

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
pub async fn run(app: &App, now: DateTime<Utc>) -> Result<ExpireReport, String> {
    let open = app
        .store()
        .approvals_open()
        .await
        .map_err(|e| format!("the store failed: {e}"))?;
    let mut report = ExpireReport {
        open: open.len(),
        ..ExpireReport::default()
    };
    for approval in open {
        let why = match why_closed(app, &approval.value, now).await {
            Ok(Some(why)) => why,
            Ok(None) => continue,
            Err(error) => {
                tracing::warn!(request_id = %approval.value.request_id, %error, "cannot read the request of an open approval");
                report.unreadable += 1;
                continue;
            }
        };
        match close(app, approval, &why, now).await {
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
async fn why_closed(app: &App, approval: &Approval, now: DateTime<Utc>) -> Result<Option<String>, String> {
    if approval.expires_at <= now {
        return Ok(Some("Nobody decided before the request timed out.".into()));
    }
    let request = match app.graph().get_assignment_request(&approval.request_id).await {
        Ok(r) => r,
        Err(e) if e.is_not_found() => return Ok(Some("The request no longer exists in Entra.".into())),
        Err(e) => return Err(e.to_string()),
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
    app: &App,
    approval: Versioned<Approval>,
    why: &str,
    now: DateTime<Utc>,
) -> Result<Option<bool>, jitadmin_store::StoreError> {
    let saved = outcome::save(app, approval, |a| {
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
    let detail = json!({"why": why, "expiresAt": saved.expires_at, "posted": saved.card.is_some()});
    outcome::audit(app, &saved, ACTOR, actions::CARD_EXPIRED, now, detail).await;
    let updated = match app.teams() {
        Some(teams) if saved.card.is_some() => cards::update_posted(app, teams, &saved, now).await,
        _ => true,
    };
    Ok(Some(updated))
}
