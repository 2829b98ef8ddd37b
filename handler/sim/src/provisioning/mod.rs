//! What `jitadmin provision` sets up through Graph, served as Graph does:
//!
//! - a catalog and its custom extensions (`catalogs.rs`): request workflow and pre-expiration
//!   (assignment workflow) extensions, created, listed, read and updated;
//! - assignment policies with their `customExtensionStageSettings` (`policies.rs`): read with
//!   `$expand`, replaced with `PUT`; request-stage settings drive the simulated callouts;
//! - entitlement-management role definitions and catalog-scoped role assignments (`roles.rs`);
//! - Intune settings-catalog policies under `/beta/deviceManagement/configurationPolicies`
//!   (`intune.rs`), their settings, assignments and `assign`, with the "Local user group
//!   membership" rules checked (`local_groups.rs`).
//!
//! Validation errors are 400s naming the missing or wrong property; unknown ids are 404s. Error
//! codes Microsoft does not document are the sim's choice (noted at each).

mod api;
pub(crate) mod area;
mod catalogs;
mod intune;
mod local_groups;
mod policies;

pub(crate) use policies::set_request_approval;
mod roles;
mod store;

use axum::extract::FromRef;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::Router;
use serde_json::Value;

pub use api::ConfigurationPolicyView;

use crate::odata::errors::GraphError;
use area::ProvisioningArea;

const EM: &str = "/identityGovernance/entitlementManagement";
const EM_ROLES: &str = "/roleManagement/entitlementManagement";
const INTUNE: &str = "/deviceManagement/configurationPolicies";

/// The stages of `accessPackageCustomExtensionStage`
/// (<https://learn.microsoft.com/graph/api/resources/accesspackageassignmentrequestcallbackdata>):
/// four request stages, then the two pre-expiration ones.
pub(crate) const STAGES: [&str; 6] = [
    "assignmentRequestCreated",
    "assignmentRequestApproved",
    "assignmentRequestGranted",
    "assignmentRequestRemoved",
    "assignmentFourteenDaysBeforeExpiration",
    "assignmentOneDayBeforeExpiration",
];

/// The routes, relative to a Graph version root.
pub(crate) fn routes<S>() -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    ProvisioningArea: FromRef<S>,
{
    Router::new()
        .route(&format!("{EM}/catalogs/{{catalog}}"), get(catalogs::get_catalog))
        .route(
            &format!("{EM}/catalogs/{{catalog}}/customWorkflowExtensions"),
            get(catalogs::list_extensions).post(catalogs::create_extension),
        )
        .route(
            &format!("{EM}/catalogs/{{catalog}}/customWorkflowExtensions/{{id}}"),
            get(catalogs::get_extension).put(catalogs::update_extension),
        )
        .route(
            &format!("{EM}/assignmentPolicies/{{id}}"),
            get(policies::get_policy).put(policies::put_policy),
        )
        .route(&format!("{EM_ROLES}/roleDefinitions"), get(roles::list_definitions))
        .route(
            &format!("{EM_ROLES}/roleDefinitions/{{id}}"),
            get(roles::get_definition),
        )
        .route(
            &format!("{EM_ROLES}/roleAssignments"),
            get(roles::list_assignments).post(roles::create_assignment),
        )
        .route(INTUNE, get(intune::list).post(intune::create))
        .route(&format!("{INTUNE}/{{id}}"), get(intune::get).put(intune::replace))
        .route(&format!("{INTUNE}/{{id}}/settings"), get(intune::settings))
        .route(&format!("{INTUNE}/{{id}}/assignments"), get(intune::assignments))
        .route(&format!("{INTUNE}/{{id}}/assign"), post(intune::assign))
}

/// 400 `BadRequest` with a message naming the problem.
pub(crate) fn bad(message: impl Into<String>) -> GraphError {
    GraphError::new(StatusCode::BAD_REQUEST, "BadRequest", message)
}

/// 404 `ResourceNotFound`.
pub(crate) fn not_found(what: &str, id: &str) -> GraphError {
    GraphError::new(
        StatusCode::NOT_FOUND,
        "ResourceNotFound",
        format!("{what} '{id}' was not found."),
    )
}

/// The body as a JSON object, or 400.
pub(crate) fn object_body(body: &[u8]) -> Result<serde_json::Map<String, Value>, GraphError> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(bad("The request body must be a JSON object.")),
    }
}

/// Now, as Graph writes timestamps.
pub(crate) fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}
