//! Custom extensions as entitlement management holds them: the JSON Graph serves plus what a
//! callout needs (where, how long to wait, how to authenticate). The Graph routes that create,
//! list and update them, and attach them to policies, are provisioning's (a higher area).

use serde_json::Value;

use crate::em::types::{CalloutAuth, ClientTiming, LaunchMode};

/// A custom extension created through Graph.
#[derive(Debug, Clone)]
pub(crate) struct CustomExtension {
    pub id: String,
    /// The catalog it belongs to.
    pub catalog_id: String,
    /// What Graph returns for it.
    pub json: Value,
    pub endpoint: String,
    pub mode: LaunchMode,
    pub auth: CalloutAuth,
    pub client: Option<ClientTiming>,
}

impl CustomExtension {
    /// Whether it is a pre-expiration (assignment workflow) extension.
    pub(crate) fn is_assignment_workflow(&self) -> bool {
        self.json
            .get("@odata.type")
            .and_then(Value::as_str)
            .is_some_and(|t| t.trim_start_matches('#') == "microsoft.graph.accessPackageAssignmentWorkflowExtension")
    }
}
