//! The router's state: the leaves every area is built from (configuration, the authority, the
//! directory, the call log, faults, throttle, the outbound client) and the areas themselves,
//! each built once here. Routes take their own area (`State<...>` through the `FromRef` impls
//! below, so no area knows this type); the background services (entitlement management,
//! subscriptions) hold their own handles.

use std::sync::{Arc, Mutex, MutexGuard};

use axum::extract::FromRef;

use crate::authority::Authority;
use crate::bot::area::BotArea;
use crate::bot::state::BotShared;
use crate::bot::teams::TeamsHandles;
use crate::config::SimConfig;
use crate::directory::Directory;
use crate::em::service::EmService;
use crate::entra::area::EntraArea;
use crate::faults::Faults;
use crate::graph::area::GraphArea;
use crate::graph::batch::BatchStack;
use crate::intune::Intune;
use crate::mail::area::MailArea;
use crate::outbound::Outbound;
use crate::provisioning::area::ProvisioningArea;
use crate::record::CallLog;
use crate::service_bus::area::ServiceBusArea;
use crate::service_bus::ServiceBusState;
use crate::subs::service::SubsService;
use crate::throttle::Throttle;
use crate::work::Work;

/// The simulator's router state, behind an `Arc` in the router and in [`TenantSim`](crate::TenantSim).
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
    /// The client for calls the tenant makes (callouts, notifications, invokes).
    pub outbound: Outbound,
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
    /// The tenant's work in progress (for `TenantSim::wait_idle`).
    pub work: crate::work::Work,
    /// What the Graph traffic's check against Graph's metadata found.
    pub conformance: Arc<crate::conformance::Conformance>,
    /// The Bot Framework: Bot Connector, channel token issuer, Teams client.
    pub bot: Arc<BotShared>,
    /// The Service Bus namespace.
    pub service_bus: Arc<Mutex<ServiceBusState>>,
}

impl Shared {
    /// Builds every area from the leaves.
    pub fn new(
        config: SimConfig,
        authority: Authority,
        directory: Directory,
        throttle: Throttle,
        bot: BotShared,
    ) -> Self {
        let config = Arc::new(config);
        let authority = Arc::new(authority);
        let directory = Arc::new(directory);
        let throttle = Arc::new(throttle);
        let work = Work::default();
        let config_conformance = config.conformance;
        let outbound = Outbound::new(work.clone());
        let intune = Intune::new(config.device_checkin_delay, directory.clone(), throttle.clone());
        let em = EmService {
            config: config.clone(),
            authority: authority.clone(),
            directory: directory.clone(),
            throttle: throttle.clone(),
            outbound: outbound.clone(),
            store: Arc::default(),
            em_changed: Arc::default(),
            work: work.clone(),
        };
        let subs = SubsService {
            config: config.clone(),
            authority: authority.clone(),
            directory: directory.clone(),
            throttle: throttle.clone(),
            outbound: outbound.clone(),
            store: Arc::default(),
            subs_changed: Arc::default(),
            work: work.clone(),
        };
        Shared {
            graph: GraphArea::new(authority.clone(), directory.clone(), intune, config.delta_page_size),
            mail: MailArea::new(directory.clone()),
            provisioning: ProvisioningArea::new(authority.clone(), directory.clone(), em.store.clone()),
            em,
            subs,
            bot: Arc::new(bot),
            service_bus: Arc::default(),
            calls: Arc::default(),
            faults: Arc::default(),
            config,
            authority,
            directory,
            throttle,
            outbound,
            work,
            conformance: Arc::new(crate::conformance::Conformance::new(config_conformance)),
        }
    }

    pub fn service_bus(&self) -> MutexGuard<'_, ServiceBusState> {
        self.service_bus.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// What the Teams client works on.
    pub fn teams_handles(&self) -> TeamsHandles {
        TeamsHandles {
            bot: self.bot.clone(),
            authority: self.authority.clone(),
            directory: self.directory.clone(),
            outbound: self.outbound.clone(),
        }
    }
}

impl FromRef<Arc<Shared>> for EntraArea {
    fn from_ref(sim: &Arc<Shared>) -> Self {
        EntraArea {
            authority: sim.authority.clone(),
            directory: sim.directory.clone(),
            token_lifetime: sim.config.token_lifetime,
        }
    }
}

impl FromRef<Arc<Shared>> for GraphArea {
    fn from_ref(sim: &Arc<Shared>) -> Self {
        sim.graph.clone()
    }
}

/// `$batch` runs its items through a fresh copy of the whole stack, built on this state.
impl FromRef<Arc<Shared>> for BatchStack {
    fn from_ref(sim: &Arc<Shared>) -> Self {
        BatchStack(super::app(sim.clone()))
    }
}

impl FromRef<Arc<Shared>> for MailArea {
    fn from_ref(sim: &Arc<Shared>) -> Self {
        sim.mail.clone()
    }
}

impl FromRef<Arc<Shared>> for EmService {
    fn from_ref(sim: &Arc<Shared>) -> Self {
        sim.em.clone()
    }
}

impl FromRef<Arc<Shared>> for ProvisioningArea {
    fn from_ref(sim: &Arc<Shared>) -> Self {
        sim.provisioning.clone()
    }
}

impl FromRef<Arc<Shared>> for SubsService {
    fn from_ref(sim: &Arc<Shared>) -> Self {
        sim.subs.clone()
    }
}

impl FromRef<Arc<Shared>> for BotArea {
    fn from_ref(sim: &Arc<Shared>) -> Self {
        BotArea {
            bot: sim.bot.clone(),
            authority: sim.authority.clone(),
            time_scale: sim.config.time_scale,
        }
    }
}

impl FromRef<Arc<Shared>> for ServiceBusArea {
    fn from_ref(sim: &Arc<Shared>) -> Self {
        ServiceBusArea::new(sim.service_bus.clone(), sim.authority.clone())
    }
}
