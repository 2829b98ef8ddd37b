//! What the Rust API shows of what was provisioned, for tests' assertions (`TenantSim`'s
//! methods are in the sim layer).

use serde_json::Value;

/// An Intune configuration policy as the sim holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigurationPolicyView {
    /// The policy as `GET` returns it.
    pub policy: Value,
    /// Its settings, as `GET .../settings` returns them.
    pub settings: Vec<Value>,
    /// Its assignments.
    pub assignments: Vec<Value>,
}
