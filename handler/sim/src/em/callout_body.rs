//! The callout body EM sends, in the flat PascalCase wire form a Logic App trigger receives and
//! forwards: `AccessPackageAssignmentRequestId`,
//! `CustomExtensionStageInstanceId`, `Stage`, `RequestType`, `CallbackUriPath`,
//! `CallbackConfiguration`, `AccessPackage`, `AccessPackageCatalog`, `Assignment` (with `Target`
//! and `AssignmentPolicy`), `Requestor`, `Answers`, plus a few of the internal null fields real
//! callouts carry.
//!
//! Assumptions (UNCONFIRMED, not in Microsoft's documentation): `Stage` carries the Graph enum spelling
//! (`assignmentRequestCreated`); `CallbackConfiguration` is `{"DurationBeforeTimeout": "PT1H"}`
//! for launch-and-wait and `null` for launch-and-continue; subject `Id`s (accessPackageSubject
//! ids) differ from `ObjectId`s (directory object ids): the sim derives them from the object id.

use serde_json::{json, Value};

use crate::duration::to_iso8601;
use crate::em::types::{LaunchMode, RequestView, Stage};
use crate::state::TenantState;

/// The access-package subject id the sim uses for a directory object (stable, distinct from it).
pub(crate) fn subject_id(object_id: &str) -> String {
    let ns = uuid::Uuid::from_u128(0x6a1b_5e57_0000_4000_8000_0000_0000_0001);
    uuid::Uuid::new_v5(&ns, object_id.to_ascii_lowercase().as_bytes()).to_string()
}

/// `Requestor` / `Assignment.Target` in PascalCase.
pub(crate) fn subject_pascal(state: &TenantState, object_id: &str) -> Value {
    let user = state.user(object_id);
    let name = user.map(|u| u.display_name.clone());
    let upn = user.map(|u| u.user_principal_name.clone());
    let mail = user.and_then(|u| u.mail.clone()).or_else(|| upn.clone());
    json!({
        "Id": subject_id(object_id),
        "ObjectId": object_id,
        "DisplayName": name,
        "Email": mail,
        "PrincipalName": upn,
        "SubjectType": "user",
        "Type": "User",
        "SubjectLifecycle": null,
        "ConnectedOrganizationId": null,
        "OnPremisesSecurityIdentifier": null,
        "AltSecId": null,
        "CleanupScheduledDateTime": null,
    })
}

/// The whole callout body for `request` at `stage`.
pub(crate) fn callout_body(
    state: &TenantState,
    request: &RequestView,
    stage: Stage,
    stage_instance_id: &str,
    mode: LaunchMode,
    assignment_state: &str,
) -> Value {
    let package = state
        .access_packages
        .iter()
        .find(|p| p.id.eq_ignore_ascii_case(&request.access_package_id));
    let policy = package.and_then(|p| {
        p.policies
            .iter()
            .find(|pol| pol.id.eq_ignore_ascii_case(&request.policy_id))
    });
    let callback_configuration = match mode {
        LaunchMode::Wait { timeout } => json!({ "DurationBeforeTimeout": to_iso8601(timeout) }),
        LaunchMode::Continue => Value::Null,
    };
    let answers: Vec<Value> = request
        .answers
        .iter()
        .enumerate()
        .map(|(i, a)| {
            json!({
                "Value": a.value,
                "DisplayValue": a.display_value,
                "AnsweredQuestion": {
                    "Id": a.question_id.clone().unwrap_or_else(|| {
                        uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_OID, a.question.as_bytes()).to_string()
                    }),
                    "IsRequired": true,
                    "IsAnswerEditable": null,
                    "Sequence": i,
                    "Text": { "DefaultText": a.question, "LocalizedTexts": [] },
                    "TextString": a.question,
                    "Attribute": null,
                }
            })
        })
        .collect();
    let assignment_id = request.assignment_id.clone();
    json!({
        "AccessPackageAssignmentRequestId": request.id,
        "CustomExtensionStageInstanceId": stage_instance_id,
        "Stage": stage.as_str(),
        "RequestType": request.request_type,
        "CallbackUriPath": format!(
            "/identityGovernance/entitlementManagement/assignmentRequests/{}/resume",
            request.id
        ),
        "CallbackConfiguration": callback_configuration,
        "AccessPackage": {
            "Id": request.access_package_id,
            "DisplayName": package.map(|p| p.display_name.clone()),
            "Description": package.and_then(|p| p.description.clone()),
        },
        "AccessPackageCatalog": {
            "Id": package.map(|p| p.catalog_id.clone()),
            "DisplayName": package.map(|p| p.catalog_display_name.clone().unwrap_or_else(|| "General".to_owned())),
            "Description": null,
        },
        "Assignment": {
            "Id": assignment_id,
            "State": assignment_state,
            "Status": request.status,
            "AccessPackageId": request.access_package_id,
            "AssignmentPolicy": {
                "Id": request.policy_id,
                "DisplayName": policy.map(|p| p.display_name.clone()),
                "Description": null,
            },
            "Schedule": null,
            "TargetId": subject_id(&request.target_id),
            "Target": subject_pascal(state, &request.target_id),
        },
        "Requestor": subject_pascal(state, &request.requestor_id),
        "Answers": if answers.is_empty() { Value::Null } else { Value::Array(answers) },
        "VerifiedCredentialsData": null,
        "CustomExtensionHandlerInstanceId": null,
        "ActivityId": null,
    })
}
