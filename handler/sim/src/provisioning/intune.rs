//! Intune settings-catalog policies, **beta only** (`/beta/deviceManagement/configurationPolicies`;
//! under `/v1.0` Graph answers 400 "Resource not found for the segment"):
//!
//! - `GET` (list, without settings), `POST` → 201. Required: `name`, `platforms`, `technologies`,
//!   a non-empty `settings` array whose items have a `settingInstance` with `@odata.type` and
//!   `settingDefinitionId`; LocalUsersAndGroups rules are checked (`local_groups.rs`).
//! - `GET/PUT {id}`: read; replace (same checks; assignments are kept) → 204.
//! - `GET {id}/settings`, `GET {id}/assignments`.
//! - `POST {id}/assign` with `assignments` → 200 and the new list: it replaces the old one. A target
//!   needs `@odata.type`; a `groupAssignmentTarget` needs a `groupId`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use bytes::Bytes;
use serde_json::{json, Map, Value};

use super::area::ProvisioningArea;
use super::local_groups::{check, is_local_groups, TEMPLATE_ID};
use super::store::ConfigPolicy;
use super::{bad, not_found, now, object_body};
use crate::odata::errors::GraphError;
use crate::odata::ApiVersion;

fn beta_only(version: ApiVersion) -> Result<(), GraphError> {
    if version.0 == "beta" {
        return Ok(());
    }
    Err(GraphError::new(
        StatusCode::BAD_REQUEST,
        "BadRequest",
        "Resource not found for the segment 'configurationPolicies'.",
    ))
}

fn context(area: &ProvisioningArea, rest: &str) -> String {
    format!(
        "{}/beta/$metadata#deviceManagement/configurationPolicies{rest}",
        area.authority.base_url
    )
}

/// Checks a create/replace body; returns the policy's properties and its settings.
fn checked(mut body: Map<String, Value>) -> Result<(Map<String, Value>, Vec<Value>), GraphError> {
    for key in ["name", "platforms", "technologies"] {
        if body
            .get(key)
            .and_then(Value::as_str)
            .is_none_or(|v| v.trim().is_empty())
        {
            return Err(bad(format!("{key} is required.")));
        }
    }
    let settings = match body.remove("settings") {
        Some(Value::Array(items)) if !items.is_empty() => items,
        _ => return Err(bad("settings is required (a non-empty array).")),
    };
    let template = body
        .get("templateReference")
        .and_then(|t| t.get("templateId"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    for s in &settings {
        let instance = s.get("settingInstance").filter(|i| i.is_object());
        let ok = instance.is_some_and(|i| i.get("@odata.type").is_some() && i.get("settingDefinitionId").is_some());
        if !ok {
            return Err(bad(
                "Each setting needs a settingInstance with '@odata.type' and settingDefinitionId.",
            ));
        }
        if is_local_groups(s) {
            check(s, template.as_deref())?;
        }
    }
    if template.as_deref() == Some(TEMPLATE_ID) {
        body.insert(
            "templateReference".into(),
            json!({
                "templateId": TEMPLATE_ID,
                "templateFamily": "endpointSecurityAccountProtection",
                "templateDisplayName": "Local user group membership",
                "templateDisplayVersion": "Version 1",
            }),
        );
    }
    for key in [
        "id",
        "@odata.context",
        "createdDateTime",
        "lastModifiedDateTime",
        "settingCount",
        "isAssigned",
    ] {
        body.remove(key);
    }
    Ok((body, settings))
}

fn with_ids(settings: Vec<Value>) -> Vec<Value> {
    settings
        .into_iter()
        .enumerate()
        .map(|(i, mut s)| {
            if let Some(map) = s.as_object_mut() {
                map.remove("@odata.type");
                map.insert("id".into(), json!(i.to_string()));
            }
            s
        })
        .collect()
}

fn find(area: &ProvisioningArea, id: &str) -> Result<ConfigPolicy, GraphError> {
    area.provisioning()
        .config_policies
        .iter()
        .find(|p| {
            p.json
                .get("id")
                .and_then(Value::as_str)
                .is_some_and(|i| i.eq_ignore_ascii_case(id))
        })
        .cloned()
        .ok_or_else(|| not_found("Configuration policy", id))
}

/// `GET .../configurationPolicies`.
pub(crate) async fn list(
    State(area): State<ProvisioningArea>,
    Extension(version): Extension<ApiVersion>,
) -> Result<Json<Value>, GraphError> {
    beta_only(version)?;
    let value: Vec<Value> = area
        .provisioning()
        .config_policies
        .iter()
        .map(|p| p.json.clone())
        .collect();
    Ok(Json(
        json!({ "@odata.context": context(&area, ""), "@odata.count": value.len(), "value": value }),
    ))
}

/// `POST .../configurationPolicies` → 201.
pub(crate) async fn create(
    State(area): State<ProvisioningArea>,
    Extension(version): Extension<ApiVersion>,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), GraphError> {
    beta_only(version)?;
    let (mut json, settings) = checked(object_body(&body)?)?;
    let id = uuid::Uuid::new_v4().to_string();
    let stamp = now();
    json.insert("id".into(), json!(id));
    json.insert("createdDateTime".into(), json!(stamp));
    json.insert("lastModifiedDateTime".into(), json!(stamp));
    json.insert("settingCount".into(), json!(settings.len()));
    json.insert("isAssigned".into(), json!(false));
    json.entry("description").or_insert(json!(""));
    json.entry("roleScopeTagIds").or_insert(json!(["0"]));
    let policy = ConfigPolicy {
        json: Value::Object(json),
        settings: with_ids(settings),
        assignments: Vec::new(),
    };
    let answer = policy.json.clone();
    area.provisioning().config_policies.push(policy);
    tracing::info!(policy = %id, "configuration policy created");
    let mut answer = answer;
    answer["@odata.context"] = json!(context(&area, "/$entity"));
    Ok((StatusCode::CREATED, Json(answer)))
}

/// `GET .../configurationPolicies/{id}`.
pub(crate) async fn get(
    State(area): State<ProvisioningArea>,
    Extension(version): Extension<ApiVersion>,
    Path(id): Path<String>,
) -> Result<Json<Value>, GraphError> {
    beta_only(version)?;
    let mut json = find(&area, &id)?.json;
    json["@odata.context"] = json!(context(&area, "/$entity"));
    Ok(Json(json))
}

/// `PUT .../configurationPolicies/{id}` → 204.
pub(crate) async fn replace(
    State(area): State<ProvisioningArea>,
    Extension(version): Extension<ApiVersion>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<StatusCode, GraphError> {
    beta_only(version)?;
    let old = find(&area, &id)?;
    let (mut json, settings) = checked(object_body(&body)?)?;
    for key in ["id", "createdDateTime", "isAssigned"] {
        if let Some(v) = old.json.get(key) {
            json.insert(key.into(), v.clone());
        }
    }
    json.insert("lastModifiedDateTime".into(), json!(now()));
    json.insert("settingCount".into(), json!(settings.len()));
    let mut p = area.provisioning();
    if let Some(slot) = p
        .config_policies
        .iter_mut()
        .find(|x| x.json.get("id") == old.json.get("id"))
    {
        slot.json = Value::Object(json);
        slot.settings = with_ids(settings);
    }
    tracing::info!(policy = %id, "configuration policy replaced");
    Ok(StatusCode::NO_CONTENT)
}

/// `GET .../configurationPolicies/{id}/settings`.
pub(crate) async fn settings(
    State(area): State<ProvisioningArea>,
    Extension(version): Extension<ApiVersion>,
    Path(id): Path<String>,
) -> Result<Json<Value>, GraphError> {
    beta_only(version)?;
    let p = find(&area, &id)?;
    Ok(Json(
        json!({ "@odata.context": context(&area, &format!("('{id}')/settings")), "value": p.settings }),
    ))
}

/// `GET .../configurationPolicies/{id}/assignments`.
pub(crate) async fn assignments(
    State(area): State<ProvisioningArea>,
    Extension(version): Extension<ApiVersion>,
    Path(id): Path<String>,
) -> Result<Json<Value>, GraphError> {
    beta_only(version)?;
    let p = find(&area, &id)?;
    Ok(Json(
        json!({ "@odata.context": context(&area, &format!("('{id}')/assignments")), "value": p.assignments }),
    ))
}

/// `POST .../configurationPolicies/{id}/assign` → 200 with the new assignment list.
pub(crate) async fn assign(
    State(area): State<ProvisioningArea>,
    Extension(version): Extension<ApiVersion>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Json<Value>, GraphError> {
    beta_only(version)?;
    let old = find(&area, &id)?;
    let body = object_body(&body)?;
    let items = body
        .get("assignments")
        .and_then(Value::as_array)
        .ok_or_else(|| bad("assignments is required (an array)."))?;
    let mut out = Vec::new();
    for item in items {
        let target = item
            .get("target")
            .filter(|t| t.is_object())
            .ok_or_else(|| bad("Each assignment needs a target."))?;
        let kind = target
            .get("@odata.type")
            .and_then(Value::as_str)
            .ok_or_else(|| bad("target.@odata.type is required."))?;
        let key = if kind.trim_start_matches('#').ends_with("groupAssignmentTarget") {
            let group = target
                .get("groupId")
                .and_then(Value::as_str)
                .filter(|g| uuid::Uuid::parse_str(g).is_ok())
                .ok_or_else(|| bad("target.groupId is required (a group's object id) for a group assignment."))?;
            group.to_owned()
        } else {
            kind.trim_start_matches('#').to_owned()
        };
        out.push(json!({
            "id": format!("{id}_{key}"),
            "source": "direct",
            "sourceId": id,
            "target": target,
        }));
    }
    let mut p = area.provisioning();
    if let Some(slot) = p
        .config_policies
        .iter_mut()
        .find(|x| x.json.get("id") == old.json.get("id"))
    {
        slot.assignments = out.clone();
        slot.json["isAssigned"] = json!(!out.is_empty());
    }
    tracing::info!(policy = %id, assignments = out.len(), "configuration policy assigned");
    Ok(Json(json!({ "value": out })))
}
