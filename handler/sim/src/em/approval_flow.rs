//! Running the approval stage ([`crate::em::approval`]): a request whose policy wants a
//! person waits after its created stage until an approver decides (then the approved stage
//! runs), or until `durationBeforeAutomaticDenial` passes (then it is denied). With
//! escalation, the escalation approvers may decide once `durationBeforeEscalation` has passed.

use chrono::Utc;

use crate::em::approval::{ApprovalDecision, ApprovalView, Approver};
use crate::em::flow::{drive, finish};
use crate::em::service::EmService;
use crate::em::store::{state, status};
use crate::em::types::Stage;
use crate::error::{Result, SimError};
use crate::work::Kind;

/// Request `status` while a person has to decide.
pub(crate) const PENDING_APPROVAL: &str = "PendingApproval";

/// After the created stage: `true` when the request now waits for a person.
pub(crate) fn wait_for_approval(sim: &EmService, request_id: &str) -> bool {
    let settings = {
        let em = sim.em();
        let Some(r) = em.request(request_id) else {
            return false;
        };
        let (policy, kind) = (r.policy_id.clone(), r.request_type.clone());
        drop(em);
        let settings = sim.approval_settings(&policy);
        if !settings.applies_to(&kind) {
            return false;
        }
        settings
    };
    let Some(stage) = settings.stage else {
        return false;
    };
    if let Some(r) = sim.em().request_mut(request_id) {
        r.state = "pendingApproval".to_owned();
        r.status = PENDING_APPROVAL.to_owned();
        r.approval = Some(ApprovalView {
            since: Utc::now(),
            escalated: false,
            decision: None,
        });
    }
    sim.em_changed.notify_waiters();
    tracing::info!(request = %request_id, "waiting for an approver");
    let scale = sim.throttle.time_scale().max(0.0);
    if let Some((after, _)) = &stage.escalation {
        let (sim, id, after) = (sim.clone(), request_id.to_owned(), after.mul_f64(scale));
        // Waiting for a person is not the tenant's work (see `crate::work`): not counted.
        tokio::spawn(async move {
            tokio::time::sleep(after).await;
            if let Some(a) = sim.em().request_mut(&id).and_then(|r| r.approval.as_mut()) {
                if a.decision.is_none() {
                    a.escalated = true;
                }
            }
            sim.em_changed.notify_waiters();
        });
    }
    let (sim, id, after) = (
        sim.clone(),
        request_id.to_owned(),
        stage.automatic_denial_after.mul_f64(scale),
    );
    tokio::spawn(async move {
        tokio::time::sleep(after).await;
        if record(&sim, &id, None, false, Some("Nobody decided in time.".into())) {
            tracing::info!(request = %id, "denied automatically: nobody approved in time");
            finish(&sim, &id, state::DENIED, status::DENIED);
        }
    });
    true
}

/// An approver's decision in My Access. Refused when the request does not wait for a person,
/// or `approver` may not decide it (not a primary approver, nor an escalation approver after
/// the escalation time).
pub(crate) fn decide(
    sim: &EmService,
    request_id: &str,
    approver: &str,
    approve: bool,
    justification: Option<String>,
) -> Result<()> {
    let (policy, escalated) = {
        let em = sim.em();
        let r = em.request(request_id).ok_or_else(|| SimError::NotFound {
            kind: "assignment request",
            id: request_id.to_owned(),
        })?;
        let waiting = r
            .approval
            .as_ref()
            .filter(|a| a.decision.is_none())
            .ok_or_else(|| SimError::Refused(format!("request {request_id} does not wait for an approver")))?;
        (r.policy_id.clone(), waiting.escalated)
    };
    let allowed = {
        let stage = sim
            .approval_settings(&policy)
            .stage
            .ok_or_else(|| SimError::Refused(format!("the policy of request {request_id} has no approval stage")))?;
        let st = sim.directory.state();
        let is = |list: &[Approver]| {
            list.iter().any(|a| match a {
                Approver::User(id) => id.eq_ignore_ascii_case(approver),
                Approver::GroupMembers(group) => st
                    .group(group)
                    .is_some_and(|g| g.members.iter().any(|m| m.eq_ignore_ascii_case(approver))),
            })
        };
        is(&stage.primary) || (escalated && stage.escalation.as_ref().is_some_and(|(_, list)| is(list)))
    };
    if !allowed {
        return Err(SimError::Refused(format!(
            "{approver} may not decide request {request_id}"
        )));
    }
    if !record(sim, request_id, Some(approver.to_owned()), approve, justification) {
        return Err(SimError::Refused(format!("request {request_id} was decided meanwhile")));
    }
    if approve {
        if let Some(r) = sim.em().request_mut(request_id) {
            r.state = state::SUBMITTED.to_owned();
            r.status = status::ACCEPTED.to_owned();
        }
        let (work, sim, id) = (sim.work.clone(), sim.clone(), request_id.to_owned());
        work.spawn(Kind::Stages, drive(sim, id, Stage::AssignmentRequestApproved));
    } else {
        finish(sim, request_id, state::DENIED, status::DENIED);
    }
    Ok(())
}

/// Records the first decision; `false` when one was recorded already.
fn record(
    sim: &EmService,
    request_id: &str,
    by: Option<String>,
    approved: bool,
    justification: Option<String>,
) -> bool {
    let mut em = sim.em();
    let Some(approval) = em.request_mut(request_id).and_then(|r| r.approval.as_mut()) else {
        return false;
    };
    if approval.decision.is_some() {
        return false;
    }
    approval.decision = Some(ApprovalDecision {
        by,
        approved,
        justification,
    });
    drop(em);
    sim.em_changed.notify_waiters();
    true
}
