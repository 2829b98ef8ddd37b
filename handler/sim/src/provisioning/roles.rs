//! Entitlement management's RBAC (`/roleManagement/entitlementManagement`):
//!
//! - `GET roleDefinitions[/{id}]`: the five built-in catalog roles, as Microsoft's example answers
//!   (`testdata/em-role-definitions.json`).
//! - `GET roleAssignments?$filter=appScopeId eq '...' [and principalId eq '...'] [and roleDefinitionId eq '...']`.
//! - `POST roleAssignments` → 201. Required: `principalId` (a user or service principal of the
//!   tenant), `roleDefinitionId` (a built-in role), `appScopeId` `/AccessPackageCatalog/{catalogId}`
//!   of a known catalog or `/`. The same principal, role and scope twice: 409 `Conflict` (the sim's
//!   choice; Microsoft documents no code).

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use bytes::Bytes;
use serde_json::{json, Value};

use super::area::ProvisioningArea;
use super::{bad, not_found, object_body};
use crate::odata::errors::GraphError;
use crate::odata::filter::filter_clauses;
use crate::odata::ApiVersion;

const DEFINITIONS: &str = include_str!("../../testdata/em-role-definitions.json");

fn definitions() -> Vec<Value> {
    serde_json::from_str::<Value>(DEFINITIONS)
        .ok()
        .and_then(|v| v.get("value").and_then(Value::as_array).cloned())
        .unwrap_or_default()
}

fn context(area: &ProvisioningArea, version: ApiVersion, what: &str) -> String {
    format!(
        "{}/{}/$metadata#roleManagement/entitlementManagement/{what}",
        area.authority.base_url, version.0
    )
}

/// `GET .../roleDefinitions`.
pub(crate) async fn list_definitions(
    State(area): State<ProvisioningArea>,
    Extension(version): Extension<ApiVersion>,
) -> Json<Value> {
    Json(json!({ "@odata.context": context(&area, version, "roleDefinitions"), "value": definitions() }))
}

/// `GET .../roleDefinitions/{id}`.
pub(crate) async fn get_definition(Path(id): Path<String>) -> Result<Json<Value>, GraphError> {
    definitions()
        .into_iter()
        .find(|d| {
            d.get("id")
                .and_then(Value::as_str)
                .is_some_and(|i| i.eq_ignore_ascii_case(&id))
        })
        .map(Json)
        .ok_or_else(|| not_found("Role definition", &id))
}

/// `GET .../roleAssignments` with an optional `$filter`.
pub(crate) async fn list_assignments(
    State(area): State<ProvisioningArea>,
    Extension(version): Extension<ApiVersion>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, GraphError> {
    let clauses = filter_clauses(raw.as_deref())?;
    for (path, _) in &clauses {
        if !matches!(path.as_str(), "appscopeid" | "principalid" | "roledefinitionid" | "id") {
            return Err(GraphError::bad_request(format!(
                "Filtering on '{path}' is not supported."
            )));
        }
    }
    let value: Vec<Value> = area
        .provisioning()
        .role_assignments
        .iter()
        .filter(|a| {
            clauses.iter().all(|(path, want)| {
                let key = match path.as_str() {
                    "appscopeid" => "appScopeId",
                    "principalid" => "principalId",
                    "roledefinitionid" => "roleDefinitionId",
                    _ => "id",
                };
                a.get(key)
                    .and_then(Value::as_str)
                    .is_some_and(|v| v.eq_ignore_ascii_case(want))
            })
        })
        .cloned()
        .collect();
    Ok(Json(
        json!({ "@odata.context": context(&area, version, "roleAssignments"), "value": value }),
    ))
}

/// `POST .../roleAssignments` → 201.
pub(crate) async fn create_assignment(
    State(area): State<ProvisioningArea>,
    Extension(version): Extension<ApiVersion>,
    body: Bytes,
) -> Result<(StatusCode, Json<Value>), GraphError> {
    let body = object_body(&body)?;
    let text = |k: &str| body.get(k).and_then(Value::as_str).filter(|s| !s.is_empty());
    let principal = text("principalId").ok_or_else(|| bad("principalId is required."))?;
    let role = text("roleDefinitionId").ok_or_else(|| bad("roleDefinitionId is required."))?;
    let scope = text("appScopeId").ok_or_else(|| bad("appScopeId is required (/AccessPackageCatalog/{catalogId})."))?;
    if !definitions().iter().any(|d| {
        d.get("id")
            .and_then(Value::as_str)
            .is_some_and(|i| i.eq_ignore_ascii_case(role))
    }) {
        return Err(bad(format!("Role definition '{role}' does not exist.")));
    }
    if scope != "/" {
        let catalog = scope.strip_prefix("/AccessPackageCatalog/").ok_or_else(|| {
            bad(format!(
                "appScopeId '{scope}' is not /AccessPackageCatalog/{{catalogId}}."
            ))
        })?;
        let known = area
            .directory
            .state()
            .access_packages
            .iter()
            .any(|p| p.catalog_id.eq_ignore_ascii_case(catalog));
        if !known {
            return Err(not_found("Catalog", catalog));
        }
    }
    if !area.directory.state().object_exists(principal) {
        return Err(bad(format!("Principal '{principal}' does not exist in the directory.")));
    }
    let mut p = area.provisioning();
    let duplicate = p.role_assignments.iter().any(|a| {
        let same = |k: &str, v: &str| {
            a.get(k)
                .and_then(Value::as_str)
                .is_some_and(|x| x.eq_ignore_ascii_case(v))
        };
        same("principalId", principal) && same("roleDefinitionId", role) && same("appScopeId", scope)
    });
    if duplicate {
        return Err(GraphError::new(
            StatusCode::CONFLICT,
            "Conflict",
            "The role assignment already exists.",
        ));
    }
    let created = json!({
        "id": uuid::Uuid::new_v4().to_string(),
        "principalId": principal,
        "roleDefinitionId": role,
        "appScopeId": scope,
        "directoryScopeId": null,
    });
    p.role_assignments.push(created.clone());
    drop(p);
    tracing::info!(principal, role, scope, "catalog role assigned");
    let mut answer = created;
    answer["@odata.context"] = json!(format!("{}/$entity", context(&area, version, "roleAssignments")));
    Ok((StatusCode::CREATED, Json(answer)))
}
