//! What the handlers and the Rust API share: configuration, the authority (keys, issuers), the
//! directory, calls, faults, throttle and each service's state.

use std::sync::{Arc, Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard};

use crate::config::SimConfig;
use crate::em::store::EmState;
use crate::entra::authority::Authority;
use crate::faults::Faults;
use crate::graph::delta::DeltaTokens;
use crate::intune::IntuneState;
use crate::outbound::Outbound;
use crate::record::CallLog;
use crate::state::TenantState;
use crate::subs::SubState;
use crate::throttle::Throttle;

/// The simulator's shared core, behind an `Arc` in handlers and in [`TenantSim`](crate::TenantSim).
#[derive(Debug)]
pub(crate) struct Shared {
    pub config: SimConfig,
    /// Base URL, tenant id, issuers and signing keys.
    pub authority: Arc<Authority>,
    pub state: RwLock<TenantState>,
    pub calls: Arc<CallLog>,
    pub faults: Arc<Faults>,
    pub throttle: Arc<Throttle>,
    /// Entitlement management: stage settings, requests, assignments.
    pub em: Mutex<EmState>,
    /// Woken on every change of `em` (for `wait_for_request`).
    pub em_changed: tokio::sync::Notify,
    /// Intune: device check-ins and the sync log.
    pub intune: Mutex<IntuneState>,
    /// Issued delta tokens.
    pub delta: Mutex<DeltaTokens>,
    /// Subscriptions and their deliveries.
    pub subs: Mutex<SubState>,
    /// Woken on every subscription or delivery change.
    pub subs_changed: tokio::sync::Notify,
    /// Signalled (one permit) when group membership may have changed: wakes the notification dispatcher.
    pub state_changed: tokio::sync::Notify,
    /// Mail accepted by `sendMail`.
    pub mail: Mutex<Vec<crate::mail::SentMail>>,
    /// What `jitadmin provision` sets up: policies, role assignments, Intune policies.
    pub provisioning: Mutex<crate::provisioning::ProvisioningState>,
    /// The client for calls the tenant makes (callouts).
    pub outbound: Outbound,
    /// The tenant's work in progress (for `TenantSim::wait_idle`).
    pub work: crate::work::Work,
    /// The Bot Framework: Bot Connector, channel token issuer, Teams client.
    pub bot: Arc<crate::bot::state::BotShared>,
    /// The Service Bus namespace.
    pub service_bus: Arc<Mutex<crate::service_bus::ServiceBusState>>,
}

impl Shared {
    pub fn state(&self) -> RwLockReadGuard<'_, TenantState> {
        self.state.read().unwrap_or_else(|p| p.into_inner())
    }

    pub fn state_mut(&self) -> RwLockWriteGuard<'_, TenantState> {
        self.state.write().unwrap_or_else(|p| p.into_inner())
    }

    pub fn em(&self) -> MutexGuard<'_, EmState> {
        self.em.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn intune(&self) -> MutexGuard<'_, IntuneState> {
        self.intune.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn delta(&self) -> MutexGuard<'_, DeltaTokens> {
        self.delta.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn service_bus(&self) -> MutexGuard<'_, crate::service_bus::ServiceBusState> {
        self.service_bus.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn subs(&self) -> MutexGuard<'_, SubState> {
        self.subs.lock().unwrap_or_else(|p| p.into_inner())
    }
}
