//! The user's Intune devices: asked to sync when an elevation is granted or removed
//! ([`sync`]), and later confirmed to have checked in ([`confirm`]).
//!
//! A sync alone does not change a user's token: group SIDs reach it only with a new sign-in
//! (<https://learn.microsoft.com/mem/intune/configuration/settings-catalog-local-user-group-membership>
//! applies group membership on the device; Windows reads it at sign-in), which is why the
//! user is told to sign out and in ([`crate::services::notify`]).

mod confirm;
mod sync;

use jitadmin_graph::GraphClient;
use jitadmin_store::Store;

pub use confirm::{confirm_check_ins, CheckInReport};
pub use sync::{sync_key, sync_user_devices, SyncReason, SyncReport};

use crate::config::SyncSettings;

/// What the device side works with.
#[derive(Debug, Clone, Copy)]
pub struct Devices<'a> {
    /// The ledger (coalesced syncs) and the audit trail.
    pub store: &'a Store,
    /// Intune through Graph.
    pub graph: &'a GraphClient,
    /// The coalescing window and the check-in timeout.
    pub settings: &'a SyncSettings,
}
