//! [`TenantSim`]'s entitlement-management API: stage settings, requests, assignments, expiry.

use std::time::Duration;

use super::TenantSim;
use crate::em::approval::ApprovalSettings;
use crate::em::flow;
use crate::em::request_kinds::CalloutCoverage;
use crate::em::types::{
    AssignmentView, CalloutAttempt, CalloutStatus, CalloutView, LaunchMode, NewRequest, RequestView, Stage,
    StageSetting,
};
use crate::error::{Result, SimError};

impl TenantSim {
    /// Attaches a custom extension to a policy's stage (replacing that stage's previous one).
    /// Error if no access package has this policy.
    pub fn set_stage_setting(&self, policy_id: &str, setting: StageSetting) -> Result<()> {
        let known = self.with_state(|s| {
            s.access_packages
                .iter()
                .any(|p| p.policies.iter().any(|pol| pol.id.eq_ignore_ascii_case(policy_id)))
        });
        if !known {
            return Err(SimError::NotFound {
                kind: "assignment policy",
                id: policy_id.to_owned(),
            });
        }
        self.shared().em.em().set_setting(policy_id, setting);
        Ok(())
    }

    /// Which stages call out for administrators' requests and for updates (undocumented by
    /// Microsoft: see [`CalloutCoverage`]). Every stage by default.
    pub fn set_callout_coverage(&self, coverage: CalloutCoverage) {
        self.shared().em.em().coverage = coverage;
    }

    /// Gives a policy entitlement management's own approval stage (or none, with the default
    /// settings); the policy as Graph shows it (`requestApprovalSettings`) changes with it.
    pub fn set_policy_approval(&self, policy_id: &str, settings: ApprovalSettings) {
        crate::provisioning::set_request_approval(&self.shared().provisioning, policy_id, &settings.to_graph());
        self.shared().em.em().set_approval(policy_id, settings);
    }

    /// An approver's decision in My Access on a request waiting for one: approve (the approved
    /// stage runs) or deny. Refused when `approver` may not decide it or it does not wait.
    pub fn decide_approval(
        &self,
        request_id: &str,
        approver: &str,
        approve: bool,
        justification: Option<&str>,
    ) -> Result<()> {
        crate::em::approval_flow::decide(
            &self.shared().em,
            request_id,
            approver,
            approve,
            justification.map(str::to_owned),
        )
    }

    /// Removes every custom extension from a policy.
    pub fn clear_stage_settings(&self, policy_id: &str) {
        self.shared().em.em().clear_settings(policy_id);
    }

    /// A policy's stage settings.
    pub fn stage_settings(&self, policy_id: &str) -> Vec<StageSetting> {
        self.shared().em.em().settings(policy_id)
    }

    /// Sends EM's connection test (`Stage: CustomExtensionConnectionTest`) to the setting's
    /// endpoint with its authentication, once, and returns the attempt.
    pub async fn test_custom_extension(&self, setting: &StageSetting) -> CalloutAttempt {
        crate::em::send::connection_test(&self.shared().em, setting).await
    }

    /// Creates an assignment request as a user would in My Access. Its stages run in the
    /// background (callouts included); watch them with [`assignment_request`](Self::assignment_request)
    /// or [`wait_for_request`](Self::wait_for_request). Returns the request id.
    pub fn create_assignment_request(&self, request: NewRequest) -> Result<String> {
        flow::create(&self.shared().em, request)
    }

    /// Holds a request that waits at its created stage's callout `instance_id`, as if a
    /// callout had been sent for it: for tests that post a recorded callout body themselves.
    /// The request is `target_id`'s own (`userAdd`) for `access_package_id` (which the
    /// scenario need not define: a recorded callout may name another tenant's package).
    pub fn hold_waiting_request(&self, request_id: &str, instance_id: &str, access_package_id: &str, target_id: &str) {
        let policy_id = self
            .with_state(|s| {
                s.access_packages
                    .iter()
                    .find(|p| p.id.eq_ignore_ascii_case(access_package_id))
                    .and_then(|p| p.policies.first().map(|p| p.id.clone()))
            })
            .unwrap_or_default();
        let now = chrono::Utc::now();
        let callout = CalloutView {
            stage_instance_id: instance_id.to_owned(),
            stage: Stage::AssignmentRequestCreated,
            custom_extension_id: uuid::Uuid::new_v4().to_string(),
            endpoint: String::new(),
            mode: LaunchMode::Wait {
                timeout: Duration::from_secs(3600),
            },
            status: CalloutStatus::WaitingForCallback,
            detail: None,
            body: serde_json::Value::Null,
            attempts: Vec::new(),
        };
        let request = RequestView {
            id: request_id.to_owned(),
            request_type: "userAdd".to_owned(),
            state: "submitted".to_owned(),
            status: "WaitingForCallback".to_owned(),
            requestor_id: target_id.to_owned(),
            target_id: target_id.to_owned(),
            access_package_id: access_package_id.to_owned(),
            policy_id,
            justification: None,
            answers: Vec::new(),
            assignment_id: None,
            schedule: serde_json::Value::Null,
            created_at: now,
            completed_at: None,
            callouts: vec![callout],
            resumes: Vec::new(),
            approval: None,
        };
        self.shared().em.em().requests.push(request);
        self.shared().em.em_changed.notify_waiters();
    }

    /// A request as the sim holds it (callouts with their attempts, resumes received).
    pub fn assignment_request(&self, request_id: &str) -> Option<RequestView> {
        self.shared().em.em().request(request_id).cloned()
    }

    /// Every request, in creation order.
    pub fn assignment_requests(&self) -> Vec<RequestView> {
        self.shared().em.em().requests.clone()
    }

    /// Waits until `done` holds for the request, or `timeout` (wall clock) passes; returns the
    /// request as last seen. Error if the request does not exist or the wait timed out.
    pub async fn wait_for_request(
        &self,
        request_id: &str,
        timeout: Duration,
        done: impl Fn(&RequestView) -> bool,
    ) -> Result<RequestView> {
        let shared = self.shared().clone();
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let changed = shared.em.em_changed.notified();
            tokio::pin!(changed);
            changed.as_mut().enable();
            let current = shared.em.em().request(request_id).cloned();
            let current = current.ok_or_else(|| SimError::NotFound {
                kind: "assignment request",
                id: request_id.to_owned(),
            })?;
            if done(&current) {
                return Ok(current);
            }
            if tokio::time::timeout_at(deadline, changed).await.is_err() {
                return Err(SimError::Timeout(format!(
                    "request {request_id} still {}/{} after {timeout:?}",
                    current.state, current.status
                )));
            }
        }
    }

    /// Times out every callout of the request still waiting for its resume, as if its callback
    /// timeout had passed. Returns how many expired.
    pub fn expire_waiting(&self, request_id: &str) -> Result<usize> {
        flow::expire_waiting(&self.shared().em, request_id)
    }

    /// Every assignment, in creation order (removed ones stay, `expired`).
    pub fn assignments(&self) -> Vec<AssignmentView> {
        self.shared().em.em().assignments.clone()
    }

    /// Removes a delivered assignment as an administrator would (`adminRemove`): the user leaves
    /// the package's resource group and the removed stage runs (callout if configured).
    /// Returns the removal request's id.
    pub fn remove_assignment(&self, assignment_id: &str) -> Result<String> {
        flow::remove(&self.shared().em, assignment_id, "adminRemove")
    }

    /// Like [`remove_assignment`](Self::remove_assignment) with another request type, e.g.
    /// `systemRemove` for an assignment that expired.
    pub fn remove_assignment_as(&self, assignment_id: &str, request_type: &str) -> Result<String> {
        flow::remove(&self.shared().em, assignment_id, request_type)
    }
}
