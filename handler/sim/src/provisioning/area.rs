//! What the provisioning routes (catalogs and custom extensions, assignment policies, EM roles,
//! Intune configuration policies) work on, extracted from the router's state.

use std::sync::{Arc, Mutex, MutexGuard};

use super::store::ProvisioningState;
use crate::authority::Authority;
use crate::directory::Directory;
use crate::em::store::EmState;

/// The provisioning routes' state.
#[derive(Debug, Clone)]
pub(crate) struct ProvisioningArea {
    /// Names the base URL of `@odata.context`.
    pub authority: Arc<Authority>,
    /// Access packages, their catalogs and policies; principals.
    pub directory: Arc<Directory>,
    /// Entitlement management's store: custom extensions and request-stage settings.
    em: Arc<Mutex<EmState>>,
    provisioning: Arc<Mutex<ProvisioningState>>,
}

impl ProvisioningArea {
    pub fn new(authority: Arc<Authority>, directory: Arc<Directory>, em: Arc<Mutex<EmState>>) -> Self {
        Self {
            authority,
            directory,
            em,
            provisioning: Arc::default(),
        }
    }

    /// Entitlement management's store (shared with the EM service).
    pub fn em(&self) -> MutexGuard<'_, EmState> {
        self.em.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Policy documents, pre-expiration settings, role assignments, Intune policies.
    pub fn provisioning(&self) -> MutexGuard<'_, ProvisioningState> {
        self.provisioning.lock().unwrap_or_else(|p| p.into_inner())
    }
}
