//! What the Service Bus routes work on, extracted from the router's state: the namespace's
//! queues and the authority that verifies Entra tokens for Service Bus.

use std::sync::{Arc, Mutex, MutexGuard};

use super::ServiceBusState;
use crate::authority::Authority;

/// The Service Bus routes' state.
#[derive(Debug, Clone)]
pub(crate) struct ServiceBusArea {
    namespace: Arc<Mutex<ServiceBusState>>,
    /// Verifies bearer tokens; names the base URL.
    pub authority: Arc<Authority>,
}

impl ServiceBusArea {
    pub fn new(namespace: Arc<Mutex<ServiceBusState>>, authority: Arc<Authority>) -> Self {
        Self { namespace, authority }
    }

    /// The namespace: queues, messages, the SAS key.
    pub fn service_bus(&self) -> MutexGuard<'_, ServiceBusState> {
        self.namespace.lock().unwrap_or_else(|p| p.into_inner())
    }
}
