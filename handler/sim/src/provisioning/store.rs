//! Provisioning's data: what `jitadmin provision` stored that is not entitlement management's
//! runtime state. Plain data behind the area's lock; the provisioning routes change it.

use std::collections::HashMap;

use serde_json::Value;

/// An Intune configuration policy with its settings and assignments.
#[derive(Debug, Clone)]
pub(crate) struct ConfigPolicy {
    pub json: Value,
    pub settings: Vec<Value>,
    pub assignments: Vec<Value>,
}

/// Provisioning's data: what is not entitlement management's runtime state.
#[derive(Debug, Default)]
pub(crate) struct ProvisioningState {
    /// Assignment policy documents by lower-case id (without stage settings and access package).
    pub policies: HashMap<String, Value>,
    /// Pre-expiration stage settings by lower-case policy id: `(stage, extension id)`.
    pub pre_expiration: HashMap<String, Vec<(String, String)>>,
    /// Catalog-scoped role assignments.
    pub role_assignments: Vec<Value>,
    /// Intune configuration policies, in creation order.
    pub config_policies: Vec<ConfigPolicy>,
}
