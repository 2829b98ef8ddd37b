//! Graph's JSON for assignment requests and assignments (camelCase, as Graph serialises them).

use serde_json::{json, Map, Value};

use crate::em::callout_body::subject_id;
use crate::em::types::{AssignmentView, RequestView};
use crate::state::TenantState;

/// An `accessPackageSubject` for a directory object.
pub(crate) fn subject(state: &TenantState, object_id: &str) -> Value {
    let user = state.user(object_id);
    json!({
        "id": subject_id(object_id),
        "objectId": object_id,
        "displayName": user.map(|u| u.display_name.clone()),
        "email": user.and_then(|u| u.mail.clone().or_else(|| Some(u.user_principal_name.clone()))),
        "principalName": user.map(|u| u.user_principal_name.clone()),
        "subjectType": "user",
    })
}

fn access_package(state: &TenantState, id: &str) -> Value {
    let p = state.access_packages.iter().find(|p| p.id.eq_ignore_ascii_case(id));
    json!({
        "id": id,
        "displayName": p.map(|p| p.display_name.clone()),
        "description": p.and_then(|p| p.description.clone()),
        "isHidden": false,
    })
}

fn time(t: &chrono::DateTime<chrono::Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// An `accessPackageAssignment`.
pub(crate) fn assignment(state: &TenantState, a: &AssignmentView, expand: &[String]) -> Value {
    let mut m = Map::new();
    m.insert("id".into(), json!(a.id));
    m.insert("state".into(), json!(a.state));
    m.insert("status".into(), json!(a.status));
    m.insert("expiredDateTime".into(), Value::Null);
    m.insert("schedule".into(), a.schedule.clone());
    if expand.iter().any(|e| e == "target") {
        m.insert("target".into(), subject(state, &a.target_id));
    }
    if expand.iter().any(|e| e == "accesspackage") {
        m.insert("accessPackage".into(), access_package(state, &a.access_package_id));
    }
    if expand.iter().any(|e| e == "assignmentpolicy") {
        m.insert("assignmentPolicy".into(), json!({ "id": a.policy_id }));
    }
    Value::Object(m)
}

/// An `accessPackageAssignmentRequest` with its `customExtensionCalloutInstances`.
pub(crate) fn request(
    state: &TenantState,
    r: &RequestView,
    assignment_view: Option<&AssignmentView>,
    expand: &[String],
) -> Value {
    let instances: Vec<Value> = r
        .callouts
        .iter()
        .map(|c| {
            json!({
                "id": c.stage_instance_id,
                "status": c.status.as_str(),
                "customExtensionId": c.custom_extension_id,
                "detail": c.detail,
                "externalCorrelationId": null,
            })
        })
        .collect();
    let answers: Vec<Value> = r
        .answers
        .iter()
        .map(|a| {
            json!({
                "@odata.type": "#microsoft.graph.accessPackageAnswerString",
                "value": a.value,
                "displayValue": a.display_value.clone().unwrap_or_else(|| a.value.clone()),
            })
        })
        .collect();
    let mut m = Map::new();
    m.insert("id".into(), json!(r.id));
    m.insert("requestType".into(), json!(r.request_type));
    m.insert("state".into(), json!(r.state));
    m.insert("status".into(), json!(r.status));
    m.insert("createdDateTime".into(), json!(time(&r.created_at)));
    m.insert("completedDateTime".into(), json!(r.completed_at.as_ref().map(time)));
    m.insert("justification".into(), json!(r.justification));
    m.insert("schedule".into(), r.schedule.clone());
    m.insert("answers".into(), Value::Array(answers));
    m.insert("customExtensionCalloutInstances".into(), Value::Array(instances));
    if expand.iter().any(|e| e == "requestor") {
        m.insert("requestor".into(), subject(state, &r.requestor_id));
    }
    if expand.iter().any(|e| e == "accesspackage") {
        m.insert("accessPackage".into(), access_package(state, &r.access_package_id));
    }
    if expand.iter().any(|e| e == "assignment") {
        let a = match assignment_view {
            Some(a) => assignment(state, a, &["target".to_owned()]),
            None => json!({ "id": null, "target": subject(state, &r.target_id) }),
        };
        m.insert("assignment".into(), a);
    }
    Value::Object(m)
}
