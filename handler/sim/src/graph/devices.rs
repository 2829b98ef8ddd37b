//! Intune managed devices: a user's devices, one device,
//! the tenant's devices (all `$select` and `$top`/`$skiptoken` paging), and `syncDevice`
//! (<https://learn.microsoft.com/graph/api/intune-devices-manageddevice-syncdevice>).
//! These paths are in the `intune` and `intune-write` throttle classes.
//!
//! `$filter` is accepted and ignored, as users report Intune does for `userId`:
//! clients must filter on their side. `/users/{id}/managedDevices` lists the devices whose
//! primary user (`userId`) is the user; shared devices belong to nobody (UNCONFIRMED in Intune).

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use serde_json::{json, Map, Value};

use super::area::GraphArea;
use crate::intune::IntuneState;
use crate::odata::errors::GraphError;
use crate::odata::query::{encode_skiptoken, project, Query, DEFAULT_TOP};
use crate::odata::ApiVersion;
use crate::scenario::ManagedDevice;
use crate::state::TenantState;

/// Every property of a managed device, as Graph names them.
fn device_json(state: &TenantState, intune: &IntuneState, d: &ManagedDevice) -> Map<String, Value> {
    let mut m = match serde_json::to_value(d) {
        Ok(Value::Object(m)) => m,
        _ => Map::new(),
    };
    let user = d.user_id.as_deref().and_then(|u| state.user(u));
    m.insert("managedDeviceOwnerType".into(), json!("company"));
    m.insert("deviceRegistrationState".into(), json!("registered"));
    m.insert("azureADRegistered".into(), json!(true));
    m.insert("easActivated".into(), json!(false));
    m.insert("jailBroken".into(), json!("Unknown"));
    m.insert("emailAddress".into(), json!(user.and_then(|u| u.mail.clone())));
    m.insert("userDisplayName".into(), json!(user.map(|u| u.display_name.clone())));
    m.insert("deviceActionResults".into(), intune.action_results(&d.id));
    // Graph's `deviceEnrollmentType` is not nullable: a device whose enrolment the scenario
    // does not name is `unknown`
    // (<https://learn.microsoft.com/graph/api/resources/intune-devices-deviceenrollmenttype>).
    if m.get("deviceEnrollmentType").is_none_or(Value::is_null) {
        m.insert("deviceEnrollmentType".into(), json!("unknown"));
    }
    // `lastSyncDateTime` is not nullable either: a device that never synced reads as the
    // zero date, the value Intune reports for it (jitadmin reads that as "never").
    if m.get("lastSyncDateTime").is_none_or(Value::is_null) {
        m.insert("lastSyncDateTime".into(), json!("0001-01-01T00:00:00Z"));
    }
    for key in ["userId", "userPrincipalName", "osVersion", "azureADDeviceId"] {
        m.entry(key).or_insert(Value::Null);
    }
    m.remove("enrolledByUserId");
    m
}

/// One page of `devices` as a Graph collection, with a nextLink to `base`.
fn page(
    area: &GraphArea,
    version: ApiVersion,
    base: &str,
    devices: &[&ManagedDevice],
    query: &Query,
) -> Result<Value, GraphError> {
    let state = area.directory.state();
    let intune = area.intune.store();
    let top = query.top.unwrap_or(DEFAULT_TOP);
    let mut value = Vec::new();
    for d in devices.iter().skip(query.skip).take(top) {
        let all = device_json(&state, &intune, d);
        let keys: Vec<&str> = all.keys().map(String::as_str).collect();
        let mut item = project(&all, query.select.as_deref(), &keys, "managedDevice")?;
        item.insert("@odata.type".into(), json!("#microsoft.graph.managedDevice"));
        value.push(Value::Object(item));
    }
    let context = format!(
        "{}/{}/$metadata#deviceManagement/managedDevices{}",
        area.authority.base_url,
        version.0,
        query.context_suffix()
    );
    let mut body = json!({ "@odata.context": context, "value": value });
    let next = query.skip + top;
    if next < devices.len() {
        let mut link = url::Url::parse(&format!("{}/{}{base}", area.authority.base_url, version.0))
            .map_err(|_| GraphError::internal())?;
        {
            let mut pairs = link.query_pairs_mut();
            pairs.append_pair("$top", &top.to_string());
            if let Some(select) = &query.select {
                pairs.append_pair("$select", &select.join(","));
            }
            pairs.append_pair("$skiptoken", &encode_skiptoken(next));
        }
        body["@odata.nextLink"] = json!(link.to_string());
    }
    Ok(body)
}

/// `GET /{version}/users/{id-or-upn}/managedDevices`.
pub(super) async fn list_user_devices(
    State(area): State<GraphArea>,
    Extension(version): Extension<ApiVersion>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, GraphError> {
    let query = Query::parse(raw.as_deref())?;
    let state = area.directory.state();
    let user = state.user(&id).ok_or_else(|| GraphError::not_found(&id))?;
    let uid = user.id.clone();
    let devices: Vec<ManagedDevice> = state.user_devices(&uid).cloned().collect();
    drop(state);
    let refs: Vec<&ManagedDevice> = devices.iter().collect();
    Ok(Json(page(
        &area,
        version,
        &format!("/users/{uid}/managedDevices"),
        &refs,
        &query,
    )?))
}

/// `GET /{version}/deviceManagement/managedDevices`.
pub(super) async fn list_devices(
    State(area): State<GraphArea>,
    Extension(version): Extension<ApiVersion>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, GraphError> {
    let query = Query::parse(raw.as_deref())?;
    let devices = area.directory.state().devices().to_vec();
    let refs: Vec<&ManagedDevice> = devices.iter().collect();
    Ok(Json(page(
        &area,
        version,
        "/deviceManagement/managedDevices",
        &refs,
        &query,
    )?))
}

/// `GET /{version}/deviceManagement/managedDevices/{id}`.
pub(super) async fn get_device(
    State(area): State<GraphArea>,
    Extension(version): Extension<ApiVersion>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, GraphError> {
    let query = Query::parse(raw.as_deref())?;
    let state = area.directory.state();
    let intune = area.intune.store();
    let d = state.device(&id).ok_or_else(|| GraphError::not_found(&id))?;
    let all = device_json(&state, &intune, d);
    let keys: Vec<&str> = all.keys().map(String::as_str).collect();
    let mut body = project(&all, query.select.as_deref(), &keys, "managedDevice")?;
    body.insert(
        "@odata.context".into(),
        json!(format!(
            "{}/{}/$metadata#deviceManagement/managedDevices{}/$entity",
            area.authority.base_url,
            version.0,
            query.context_suffix()
        )),
    );
    Ok(Json(Value::Object(body)))
}

/// `POST /{version}/deviceManagement/managedDevices/{id}/syncDevice` → 204; 404 for an unknown device.
pub(super) async fn sync_device(
    State(area): State<GraphArea>,
    Path(id): Path<String>,
) -> Result<StatusCode, GraphError> {
    let device_id = area
        .directory
        .state()
        .device(&id)
        .map(|d| d.id.clone())
        .ok_or_else(|| GraphError::not_found(&id))?;
    crate::intune::request_sync(&area.intune, &device_id);
    Ok(StatusCode::NO_CONTENT)
}
