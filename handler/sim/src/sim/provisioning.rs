//! [`TenantSim`]'s view of what was provisioned, for tests' assertions.

use serde_json::Value;

use super::TenantSim;
use crate::provisioning::ConfigurationPolicyView;

impl TenantSim {
    /// The custom extensions of a catalog, as Graph returns them.
    pub fn custom_extensions(&self, catalog_id: &str) -> Vec<Value> {
        self.shared()
            .provisioning
            .em()
            .extensions
            .iter()
            .filter(|e| e.catalog_id.eq_ignore_ascii_case(catalog_id))
            .map(|e| e.json.clone())
            .collect()
    }

    /// A policy's stage settings as `(stage, extension id)`, request stages first.
    pub fn policy_stage_settings(&self, policy_id: &str) -> Vec<(String, String)> {
        let area = &self.shared().provisioning;
        let mut out: Vec<(String, String)> = area
            .em()
            .settings(policy_id)
            .iter()
            .map(|s| (s.stage.as_str().to_owned(), s.custom_extension_id.clone()))
            .collect();
        if let Some(pre) = area.provisioning().pre_expiration.get(&policy_id.to_ascii_lowercase()) {
            out.extend(pre.iter().cloned());
        }
        out
    }

    /// A policy's stored document after a `PUT` (`None` while it is still the seeded one).
    pub fn policy_document(&self, policy_id: &str) -> Option<Value> {
        self.shared()
            .provisioning
            .provisioning()
            .policies
            .get(&policy_id.to_ascii_lowercase())
            .cloned()
    }

    /// Entitlement-management role assignments.
    pub fn em_role_assignments(&self) -> Vec<Value> {
        self.shared().provisioning.provisioning().role_assignments.clone()
    }

    /// Intune configuration policies, in creation order.
    pub fn configuration_policies(&self) -> Vec<ConfigurationPolicyView> {
        self.shared()
            .provisioning
            .provisioning()
            .config_policies
            .iter()
            .map(|p| ConfigurationPolicyView {
                policy: p.json.clone(),
                settings: p.settings.clone(),
                assignments: p.assignments.clone(),
            })
            .collect()
    }

    /// The SID Graph gives a group or user's object id (`securityIdentifier`).
    pub fn security_identifier(object_id: &str) -> Option<String> {
        crate::ids::cloud_sid(object_id)
    }
}
