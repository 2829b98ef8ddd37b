//! [`TenantSim`]'s Intune API: devices, check-ins, the sync log.

use std::time::Duration;

use super::TenantSim;
use crate::intune::{self, DeviceSync};
use crate::scenario::ManagedDevice;

impl TenantSim {
    /// A managed device by Intune id (with its current `lastSyncDateTime`).
    pub fn device(&self, id: &str) -> Option<ManagedDevice> {
        self.with_state(|s| s.device(id).cloned())
    }

    /// Every `syncDevice` received, in order, with its check-in time once the device checked in.
    pub fn device_syncs(&self) -> Vec<DeviceSync> {
        self.shared().graph.intune.store().syncs().to_vec()
    }

    /// Sets how long (simulated time) after a `syncDevice` an online device checks in.
    pub fn set_device_checkin_delay(&self, delay: Duration) {
        self.shared().graph.intune.store().checkin_delay = delay;
    }

    /// Takes a device off line (its syncs stay pending and `lastSyncDateTime` stays put) or
    /// back on line (pending syncs check in at once).
    pub fn set_device_online(&self, device_id: &str, online: bool) {
        intune::set_online(&self.shared().graph.intune, device_id, online)
    }

    /// The device checks in now (as if it synced on its own schedule); `false` if it is off line
    /// or unknown.
    pub fn check_in_device(&self, device_id: &str) -> bool {
        intune::check_in(&self.shared().graph.intune, device_id)
    }
}
