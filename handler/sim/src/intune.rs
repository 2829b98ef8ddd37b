//! Simulated Intune device check-ins: a `syncDevice` is answered at once (204), and the device
//! checks in some time later (`SimConfig::device_checkin_delay`, simulated time, scaled by the
//! sim's time scale) unless it is offline: then its `lastSyncDateTime` advances and the sync's
//! `deviceActionResults` entry becomes `done`. An offline device checks in when it comes back.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use crate::directory::Directory;
use crate::throttle::Throttle;

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
    syncs: Vec<DeviceSync>,
    /// Positions in `syncs` by lower-case device id, oldest first.
    by_device: HashMap<String, Vec<usize>>,
}

impl IntuneState {
    pub fn new(checkin_delay: Duration) -> Self {
        Self {
            checkin_delay,
            offline: HashSet::new(),
            syncs: Vec::new(),
            by_device: HashMap::new(),
        }
    }

    /// Every sync request, oldest first.
    pub fn syncs(&self) -> &[DeviceSync] {
        &self.syncs
    }

    /// Logs a sync request.
    fn record(&mut self, sync: DeviceSync) {
        let key = sync.device_id.to_ascii_lowercase();
        self.by_device.entry(key).or_default().push(self.syncs.len());
        self.syncs.push(sync);
    }

    /// The device's syncs, oldest first.
    fn of_device(&self, device_id: &str) -> impl DoubleEndedIterator<Item = &DeviceSync> {
        self.by_device
            .get(&device_id.to_ascii_lowercase())
            .into_iter()
            .flatten()
            .filter_map(|&at| self.syncs.get(at))
    }

    /// Whether the device has a sync it has not checked in for.
    fn has_pending(&self, device_id: &str) -> bool {
        self.of_device(device_id).any(|s| s.checked_in_at.is_none())
    }

    /// Marks every pending sync of the device as checked in at `now`.
    fn complete(&mut self, device_id: &str, now: DateTime<Utc>) {
        let Some(positions) = self.by_device.get(&device_id.to_ascii_lowercase()) else {
            return;
        };
        for &at in positions {
            if let Some(s) = self.syncs.get_mut(at) {
                s.checked_in_at.get_or_insert(now);
            }
        }
    }

    /// The device's `deviceActionResults`: its latest sync, if any.
    pub fn action_results(&self, device_id: &str) -> Value {
        let latest = self.of_device(device_id).next_back();
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

/// Intune as the routes, the check-in tasks and [`TenantSim`](crate::TenantSim) share it: its
/// store, the directory (where a check-in moves a device's `lastSyncDateTime`) and the throttle
/// (whose time scale scales the check-in delay).
#[derive(Debug, Clone)]
pub(crate) struct Intune {
    store: Arc<Mutex<IntuneState>>,
    directory: Arc<Directory>,
    throttle: Arc<Throttle>,
}

impl Intune {
    pub fn new(checkin_delay: Duration, directory: Arc<Directory>, throttle: Arc<Throttle>) -> Self {
        Self {
            store: Arc::new(Mutex::new(IntuneState::new(checkin_delay))),
            directory,
            throttle,
        }
    }

    /// Check-in delay, offline devices, the sync log.
    pub fn store(&self) -> MutexGuard<'_, IntuneState> {
        self.store.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Records a sync request and schedules the device's check-in.
pub(crate) fn request_sync(sim: &Intune, device_id: &str) {
    let delay = {
        let mut intune = sim.store();
        intune.record(DeviceSync {
            device_id: device_id.to_owned(),
            requested_at: Utc::now(),
            checked_in_at: None,
        });
        intune.checkin_delay
    };
    let scaled = delay.mul_f64(sim.throttle.time_scale().max(0.0));
    let (sim, id) = (sim.clone(), device_id.to_owned());
    // The device's own schedule, not work toward the code under test: not counted by
    // `TenantSim::wait_idle` (see `crate::work`).
    tokio::spawn(async move {
        tokio::time::sleep(scaled).await;
        check_in(&sim, &id);
    });
}

/// The device checks in now, if online: every pending sync of it is done.
pub(crate) fn check_in(sim: &Intune, device_id: &str) -> bool {
    let now = Utc::now();
    {
        let mut intune = sim.store();
        if intune.offline.contains(&device_id.to_ascii_lowercase()) {
            return false;
        }
        intune.complete(device_id, now);
    }
    let mut state = sim.directory.state_mut();
    match state.device_mut(device_id) {
        Some(d) => {
            d.last_sync_date_time = Some(now);
            tracing::debug!(device = %device_id, "device checked in");
            true
        }
        None => false,
    }
}

/// Takes a device off line (syncs stay pending) or back on line (pending syncs check in).
pub(crate) fn set_online(sim: &Intune, device_id: &str, online: bool) {
    let key = device_id.to_ascii_lowercase();
    if online {
        let pending = {
            let mut intune = sim.store();
            intune.offline.remove(&key);
            intune.has_pending(device_id)
        };
        if pending {
            check_in(sim, device_id);
        }
    } else {
        sim.store().offline.insert(key);
    }
}
