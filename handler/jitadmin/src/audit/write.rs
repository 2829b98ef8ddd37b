//! Appending audit entries: every entry jitadmin writes goes through [`append`].

use chrono::{DateTime, Utc};
use jitadmin_store::{AuditEvent, Store, StoreError};
use serde::Serialize;

use super::{detail, Action};

/// Who jitadmin's own actions are attributed to.
pub const ACTOR: &str = "jitadmin";

/// One audit entry to write.
#[derive(Debug, Clone)]
pub struct Entry<'a, D: Serialize> {
    /// The access package request, or `group:{id}` for what the group watch found.
    pub request_id: &'a str,
    /// The user it concerns.
    pub user: &'a str,
    /// Who acted: [`ACTOR`] or an approver's object id.
    pub actor: &'a str,
    /// What happened.
    pub action: Action,
    /// When.
    pub at: DateTime<Utc>,
    /// The typed detail.
    pub detail: D,
}

impl<'a, D: Serialize> Entry<'a, D> {
    /// An entry by jitadmin, now.
    pub fn by_jitadmin(request_id: &'a str, user: &'a str, action: Action, detail: D) -> Self {
        Entry {
            request_id,
            user,
            actor: ACTOR,
            action,
            at: Utc::now(),
            detail,
        }
    }
}

/// Append `entry` to the trail.
pub async fn append<D: Serialize>(store: &Store, entry: Entry<'_, D>) -> Result<(), StoreError> {
    store
        .audit_append(&AuditEvent {
            request_id: entry.request_id.to_string(),
            user: entry.user.to_string(),
            at: entry.at,
            actor: entry.actor.to_string(),
            action: entry.action.to_string(),
            detail: detail::to_value(&entry.detail),
        })
        .await
        .map(|_| ())
}

/// Append `entry`, logging (not failing) when the store refuses: for steps whose outcome
/// stands whether or not the trail records it.
pub async fn append_logged<D: Serialize>(store: &Store, entry: Entry<'_, D>) {
    let (request_id, action) = (entry.request_id.to_string(), entry.action.to_string());
    if let Err(error) = append(store, entry).await {
        tracing::warn!(request_id, action, %error, "could not write the audit event");
    }
}
