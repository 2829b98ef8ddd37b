//! Custom extensions and policy stage settings through Graph (spec entitlement-management §6):
//!
//! - `POST .../catalogs/{catalogId}/customWorkflowExtensions` → 201. `@odata.type` is required
//!   (`accessPackageAssignmentRequestWorkflowExtension`); `endpointConfiguration.url` is the URL the
//!   sim posts to (required here; Graph needs it for app-only callers); `authenticationConfiguration`
//!   `azureAdPopTokenAuthentication` (or absent: PoP, the default since GA) or
//!   `azureAdTokenAuthentication` with `resourceId` (a bearer token for EM's app, audience
//!   `resourceId`); `callbackConfiguration.timeoutDuration` (or `durationBeforeTimeout`), 5 minutes
//!   to 14 days, makes it launch-and-wait, its absence launch-and-continue (UNCONFIRMED in Graph).
//! - `PUT .../assignmentPolicies/{id}` with `customExtensionStageSettings: [{stage, customExtension:
//!   {id}}]` replaces the policy's stage settings (an empty array removes them) → 200.
//! - `GET .../assignmentPolicies/{id}` returns the policy with its `customExtensionStageSettings`
//!   (each with `customExtension` expanded).

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use bytes::Bytes;
use serde_json::{json, Value};

use crate::em::auth::EM_APP_ID;
use crate::em::duration::{parse_iso8601, to_iso8601};
use crate::em::types::{CalloutAuth, LaunchMode, PopOptions, Stage, StageSetting};
use crate::graph::errors::GraphError;
use crate::graph::ApiVersion;
use crate::shared::Shared;

/// A custom extension created through Graph.
#[derive(Debug, Clone)]
pub(crate) struct CustomExtension {
    pub id: String,
    pub json: Value,
    pub endpoint: String,
    pub mode: LaunchMode,
    pub auth: CalloutAuth,
}

const REQUEST_WORKFLOW: &str = "microsoft.graph.accessPackageAssignmentRequestWorkflowExtension";

fn bad(message: impl Into<String>) -> GraphError {
    GraphError::new(StatusCode::BAD_REQUEST, "BadRequest", message)
}

/// `POST .../catalogs/{catalogId}/customWorkflowExtensions`.
pub(crate) async fn create_extension(
    State(sim): State<Arc<Shared>>,
    Path(catalog): Path<String>,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), GraphError> {
    let known = sim
        .state()
        .access_packages
        .iter()
        .any(|p| p.catalog_id.eq_ignore_ascii_case(&catalog));
    if !known {
        return Err(GraphError::new(
            StatusCode::NOT_FOUND,
            "ResourceNotFound",
            format!("Catalog '{catalog}' was not found."),
        ));
    }
    let body: Value = serde_json::from_slice(&body).map_err(|_| bad("The request body is not valid JSON."))?;
    let kind = body.get("@odata.type").and_then(Value::as_str).unwrap_or_default();
    if kind.trim_start_matches('#') != REQUEST_WORKFLOW {
        return Err(bad(format!("'@odata.type' must be '#{REQUEST_WORKFLOW}'.")));
    }
    let endpoint = body
        .pointer("/endpointConfiguration/url")
        .and_then(Value::as_str)
        .filter(|u| url::Url::parse(u).is_ok())
        .ok_or_else(|| bad("endpointConfiguration.url is required (an absolute URL)."))?
        .to_owned();
    let auth_type = body
        .pointer("/authenticationConfiguration/@odata.type")
        .and_then(Value::as_str)
        .unwrap_or("#microsoft.graph.azureAdPopTokenAuthentication");
    let auth = match auth_type.trim_start_matches('#') {
        "microsoft.graph.azureAdPopTokenAuthentication" => CalloutAuth::Pop(PopOptions::default()),
        "microsoft.graph.azureAdTokenAuthentication" => CalloutAuth::Bearer {
            client_id: EM_APP_ID.to_owned(),
            audience: body
                .pointer("/authenticationConfiguration/resourceId")
                .and_then(Value::as_str)
                .ok_or_else(|| bad("authenticationConfiguration.resourceId is required."))?
                .to_owned(),
        },
        other => return Err(bad(format!("Unsupported authenticationConfiguration '{other}'."))),
    };
    let timeout = ["timeoutDuration", "durationBeforeTimeout"].iter().find_map(|k| {
        body.pointer(&format!("/callbackConfiguration/{k}"))
            .and_then(Value::as_str)
    });
    let mode = match timeout {
        None => LaunchMode::Continue,
        Some(t) => {
            let d = parse_iso8601(t).ok_or_else(|| bad(format!("Invalid duration '{t}'.")))?;
            if d < Duration::from_secs(300) || d > Duration::from_secs(14 * 86_400) {
                return Err(bad("The callback timeout must be between 5 minutes and 14 days."));
            }
            LaunchMode::Wait { timeout: d }
        }
    };
    let id = uuid::Uuid::new_v4().to_string();
    let mut json = body.clone();
    json["id"] = json!(id);
    json["@odata.type"] = json!(format!("#{REQUEST_WORKFLOW}"));
    json["createdDateTime"] = json!(chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
    if let LaunchMode::Wait { timeout } = mode {
        json["callbackConfiguration"] = json!({
            "@odata.type": "#microsoft.graph.customExtensionCallbackConfiguration",
            "timeoutDuration": to_iso8601(timeout),
        });
    }
    sim.em().extensions.push(CustomExtension {
        id,
        json: json.clone(),
        endpoint,
        mode,
        auth,
    });
    Ok((StatusCode::CREATED, Json(json)))
}

fn policy_json(sim: &Shared, version: ApiVersion, policy_id: &str) -> Option<Value> {
    let (package, policy) = {
        let st = sim.state();
        let p = st
            .access_packages
            .iter()
            .find(|p| p.policies.iter().any(|x| x.id.eq_ignore_ascii_case(policy_id)))?;
        let pol = p
            .policies
            .iter()
            .find(|x| x.id.eq_ignore_ascii_case(policy_id))?
            .clone();
        (p.id.clone(), pol)
    };
    let em = sim.em();
    let settings: Vec<Value> = em
        .settings(&policy.id)
        .iter()
        .map(|s| {
            let ext = em.extensions.iter().find(|e| e.id == s.custom_extension_id);
            json!({
                "id": uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_OID, format!("{}{}", policy.id, s.stage.as_str()).as_bytes()).to_string(),
                "stage": s.stage.as_str(),
                "customExtension": ext.map(|e| e.json.clone()).unwrap_or_else(|| json!({ "id": s.custom_extension_id })),
            })
        })
        .collect();
    Some(json!({
        "@odata.context": format!("{}/{}/$metadata#identityGovernance/entitlementManagement/assignmentPolicies/$entity", sim.base_url, version.0),
        "id": policy.id,
        "displayName": policy.display_name,
        "allowedTargetScope": "allMemberUsers",
        "accessPackage": { "id": package },
        "customExtensionStageSettings": settings,
    }))
}

fn policy_not_found(id: &str) -> GraphError {
    GraphError::new(
        StatusCode::NOT_FOUND,
        "ResourceNotFound",
        format!("Policy '{id}' was not found."),
    )
}

/// `GET .../assignmentPolicies/{id}`.
pub(crate) async fn get_policy(
    State(sim): State<Arc<Shared>>,
    Extension(version): Extension<ApiVersion>,
    Path(id): Path<String>,
) -> Result<Json<Value>, GraphError> {
    policy_json(&sim, version, &id)
        .map(Json)
        .ok_or_else(|| policy_not_found(&id))
}

/// `PUT .../assignmentPolicies/{id}`: replaces the policy's `customExtensionStageSettings`.
pub(crate) async fn put_policy(
    State(sim): State<Arc<Shared>>,
    Extension(version): Extension<ApiVersion>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, GraphError> {
    if policy_json(&sim, version, &id).is_none() {
        return Err(policy_not_found(&id));
    }
    let body: Value = serde_json::from_slice(&body).map_err(|_| bad("The request body is not valid JSON."))?;
    let list = body
        .get("customExtensionStageSettings")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut settings = Vec::new();
    {
        let em = sim.em();
        for item in &list {
            let stage_name = item.get("stage").and_then(Value::as_str).unwrap_or_default();
            let stage = Stage::parse(stage_name).ok_or_else(|| bad(format!("Unknown stage '{stage_name}'.")))?;
            let ext_id = item
                .pointer("/customExtension/id")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let ext = em
                .extensions
                .iter()
                .find(|e| e.id.eq_ignore_ascii_case(ext_id))
                .ok_or_else(|| bad(format!("Custom extension '{ext_id}' was not found.")))?;
            settings.push(StageSetting {
                stage,
                endpoint: ext.endpoint.clone(),
                mode: ext.mode,
                auth: ext.auth.clone(),
                custom_extension_id: ext.id.clone(),
            });
        }
    }
    {
        let mut em = sim.em();
        em.clear_settings(&id);
        for s in settings {
            em.set_setting(&id, s);
        }
    }
    policy_json(&sim, version, &id)
        .map(Json)
        .ok_or_else(|| policy_not_found(&id))
}
