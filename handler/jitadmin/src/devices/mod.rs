//! The device side of the device loop (issue 8): when an elevation is granted or removed,
//! ask the user's Windows devices to sync with Intune ([`sync`]), tell the user what they
//! must do for the change to take effect ([`notify`]), and later confirm that each device
//! checked in ([`confirm`], run by `maintain`).
//!
//! A sync alone does not change a user's token: group SIDs reach it only with a new sign-in
//! (spec graph-notifications-intune §9.3), which is why the user is told to sign out and in.

mod confirm;
mod error;
mod notify;
mod sync;
pub(crate) mod trail;

pub use confirm::{confirm_check_ins, CheckInReport};
pub use error::DeviceError;
pub use notify::{notify_user, Notice};
pub use sync::{sync_user_devices, SyncReason, SyncReport};

use chrono::Utc;

use crate::app::App;
use crate::queue::{EventKind, QueuedEvent};

/// Audit actions written here.
pub mod actions {
    /// A device was asked to sync.
    pub const SYNC_REQUESTED: &str = "device.sync-requested";
    /// A device could not be synced and will not be retried (gone, retired, not MDM).
    pub const SYNC_SKIPPED: &str = "device.sync-skipped";
    /// A synced device checked in after the sync request.
    pub const CHECKED_IN: &str = "device.checked-in";
    /// A synced device had not checked in within `JITADMIN_CHECKIN_TIMEOUT_MINS`.
    pub const NOT_CHECKED_IN: &str = "device.not-checked-in";
    /// The user was told (or, with `JITADMIN_NOTIFY=none`, not told) what to do.
    pub const USER_NOTIFIED: &str = "user.notified";
    /// The user was not told, and why.
    pub const USER_NOT_NOTIFIED: &str = "user.not-notified";
}

/// After `process` handled a callout: for the granted and removed stages, sync the target
/// user's Windows devices and tell the user. `None` for every other event.
///
/// Runs on duplicates too: each device's sync and the notice are idempotent on their own
/// keys, so a retry after a failed sync redoes only what failed.
pub async fn after_callout(app: &App, event: &QueuedEvent) -> Result<Option<String>, DeviceError> {
    if event.kind != EventKind::Callout {
        return Ok(None);
    }
    let reason = match event.stage.as_deref() {
        Some("assignmentRequestGranted") => SyncReason::Granted,
        Some("assignmentRequestRemoved") => SyncReason::Removed,
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
    let report = sync_user_devices(app, user, reason, request_id, Utc::now()).await?;
    let notice = notify_user(app, user, reason, request_id, &report).await?;
    Ok(Some(format!("{}; {}", report.describe(), notice.describe())))
}
