//! The approval records: replacing one safely under concurrent writers (a click, a queued
//! retry, `maintain`), and writing what happened to it into the audit trail.

use chrono::{DateTime, Utc};
use jitadmin_store::{Approval, Store, StoreError, Versioned};

use crate::audit::{self, detail::ApprovalDetail, Action, Entry};

/// Replace `approval` with `edit` applied, re-reading and re-applying on a concurrent change.
pub async fn save(
    store: &Store,
    mut approval: Versioned<Approval>,
    edit: impl Fn(&mut Approval),
) -> Result<Approval, StoreError> {
    for _ in 0..5 {
        let mut next = approval.value.clone();
        edit(&mut next);
        match store.approval_replace(&next, &approval.etag).await {
            Ok(_) => return Ok(next),
            Err(StoreError::ETagMismatch { .. }) => {
                let id = &approval.value.stage_instance_id;
                approval = store.approval_get(id).await?.ok_or_else(|| StoreError::NotFound {
                    record: "approval",
                    id: id.clone(),
                })?;
            }
            Err(e) => return Err(e),
        }
    }
    Err(StoreError::Contended {
        record: "approval",
        id: approval.value.stage_instance_id.clone(),
        attempts: 5,
    })
}

/// Append an audit entry about `approval` by `actor` (best effort: logged when the store fails).
pub async fn audit(
    store: &Store,
    approval: &Approval,
    actor: &str,
    action: Action,
    at: DateTime<Utc>,
    detail: ApprovalDetail,
) {
    let detail = ApprovalDetail {
        stage_instance_id: Some(approval.stage_instance_id.clone()),
        access_package: Some(approval.access_package.clone()),
        ..detail
    };
    audit::append_logged(
        store,
        Entry {
            request_id: &approval.request_id,
            user: &approval.user,
            actor,
            action,
            at,
            detail,
        },
    )
    .await;
}
