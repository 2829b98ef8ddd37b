//! Check-in confirmation (run by `maintain`): for every sync requested in the audit trail
//! within the last check-in timeout (plus a day), record when the device's
//! `lastSyncDateTime` passed the request, or that it has not checked in after
//! `JITADMIN_CHECKIN_TIMEOUT_MINS`. Each sync is settled once (`device.checked-in` or
//! `device.not-checked-in`, keyed by the sync's key).

use std::collections::HashSet;

use chrono::{DateTime, Duration as ChronoDuration, Utc};
use jitadmin_graph::devices::ManagedDevice;

use super::Devices;
use crate::audit::detail::{self, DeviceDetail};
use crate::audit::{self, Action, DeviceAction, Entry};
use crate::error::DeviceError;

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
pub async fn confirm_check_ins(devices: Devices<'_>, now: DateTime<Utc>) -> Result<CheckInReport, DeviceError> {
    let store = devices.store;
    let timeout = ChronoDuration::from_std(devices.settings.checkin_timeout).unwrap_or(ChronoDuration::hours(4));
    let trail_since = store
        .audit_between(
            now - timeout - ChronoDuration::days(1),
            now + ChronoDuration::minutes(1),
        )
        .await?;
    let device_step = |action: &str| match Action::parse(action) {
        Action::Device(step) => Some(step),
        _ => None,
    };
    let settled: HashSet<String> = trail_since
        .iter()
        .filter(|r| {
            matches!(
                device_step(&r.event.action),
                Some(DeviceAction::CheckedIn | DeviceAction::NotCheckedIn)
            )
        })
        .filter_map(|r| detail::read::<DeviceDetail>(&r.event.detail).key)
        .collect();
    let mut report = CheckInReport::default();
    for record in trail_since
        .iter()
        .filter(|r| device_step(&r.event.action) == Some(DeviceAction::SyncRequested))
    {
        let requested: DeviceDetail = detail::read(&record.event.detail);
        let (Some(key), Some(device_id)) = (requested.key.clone(), requested.device_id.clone()) else {
            continue;
        };
        if settled.contains(&key) {
            continue;
        }
        let requested_at = record.event.at;
        let device = match read_device(devices, &device_id).await {
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
        let base = DeviceDetail {
            device_id: Some(device_id.clone()),
            key: Some(key.clone()),
            requested_at: Some(requested_at),
            last_sync_date_time: last_sync,
            ..DeviceDetail::default()
        };
        let (request_id, user) = (&record.event.request_id, &record.event.user);
        let (action, detail) = if last_sync.is_some_and(|t| t >= requested_at) {
            report.checked_in += 1;
            (DeviceAction::CheckedIn, base)
        } else if now - requested_at > timeout || device.is_none() {
            let why = if device.is_none() {
                "the device is gone"
            } else {
                "no check-in in time"
            };
            report.overdue += 1;
            let detail = DeviceDetail {
                why: Some(why.to_string()),
                ..base
            };
            (DeviceAction::NotCheckedIn, detail)
        } else {
            report.waiting += 1;
            continue;
        };
        audit::append(
            store,
            Entry::by_jitadmin(request_id, user, Action::Device(action), detail),
        )
        .await?;
    }
    Ok(report)
}

/// The device, `None` when Intune no longer knows it.
async fn read_device(
    devices: Devices<'_>,
    device_id: &str,
) -> Result<Option<ManagedDevice>, jitadmin_graph::GraphError> {
    if device_id.is_empty() || !device_id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Ok(None);
    }
    let target = format!("/v1.0/deviceManagement/managedDevices/{device_id}?$select=id,deviceName,lastSyncDateTime");
    match devices.graph.get_json::<ManagedDevice>(&target).await {
        Ok(device) => Ok(Some(device)),
        Err(e) if e.is_not_found() => Ok(None),
        Err(e) => Err(e),
    }
}
