//! Check-in confirmation (run by `maintain`): for every sync requested in the audit trail
//! within the last check-in timeout (plus a day), record when the device's
//! `lastSyncDateTime` passed the request, or that it has not checked in after
//! `JITADMIN_CHECKIN_TIMEOUT_MINS`. Each sync is settled once (`device.checked-in` or
//! `device.not-checked-in`, keyed by the sync's key).

use std::collections::HashSet;

use chrono::{DateTime, Duration as ChronoDuration, Utc};
use jitadmin_graph::devices::ManagedDevice;
use serde_json::{json, Value};

use super::{actions, trail, DeviceError};
use crate::app::App;

/// What a confirmation round found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckInReport {
    /// Syncs whose device checked in.
    pub checked_in: usize,
    /// Syncs whose device did not check in in time.
    pub overdue: usize,
    /// Syncs still waiting.
    pub waiting: usize,
    /// Devices that could not be read (tried again next round).
    pub unreadable: usize,
}

/// Confirm the check-ins of pending syncs at `now`.
pub async fn confirm_check_ins(app: &App, now: DateTime<Utc>) -> Result<CheckInReport, DeviceError> {
    let store = app.store();
    let timeout = ChronoDuration::from_std(app.config().devices.checkin_timeout).unwrap_or(ChronoDuration::hours(4));
    let trail_since = store
        .audit_between(
            now - timeout - ChronoDuration::days(1),
            now + ChronoDuration::minutes(1),
        )
        .await?;
    let settled: HashSet<String> = trail_since
        .iter()
        .filter(|r| matches!(r.event.action.as_str(), actions::CHECKED_IN | actions::NOT_CHECKED_IN))
        .filter_map(|r| text(&r.event.detail, "key"))
        .collect();
    let mut report = CheckInReport::default();
    for record in trail_since.iter().filter(|r| r.event.action == actions::SYNC_REQUESTED) {
        let detail = &record.event.detail;
        let (Some(key), Some(device_id)) = (text(detail, "key"), text(detail, "deviceId")) else {
            continue;
        };
        if settled.contains(&key) {
            continue;
        }
        let requested_at = record.event.at;
        let device = match read_device(app, &device_id).await {
            Ok(device) => device,
            Err(error) => {
                tracing::warn!(device = %device_id, "cannot read the device to confirm its check-in: {error}");
                report.unreadable += 1;
                continue;
            }
        };
        let last_sync = device
            .as_ref()
            .and_then(|d| d.last_sync_date_time.as_deref())
            .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
            .map(|t| t.with_timezone(&Utc));
        let base =
            json!({"deviceId": device_id, "key": key, "requestedAt": requested_at, "lastSyncDateTime": last_sync});
        let (request_id, user) = (&record.event.request_id, &record.event.user);
        if last_sync.is_some_and(|t| t >= requested_at) {
            trail::record(store, request_id, user, actions::CHECKED_IN, base).await?;
            report.checked_in += 1;
        } else if now - requested_at > timeout || device.is_none() {
            let why = if device.is_none() {
                "the device is gone"
            } else {
                "no check-in in time"
            };
            let mut detail = base;
            detail["why"] = json!(why);
            trail::record(store, request_id, user, actions::NOT_CHECKED_IN, detail).await?;
            report.overdue += 1;
        } else {
            report.waiting += 1;
        }
    }
    Ok(report)
}

/// The device, `None` when Intune no longer knows it.
async fn read_device(app: &App, device_id: &str) -> Result<Option<ManagedDevice>, jitadmin_graph::GraphError> {
    if device_id.is_empty() || !device_id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Ok(None);
    }
    let target = format!("/v1.0/deviceManagement/managedDevices/{device_id}?$select=id,deviceName,lastSyncDateTime");
    match app.graph().get_json::<ManagedDevice>(&target).await {
        Ok(device) => Ok(Some(device)),
        Err(e) if e.is_not_found() => Ok(None),
        Err(e) => Err(e),
    }
}

fn text(detail: &Value, field: &str) -> Option<String> {
    detail.get(field).and_then(Value::as_str).map(str::to_string)
}
