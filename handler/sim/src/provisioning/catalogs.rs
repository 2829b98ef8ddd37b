//! `catalogs/{id}` and its `customWorkflowExtensions`
//! (<https://learn.microsoft.com/graph/api/resources/accesspackageassignmentrequestworkflowextension>):
//!
//! - `GET .../catalogs/{id}`: the catalog (from the scenario's access packages), 404 if unknown.
//! - `GET .../customWorkflowExtensions`: the catalog's extensions.
//! - `POST`: 201. Required: `@odata.type` (`#microsoft.graph.accessPackageAssignmentRequestWorkflowExtension`
//!   or `#microsoft.graph.accessPackageAssignmentWorkflowExtension`), `displayName`,
//!   `endpointConfiguration` of type `logicAppTriggerEndpointConfiguration` with an absolute `url`
//!   (Graph needs it for app-only callers; the sim posts callouts there). `authenticationConfiguration`:
//!   PoP (the default) or `azureAdTokenAuthentication` with `resourceId`. `callbackConfiguration`
//!   (`timeoutDuration`, or the examples' `durationBeforeTimeout`, 5 minutes to 14 days) makes a request
//!   workflow extension launch-and-wait; a pre-expiration extension cannot have one.
//! - `GET .../{id}`; `PUT .../{id}`: the properties sent replace the old ones (others are kept, as
//!   the update page says); the `@odata.type` cannot change. Policies using it call out with the
//!   new values.

use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use bytes::Bytes;
use serde_json::{json, Map, Value};

use super::area::ProvisioningArea;
use super::{bad, not_found, now, object_body};
use crate::duration::{parse_iso8601, to_iso8601};
use crate::em::auth::EM_APP_ID;
use crate::em::extensions::CustomExtension;
use crate::em::types::{CalloutAuth, ClientTiming, LaunchMode, PopOptions};
use crate::odata::errors::GraphError;
use crate::odata::ApiVersion;

const REQUEST_WORKFLOW: &str = "microsoft.graph.accessPackageAssignmentRequestWorkflowExtension";
const ASSIGNMENT_WORKFLOW: &str = "microsoft.graph.accessPackageAssignmentWorkflowExtension";

/// The catalog's display name if a scenario access package is in it.
fn catalog_name(area: &ProvisioningArea, catalog: &str) -> Option<String> {
    area.directory
        .state()
        .access_packages
        .iter()
        .find(|p| p.catalog_id.eq_ignore_ascii_case(catalog))
        .map(|p| p.catalog_display_name.clone().unwrap_or_else(|| "General".to_owned()))
}

fn require_catalog(area: &ProvisioningArea, catalog: &str) -> Result<String, GraphError> {
    catalog_name(area, catalog).ok_or_else(|| not_found("Catalog", catalog))
}

/// `GET .../catalogs/{id}`.
pub(crate) async fn get_catalog(
    State(area): State<ProvisioningArea>,
    Extension(version): Extension<ApiVersion>,
    Path(catalog): Path<String>,
) -> Result<Json<Value>, GraphError> {
    let name = require_catalog(&area, &catalog)?;
    Ok(Json(json!({
        "@odata.context": format!("{}/{}/$metadata#identityGovernance/entitlementManagement/catalogs/$entity", area.authority.base_url, version.0),
        "id": catalog,
        "displayName": name,
        "description": null,
        "catalogType": "userManaged",
        "state": "published",
        "isExternallyVisible": false,
        "createdDateTime": "2026-01-05T09:00:00Z",
        "modifiedDateTime": "2026-01-05T09:00:00Z",
    })))
}

/// `GET .../catalogs/{id}/customWorkflowExtensions`.
pub(crate) async fn list_extensions(
    State(area): State<ProvisioningArea>,
    Extension(version): Extension<ApiVersion>,
    Path(catalog): Path<String>,
) -> Result<Json<Value>, GraphError> {
    require_catalog(&area, &catalog)?;
    let value: Vec<Value> = area
        .em()
        .extensions
        .iter()
        .filter(|e| e.catalog_id.eq_ignore_ascii_case(&catalog))
        .map(|e| e.json.clone())
        .collect();
    Ok(Json(json!({
        "@odata.context": format!("{}/{}/$metadata#identityGovernance/entitlementManagement/catalogs('{catalog}')/customWorkflowExtensions", area.authority.base_url, version.0),
        "value": value,
    })))
}

/// `GET .../catalogs/{id}/customWorkflowExtensions/{id}`.
pub(crate) async fn get_extension(
    State(area): State<ProvisioningArea>,
    Path((catalog, id)): Path<(String, String)>,
) -> Result<Json<Value>, GraphError> {
    require_catalog(&area, &catalog)?;
    find(&area, &catalog, &id).map(|e| Json(e.json))
}

fn find(area: &ProvisioningArea, catalog: &str, id: &str) -> Result<CustomExtension, GraphError> {
    area.em()
        .extensions
        .iter()
        .find(|e| e.id.eq_ignore_ascii_case(id) && e.catalog_id.eq_ignore_ascii_case(catalog))
        .cloned()
        .ok_or_else(|| not_found("Custom extension", id))
}

/// `POST .../catalogs/{id}/customWorkflowExtensions` → 201.
pub(crate) async fn create_extension(
    State(area): State<ProvisioningArea>,
    Path(catalog): Path<String>,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), GraphError> {
    require_catalog(&area, &catalog)?;
    let body = object_body(&body)?;
    let id = uuid::Uuid::new_v4().to_string();
    let stamp = now();
    let ext = validated(&catalog, &id, body, &stamp, &stamp)?;
    let json = ext.json.clone();
    area.em().extensions.push(ext);
    tracing::info!(catalog = %catalog, extension = %id, "custom extension created");
    Ok((StatusCode::CREATED, Json(json)))
}

/// `PUT .../catalogs/{id}/customWorkflowExtensions/{id}` → 200 with the extension.
pub(crate) async fn update_extension(
    State(area): State<ProvisioningArea>,
    Path((catalog, id)): Path<(String, String)>,
    body: Bytes,
) -> Result<Json<Value>, GraphError> {
    require_catalog(&area, &catalog)?;
    let old = find(&area, &catalog, &id)?;
    let changes = object_body(&body)?;
    let old_type = old.json.get("@odata.type").cloned().unwrap_or(Value::Null);
    if let Some(t) = changes.get("@odata.type") {
        if t.as_str().map(|s| s.trim_start_matches('#')) != old_type.as_str().map(|s| s.trim_start_matches('#')) {
            return Err(bad("The '@odata.type' of a custom extension cannot change."));
        }
    }
    let mut merged = old.json.as_object().cloned().unwrap_or_default();
    for (k, v) in changes {
        merged.insert(k, v);
    }
    let created = merged
        .get("createdDateTime")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .unwrap_or_else(now);
    let ext = validated(&catalog, &old.id, merged, &created, &now())?;
    let json = ext.json.clone();
    if let Some(slot) = area.em().extensions.iter_mut().find(|e| e.id == old.id) {
        *slot = ext.clone();
    }
    super::policies::refresh_settings(&area, &ext);
    tracing::info!(catalog = %catalog, extension = %id, "custom extension updated");
    Ok(Json(json))
}

/// Checks a whole extension body and builds what the sim keeps.
fn validated(
    catalog: &str,
    id: &str,
    mut body: Map<String, Value>,
    created: &str,
    modified: &str,
) -> Result<CustomExtension, GraphError> {
    let kind = body
        .get("@odata.type")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .trim_start_matches('#')
        .to_owned();
    if kind != REQUEST_WORKFLOW && kind != ASSIGNMENT_WORKFLOW {
        return Err(bad(format!(
            "'@odata.type' is required: '#{REQUEST_WORKFLOW}' or '#{ASSIGNMENT_WORKFLOW}'."
        )));
    }
    if body
        .get("displayName")
        .and_then(Value::as_str)
        .is_none_or(|n| n.trim().is_empty())
    {
        return Err(bad("displayName is required."));
    }
    let endpoint_type = body
        .get("endpointConfiguration")
        .and_then(|e| e.get("@odata.type"))
        .and_then(Value::as_str)
        .unwrap_or("#microsoft.graph.logicAppTriggerEndpointConfiguration");
    if endpoint_type.trim_start_matches('#') != "microsoft.graph.logicAppTriggerEndpointConfiguration" {
        return Err(bad(format!(
            "endpointConfiguration of type '{endpoint_type}' is not supported for access package custom extensions."
        )));
    }
    let endpoint = body
        .get("endpointConfiguration")
        .and_then(|e| e.get("url"))
        .and_then(Value::as_str)
        .filter(|u| url::Url::parse(u).is_ok())
        .ok_or_else(|| bad("endpointConfiguration.url is required (an absolute URL)."))?
        .to_owned();
    let auth = auth(&body)?;
    let timeout = ["timeoutDuration", "durationBeforeTimeout"].iter().find_map(|k| {
        body.get("callbackConfiguration")
            .and_then(|c| c.get(*k))
            .and_then(Value::as_str)
    });
    let mode = match timeout {
        None => LaunchMode::Continue,
        Some(_) if kind == ASSIGNMENT_WORKFLOW => return Err(bad(
            "A pre-expiration (assignment workflow) extension cannot be launch-and-wait: remove callbackConfiguration.",
        )),
        Some(t) => {
            let d = parse_iso8601(t).ok_or_else(|| bad(format!("Invalid duration '{t}'.")))?;
            if d < Duration::from_secs(300) || d > Duration::from_secs(14 * 86_400) {
                return Err(bad("The callback timeout must be between 5 minutes and 14 days."));
            }
            LaunchMode::Wait { timeout: d }
        }
    };
    body.insert("id".into(), json!(id));
    body.insert("@odata.type".into(), json!(format!("#{kind}")));
    body.insert("createdDateTime".into(), json!(created));
    body.insert("lastModifiedDateTime".into(), json!(modified));
    if let LaunchMode::Wait { timeout } = mode {
        body.insert(
            "callbackConfiguration".into(),
            json!({
                "@odata.type": "#microsoft.graph.customExtensionCallbackConfiguration",
                "timeoutDuration": to_iso8601(timeout),
            }),
        );
    } else {
        body.remove("callbackConfiguration");
    }
    if !body.contains_key("authenticationConfiguration") {
        body.insert(
            "authenticationConfiguration".into(),
            json!({ "@odata.type": "#microsoft.graph.azureAdPopTokenAuthentication" }),
        );
    }
    let client = client_timing(&body)?;
    Ok(CustomExtension {
        id: id.to_owned(),
        catalog_id: catalog.to_owned(),
        json: Value::Object(body),
        endpoint,
        mode,
        auth,
        client,
    })
}

/// `clientConfiguration`, checked against its documented ranges
/// (<https://learn.microsoft.com/graph/api/resources/customextensionclientconfiguration>).
fn client_timing(body: &Map<String, Value>) -> Result<Option<ClientTiming>, GraphError> {
    let Some(config) = body.get("clientConfiguration").filter(|c| !c.is_null()) else {
        return Ok(None);
    };
    let timeout = match config.get("timeoutInMilliseconds") {
        None | Some(Value::Null) => 1000,
        Some(v) => match v.as_i64() {
            Some(ms @ 200..=2000) => ms,
            _ => {
                return Err(bad(
                    "clientConfiguration.timeoutInMilliseconds must be between 200 and 2000.",
                ))
            }
        },
    };
    let retries = match config.get("maximumRetries") {
        None | Some(Value::Null) => None,
        Some(v) => match v.as_i64() {
            Some(r @ 0..=1) => Some(r as u32),
            _ => return Err(bad("clientConfiguration.maximumRetries must be 0 or 1.")),
        },
    };
    Ok(Some(ClientTiming {
        timeout: std::time::Duration::from_millis(timeout as u64),
        retries: retries.unwrap_or(1),
    }))
}

fn auth(body: &Map<String, Value>) -> Result<CalloutAuth, GraphError> {
    let config = body.get("authenticationConfiguration");
    let auth_type = config
        .and_then(|a| a.get("@odata.type"))
        .and_then(Value::as_str)
        .unwrap_or("#microsoft.graph.azureAdPopTokenAuthentication");
    match auth_type.trim_start_matches('#') {
        "microsoft.graph.azureAdPopTokenAuthentication" => Ok(CalloutAuth::Pop(PopOptions::default())),
        "microsoft.graph.azureAdTokenAuthentication" => Ok(CalloutAuth::Bearer {
            client_id: EM_APP_ID.to_owned(),
            audience: config
                .and_then(|a| a.get("resourceId"))
                .and_then(Value::as_str)
                .ok_or_else(|| bad("authenticationConfiguration.resourceId is required."))?
                .to_owned(),
        }),
        other => Err(bad(format!("Unsupported authenticationConfiguration '{other}'."))),
    }
}
