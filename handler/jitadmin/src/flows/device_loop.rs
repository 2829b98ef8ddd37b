//! After a granted or removed callout: ask the target user's Windows devices to sync with
//! Intune and tell the user what to do for the change to take effect.
//!
//! The request type decides what that is: a new grant syncs and says "sign out and in"; an
//! update of an assignment the user already has (an extension) syncs nothing, since the
//! devices already have the right, and tells the new end; a removal syncs and says who
//! removed it, as far as the request type tells.

use chrono::Utc;
use jitadmin_events::callout::{Callout, RequestCallout, RequestType, Stage};

use super::Context;
use crate::error::DeviceError;
use crate::queue::CalloutEvent;
use crate::services::devices::{sync_user_devices, SyncReason, SyncReport};
use crate::services::facts::new_end;
use crate::services::notify::{notify_user, Message, Removal};

/// Sync and notify for the granted and removed stages; `None` for every other stage.
///
/// Runs on duplicates too: each device's sync and the notice are idempotent on their own
/// keys, so a retry after a failed sync redoes only what failed.
pub async fn after_callout(ctx: &Context<'_>, event: &CalloutEvent) -> Result<Option<String>, DeviceError> {
    let request = match &event.callout {
        Callout::Request(r) => Some(r.as_ref()),
        _ => None,
    };
    let kind = request.and_then(|r| r.request_type.as_ref());
    let (reason, message) = match event.stage {
        Stage::AssignmentRequestGranted if kind.is_some_and(RequestType::is_update) => {
            (None, extended(ctx, request).await)
        }
        Stage::AssignmentRequestGranted => (Some(SyncReason::Granted), Message::Granted),
        Stage::AssignmentRequestRemoved => (Some(SyncReason::Removed), Message::Removed(Removal::of(kind))),
        _ => return Ok(None),
    };
    let Some(user) = event.user_id.as_deref() else {
        tracing::warn!(key = %event.key, notice = message.as_str(), "callout names no target user: no device sync");
        return Ok(None);
    };
    let request_id = event
        .request_id
        .as_deref()
        .or(event.stage_instance_id.as_deref())
        .unwrap_or(&event.key);
    let report = match reason {
        Some(reason) => sync_user_devices(ctx.devices(), user, reason, request_id, Utc::now()).await?,
        None => SyncReport::default(),
    };
    let notice = notify_user(ctx.notifier(), user, message, request_id, &report).await?;
    let devices = match reason {
        Some(_) => report.describe(),
        None => "an extension: no device sync (the devices already have the right)".to_string(),
    };
    Ok(Some(format!("{devices}; {}", notice.describe())))
}

/// The notice of an extension, with the new end when the callout or Graph tells it.
async fn extended(ctx: &Context<'_>, request: Option<&RequestCallout>) -> Message {
    let until = match request {
        Some(r) => new_end(ctx.graph, r).await,
        None => None,
    };
    Message::Extended { until }
}
