//! Sync on grant and removal: the user's Windows MDM devices, `syncDevice` for each through
//! `$batch` and the process's shared Intune limiter, coalesced per `(device, reason, window)`.
//!
//! Each device's sync is a ledger key `sync:{device}:{reason}:{window}`: a key already done
//! (the same device synced for the same reason in this window, by this event or another)
//! is not synced again. Devices that are gone or refused are done (nothing to retry);
//! failed ones (throttling that outlasted the client's retries, 5xx) fail the call, so the
//! queue retries the event and only they are tried again.

use chrono::{DateTime, Utc};
use jitadmin_graph::devices::{ManagedDevice, SyncOutcome};
use jitadmin_store::{LedgerOutcome, LedgerStatus};

use super::Devices;
use crate::audit::detail::DeviceDetail;
use crate::audit::{self, Action, DeviceAction, Entry};
use crate::error::DeviceError;

/// Why devices are synced; part of the coalescing key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncReason {
    /// An elevation was granted.
    Granted,
    /// An elevation was removed (or a member left a watched group).
    Removed,
}

impl SyncReason {
    /// `granted` or `removed`.
    pub fn as_str(self) -> &'static str {
        match self {
            SyncReason::Granted => "granted",
            SyncReason::Removed => "removed",
        }
    }
}

/// What became of a user's devices.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncReport {
    /// Names (or ids) of the devices asked to sync now.
    pub requested: Vec<String>,
    /// Devices already synced for this reason within the window.
    pub coalesced: Vec<String>,
    /// Devices Intune no longer knows or refused (not retried).
    pub skipped: Vec<String>,
}

impl SyncReport {
    /// One line for logs and the ledger.
    pub fn describe(&self) -> String {
        format!(
            "{} device(s) asked to sync, {} coalesced, {} skipped",
            self.requested.len(),
            self.coalesced.len(),
            self.skipped.len()
        )
    }

    /// Every device this event concerns that was or had been asked to sync.
    pub fn reached(&self) -> Vec<String> {
        self.requested.iter().chain(&self.coalesced).cloned().collect()
    }
}

/// The coalescing key of a device's sync. With a zero window there is no coalescing beyond
/// the event itself (`scope`, its request).
pub fn sync_key(device_id: &str, reason: SyncReason, window_secs: u64, now: DateTime<Utc>, scope: &str) -> String {
    let device = device_id.to_ascii_lowercase();
    match window_secs {
        0 => format!("sync:{device}:{}:req-{scope}", reason.as_str()),
        w => format!(
            "sync:{device}:{}:{}",
            reason.as_str(),
            now.timestamp().max(0) as u64 / w
        ),
    }
}

/// Sync `user`'s Windows devices for `reason`, auditing each under `request_id`.
pub async fn sync_user_devices(
    devices_side: Devices<'_>,
    user: &str,
    reason: SyncReason,
    request_id: &str,
    now: DateTime<Utc>,
) -> Result<SyncReport, DeviceError> {
    let (store, graph) = (devices_side.store, devices_side.graph);
    let devices = graph
        .list_user_windows_devices(user)
        .await
        .map_err(|source| DeviceError::List {
            user: user.to_string(),
            source,
        })?;
    let window = devices_side.settings.window.as_secs();
    let mut report = SyncReport::default();
    let mut pending: Vec<(&ManagedDevice, String)> = Vec::new();
    for device in &devices {
        let key = sync_key(&device.id, reason, window, now, request_id);
        if store.ledger_begin(&key).await?.status == LedgerStatus::Done {
            report.coalesced.push(name(device));
        } else {
            pending.push((device, key));
        }
    }
    if pending.is_empty() {
        tracing::info!(
            user,
            reason = reason.as_str(),
            devices = devices.len(),
            "no device to sync: {}",
            report.describe()
        );
        return Ok(report);
    }

    let ids: Vec<String> = pending.iter().map(|(d, _)| d.id.clone()).collect();
    let outcomes = match graph.sync_devices(&ids).await {
        Ok(outcomes) => outcomes,
        Err(error) => {
            for (_, key) in &pending {
                store
                    .ledger_finish(key, LedgerOutcome::Failed(error.to_string()))
                    .await?;
            }
            return Err(DeviceError::Sync {
                user: user.to_string(),
                failed: pending.len(),
                total: pending.len(),
                first: error.to_string(),
            });
        }
    };

    let mut failures = Vec::new();
    for ((device, key), (_, outcome)) in pending.iter().zip(outcomes) {
        let detail = |why: Option<String>| DeviceDetail {
            device_id: Some(device.id.clone()),
            device_name: device.device_name.clone(),
            reason: Some(reason.as_str().to_string()),
            key: Some(key.clone()),
            requested_at: Some(now),
            last_sync_before: device.last_sync_date_time.clone(),
            why,
            ..DeviceDetail::default()
        };
        let record = |action: DeviceAction, detail: DeviceDetail| {
            audit::append(
                store,
                Entry::by_jitadmin(request_id, user, Action::Device(action), detail),
            )
        };
        match outcome {
            SyncOutcome::Requested => {
                record(DeviceAction::SyncRequested, detail(None)).await?;
                store
                    .ledger_finish(key, LedgerOutcome::Done("sync requested".into()))
                    .await?;
                report.requested.push(name(device));
            }
            SyncOutcome::DeviceGone | SyncOutcome::Skipped(_) => {
                let why = match &outcome {
                    SyncOutcome::Skipped(e) => e.to_string(),
                    _ => "the device is no longer in Intune (404)".to_string(),
                };
                record(DeviceAction::SyncSkipped, detail(Some(why.clone()))).await?;
                store
                    .ledger_finish(key, LedgerOutcome::Done(format!("skipped: {why}")))
                    .await?;
                report.skipped.push(name(device));
            }
            SyncOutcome::Failed(error) => {
                tracing::warn!(user, device = %device.id, reason = reason.as_str(), "device sync failed: {error}");
                store
                    .ledger_finish(key, LedgerOutcome::Failed(error.to_string()))
                    .await?;
                failures.push(error.to_string());
            }
        }
    }
    tracing::info!(
        user,
        reason = reason.as_str(),
        failed = failures.len(),
        "{}",
        report.describe()
    );
    match failures.first() {
        None => Ok(report),
        Some(first) => Err(DeviceError::Sync {
            user: user.to_string(),
            failed: failures.len(),
            total: pending.len(),
            first: first.clone(),
        }),
    }
}

fn name(device: &ManagedDevice) -> String {
    device.device_name.clone().unwrap_or_else(|| device.id.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syncs_of_one_device_and_reason_share_a_key_within_the_window() {
        let t = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        let a = sync_key("Dev-1", SyncReason::Granted, 600, t("2026-01-01T10:00:10Z"), "r1");
        let b = sync_key("dev-1", SyncReason::Granted, 600, t("2026-01-01T10:09:59Z"), "r2");
        let c = sync_key("dev-1", SyncReason::Removed, 600, t("2026-01-01T10:09:59Z"), "r2");
        let d = sync_key("dev-1", SyncReason::Granted, 600, t("2026-01-01T10:10:00Z"), "r2");
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_ne!(a, d);
    }

    #[test]
    fn zero_window_coalesces_only_within_the_event() {
        let now = Utc::now();
        assert_eq!(
            sync_key("d", SyncReason::Granted, 0, now, "r1"),
            sync_key("d", SyncReason::Granted, 0, now, "r1")
        );
        assert_ne!(
            sync_key("d", SyncReason::Granted, 0, now, "r1"),
            sync_key("d", SyncReason::Granted, 0, now, "r2")
        );
    }
}
