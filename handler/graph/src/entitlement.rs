//! Entitlement-management reads: one assignment request, and the assignments and requests of an
//! access package for a user (<https://learn.microsoft.com/graph/api/entitlementmanagement-list-assignments>,
//! <https://learn.microsoft.com/graph/api/entitlementmanagement-list-assignmentrequests>).

use serde::Deserialize;

use crate::path::{odata_string, query_value, segment};
use crate::{GraphClient, GraphError};

const EM: &str = "/v1.0/identityGovernance/entitlementManagement";

/// An access-package assignment request.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssignmentRequest {
    /// Request id.
    pub id: String,
    /// `submitted`, `pendingApproval`, `delivering`, `delivered`, `deliveryFailed`, `denied`, `scheduled`,
    /// `canceled`, `partiallyDelivered`, ... kept as text.
    #[serde(default)]
    pub state: Option<String>,
    /// Finer status text (e.g. `WaitingForCallback`, `Delivered`); values not all documented.
    #[serde(default)]
    pub status: Option<String>,
    /// `userAdd`, `adminRemove`, ...
    #[serde(default)]
    pub request_type: Option<String>,
    /// Created (ISO 8601).
    #[serde(default)]
    pub created_date_time: Option<String>,
    /// The requestor, when expanded.
    #[serde(default)]
    pub requestor: Option<Subject>,
    /// The custom-extension callouts of this request and their states.
    #[serde(default)]
    pub custom_extension_callout_instances: Vec<CalloutInstance>,
}

/// A custom-extension callout of a request.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CalloutInstance {
    /// The stage instance id (the callout's `CustomExtensionStageInstanceId`).
    pub id: String,
    /// `calloutSent`, `callbackReceived`, `calloutFailed`, `callbackTimedOut`, `waitingForCallback`, ...
    #[serde(default)]
    pub status: Option<String>,
    /// The extension's id.
    #[serde(default)]
    pub custom_extension_id: Option<String>,
    /// Detail text.
    #[serde(default)]
    pub detail: Option<String>,
}

/// An access-package subject (requestor or assignment target).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Subject {
    /// Subject id (not the directory object id).
    #[serde(default)]
    pub id: Option<String>,
    /// Directory object id.
    #[serde(default)]
    pub object_id: Option<String>,
    /// Display name.
    #[serde(default)]
    pub display_name: Option<String>,
    /// Principal name.
    #[serde(default)]
    pub principal_name: Option<String>,
    /// `user` or `servicePrincipal`.
    #[serde(default)]
    pub subject_type: Option<String>,
}

/// An access-package assignment.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Assignment {
    /// Assignment id.
    pub id: String,
    /// `delivering`, `partiallyDelivered`, `delivered`, `expired`, `deliveryFailed`, ... kept as text.
    #[serde(default)]
    pub state: Option<String>,
    /// Finer status text.
    #[serde(default)]
    pub status: Option<String>,
    /// The target, when expanded.
    #[serde(default)]
    pub target: Option<Subject>,
    /// Expiry and start, as Graph gives them.
    #[serde(default)]
    pub schedule: Option<serde_json::Value>,
}

impl GraphClient {
    /// `GET /v1.0/identityGovernance/entitlementManagement/assignmentRequests/{id}`.
    pub async fn get_assignment_request(&self, request_id: &str) -> Result<AssignmentRequest, GraphError> {
        self.get_json(&format!("{EM}/assignmentRequests/{}", segment(request_id)?))
            .await
    }

    /// The assignments of an access package whose target is this user (all pages), for drift checks.
    pub async fn list_user_assignments(
        &self,
        access_package_id: &str,
        user_object_id: &str,
    ) -> Result<Vec<Assignment>, GraphError> {
        let filter = format!(
            "accessPackage/id eq {} and target/objectId eq {}",
            odata_string(access_package_id),
            odata_string(user_object_id)
        );
        let target = format!("{EM}/assignments?$filter={}&$expand=target", query_value(&filter));
        Ok(self.get_all(&target).await?.items)
    }

    /// The assignment requests of an access package made by this user (all pages). Graph is filtered
    /// on the package (catalog-scoped callers must) and the requestor is matched here.
    pub async fn list_user_assignment_requests(
        &self,
        access_package_id: &str,
        user_object_id: &str,
    ) -> Result<Vec<AssignmentRequest>, GraphError> {
        let filter = format!("accessPackage/id eq {}", odata_string(access_package_id));
        let target = format!(
            "{EM}/assignmentRequests?$filter={}&$expand=requestor",
            query_value(&filter)
        );
        let all: Vec<AssignmentRequest> = self.get_all(&target).await?.items;
        Ok(all
            .into_iter()
            .filter(|r| {
                r.requestor
                    .as_ref()
                    .and_then(|s| s.object_id.as_deref())
                    .is_some_and(|o| o.eq_ignore_ascii_case(user_object_id))
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::paging::Page;

    #[test]
    fn waiting_request_fixture_parses_with_its_callout_instance() {
        let r: AssignmentRequest =
            serde_json::from_slice(include_bytes!("../testdata/assignment-request-waiting.json")).expect("request");
        assert_eq!(r.state.as_deref(), Some("submitted"));
        assert_eq!(r.custom_extension_callout_instances.len(), 1);
        assert_eq!(
            r.custom_extension_callout_instances[0].status.as_deref(),
            Some("waitingForCallback")
        );
        assert_eq!(
            r.requestor.and_then(|s| s.object_id).as_deref(),
            Some("87d349ed-44d7-43e1-9a83-5f2406dee5bd")
        );
    }

    #[test]
    fn assignments_fixture_parses() {
        let p: Page<Assignment> =
            serde_json::from_slice(include_bytes!("../testdata/assignments-for-user.json")).expect("page");
        assert_eq!(p.value[0].state.as_deref(), Some("delivered"));
        assert_eq!(
            p.value[0].target.as_ref().and_then(|t| t.object_id.as_deref()),
            Some("87d349ed-44d7-43e1-9a83-5f2406dee5bd")
        );
    }
}
