//! The entitlement-management Graph routes: resume, get and list requests, list assignments.
//!
//! Resume (<https://learn.microsoft.com/graph/api/accesspackageassignmentrequest-resume>) errors: Microsoft documents
//! none, so the codes are the sim's assumption;
//! clients should, like jitadmin-graph, GET the request to learn what happened):
//! - no such request: 404 [`REQUEST_NOT_FOUND`];
//! - body not JSON, no `data`, no or wrong `data.@odata.type`, no
//!   `data.customExtensionStageInstanceId`, `type`/`data.stage` naming another stage, unknown
//!   `data.state`, or `denied` at a stage that cannot deny: 400 `BadRequest`;
//! - the stage instance is not one of the request's: 400 [`STAGE_INSTANCE_NOT_FOUND`];
//! - the instance is no longer waiting (already resumed, timed out, failed): 400
//!   [`NOT_WAITING_FOR_CALLBACK`], the message naming the instance's status.

use axum::extract::{FromRef, Path, RawQuery, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use bytes::Bytes;
use chrono::Utc;
use serde_json::{json, Value};

use crate::em::flow::{complete_stage, drive, finish};
use crate::em::json::{assignment, request};
use crate::em::service::EmService;
use crate::em::store::{state, status};
use crate::em::types::{CalloutStatus, ResumeRecord, Stage};
use crate::odata::errors::GraphError;
use crate::odata::filter::{expands, filter_clauses};
use crate::odata::ApiVersion;
use crate::work::Kind;

/// Code of the 404 for an unknown request id (assumed).
pub const REQUEST_NOT_FOUND: &str = "ResourceNotFound";
/// Code of the 400 for a stage instance id the request does not have (assumed).
pub const STAGE_INSTANCE_NOT_FOUND: &str = "CustomExtensionStageInstanceNotFound";
/// Code of the 400 for a resume of an instance that no longer waits (assumed).
pub const NOT_WAITING_FOR_CALLBACK: &str = "RequestNotWaitingForCallback";

const EM: &str = "/identityGovernance/entitlementManagement";

/// The routes, relative to a Graph version root.
pub(crate) fn routes<S>() -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    EmService: FromRef<S>,
{
    Router::new()
        .route(&format!("{EM}/assignmentRequests"), get(list_requests))
        .route(&format!("{EM}/assignmentRequests/{{id}}"), get(get_request))
        .route(&format!("{EM}/assignmentRequests/{{id}}/resume"), post(resume))
        // The older beta path, which Microsoft's resume page says is to be retired soon.
        .route(
            &format!("{EM}/accessPackageAssignmentRequests/{{id}}/resume"),
            post(resume),
        )
        .route(&format!("{EM}/assignments"), get(list_assignments))
}

fn not_found(id: &str) -> GraphError {
    GraphError::new(
        StatusCode::NOT_FOUND,
        REQUEST_NOT_FOUND,
        format!("Request with id '{id}' was not found."),
    )
}

/// `GET .../assignmentRequests/{id}` (`$expand` of requestor, accessPackage, assignment).
async fn get_request(
    State(sim): State<EmService>,
    Extension(version): Extension<ApiVersion>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, GraphError> {
    let expand = expands(raw.as_deref());
    let st = sim.directory.state();
    let em = sim.em();
    let r = em.request(&id).ok_or_else(|| not_found(&id))?;
    let a = r.assignment_id.as_deref().and_then(|a| em.assignment(a));
    let mut body = request(&st, r, a, &expand);
    body["@odata.context"] = json!(format!(
        "{}/{}/$metadata#identityGovernance/entitlementManagement/assignmentRequests/$entity",
        sim.authority.base_url, version.0
    ));
    Ok(Json(body))
}

/// `GET .../assignmentRequests?$filter=accessPackage/id eq '..' [and requestor/objectId eq '..'] [and state eq '..']`.
async fn list_requests(
    State(sim): State<EmService>,
    Extension(version): Extension<ApiVersion>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, GraphError> {
    let clauses = filter_clauses(raw.as_deref())?;
    let expand = expands(raw.as_deref());
    let st = sim.directory.state();
    let em = sim.em();
    let mut value = Vec::new();
    'requests: for r in &em.requests {
        for (path, want) in &clauses {
            let got = match path.as_str() {
                "accesspackage/id" => &r.access_package_id,
                "requestor/objectid" => &r.requestor_id,
                "id" => &r.id,
                "state" => &r.state,
                "status" => &r.status,
                "requesttype" => &r.request_type,
                _ => {
                    return Err(GraphError::bad_request(format!(
                        "Filtering on '{path}' is not supported."
                    )))
                }
            };
            if !got.eq_ignore_ascii_case(want) {
                continue 'requests;
            }
        }
        let a = r.assignment_id.as_deref().and_then(|a| em.assignment(a));
        value.push(request(&st, r, a, &expand));
    }
    Ok(Json(json!({
        "@odata.context": format!("{}/{}/$metadata#identityGovernance/entitlementManagement/assignmentRequests", sim.authority.base_url, version.0),
        "value": value,
    })))
}

/// `GET .../assignments?$filter=accessPackage/id eq '..' and target/objectId eq '..'&$expand=target`.
async fn list_assignments(
    State(sim): State<EmService>,
    Extension(version): Extension<ApiVersion>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, GraphError> {
    let clauses = filter_clauses(raw.as_deref())?;
    let expand = expands(raw.as_deref());
    let st = sim.directory.state();
    let em = sim.em();
    let mut value = Vec::new();
    'assignments: for a in &em.assignments {
        for (path, want) in &clauses {
            let got = match path.as_str() {
                "accesspackage/id" => &a.access_package_id,
                "target/objectid" => &a.target_id,
                "assignmentpolicy/id" => &a.policy_id,
                "id" => &a.id,
                "state" => &a.state,
                _ => {
                    return Err(GraphError::bad_request(format!(
                        "Filtering on '{path}' is not supported."
                    )))
                }
            };
            if !got.eq_ignore_ascii_case(want) {
                continue 'assignments;
            }
        }
        value.push(assignment(&st, a, &expand));
    }
    Ok(Json(json!({
        "@odata.context": format!("{}/{}/$metadata#identityGovernance/entitlementManagement/assignments", sim.authority.base_url, version.0),
        "value": value,
    })))
}

/// What a resume asks for.
enum Decision {
    Continue,
    Deny,
    Cancel,
}

/// `POST .../assignmentRequests/{id}/resume` → 204, or a Graph error (see the module docs).
async fn resume(State(sim): State<EmService>, Path(id): Path<String>, body: Bytes) -> Result<StatusCode, GraphError> {
    let parsed: Option<Value> = serde_json::from_slice(&body).ok();
    let instance_id = parsed
        .as_ref()
        .and_then(|b| b.pointer("/data/customExtensionStageInstanceId"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    let outcome = check_and_apply(&sim, &id, parsed.as_ref(), instance_id.as_deref());
    let record = ResumeRecord {
        at: Utc::now(),
        stage_instance_id: instance_id,
        body: parsed.unwrap_or_else(|| Value::String(String::from_utf8_lossy(&body).into_owned())),
        status: match &outcome {
            Ok(_) => 204,
            Err(e) => e.status().as_u16(),
        },
        error_code: outcome.as_ref().err().map(|e| e.code().to_owned()),
    };
    if let Some(r) = sim.em().request_mut(&id) {
        r.resumes.push(record);
    }
    sim.em_changed.notify_waiters();
    let (stage, decision) = outcome?;
    match decision {
        Decision::Continue => {
            let (work, sim, id) = (sim.work.clone(), sim.clone(), id.clone());
            work.spawn(Kind::Stages, async move {
                if let Some(next) = complete_stage(&sim, &id, stage) {
                    drive(sim, id, next).await;
                }
            });
        }
        Decision::Deny => finish(&sim, &id, state::DENIED, status::DENIED),
        Decision::Cancel => finish(&sim, &id, state::CANCELED, status::CANCELED),
    }
    tracing::info!(request = %id, stage = stage.as_str(), "resumed");
    Ok(StatusCode::NO_CONTENT)
}

/// Validates a resume against the request and, if valid, marks its instance received.
fn check_and_apply(
    sim: &EmService,
    id: &str,
    body: Option<&Value>,
    instance_id: Option<&str>,
) -> Result<(Stage, Decision), GraphError> {
    let mut em = sim.em();
    if em.request(id).is_none() {
        return Err(not_found(id));
    }
    let body = body.ok_or_else(|| GraphError::bad_request("The request body is not valid JSON."))?;
    let data = body
        .get("data")
        .filter(|d| d.is_object())
        .ok_or_else(|| GraphError::bad_request("The parameter 'data' is missing or not an object."))?;
    let odata_type = data.get("@odata.type").and_then(Value::as_str).unwrap_or_default();
    let odata_type = odata_type.trim_start_matches('#');
    if !matches!(
        odata_type,
        "microsoft.graph.accessPackageAssignmentRequestCallbackData"
            | "microsoft.graph.assignmentRequestApprovalStageCallbackData"
    ) {
        return Err(GraphError::bad_request(format!(
            "A type named '{odata_type}' could not be resolved as a customExtensionData."
        )));
    }
    let instance_id =
        instance_id.ok_or_else(|| GraphError::bad_request("customExtensionStageInstanceId is required."))?;
    let callout = em.callout_mut(id, instance_id).ok_or_else(|| {
        GraphError::new(
            StatusCode::BAD_REQUEST,
            STAGE_INSTANCE_NOT_FOUND,
            format!("Custom extension stage instance '{instance_id}' was not found on request '{id}'."),
        )
    })?;
    let stage = callout.stage;
    let named = [
        body.get("type")
            .and_then(Value::as_str)
            .map(|t| t.rsplit('.').next().unwrap_or(t)),
        data.get("stage").and_then(Value::as_str),
    ];
    for name in named.into_iter().flatten() {
        if !name.eq_ignore_ascii_case(stage.as_str()) {
            return Err(GraphError::bad_request(format!(
                "Stage '{name}' does not match the stage '{}' of instance '{instance_id}'.",
                stage.as_str()
            )));
        }
    }
    let decision = match data.get("state").and_then(Value::as_str) {
        None => Decision::Continue,
        Some(s) if s.eq_ignore_ascii_case("denied") && stage.allows_deny() => Decision::Deny,
        Some(s) if s.eq_ignore_ascii_case("canceled") => Decision::Cancel,
        Some(s) => {
            return Err(GraphError::bad_request(format!(
                "State '{s}' cannot be set at stage '{}'.",
                stage.as_str()
            )))
        }
    };
    if callout.status != CalloutStatus::WaitingForCallback {
        return Err(GraphError::new(
            StatusCode::BAD_REQUEST,
            NOT_WAITING_FOR_CALLBACK,
            format!(
                "The request is not waiting for a callback for custom extension stage instance '{instance_id}' (status: {}).",
                callout.status.as_str()
            ),
        ));
    }
    callout.status = CalloutStatus::CallbackReceived;
    callout.detail = data
        .get("customExtensionStageInstanceDetail")
        .and_then(Value::as_str)
        .map(str::to_owned);
    if let Some(r) = em.request_mut(id) {
        r.status = if r.state == state::DELIVERED {
            status::DELIVERED
        } else {
            status::ACCEPTED
        }
        .to_owned();
    }
    Ok((stage, decision))
}
