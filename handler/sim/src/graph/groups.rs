//! `GET /groups/{id}`, `GET /groups/{id}/members` (paged) and member `$ref` add/remove.

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use bytes::Bytes;
use serde_json::{json, Map, Value};

use super::area::GraphArea;
use super::users::{user_json, USER_DEFAULTS};
use crate::odata::errors::GraphError;
use crate::odata::query::{encode_skiptoken, project, Query, DEFAULT_TOP};
use crate::odata::ApiVersion;
use crate::scenario::Group;
use crate::state::TenantState;

const GROUP_DEFAULTS: [&str; 9] = [
    "id",
    "description",
    "displayName",
    "groupTypes",
    "mail",
    "mailEnabled",
    "mailNickname",
    "securityEnabled",
    "createdDateTime",
];

pub(super) fn group_json(group: &Group) -> Map<String, Value> {
    let mut map = Map::new();
    map.insert("id".into(), json!(group.id));
    map.insert("createdDateTime".into(), Value::Null);
    map.insert("description".into(), json!(group.description));
    map.insert("displayName".into(), json!(group.display_name));
    map.insert("groupTypes".into(), json!([]));
    map.insert("mail".into(), Value::Null);
    map.insert("mailEnabled".into(), json!(group.mail_enabled));
    let nickname: String = group
        .display_name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    map.insert("mailNickname".into(), json!(nickname));
    map.insert("securityEnabled".into(), json!(group.security_enabled));
    map.insert("securityIdentifier".into(), json!(crate::ids::cloud_sid(&group.id)));
    map
}

/// `GET /{version}/groups/{id}`
pub(super) async fn get_group(
    State(area): State<GraphArea>,
    Extension(version): Extension<ApiVersion>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, GraphError> {
    let query = Query::parse(raw.as_deref())?;
    let state = area.directory.state();
    let group = state.group(&id).ok_or_else(|| GraphError::not_found(&id))?;
    let mut body = project(&group_json(group), query.select.as_deref(), &GROUP_DEFAULTS, "group")?;
    let context = format!(
        "{}/{}/$metadata#groups{}/$entity",
        area.authority.base_url,
        version.0,
        query.context_suffix()
    );
    body.insert("@odata.context".into(), json!(context));
    Ok(Json(Value::Object(body)))
}

/// A member as a directoryObject: a user, or a service principal (application or managed identity).
fn member_json(state: &TenantState, id: &str, select: Option<&[String]>) -> Result<Option<Value>, GraphError> {
    if let Some(user) = state.user(id) {
        let mut m = project(&user_json(user), select, &USER_DEFAULTS, "user")?;
        m.insert("@odata.type".into(), json!("#microsoft.graph.user"));
        return Ok(Some(Value::Object(m)));
    }
    Ok(state.service_principal(id).map(|(app_id, name)| {
        json!({ "@odata.type": "#microsoft.graph.servicePrincipal", "id": id, "appId": app_id, "displayName": name })
    }))
}

/// `GET /{version}/groups/{id}/members`, paged by `$top` with `@odata.nextLink`.
pub(super) async fn list_members(
    State(area): State<GraphArea>,
    Extension(version): Extension<ApiVersion>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, GraphError> {
    let query = Query::parse(raw.as_deref())?;
    let state = area.directory.state();
    let group = state.group(&id).ok_or_else(|| GraphError::not_found(&id))?;
    let top = query.top.unwrap_or(DEFAULT_TOP);
    let page = group.members.iter().skip(query.skip).take(top);
    let mut value = Vec::new();
    for member in page {
        if let Some(m) = member_json(&state, member, query.select.as_deref())? {
            value.push(m);
        }
    }
    let context = format!("{}/{}/$metadata#directoryObjects", area.authority.base_url, version.0);
    let mut body = json!({ "@odata.context": context, "value": value });
    let next = query.skip + top;
    if next < group.members.len() {
        let mut link = url::Url::parse(&format!(
            "{}/{}/groups/{}/members",
            area.authority.base_url, version.0, group.id
        ))
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
    Ok(Json(body))
}

/// `POST /{version}/groups/{id}/members/$ref` with `{"@odata.id": ".../directoryObjects/{member}"}` → 204.
pub(super) async fn add_member(
    State(area): State<GraphArea>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<StatusCode, GraphError> {
    let body: Value = serde_json::from_slice(&body).map_err(|_| GraphError::bad_request("Invalid request body."))?;
    let reference = body.get("@odata.id").and_then(Value::as_str).ok_or_else(|| {
        GraphError::bad_request("The request body must contain '@odata.id' referencing the directory object to add.")
    })?;
    let member = reference.trim_end_matches('/').rsplit('/').next().unwrap_or_default();
    let member = member.trim_start_matches("directoryObjects('").trim_end_matches("')");
    if member.is_empty() {
        return Err(GraphError::bad_request("Invalid object identifier ''."));
    }
    let mut state = area.directory.state_mut();
    if state.group(&id).is_none() {
        return Err(GraphError::not_found(&id));
    }
    if !state.object_exists(member) {
        return Err(GraphError::not_found(member));
    }
    let added = state.add_member(&id, member);
    drop(state);
    area.directory.changed.notify_one();
    match added {
        Ok(true) => Ok(StatusCode::NO_CONTENT),
        Ok(false) => Err(GraphError::bad_request(
            "One or more added object references already exist for the following modified properties: 'members'.",
        )),
        Err(_) => Err(GraphError::not_found(member)),
    }
}

/// `DELETE /{version}/groups/{id}/members/{member}/$ref` → 204; 404 when not a member.
pub(super) async fn remove_member(
    State(area): State<GraphArea>,
    Path((id, member)): Path<(String, String)>,
) -> Result<StatusCode, GraphError> {
    let removed = area.directory.state_mut().remove_member(&id, &member);
    area.directory.changed.notify_one();
    match removed {
        Ok(true) => Ok(StatusCode::NO_CONTENT),
        Ok(false) => Err(GraphError::not_found(&member)),
        Err(_) => Err(GraphError::not_found(&id)),
    }
}
