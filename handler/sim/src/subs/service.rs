//! The subscription service as its routes, its background work (the notification dispatcher and
//! its deliveries) and [`TenantSim`](crate::TenantSim) share it: exactly the handles a handshake or
//! a delivery needs, cloned into every task it starts.

use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::Notify;

use crate::authority::Authority;
use crate::config::SimConfig;
use crate::directory::Directory;
use crate::outbound::Outbound;
use crate::subs::SubState;
use crate::throttle::Throttle;

/// The subscription service.
#[derive(Debug, Clone)]
pub(crate) struct SubsService {
    /// Handshake and notification timeouts, notification delay, `members@delta`.
    pub config: Arc<SimConfig>,
    /// Names the tenant of notifications and the base URL of `@odata.context`.
    pub authority: Arc<Authority>,
    /// Groups and the membership log; its change signal wakes the dispatcher.
    pub directory: Arc<Directory>,
    /// Its time scale scales the notification delay.
    pub throttle: Arc<Throttle>,
    /// The client that posts handshakes and notifications.
    pub outbound: Outbound,
    /// Subscriptions and deliveries.
    pub store: Arc<Mutex<SubState>>,
    /// Woken on every subscription or delivery change.
    pub subs_changed: Arc<Notify>,
    /// The tenant's work in progress: stages and deliveries are counted while they run.
    pub work: crate::work::Work,
}

impl SubsService {
    pub fn subs(&self) -> MutexGuard<'_, SubState> {
        self.store.lock().unwrap_or_else(|p| p.into_inner())
    }
}
