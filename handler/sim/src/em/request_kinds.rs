//! What a request's type changes in entitlement management: updates (extensions) change a
//! delivered assignment instead of creating one, and which stages call out for
//! administrators' requests and for updates, which Microsoft does not document.
//!
//! Documented: users and administrators create requests of the types of
//! <https://learn.microsoft.com/graph/api/entitlementmanagement-post-assignmentrequests>;
//! `userUpdate` and `adminUpdate` carry the existing assignment's id and a new schedule
//! (that page's "extend" examples); the request-workflow extension runs at created, approved,
//! granted and removed (<https://learn.microsoft.com/entra/id-governance/entitlement-management-logic-apps-integration>),
//! and an expiry reaches the removed stage
//! (<https://learn.microsoft.com/entra/id-governance/entitlement-management-ticketed-provisioning>).
//! Undocumented: whether an administrator's request or an update calls out at the created and
//! approved stages. [`CalloutCoverage`] lets a test choose either answer (see
//! `docs/request-types.md`).

use chrono::Utc;

use crate::em::service::EmService;
use crate::em::store::{state, status};
use crate::em::types::Stage;

/// Which stages call out for a kind of request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StageCoverage {
    /// Every stage with a custom extension, as for a user's new request (the default: the
    /// reading that asks most of an extension).
    #[default]
    AllStages,
    /// Only granted and removed: the request skips the request workflow's created and
    /// approved callouts.
    GrantedAndRemovedOnly,
}

/// The sim's answer to the undocumented part: which stages call out for administrators'
/// requests (`adminAdd`, `adminUpdate`) and for updates (`userUpdate`, `adminUpdate`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CalloutCoverage {
    /// Requests an administrator files.
    pub admin: StageCoverage,
    /// Updates and extensions of a delivered assignment.
    pub updates: StageCoverage,
}

impl CalloutCoverage {
    /// Whether a request of `request_type` calls out at `stage`.
    pub fn calls_out(&self, request_type: &str, stage: Stage) -> bool {
        if matches!(stage, Stage::AssignmentRequestGranted | Stage::AssignmentRequestRemoved) {
            return true;
        }
        let skip = |c: StageCoverage| c == StageCoverage::GrantedAndRemovedOnly;
        !((is_admin(request_type) && skip(self.admin)) || (is_update(request_type) && skip(self.updates)))
    }
}

/// `userUpdate`, `adminUpdate`, `systemUpdate`: a change of a delivered assignment.
pub fn is_update(request_type: &str) -> bool {
    ["userUpdate", "adminUpdate", "systemUpdate"]
        .iter()
        .any(|t| t.eq_ignore_ascii_case(request_type))
}

/// `adminAdd`, `adminUpdate`, `adminRemove`: filed by an administrator.
pub fn is_admin(request_type: &str) -> bool {
    ["adminAdd", "adminUpdate", "adminRemove"]
        .iter()
        .any(|t| t.eq_ignore_ascii_case(request_type))
}

/// Grants an update: the assignment it names takes the request's schedule; membership of the
/// resource group does not change. `false` when the request is not an update of a delivered
/// assignment (then a new assignment is granted).
pub(crate) fn grant_update(sim: &EmService, request_id: &str) -> bool {
    let mut em = sim.em();
    let Some((assignment_id, schedule)) = em
        .request(request_id)
        .filter(|r| is_update(&r.request_type))
        .and_then(|r| Some((r.assignment_id.clone()?, r.schedule.clone())))
    else {
        return false;
    };
    let Some(assignment) = em
        .assignment_mut(&assignment_id)
        .filter(|a| a.state == state::DELIVERED)
    else {
        return false;
    };
    if !schedule.is_null() {
        assignment.schedule = schedule;
    }
    tracing::info!(request = %request_id, assignment = %assignment_id, "assignment updated");
    if let Some(r) = em.request_mut(request_id) {
        r.state = state::DELIVERED.to_owned();
        r.status = status::DELIVERED.to_owned();
        r.completed_at = Some(Utc::now());
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn granted_and_removed_always_call_out() {
        let narrow = CalloutCoverage {
            admin: StageCoverage::GrantedAndRemovedOnly,
            updates: StageCoverage::GrantedAndRemovedOnly,
        };
        for t in ["userAdd", "adminAdd", "userUpdate", "adminUpdate"] {
            assert!(narrow.calls_out(t, Stage::AssignmentRequestGranted), "{t}");
            assert!(
                CalloutCoverage::default().calls_out(t, Stage::AssignmentRequestCreated),
                "{t}"
            );
        }
        assert!(narrow.calls_out("userAdd", Stage::AssignmentRequestCreated));
        assert!(!narrow.calls_out("adminAdd", Stage::AssignmentRequestCreated));
        assert!(!narrow.calls_out("userUpdate", Stage::AssignmentRequestApproved));
    }
}
