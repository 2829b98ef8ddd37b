//! What Graph's directory routes (users, managers, groups and members, the groups delta query,
//! Intune managed devices and `syncDevice`) work on, extracted from the router's state.

use std::sync::{Arc, Mutex, MutexGuard};

use super::delta::DeltaTokens;
use crate::authority::Authority;
use crate::directory::Directory;
use crate::intune::Intune;

/// The Graph directory routes' state.
#[derive(Debug, Clone)]
pub(crate) struct GraphArea {
    /// Names the base URL of `@odata.context` and links.
    pub authority: Arc<Authority>,
    /// Users, groups, members, devices; membership changes wake the notification dispatcher.
    pub directory: Arc<Directory>,
    /// Device syncs and check-ins.
    pub intune: Intune,
    delta: Arc<Mutex<DeltaTokens>>,
    /// Member entries per delta page (`SimConfig::delta_page_size`).
    pub delta_page_size: usize,
}

impl GraphArea {
    pub fn new(authority: Arc<Authority>, directory: Arc<Directory>, intune: Intune, delta_page_size: usize) -> Self {
        Self {
            authority,
            directory,
            intune,
            delta: Arc::default(),
            delta_page_size,
        }
    }

    /// Issued delta and skip tokens.
    pub fn delta(&self) -> MutexGuard<'_, DeltaTokens> {
        self.delta.lock().unwrap_or_else(|p| p.into_inner())
    }
}
