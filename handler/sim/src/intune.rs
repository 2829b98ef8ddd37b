//! Simulated Intune device check-ins: a `syncDevice` is answered at once (204), and the device
//! checks in some time later (`SimConfig::device_checkin_delay`, simulated time, scaled by the
//! sim's time scale) unless it is offline: then its `lastSyncDateTime` advances and the sync's
//! `deviceActionResults` entry becomes `done`. An offline device checks in when it comes back.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use crate::shared::Shared;

/// One `syncDevice` the sim received and what came of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceSync {
    /// The Intune device id.
    pub device_id: String,
    /// When the sync was requested.
    pub requested_at: DateTime<Utc>,
    /// When the device checked in (its new `lastSyncDateTime`), if it has.
    pub checked_in_at: Option<DateTime<Utc>>,
}

/// Intune's mutable side: check-in delay, offline devices, the sync log.
#[derive(Debug)]
pub(crate) struct IntuneState {
    pub checkin_delay: Duration,
    pub offline: HashSet<String>,
    pub syncs: Vec<DeviceSync>,
}

impl IntuneState {
    pub fn new(checkin_delay: Duration) -> Self {
        Self {
            checkin_delay,
            offline: HashSet::new(),
            syncs: Vec::new(),
        }
    }

    /// The device's `deviceActionResults`: its latest sync, if any.
    pub fn action_results(&self, device_id: &str) -> Value {
        let latest = self
            .syncs
            .iter()
            .rev()
            .find(|s| s.device_id.eq_ignore_ascii_case(device_id));
        match latest {
            None => json!([]),
            Some(s) => json!([{
                "actionName": "syncDevice",
                "actionState": if s.checked_in_at.is_some() { "done" } else { "pending" },
                "startDateTime": s.requested_at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                "lastUpdatedDateTime": s.checked_in_at.unwrap_or(s.requested_at)
                    .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            }]),
        }
    }
}

/// Records a sync request and schedules the device's check-in.
pub(crate) fn request_sync(sim: &Arc<Shared>, device_id: &str) {
    let delay = {
        let mut intune = sim.intune();
        intune.syncs.push(DeviceSync {
            device_id: device_id.to_owned(),
            requested_at: Utc::now(),
            checked_in_at: None,
        });
        intune.checkin_delay
    };
    let scaled = delay.mul_f64(sim.throttle.time_scale().max(0.0));
    let (sim, id) = (sim.clone(), device_id.to_owned());
    tokio::spawn(async move {
        tokio::time::sleep(scaled).await;
        check_in(&sim, &id);
    });
}

/// The device checks in now, if online: every pending sync of it is done.
pub(crate) fn check_in(sim: &Shared, device_id: &str) -> bool {
    let now = Utc::now();
    {
        let mut intune = sim.intune();
        if intune.offline.contains(&device_id.to_ascii_lowercase()) {
            return false;
        }
        for s in intune
            .syncs
            .iter_mut()
            .filter(|s| s.device_id.eq_ignore_ascii_case(device_id) && s.checked_in_at.is_none())
        {
            s.checked_in_at = Some(now);
        }
    }
    let mut state = sim.state_mut();
    match state.devices.iter_mut().find(|d| d.id.eq_ignore_ascii_case(device_id)) {
        Some(d) => {
            d.last_sync_date_time = Some(now);
            tracing::debug!(device = %device_id, "device checked in");
            true
        }
        None => false,
    }
}

/// Takes a device off line (syncs stay pending) or back on line (pending syncs check in).
pub(crate) fn set_online(sim: &Shared, device_id: &str, online: bool) {
    let key = device_id.to_ascii_lowercase();
    if online {
        let pending = {
            let mut intune = sim.intune();
            intune.offline.remove(&key);
            intune
                .syncs
                .iter()
                .any(|s| s.device_id.eq_ignore_ascii_case(device_id) && s.checked_in_at.is_none())
        };
        if pending {
            check_in(sim, device_id);
        }
    } else {
        sim.intune().offline.insert(key);
    }
}
