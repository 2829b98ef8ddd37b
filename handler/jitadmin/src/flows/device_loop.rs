//! After a granted or removed callout: ask the target user's Windows devices to sync with
//! Intune and tell the user what to do for the change to take effect.

use chrono::Utc;
use jitadmin_events::callout::Stage;

use super::Context;
use crate::error::DeviceError;
use crate::queue::CalloutEvent;
use crate::services::devices::{sync_user_devices, SyncReason};
use crate::services::notify::notify_user;

/// Sync and notify for the granted and removed stages; `None` for every other stage.
///
/// Runs on duplicates too: each device's sync and the notice are idempotent on their own
/// keys, so a retry after a failed sync redoes only what failed.
pub async fn after_callout(ctx: &Context<'_>, event: &CalloutEvent) -> Result<Option<String>, DeviceError> {
    let reason = match event.stage {
        Stage::AssignmentRequestGranted => SyncReason::Granted,
        Stage::AssignmentRequestRemoved => SyncReason::Removed,
        _ => return Ok(None),
    };
    let Some(user) = event.user_id.as_deref() else {
        tracing::warn!(key = %event.key, reason = reason.as_str(), "callout names no target user: no device sync");
        return Ok(None);
    };
    let request_id = event
        .request_id
        .as_deref()
        .or(event.stage_instance_id.as_deref())
        .unwrap_or(&event.key);
    let report = sync_user_devices(ctx.devices(), user, reason, request_id, Utc::now()).await?;
    let notice = notify_user(ctx.notifier(), user, reason, request_id, &report).await?;
    Ok(Some(format!("{}; {}", report.describe(), notice.describe())))
}
