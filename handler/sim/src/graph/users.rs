//! `GET /users/{id-or-upn}` and `GET /users/{id}/manager`.

use axum::extract::{Path, RawQuery, State};
use axum::{Extension, Json};
use serde_json::{json, Map, Value};

use super::area::GraphArea;
use crate::odata::errors::GraphError;
use crate::odata::query::{project, Query};
use crate::odata::ApiVersion;
use crate::scenario::User;

/// Properties Graph returns for a user when there is no `$select`.
pub(crate) const USER_DEFAULTS: [&str; 11] = [
    "businessPhones",
    "displayName",
    "givenName",
    "jobTitle",
    "mail",
    "mobilePhone",
    "officeLocation",
    "preferredLanguage",
    "surname",
    "userPrincipalName",
    "id",
];

/// Every property of a user as Graph names it.
pub(crate) fn user_json(user: &User) -> Map<String, Value> {
    let mut map = match serde_json::to_value(user) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    };
    map.remove("managerId");
    map.insert("businessPhones".into(), json!([]));
    map.insert("mobilePhone".into(), Value::Null);
    map.insert("preferredLanguage".into(), Value::Null);
    map
}

/// `GET /{version}/users/{id-or-upn}`
pub(super) async fn get_user(
    State(area): State<GraphArea>,
    Extension(version): Extension<ApiVersion>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, GraphError> {
    let query = Query::parse(raw.as_deref())?;
    let state = area.directory.state();
    let user = state.user(&id).ok_or_else(|| GraphError::not_found(&id))?;
    let mut body = project(&user_json(user), query.select.as_deref(), &USER_DEFAULTS, "user")?;
    let context = format!(
        "{}/{}/$metadata#users{}/$entity",
        area.authority.base_url,
        version.0,
        query.context_suffix()
    );
    body.insert("@odata.context".into(), json!(context));
    Ok(Json(Value::Object(body)))
}

/// `GET /{version}/users/{id}/manager`: the manager as a directoryObject; 404 when there is none.
pub(super) async fn get_manager(
    State(area): State<GraphArea>,
    Extension(version): Extension<ApiVersion>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, GraphError> {
    let query = Query::parse(raw.as_deref())?;
    let state = area.directory.state();
    let user = state.user(&id).ok_or_else(|| GraphError::not_found(&id))?;
    let manager = user
        .manager_id
        .as_deref()
        .and_then(|m| state.user(m))
        .ok_or_else(|| GraphError::not_found("manager"))?;
    let mut body = project(&user_json(manager), query.select.as_deref(), &USER_DEFAULTS, "user")?;
    let context = format!(
        "{}/{}/$metadata#directoryObjects/$entity",
        area.authority.base_url, version.0
    );
    body.insert("@odata.context".into(), json!(context));
    body.insert("@odata.type".into(), json!("#microsoft.graph.user"));
    Ok(Json(Value::Object(body)))
}
