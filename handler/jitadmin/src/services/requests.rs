//! Reading a callout's request from Graph
//! (<https://learn.microsoft.com/graph/api/accesspackageassignmentrequest-get>), and checking
//! that it is one we should decide: it exists, it is for a package we manage, and it waits
//! for us at the callout's stage instance. A callout is only as true as the caller that
//! sent it; Entra's own record of the request is not.
//!
//! The instance is matched by id: that a request's `customExtensionCalloutInstances[].id` is
//! the callout's `customExtensionStageInstanceId` is not documented (see
//! `docs/request-types.md`). When no instance carries the id but one waits for a callback,
//! the request is taken to wait for us and the mismatch is logged.

use chrono::{DateTime, Utc};
use jitadmin_events::callout::{Reference, RequestCallout, RequestType, Schedule};
use jitadmin_graph::{GraphClient, GraphError};
use serde::Deserialize;

use crate::config::ManagedPackages;

/// The parts of Graph's `accessPackageAssignmentRequest` jitadmin reads.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Details {
    /// The requestor's justification.
    pub justification: Option<String>,
    /// The requested schedule.
    pub schedule: Option<Schedule>,
    /// When the request was made.
    pub created_date_time: Option<DateTime<Utc>>,
    /// `submitted`, `pendingApproval`, `delivered`, ...
    pub state: Option<String>,
    /// The access package (expanded).
    pub access_package: Option<Reference>,
    /// The request's custom-extension callouts.
    pub custom_extension_callout_instances: Vec<Instance>,
}

/// One `customExtensionCalloutInstance`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Instance {
    /// Its id.
    pub id: String,
    /// `calloutSent`, `waitingForCallback`, `callbackReceived`, ...
    pub status: Option<String>,
}

/// Why a callout's request is not one to decide.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotOurs {
    /// Graph does not know the request.
    Missing,
    /// The request is for another access package than the ones we manage.
    OtherPackage(String),
    /// The request does not wait at the callout's stage instance (the instance's status, or
    /// the request's state when no instance is found).
    NotWaiting(String),
}

impl std::fmt::Display for NotOurs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NotOurs::Missing => f.write_str("Entra has no such request"),
            NotOurs::OtherPackage(p) => write!(
                f,
                "in Entra the request is for access package {p}, which jitadmin does not manage"
            ),
            NotOurs::NotWaiting(s) => write!(f, "in Entra the request does not wait at this stage instance ({s})"),
        }
    }
}

/// `GET .../assignmentRequests/{id}?$expand=accessPackage`.
pub async fn fetch(graph: &GraphClient, request_id: &str) -> Result<Details, GraphError> {
    if request_id.is_empty() || !request_id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Err(GraphError::InvalidRequest("unusable request id".to_string()));
    }
    graph
        .get_json(&format!(
            "/v1.0/identityGovernance/entitlementManagement/assignmentRequests/{request_id}?$expand=accessPackage"
        ))
        .await
}

/// Whether entitlement management's own approval stage decides `callout`'s request after
/// jitadmin: its policy's `requestApprovalSettings`
/// (<https://learn.microsoft.com/graph/api/resources/accesspackageassignmentapprovalsettings>)
/// require approval for its kind of request and name a stage. When the policy cannot be read,
/// `false`: jitadmin then decides as if it were the only approver, which never lets a request
/// through that a person should have seen.
pub async fn em_approval(graph: &GraphClient, callout: &RequestCallout) -> bool {
    let Some(policy) = callout
        .assignment
        .as_ref()
        .and_then(|a| a.policy())
        .and_then(|p| p.id.as_deref())
        .filter(|id| !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
    else {
        return false;
    };
    let read: Result<PolicyApproval, GraphError> = graph
        .get_json(&format!(
            "/v1.0/identityGovernance/entitlementManagement/assignmentPolicies/{policy}?$select=id,requestApprovalSettings"
        ))
        .await;
    match read {
        Ok(p) => p.requires(callout.request_type.as_ref()),
        Err(error) => {
            tracing::warn!(policy, %error, "cannot read whether entitlement management's approval is on; deciding as the only approver");
            false
        }
    }
}

/// The approval part of an `accessPackageAssignmentPolicy`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct PolicyApproval {
    request_approval_settings: Option<ApprovalSettings>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct ApprovalSettings {
    is_approval_required_for_add: bool,
    is_approval_required_for_update: bool,
    stages: Vec<serde_json::Value>,
}

impl PolicyApproval {
    fn requires(&self, kind: Option<&RequestType>) -> bool {
        let Some(settings) = &self.request_approval_settings else {
            return false;
        };
        let required = match kind.is_some_and(RequestType::is_update) {
            true => settings.is_approval_required_for_update,
            false => settings.is_approval_required_for_add,
        };
        required && !settings.stages.is_empty()
    }
}

/// Reads `callout`'s request and checks it against Entra's record: `Ok(Ok(details))` to
/// decide, `Ok(Err(why))` not to, `Err` when Graph failed (retry).
pub async fn check(
    graph: &GraphClient,
    callout: &RequestCallout,
    packages: &ManagedPackages,
) -> Result<Result<Details, NotOurs>, GraphError> {
    let details = match fetch(graph, &callout.access_package_assignment_request_id).await {
        Ok(d) => d,
        Err(e) if e.is_not_found() => return Ok(Err(NotOurs::Missing)),
        Err(e) => return Err(e),
    };
    Ok(judge(details, &callout.custom_extension_stage_instance_id, packages))
}

/// The check itself, on a request already read.
pub fn judge(details: Details, instance_id: &str, packages: &ManagedPackages) -> Result<Details, NotOurs> {
    let package = details.access_package.as_ref().and_then(|p| p.id.clone());
    if !packages.is_unrestricted() && !packages.manages(package.as_deref()) {
        return Err(NotOurs::OtherPackage(package.unwrap_or_else(|| "(not given)".into())));
    }
    let waiting = |s: &Option<String>| {
        s.as_deref()
            .is_some_and(|s| s.eq_ignore_ascii_case("waitingForCallback"))
    };
    let instances = &details.custom_extension_callout_instances;
    match instances.iter().find(|i| i.id.eq_ignore_ascii_case(instance_id)) {
        Some(i) if waiting(&i.status) => Ok(details),
        Some(i) => Err(NotOurs::NotWaiting(
            i.status.clone().unwrap_or_else(|| "no status".into()),
        )),
        None if instances.iter().any(|i| waiting(&i.status)) => {
            tracing::warn!(
                instance = instance_id,
                "no callout instance of the request carries the callout's stage instance id, but one waits: taken as ours"
            );
            Ok(details)
        }
        None => Err(NotOurs::NotWaiting(format!(
            "no callout instance waits; request state {}",
            details.state.as_deref().unwrap_or("unknown")
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn details(package: &str, instances: &[(&str, &str)]) -> Details {
        serde_json::from_value(serde_json::json!({
            "state": "submitted",
            "accessPackage": {"id": package},
            "customExtensionCalloutInstances": instances
                .iter()
                .map(|(id, status)| serde_json::json!({"id": id, "status": status}))
                .collect::<Vec<_>>(),
        }))
        .unwrap()
    }

    #[test]
    fn a_request_waiting_at_this_instance_of_a_managed_package_is_ours() {
        let ours = ManagedPackages::of(vec!["p".into()]);
        assert!(judge(details("P", &[("i-1", "waitingForCallback")]), "I-1", &ours).is_ok());
        assert_eq!(
            judge(details("q", &[("i-1", "waitingForCallback")]), "i-1", &ours).unwrap_err(),
            NotOurs::OtherPackage("q".into())
        );
        assert_eq!(
            judge(details("p", &[("i-1", "callbackReceived")]), "i-1", &ours).unwrap_err(),
            NotOurs::NotWaiting("callbackReceived".into())
        );
        assert!(matches!(
            judge(details("p", &[("i-0", "callbackReceived")]), "i-1", &ours),
            Err(NotOurs::NotWaiting(_))
        ));
        // Instance ids that differ from the callout's (undocumented either way): one waits.
        assert!(judge(details("p", &[("other", "waitingForCallback")]), "i-1", &ours).is_ok());
    }
}
