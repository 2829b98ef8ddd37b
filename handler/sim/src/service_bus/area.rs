//! What the Service Bus routes work on, extracted from the router's state: the namespace's
//! queues and the authority that verifies Entra tokens for Service Bus.

use std::sync::{Arc, Mutex, MutexGuard};

use axum::extract::FromRef;

use super::ServiceBusState;
use crate::authority::Authority;
use crate::shared::Shared;

/// The Service Bus routes' state.
#[derive(Debug, Clone)]
pub(crate) struct ServiceBusArea {
    namespace: Arc<Mutex<ServiceBusState>>,
    /// Verifies bearer tokens; names the base URL.
    pub authority: Arc<Authority>,
}

impl ServiceBusArea {
    /// The namespace: queues, messages, the SAS key.
    pub fn service_bus(&self) -> MutexGuard<'_, ServiceBusState> {
        self.namespace.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl FromRef<Arc<Shared>> for ServiceBusArea {
    fn from_ref(sim: &Arc<Shared>) -> Self {
        ServiceBusArea {
            namespace: sim.service_bus.clone(),
            authority: sim.authority.clone(),
        }
    }
}
