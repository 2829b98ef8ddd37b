//! Intune settings-catalog policies (`deviceManagement/configurationPolicies`, which Graph has in
//! **beta** only): list, create, replace, settings, assignments and `assign`, and the Entra group
//! SID a "Local user group membership" rule needs.
//!
//! - `GET  /beta/deviceManagement/configurationPolicies` (paged; matched by name here)
//! - `POST /beta/deviceManagement/configurationPolicies` (201)
//! - `PUT  /beta/deviceManagement/configurationPolicies/{id}` (replaces name, settings, ...)
//! - `GET  /beta/deviceManagement/configurationPolicies/{id}/settings`
//! - `GET  /beta/deviceManagement/configurationPolicies/{id}/assignments`
//! - `POST /beta/deviceManagement/configurationPolicies/{id}/assign` (200; the list sent becomes
//!   the policy's whole assignment list)
//!
//! Permission: `DeviceManagementConfiguration.ReadWrite.All` (read: `.Read.All`).

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::local_groups::{administrators_settings, GroupAction, TEMPLATE_ID};
use crate::path::segment;
use crate::{GraphClient, GraphError, GraphRequest};

const POLICIES: &str = "/beta/deviceManagement/configurationPolicies";
/// `@odata.type` of an assignment to an Entra group.
pub const GROUP_TARGET: &str = "#microsoft.graph.groupAssignmentTarget";

/// A configuration policy as listed (settings are read separately).
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConfigurationPolicy {
    /// Id.
    pub id: String,
    /// Name (jitadmin finds its policy by name).
    #[serde(default)]
    pub name: String,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
    /// `windows10`, ...
    #[serde(default)]
    pub platforms: Option<String>,
    /// `mdm`, ...
    #[serde(default)]
    pub technologies: Option<String>,
    /// Scope tags.
    #[serde(default)]
    pub role_scope_tag_ids: Vec<String>,
    /// The template, for template-based (endpoint security) policies.
    #[serde(default)]
    pub template_reference: Option<TemplateReference>,
}

/// `deviceManagementConfigurationPolicyTemplateReference`.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TemplateReference {
    /// `22968f54-45fa-486c-848e-f8224aa69772_1` for "Local user group membership".
    #[serde(default)]
    pub template_id: Option<String>,
}

/// One assignment of a policy.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PolicyAssignment {
    /// Id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The target.
    pub target: AssignmentTarget,
}

/// `deviceAndAppManagementAssignmentTarget`; only group targets carry `groupId`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssignmentTarget {
    /// `#microsoft.graph.groupAssignmentTarget`, `#microsoft.graph.allDevicesAssignmentTarget`, ...
    #[serde(rename = "@odata.type", default)]
    pub odata_type: String,
    /// The Entra group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_id: Option<String>,
    /// An assignment filter, kept as it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_and_app_management_assignment_filter_id: Option<String>,
    /// `include`, `exclude` or `none`, kept as it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_and_app_management_assignment_filter_type: Option<String>,
}

impl PolicyAssignment {
    /// An include assignment to an Entra group.
    pub fn to_group(group_id: &str) -> PolicyAssignment {
        PolicyAssignment {
            id: None,
            target: AssignmentTarget {
                odata_type: GROUP_TARGET.into(),
                group_id: Some(group_id.to_string()),
                ..AssignmentTarget::default()
            },
        }
    }

    /// Whether it includes this group.
    pub fn targets_group(&self, group_id: &str) -> bool {
        crate::custom_extensions::same_type(Some(&self.target.odata_type), GROUP_TARGET)
            && self
                .target
                .group_id
                .as_deref()
                .is_some_and(|g| g.eq_ignore_ascii_case(group_id))
    }
}

/// The body that creates (or, with `PUT`, replaces) a "Local user group membership" policy whose one
/// rule gives `members` `action` on the local Administrators group.
pub fn local_admins_policy(name: &str, description: &str, members: &[String], action: GroupAction) -> Value {
    json!({
        "name": name,
        "description": description,
        "platforms": "windows10",
        "technologies": "mdm",
        "roleScopeTagIds": ["0"],
        "templateReference": { "templateId": TEMPLATE_ID },
        "settings": administrators_settings(members, action),
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GroupSid {
    #[serde(default)]
    security_identifier: Option<String>,
}

impl GraphClient {
    /// Every configuration policy (all pages).
    pub async fn list_configuration_policies(&self) -> Result<Vec<ConfigurationPolicy>, GraphError> {
        Ok(self.get_all(POLICIES).await?.items)
    }

    /// The settings of a policy (`deviceManagementConfigurationSetting` items, all pages).
    pub async fn configuration_policy_settings(&self, policy_id: &str) -> Result<Vec<Value>, GraphError> {
        Ok(self
            .get_all(&format!("{POLICIES}/{}/settings", segment(policy_id)?))
            .await?
            .items)
    }

    /// Creates a policy (201).
    pub async fn create_configuration_policy(&self, body: Value) -> Result<ConfigurationPolicy, GraphError> {
        self.execute(GraphRequest::post(POLICIES, body)).await?.json()
    }

    /// Replaces a policy's properties and settings (`PUT`).
    pub async fn replace_configuration_policy(&self, policy_id: &str, body: Value) -> Result<(), GraphError> {
        let target = format!("{POLICIES}/{}", segment(policy_id)?);
        self.execute(GraphRequest::new(reqwest::Method::PUT, target).with_body(body))
            .await
            .map(|_| ())
    }

    /// The assignments of a policy.
    pub async fn configuration_policy_assignments(&self, policy_id: &str) -> Result<Vec<PolicyAssignment>, GraphError> {
        Ok(self
            .get_all(&format!("{POLICIES}/{}/assignments", segment(policy_id)?))
            .await?
            .items)
    }

    /// Sets a policy's whole assignment list (`POST .../assign`, 200).
    pub async fn assign_configuration_policy(
        &self,
        policy_id: &str,
        assignments: &[PolicyAssignment],
    ) -> Result<Vec<PolicyAssignment>, GraphError> {
        let target = format!("{POLICIES}/{}/assign", segment(policy_id)?);
        let body = json!({ "assignments": assignments });
        let page: crate::paging::Page<PolicyAssignment> =
            self.execute(GraphRequest::post(target, body)).await?.json()?;
        Ok(page.value)
    }

    /// An Entra group's SID (`securityIdentifier`, `S-1-12-1-...`), what LocalUsersAndGroups lists.
    pub async fn group_security_identifier(&self, group_id: &str) -> Result<Option<String>, GraphError> {
        let target = format!("/v1.0/groups/{}?$select=id,securityIdentifier", segment(group_id)?);
        let g: GroupSid = self.get_json(&target).await?;
        Ok(g.security_identifier)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::paging::Page;

    #[test]
    fn policies_fixture_parses_with_its_template() {
        let p: Page<ConfigurationPolicy> =
            serde_json::from_slice(include_bytes!("../testdata/configuration-policies-list.json")).expect("page");
        assert_eq!(p.value[0].name, "WIN_D_LocalGroupMembership_RemoteDesktopUsers_PROD");
        assert_eq!(
            p.value[0]
                .template_reference
                .as_ref()
                .and_then(|t| t.template_id.as_deref()),
            Some(TEMPLATE_ID)
        );
        assert_eq!(p.value[0].role_scope_tag_ids, vec!["0"]);
    }

    #[test]
    fn assignments_fixture_targets_a_device_group() {
        let p: Page<PolicyAssignment> =
            serde_json::from_slice(include_bytes!("../testdata/configuration-policy-assignments.json")).expect("page");
        assert!(p.value[0].targets_group("9C8E2F7A-3B1D-4E5F-8A6B-7C9D0E1F2A3B"));
        assert!(!p.value[0].targets_group("another"));
    }

    #[test]
    fn new_group_assignment_serialises_as_intune_expects() {
        let v = serde_json::to_value(PolicyAssignment::to_group("g1")).expect("json");
        assert_eq!(v, json!({ "target": { "@odata.type": GROUP_TARGET, "groupId": "g1" } }));
    }

    #[test]
    fn local_admins_policy_uses_the_account_protection_template() {
        let body = local_admins_policy("n", "d", &["S-1-12-1-1".into()], GroupAction::AddUpdate);
        assert_eq!(body["templateReference"]["templateId"], TEMPLATE_ID);
        assert_eq!(body["platforms"], "windows10");
        let rules = crate::local_groups::rules(body["settings"].as_array().expect("settings"));
        assert_eq!(rules[0].action, Some(GroupAction::AddUpdate));
    }
}
