//! Entitlement-management role assignments scoped to a catalog: list and create.
//!
//! - `GET  /v1.0/roleManagement/entitlementManagement/roleAssignments?$filter=appScopeId eq '/AccessPackageCatalog/{id}'`
//! - `POST /v1.0/roleManagement/entitlementManagement/roleAssignments` (201) with `principalId`,
//!   `roleDefinitionId` and `appScopeId` (permission `EntitlementManagement.ReadWrite.All`).

use serde::{Deserialize, Serialize};

use crate::path::{odata_string, query_value};
use crate::{GraphClient, GraphError, GraphRequest};

/// The built-in catalog role "Access package assignment manager" (the same id in every tenant).
pub const ACCESS_PACKAGE_ASSIGNMENT_MANAGER: &str = "e2182095-804a-4656-ae11-64734e9b7ae5";
/// The built-in catalog role "Catalog owner".
pub const CATALOG_OWNER: &str = "ae79f266-94d4-4dab-b730-feca7e132178";
/// The built-in catalog role "Catalog reader".
pub const CATALOG_READER: &str = "44272f93-9762-48e8-af59-1b5351b1d6b3";

const ASSIGNMENTS: &str = "/v1.0/roleManagement/entitlementManagement/roleAssignments";

/// The `appScopeId` of a catalog.
pub fn catalog_scope(catalog_id: &str) -> String {
    format!("/AccessPackageCatalog/{catalog_id}")
}

/// A `unifiedRoleAssignment` of the entitlement-management provider.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoleAssignment {
    /// Id (absent when creating).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The principal's object id (a user, group or service principal).
    pub principal_id: String,
    /// The role.
    pub role_definition_id: String,
    /// `/AccessPackageCatalog/{catalogId}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_scope_id: Option<String>,
}

impl RoleAssignment {
    /// Whether it gives `principal` role `role` (ids compared case-insensitively).
    pub fn grants(&self, principal: &str, role: &str) -> bool {
        self.principal_id.eq_ignore_ascii_case(principal) && self.role_definition_id.eq_ignore_ascii_case(role)
    }
}

impl GraphClient {
    /// The role assignments on a catalog (all pages).
    pub async fn list_catalog_role_assignments(&self, catalog_id: &str) -> Result<Vec<RoleAssignment>, GraphError> {
        let filter = format!("appScopeId eq {}", odata_string(&catalog_scope(catalog_id)));
        let target = format!("{ASSIGNMENTS}?$filter={}", query_value(&filter));
        Ok(self.get_all(&target).await?.items)
    }

    /// Gives `principal_id` the catalog role `role_definition_id` on `catalog_id` (201).
    pub async fn create_catalog_role_assignment(
        &self,
        catalog_id: &str,
        principal_id: &str,
        role_definition_id: &str,
    ) -> Result<RoleAssignment, GraphError> {
        let body = RoleAssignment {
            id: None,
            principal_id: principal_id.to_string(),
            role_definition_id: role_definition_id.to_string(),
            app_scope_id: Some(catalog_scope(catalog_id)),
        };
        let body = serde_json::to_value(body).map_err(|e| GraphError::InvalidRequest(e.to_string()))?;
        self.execute(GraphRequest::post(ASSIGNMENTS, body)).await?.json()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::paging::Page;

    #[test]
    fn created_role_assignment_fixture_parses() {
        let a: RoleAssignment =
            serde_json::from_slice(include_bytes!("../testdata/em-role-assignment-created.json")).expect("assignment");
        assert!(a.grants("679A9213-C497-48A4-830A-8D3D25D94DDC", CATALOG_OWNER));
        assert_eq!(
            a.app_scope_id.as_deref(),
            Some("/AccessPackageCatalog/beedadfe-01d5-4025-910b-84abb9369997")
        );
    }

    #[test]
    fn catalog_role_assignments_fixture_finds_the_assignment_manager() {
        let p: Page<RoleAssignment> =
            serde_json::from_slice(include_bytes!("../testdata/em-role-assignments-catalog.json")).expect("page");
        let found: Vec<_> = p
            .value
            .iter()
            .filter(|a| {
                a.grants(
                    "39228473-522e-4533-88cc-a9553180cb99",
                    ACCESS_PACKAGE_ASSIGNMENT_MANAGER,
                )
            })
            .collect();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].id.as_deref(), Some("900633fe-2508-4b13-a561-a15e320ad35f"));
    }

    #[test]
    fn new_assignment_is_scoped_to_the_catalog() {
        let v = serde_json::to_value(RoleAssignment {
            id: None,
            principal_id: "p".into(),
            role_definition_id: ACCESS_PACKAGE_ASSIGNMENT_MANAGER.into(),
            app_scope_id: Some(catalog_scope("c1")),
        })
        .expect("json");
        assert_eq!(v["appScopeId"], "/AccessPackageCatalog/c1");
        assert!(v.get("id").is_none() && v.get("directoryScopeId").is_none());
    }
}
