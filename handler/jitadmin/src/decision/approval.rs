//! Routing: an open approval in the store, keyed by the stage instance, for the Teams
//! card to be posted from. The request stays waiting until an approver decides or EM's
//! callback times out.

use chrono::{DateTime, Duration, Utc};
use jitadmin_events::callout::RequestCallout;
use jitadmin_store::{Approval, ApprovalStatus, StoreError};

use crate::app::App;
use crate::facts::iso8601_duration;
use crate::work::WorkError;

/// How long an approval stays open when the callout does not say how long EM waits.
pub const DEFAULT_APPROVAL_WINDOW: Duration = Duration::days(1);

/// Record the open approval; one already there (a retry or replay) is kept.
pub async fn open(
    app: &App,
    request: &RequestCallout,
    user: &str,
    received_at: DateTime<Utc>,
    key: &str,
) -> Result<String, WorkError> {
    let window = request
        .callback_configuration
        .as_ref()
        .and_then(|c| c.timeout())
        .and_then(iso8601_duration)
        .unwrap_or(DEFAULT_APPROVAL_WINDOW);
    let approval = Approval {
        stage_instance_id: request.custom_extension_stage_instance_id.clone(),
        request_id: request.access_package_assignment_request_id.clone(),
        user: user.to_string(),
        access_package: request
            .access_package
            .as_ref()
            .and_then(|p| p.id.clone())
            .unwrap_or_default(),
        card: None,
        status: ApprovalStatus::Open,
        decided_by: None,
        decided_at: None,
        reason: None,
        expires_at: received_at + window,
    };
    match app.store().approval_insert(&approval).await {
        Ok(_) => Ok(format!(
            "left waiting; approval open until {}",
            approval.expires_at.to_rfc3339()
        )),
        Err(StoreError::AlreadyExists { .. }) => Ok("left waiting; the approval was already open".into()),
        Err(source) => Err(WorkError::Store {
            key: key.to_string(),
            source,
        }),
    }
}
