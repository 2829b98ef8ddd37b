//! The tenant's directory as every area shares it: the [`TenantState`] behind its lock, and the
//! signal that group memberships may have changed (it wakes the change-notification dispatcher).
//! Depends on no handler.

use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};

use tokio::sync::Notify;

use crate::state::TenantState;

/// Users, groups and members, applications, devices, access packages; and their change signal.
#[derive(Debug)]
pub(crate) struct Directory {
    state: RwLock<TenantState>,
    /// Signalled (one permit) when group membership may have changed: wakes the notification dispatcher.
    pub changed: Notify,
}

impl Directory {
    pub fn new(state: TenantState) -> Self {
        Self {
            state: RwLock::new(state),
            changed: Notify::new(),
        }
    }

    pub fn state(&self) -> RwLockReadGuard<'_, TenantState> {
        self.state.read().unwrap_or_else(|p| p.into_inner())
    }

    pub fn state_mut(&self) -> RwLockWriteGuard<'_, TenantState> {
        self.state.write().unwrap_or_else(|p| p.into_inner())
    }
}
