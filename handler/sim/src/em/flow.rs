//! How a request moves: stages in order, a callout where the policy has a stage setting,
//! waiting for the resume (or the timeout) at launch-and-wait stages, granting and removing.
//!
//! ```text
//! created ─callout?─▶ approved ─callout?─▶ grant (assignment, group member) ─callout?─▶ done
//!   wait: WaitingForCallback ─resume─▶ next stage   ─resume(denied)─▶ denied
//!         ─timeout / expire_waiting─▶ callbackTimedOut (request deliveryFailed, TimedOut)
//!         ─every attempt failed─▶ calloutFailed (request deliveryFailed, CalloutFailed)
//! removal: assignment expired, group member removed ─callout?─▶ done
//! ```
//!
//! An update (`userUpdate`, `adminUpdate`: an extension) names a delivered assignment and, when
//! granted, changes its schedule instead of creating one (`request_kinds.rs`, which also says
//! which stages call out for administrators' requests and updates).
//!
//! A policy with an approval stage (`approval.rs`) waits for a person between created and
//! approved; without one the approved stage follows the created stage at once.
//!
//! Assumptions: a launch-and-wait callout whose attempts all fail fails the request (what EM
//! does is UNCONFIRMED: Microsoft does not document it); at the granted and removed stages a
//! timeout or failure only
//! marks the callout instance (the assignment is already granted or removed).

use chrono::Utc;
use serde_json::{json, Value};

use crate::em::approval_flow;
use crate::em::callout_body::callout_body;
use crate::em::request_kinds::{self, is_update};
use crate::em::send::send_once;
use crate::em::service::EmService;
use crate::em::store::{state, status};
use crate::em::types::{
    AssignmentView, CalloutStatus, CalloutView, LaunchMode, NewRequest, RequestView, Stage, StageSetting,
};
use crate::error::{Result, SimError};
use crate::work::Kind;

/// Creates a request and starts its first stage in the background. Returns the request id.
/// Refused (`Conflict`) when the target already holds a delivered assignment of the package or
/// has an open request for it, as My Access refuses.
pub(crate) fn create(sim: &EmService, new: NewRequest) -> Result<String> {
    let (policy_id, default_duration) = {
        let st = sim.directory.state();
        for id in [Some(&new.requestor_id), new.target_id.as_ref()].into_iter().flatten() {
            if st.user(id).is_none() {
                return Err(SimError::NotFound {
                    kind: "user",
                    id: id.clone(),
                });
            }
        }
        let package = st
            .access_packages
            .iter()
            .find(|p| p.id.eq_ignore_ascii_case(&new.access_package_id))
            .ok_or_else(|| SimError::NotFound {
                kind: "access package",
                id: new.access_package_id.clone(),
            })?;
        let policy = match &new.policy_id {
            Some(id) => package.policies.iter().find(|p| p.id.eq_ignore_ascii_case(id)),
            None => package.policies.first(),
        };
        policy
            .map(|p| (p.id.clone(), p.duration.clone()))
            .ok_or_else(|| SimError::NotFound {
                kind: "assignment policy",
                id: new
                    .policy_id
                    .clone()
                    .unwrap_or_else(|| format!("(any of {})", package.id)),
            })?
    };
    let target = new.target_id.clone().unwrap_or_else(|| new.requestor_id.clone());
    on_behalf_allowed(sim, &new, &target)?;
    let mut updates = None;
    {
        let em = sim.em();
        let same = |t: &str, p: &str| t.eq_ignore_ascii_case(&target) && p.eq_ignore_ascii_case(&new.access_package_id);
        let delivered = em
            .assignments
            .iter()
            .find(|a| a.state == state::DELIVERED && same(&a.target_id, &a.access_package_id));
        if is_update(&new.request_type) {
            // An update names the assignment it changes (the Create request page's extend examples).
            let a = delivered.ok_or_else(|| SimError::NotFound {
                kind: "delivered assignment to update",
                id: format!("{} of {}", new.access_package_id, target),
            })?;
            updates = Some(a.id.clone());
        } else if let Some(a) = delivered {
            return Err(SimError::Conflict {
                kind: "delivered assignment of this package for this target",
                id: a.id.clone(),
            });
        }
        if let Some(r) = em
            .requests
            .iter()
            .find(|r| r.completed_at.is_none() && r.assignment_id.is_none() && same(&r.target_id, &r.access_package_id))
        {
            return Err(SimError::Conflict {
                kind: "open request for this package and target",
                id: r.id.clone(),
            });
        }
    }
    let now = Utc::now();
    let schedule = new.schedule.clone().unwrap_or_else(|| {
        json!({
            "startDateTime": now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            "recurrence": null,
            "expiration": { "endDateTime": null, "duration": default_duration.as_deref().unwrap_or("PT8H"), "type": "afterDuration" },
        })
    });
    let request = RequestView {
        id: uuid::Uuid::new_v4().to_string(),
        request_type: new.request_type,
        state: state::SUBMITTED.to_owned(),
        status: status::ACCEPTED.to_owned(),
        target_id: target,
        requestor_id: new.requestor_id,
        access_package_id: new.access_package_id,
        policy_id,
        justification: new.justification,
        answers: new.answers,
        assignment_id: updates,
        schedule,
        created_at: now,
        completed_at: None,
        callouts: Vec::new(),
        resumes: Vec::new(),
        approval: None,
    };
    let id = request.id.clone();
    tracing::info!(request = %id, target = %request.target_id, "assignment request created");
    sim.em().requests.push(request);
    sim.em_changed.notify_waiters();
    sim.work.spawn(
        Kind::Stages,
        drive(sim.clone(), id.clone(), Stage::AssignmentRequestCreated),
    );
    Ok(id)
}

/// A user's request for someone else is a manager's for a direct report: My Access offers
/// "Someone else" to managers only
/// (<https://learn.microsoft.com/entra/id-governance/entitlement-management-request-behalf>).
/// Administrators' requests may name anyone.
fn on_behalf_allowed(sim: &EmService, new: &NewRequest, target: &str) -> Result<()> {
    if target.eq_ignore_ascii_case(&new.requestor_id) || request_kinds::is_admin(&new.request_type) {
        return Ok(());
    }
    let manager = sim.directory.state().user(target).and_then(|u| u.manager_id.clone());
    if manager.is_some_and(|m| m.eq_ignore_ascii_case(&new.requestor_id)) {
        return Ok(());
    }
    Err(SimError::Refused(format!(
        "{} is not the manager of {target}, so cannot request for them",
        new.requestor_id
    )))
}

/// Removes a delivered assignment: the assignment expires, the target leaves the resource group,
/// and a removal request (of `request_type`, e.g. `adminRemove`) runs the removed stage.
pub(crate) fn remove(sim: &EmService, assignment_id: &str, request_type: &str) -> Result<String> {
    let (target, package_id, policy_id) = {
        let mut em = sim.em();
        let a = em
            .assignment_mut(assignment_id)
            .filter(|a| a.state == state::DELIVERED)
            .ok_or_else(|| SimError::NotFound {
                kind: "delivered assignment",
                id: assignment_id.to_owned(),
            })?;
        a.state = "expired".to_owned();
        a.status = "Expired".to_owned();
        (a.target_id.clone(), a.access_package_id.clone(), a.policy_id.clone())
    };
    set_membership(sim, &package_id, &target, false);
    let now = Utc::now();
    let request = RequestView {
        id: uuid::Uuid::new_v4().to_string(),
        request_type: request_type.to_owned(),
        state: state::SUBMITTED.to_owned(),
        status: status::ACCEPTED.to_owned(),
        requestor_id: target.clone(),
        target_id: target,
        access_package_id: package_id,
        policy_id,
        justification: None,
        answers: Vec::new(),
        assignment_id: Some(assignment_id.to_owned()),
        schedule: Value::Null,
        created_at: now,
        completed_at: None,
        callouts: Vec::new(),
        resumes: Vec::new(),
        approval: None,
    };
    let id = request.id.clone();
    sim.em().requests.push(request);
    sim.em_changed.notify_waiters();
    sim.work.spawn(
        Kind::Stages,
        drive(sim.clone(), id.clone(), Stage::AssignmentRequestRemoved),
    );
    Ok(id)
}

/// Runs stages from `stage` on until one waits for a resume or the request is done.
pub(crate) async fn drive(sim: EmService, request_id: String, mut stage: Stage) {
    loop {
        let setting = {
            let em = sim.em();
            let Some(policy) = em.request(&request_id).map(|r| r.policy_id.clone()) else {
                return;
            };
            let kind = em
                .request(&request_id)
                .map(|r| r.request_type.clone())
                .unwrap_or_default();
            em.settings(&policy)
                .into_iter()
                .find(|s| s.stage == stage)
                .filter(|_| em.coverage.calls_out(&kind, stage))
        };
        if let Some(setting) = setting {
            let delivered = callout(&sim, &request_id, &setting).await;
            if let LaunchMode::Wait { .. } = setting.mode {
                if !delivered.1 {
                    end_instance(&sim, &request_id, &delivered.0, CalloutStatus::CalloutFailed);
                }
                return;
            }
        }
        match complete_stage(&sim, &request_id, stage) {
            Some(next) => stage = next,
            None => return,
        }
    }
}

/// The request passed `stage` (no callout, launch-and-continue, or a continue resume).
/// Returns the next stage to run, if any.
pub(crate) fn complete_stage(sim: &EmService, request_id: &str, stage: Stage) -> Option<Stage> {
    let next = match stage {
        // EM's own approval stage, when the policy has one, comes between created and approved.
        Stage::AssignmentRequestCreated if approval_flow::wait_for_approval(sim, request_id) => None,
        Stage::AssignmentRequestCreated => Some(Stage::AssignmentRequestApproved),
        Stage::AssignmentRequestApproved => {
            grant(sim, request_id);
            Some(Stage::AssignmentRequestGranted)
        }
        Stage::AssignmentRequestGranted => None,
        Stage::AssignmentRequestRemoved => {
            finish(sim, request_id, state::DELIVERED, status::DELIVERED);
            None
        }
    };
    if stage == Stage::AssignmentRequestGranted {
        if let Some(r) = sim.em().request_mut(request_id) {
            r.status = status::DELIVERED.to_owned();
        }
    }
    sim.em_changed.notify_waiters();
    next
}

/// Sets a request's final state and status.
pub(crate) fn finish(sim: &EmService, request_id: &str, new_state: &str, new_status: &str) {
    if let Some(r) = sim.em().request_mut(request_id) {
        r.state = new_state.to_owned();
        r.status = new_status.to_owned();
        r.completed_at.get_or_insert_with(Utc::now);
    }
    sim.em_changed.notify_waiters();
}

fn grant(sim: &EmService, request_id: &str) {
    if request_kinds::grant_update(sim, request_id) {
        return;
    }
    let Some((target, package, policy, schedule)) = sim.em().request(request_id).map(|r| {
        (
            r.target_id.clone(),
            r.access_package_id.clone(),
            r.policy_id.clone(),
            r.schedule.clone(),
        )
    }) else {
        return;
    };
    set_membership(sim, &package, &target, true);
    let assignment = AssignmentView {
        id: uuid::Uuid::new_v4().to_string(),
        target_id: target,
        access_package_id: package,
        policy_id: policy,
        state: state::DELIVERED.to_owned(),
        status: status::DELIVERED.to_owned(),
        schedule,
    };
    tracing::info!(request = %request_id, assignment = %assignment.id, "assignment granted");
    let mut em = sim.em();
    if let Some(r) = em.request_mut(request_id) {
        r.assignment_id = Some(assignment.id.clone());
        r.state = state::DELIVERED.to_owned();
        r.status = status::DELIVERED.to_owned();
        r.completed_at = Some(Utc::now());
    }
    em.assignments.push(assignment);
}

/// Adds the target to (or removes it from) the package's resource group, if it has one.
fn set_membership(sim: &EmService, package_id: &str, user_id: &str, add: bool) {
    let mut st = sim.directory.state_mut();
    let Some(group) = st
        .access_packages
        .iter()
        .find(|p| p.id.eq_ignore_ascii_case(package_id))
        .and_then(|p| p.resource_group_id.clone())
    else {
        return;
    };
    let changed = if add {
        st.add_member(&group, user_id)
    } else {
        st.remove_member(&group, user_id)
    };
    drop(st);
    sim.directory.changed.notify_one();
    if let Err(e) = changed {
        tracing::warn!(group = %group, user = %user_id, error = %e, "access package resource group not updated");
    }
}

/// Registers a callout instance and posts it, with EM's timeout and retries. Returns the
/// instance id and whether an attempt got a 2xx.
async fn callout(sim: &EmService, request_id: &str, setting: &StageSetting) -> (String, bool) {
    let instance_id = uuid::Uuid::new_v4().to_string();
    let body = {
        let st = sim.directory.state();
        let mut em = sim.em();
        let Some(request) = em.request(request_id).cloned() else {
            return (instance_id, false);
        };
        let assignment_state = match setting.stage {
            Stage::AssignmentRequestGranted => "Delivered",
            Stage::AssignmentRequestRemoved => "Delivered",
            _ => "Submitted",
        };
        let body = callout_body(
            &st,
            &request,
            setting.stage,
            &instance_id,
            setting.mode,
            assignment_state,
        );
        let waiting = matches!(setting.mode, LaunchMode::Wait { .. });
        if let Some(r) = em.request_mut(request_id) {
            if waiting {
                r.status = status::WAITING.to_owned();
            }
            r.callouts.push(CalloutView {
                stage_instance_id: instance_id.clone(),
                stage: setting.stage,
                custom_extension_id: setting.custom_extension_id.clone(),
                endpoint: setting.endpoint.clone(),
                mode: setting.mode,
                status: if waiting {
                    CalloutStatus::WaitingForCallback
                } else {
                    CalloutStatus::CalloutSent
                },
                detail: None,
                body: body.clone(),
                attempts: Vec::new(),
            });
        }
        body
    };
    sim.em_changed.notify_waiters();
    if let LaunchMode::Wait { timeout } = setting.mode {
        // Waiting for the resume is not the tenant's work (see `crate::work`): not counted.
        let scaled = timeout.mul_f64(sim.throttle.time_scale().max(0.0));
        let (sim, rid, iid) = (sim.clone(), request_id.to_owned(), instance_id.clone());
        tokio::spawn(async move {
            tokio::time::sleep(scaled).await;
            if end_instance(&sim, &rid, &iid, CalloutStatus::CallbackTimedOut) {
                tracing::info!(request = %rid, instance = %iid, "callback timed out");
            }
        });
    }
    let bytes = bytes::Bytes::from(body.to_string());
    let attempts = 1 + setting.client.map_or(sim.config.callout_retries, |c| c.retries);
    for n in 0..attempts {
        let attempt = send_once(sim, setting, bytes.clone()).await;
        let ok = attempt.succeeded();
        tracing::info!(request = %request_id, instance = %instance_id, attempt = n + 1, status = ?attempt.status,
            error = ?attempt.error, "callout attempt");
        if let Some(c) = sim.em().callout_mut(request_id, &instance_id) {
            c.attempts.push(attempt);
        }
        sim.em_changed.notify_waiters();
        if ok {
            return (instance_id, true);
        }
    }
    if setting.mode == LaunchMode::Continue {
        end_instance(sim, request_id, &instance_id, CalloutStatus::CalloutFailed);
    }
    (instance_id, false)
}

/// Ends a callout instance that is still waiting (or in flight) with `outcome`
/// (`CallbackTimedOut` or `CalloutFailed`), and fails the request at the created and approved
/// stages. `false` if the instance had already ended (e.g. resumed).
pub(crate) fn end_instance(sim: &EmService, request_id: &str, instance_id: &str, outcome: CalloutStatus) -> bool {
    let mut em = sim.em();
    let Some(c) = em.callout_mut(request_id, instance_id) else {
        return false;
    };
    if !matches!(c.status, CalloutStatus::WaitingForCallback | CalloutStatus::CalloutSent) {
        return false;
    }
    c.status = outcome;
    let (stage, waiting) = (c.stage, matches!(c.mode, LaunchMode::Wait { .. }));
    if let Some(r) = em.request_mut(request_id) {
        if waiting {
            match stage {
                Stage::AssignmentRequestCreated | Stage::AssignmentRequestApproved => {
                    r.state = state::DELIVERY_FAILED.to_owned();
                    r.status = match outcome {
                        CalloutStatus::CallbackTimedOut => status::TIMED_OUT,
                        _ => status::CALLOUT_FAILED,
                    }
                    .to_owned();
                    r.completed_at.get_or_insert_with(Utc::now);
                }
                Stage::AssignmentRequestGranted | Stage::AssignmentRequestRemoved => {
                    r.status = status::DELIVERED.to_owned();
                    if stage == Stage::AssignmentRequestRemoved {
                        r.state = state::DELIVERED.to_owned();
                        r.completed_at.get_or_insert_with(Utc::now);
                    }
                }
            }
        }
    }
    drop(em);
    sim.em_changed.notify_waiters();
    true
}

/// Expires every callout of a request that waits for its resume. Returns how many.
pub(crate) fn expire_waiting(sim: &EmService, request_id: &str) -> Result<usize> {
    let waiting: Vec<String> = sim
        .em()
        .request(request_id)
        .ok_or_else(|| SimError::NotFound {
            kind: "assignment request",
            id: request_id.to_owned(),
        })?
        .callouts
        .iter()
        .filter(|c| c.status == CalloutStatus::WaitingForCallback)
        .map(|c| c.stage_instance_id.clone())
        .collect();
    Ok(waiting
        .iter()
        .filter(|i| end_instance(sim, request_id, i, CalloutStatus::CallbackTimedOut))
        .count())
}
