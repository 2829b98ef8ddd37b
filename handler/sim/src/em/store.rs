//! Entitlement management's data: stage settings per policy, requests with their callout
//! instances and resumes, and assignments. Plain data behind the sim's lock; the flow
//! (`flow.rs`) and the Graph routes (`routes.rs`) change it.

use std::collections::HashMap;

use crate::em::types::{AssignmentView, CalloutView, RequestView, StageSetting};

/// Request `state` values (`accessPackageRequestState`).
pub(crate) mod state {
    pub const SUBMITTED: &str = "submitted";
    pub const DELIVERED: &str = "delivered";
    pub const DENIED: &str = "denied";
    pub const CANCELED: &str = "canceled";
    pub const DELIVERY_FAILED: &str = "deliveryFailed";
}

/// Request `status` values (free text in Graph; these are the ones the portal shows).
pub(crate) mod status {
    pub const ACCEPTED: &str = "Accepted";
    pub const WAITING: &str = "WaitingForCallback";
    pub const DELIVERED: &str = "Delivered";
    pub const DENIED: &str = "Denied";
    pub const CANCELED: &str = "Canceled";
    pub const TIMED_OUT: &str = "TimedOut";
    pub const CALLOUT_FAILED: &str = "CalloutFailed";
}

/// All of entitlement management's simulated state.
#[derive(Debug, Default)]
pub(crate) struct EmState {
    /// Stage settings by lower-case policy id.
    settings: HashMap<String, Vec<StageSetting>>,
    /// Requests, in creation order.
    pub requests: Vec<RequestView>,
    /// Assignments, in creation order.
    pub assignments: Vec<AssignmentView>,
    /// Custom extensions created through Graph.
    pub extensions: Vec<crate::em::extensions::CustomExtension>,
    /// Which stages call out for administrators' requests and updates.
    pub coverage: crate::em::request_kinds::CalloutCoverage,
    /// Approval settings by lower-case policy id (none: no approval).
    approvals: HashMap<String, crate::em::approval::ApprovalSettings>,
}

impl EmState {
    /// Sets a policy's setting for one stage (replacing the stage's previous one).
    pub fn set_setting(&mut self, policy_id: &str, setting: StageSetting) {
        let list = self.settings.entry(policy_id.to_ascii_lowercase()).or_default();
        list.retain(|s| s.stage != setting.stage);
        list.push(setting);
    }

    /// Sets a policy's approval settings.
    pub fn set_approval(&mut self, policy_id: &str, settings: crate::em::approval::ApprovalSettings) {
        self.approvals.insert(policy_id.to_ascii_lowercase(), settings);
    }

    /// A policy's approval settings, when set through Graph or the sim's API.
    pub fn approval(&self, policy_id: &str) -> Option<crate::em::approval::ApprovalSettings> {
        self.approvals.get(&policy_id.to_ascii_lowercase()).cloned()
    }

    /// Removes every stage setting of a policy.
    pub fn clear_settings(&mut self, policy_id: &str) {
        self.settings.remove(&policy_id.to_ascii_lowercase());
    }

    /// A policy's stage settings.
    pub fn settings(&self, policy_id: &str) -> Vec<StageSetting> {
        self.settings
            .get(&policy_id.to_ascii_lowercase())
            .cloned()
            .unwrap_or_default()
    }

    pub fn request(&self, id: &str) -> Option<&RequestView> {
        self.requests.iter().find(|r| r.id.eq_ignore_ascii_case(id))
    }

    pub fn request_mut(&mut self, id: &str) -> Option<&mut RequestView> {
        self.requests.iter_mut().find(|r| r.id.eq_ignore_ascii_case(id))
    }

    pub fn callout_mut(&mut self, request_id: &str, instance_id: &str) -> Option<&mut CalloutView> {
        self.request_mut(request_id)?
            .callouts
            .iter_mut()
            .find(|c| c.stage_instance_id.eq_ignore_ascii_case(instance_id))
    }

    pub fn assignment(&self, id: &str) -> Option<&AssignmentView> {
        self.assignments.iter().find(|a| a.id.eq_ignore_ascii_case(id))
    }

    pub fn assignment_mut(&mut self, id: &str) -> Option<&mut AssignmentView> {
        self.assignments.iter_mut().find(|a| a.id.eq_ignore_ascii_case(id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::em::types::Stage;
    use std::time::Duration;

    #[test]
    fn a_stage_setting_replaces_the_previous_one_for_that_stage() {
        let mut em = EmState::default();
        let created = StageSetting::wait(Stage::AssignmentRequestCreated, "http://a", Duration::from_secs(300));
        em.set_setting("P1", created.clone());
        em.set_setting(
            "p1",
            StageSetting::continue_at(Stage::AssignmentRequestGranted, "http://b"),
        );
        em.set_setting(
            "p1",
            StageSetting::continue_at(Stage::AssignmentRequestCreated, "http://c"),
        );
        let s = em.settings("P1");
        assert_eq!(s.len(), 2);
        assert!(s.iter().any(|x| x.endpoint == "http://c"));
        em.clear_settings("p1");
        assert!(em.settings("p1").is_empty());
    }
}
