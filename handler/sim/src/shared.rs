//! What the handlers and the Rust API share: configuration, the authority (keys, issuers), the
//! directory, calls, faults, throttle and each service's state.

use std::sync::{Arc, Mutex, MutexGuard, RwLockReadGuard, RwLockWriteGuard};

use crate::config::SimConfig;
use crate::directory::Directory;
use crate::em::service::EmService;
use crate::entra::authority::Authority;
use crate::faults::Faults;
use crate::graph::area::GraphArea;
use crate::mail::area::MailArea;
use crate::outbound::Outbound;
use crate::provisioning::area::ProvisioningArea;
use crate::record::CallLog;
use crate::state::TenantState;
use crate::subs::service::SubsService;
use crate::throttle::Throttle;

/// The simulator's shared core, behind an `Arc` in handlers and in [`TenantSim`](crate::TenantSim).
#[derive(Debug)]
pub(crate) struct Shared {
    pub config: Arc<SimConfig>,
    /// Base URL, tenant id, issuers and signing keys.
    pub authority: Arc<Authority>,
    /// The directory and its change signal.
    pub directory: Arc<Directory>,
    pub calls: Arc<CallLog>,
    pub faults: Arc<Faults>,
    pub throttle: Arc<Throttle>,
    /// Entitlement management: its store and what its stages need.
    pub em: EmService,
    /// Graph's directory routes: the directory, Intune, delta tokens.
    pub graph: GraphArea,
    /// Change-notification subscriptions: their store and what deliveries need.
    pub subs: SubsService,
    /// Mail: the directory's mailboxes and what `sendMail` accepted.
    pub mail: MailArea,
    /// What `jitadmin provision` sets up: policies, role assignments, Intune policies.
    pub provisioning: ProvisioningArea,
    /// The client for calls the tenant makes (callouts).
    pub outbound: Outbound,
    /// The Bot Framework: Bot Connector, channel token issuer, Teams client.
    pub bot: Arc<crate::bot::state::BotShared>,
    /// The Service Bus namespace.
    pub service_bus: Arc<Mutex<crate::service_bus::ServiceBusState>>,
}

impl Shared {
    pub fn state(&self) -> RwLockReadGuard<'_, TenantState> {
        self.directory.state()
    }

    pub fn state_mut(&self) -> RwLockWriteGuard<'_, TenantState> {
        self.directory.state_mut()
    }

    pub fn service_bus(&self) -> MutexGuard<'_, crate::service_bus::ServiceBusState> {
        self.service_bus.lock().unwrap_or_else(|p| p.into_inner())
    }
}
