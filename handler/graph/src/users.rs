//! Users and managers (<https://learn.microsoft.com/graph/api/resources/user>, <https://learn.microsoft.com/graph/api/user-list-manager>).

use serde::Deserialize;

use crate::path::segment;
use crate::{GraphClient, GraphError};

/// The user properties the decision facts use (non-default ones such as `department` come only when selected).
pub const USER_SELECT: &str = "id,userPrincipalName,displayName,department,jobTitle,userType,accountEnabled,\
employeeType,companyName,country,createdDateTime,mail";

/// A user, with the fields the decision facts use.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    /// Object id.
    pub id: String,
    /// UPN.
    #[serde(default)]
    pub user_principal_name: Option<String>,
    /// Display name.
    #[serde(default)]
    pub display_name: Option<String>,
    /// Department.
    #[serde(default)]
    pub department: Option<String>,
    /// Job title.
    #[serde(default)]
    pub job_title: Option<String>,
    /// `Member` or `Guest`.
    #[serde(default)]
    pub user_type: Option<String>,
    /// Whether sign-in is allowed.
    #[serde(default)]
    pub account_enabled: Option<bool>,
    /// Employee type (e.g. `Contractor`).
    #[serde(default)]
    pub employee_type: Option<String>,
    /// Company name.
    #[serde(default)]
    pub company_name: Option<String>,
    /// Country or region.
    #[serde(default)]
    pub country: Option<String>,
    /// When the account was created (ISO 8601).
    #[serde(default)]
    pub created_date_time: Option<String>,
    /// Primary SMTP address.
    #[serde(default)]
    pub mail: Option<String>,
}

/// A manager: a user or an organisational contact (`directoryObject`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Manager {
    /// Object id.
    pub id: String,
    /// `#microsoft.graph.user` or `#microsoft.graph.orgContact`.
    #[serde(default, rename = "@odata.type")]
    pub odata_type: Option<String>,
    /// Display name.
    #[serde(default)]
    pub display_name: Option<String>,
    /// Mail.
    #[serde(default)]
    pub mail: Option<String>,
    /// UPN (users only).
    #[serde(default)]
    pub user_principal_name: Option<String>,
    /// Department.
    #[serde(default)]
    pub department: Option<String>,
}

impl GraphClient {
    /// `GET /v1.0/users/{id or UPN}?$select=...` with the facts fields.
    pub async fn get_user(&self, id_or_upn: &str) -> Result<User, GraphError> {
        self.get_json(&format!("/v1.0/users/{}?$select={USER_SELECT}", segment(id_or_upn)?))
            .await
    }

    /// `GET /v1.0/users/{id}/manager`; `None` when the user has no manager (Graph answers 404).
    pub async fn get_manager(&self, user_id: &str) -> Result<Option<Manager>, GraphError> {
        let target = format!(
            "/v1.0/users/{}/manager?$select=id,displayName,mail,userPrincipalName,department",
            segment(user_id)?
        );
        match self.get_json(&target).await {
            Ok(m) => Ok(Some(m)),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_fixture_parses_with_selected_fields() {
        let u: User = serde_json::from_slice(include_bytes!("../testdata/user-selected.json")).expect("user");
        assert_eq!(u.id, "87d349ed-44d7-43e1-9a83-5f2406dee5bd");
        assert_eq!(u.department.as_deref(), Some("Finance"));
        assert_eq!(u.account_enabled, Some(true));
        assert_eq!(u.employee_type, None);
    }

    #[test]
    fn manager_fixture_parses() {
        let m: Manager = serde_json::from_slice(include_bytes!("../testdata/manager.json")).expect("manager");
        assert_eq!(m.odata_type.as_deref(), Some("#microsoft.graph.user"));
        assert_eq!(m.display_name.as_deref(), Some("Megan Bowen"));
    }
}
