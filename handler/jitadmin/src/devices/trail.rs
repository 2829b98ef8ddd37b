//! Writing the device loop's audit entries.

use chrono::Utc;
use jitadmin_store::{AuditEvent, Store, StoreError};
use serde_json::Value;

/// Who jitadmin's own actions are attributed to (as in `work`).
const ACTOR: &str = "jitadmin";

/// Append one audit entry by jitadmin about `user` under `request_id` (the access-package
/// request, or `group:{id}` for what the group watch found).
pub(crate) async fn record(
    store: &Store,
    request_id: &str,
    user: &str,
    action: &str,
    detail: Value,
) -> Result<(), StoreError> {
    store
        .audit_append(&AuditEvent {
            request_id: request_id.to_string(),
            user: user.to_string(),
            at: Utc::now(),
            actor: ACTOR.to_string(),
            action: action.to_string(),
            detail,
        })
        .await
        .map(|_| ())
}
