//! Entitlement management as its routes, its background work (stages, callouts, callback
//! timeouts) and [`TenantSim`](crate::TenantSim) share it: exactly the handles a request's
//! stages need, cloned into every task they start.

use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::Notify;

use crate::authority::Authority;
use crate::config::SimConfig;
use crate::directory::Directory;
use crate::em::store::EmState;
use crate::outbound::Outbound;
use crate::throttle::Throttle;

/// The entitlement-management service.
#[derive(Debug, Clone)]
pub(crate) struct EmService {
    /// Callout timeout and retries, token lifetime.
    pub config: Arc<SimConfig>,
    /// Signs the callouts' bearer and PoP tokens; names the base URL of `@odata.context`.
    pub authority: Arc<Authority>,
    /// Users and access packages; a grant or removal changes a resource group's members.
    pub directory: Arc<Directory>,
    /// Its time scale scales callback timeouts.
    pub throttle: Arc<Throttle>,
    /// The client that posts the callouts.
    pub outbound: Outbound,
    /// Stage settings, requests, assignments, custom extensions.
    pub store: Arc<Mutex<EmState>>,
    /// Woken on every change of the store (for `wait_for_request`).
    pub em_changed: Arc<Notify>,
    /// The tenant's work in progress: stages and deliveries are counted while they run.
    pub work: crate::work::Work,
}

impl EmService {
    /// A policy's approval settings: as set through Graph or the sim's API, else as the
    /// scenario seeds them (its `approvers`).
    pub fn approval_settings(&self, policy_id: &str) -> crate::em::approval::ApprovalSettings {
        if let Some(set) = self.em().approval(policy_id) {
            return set;
        }
        let approvers = self
            .directory
            .state()
            .access_packages
            .iter()
            .flat_map(|p| p.policies.iter())
            .find(|p| p.id.eq_ignore_ascii_case(policy_id))
            .map(|p| p.approvers.clone())
            .unwrap_or_default();
        match approvers.is_empty() {
            true => crate::em::approval::ApprovalSettings::default(),
            false => crate::em::approval::ApprovalSettings::single_stage(
                approvers.into_iter().map(crate::em::approval::Approver::User).collect(),
            ),
        }
    }

    pub fn em(&self) -> MutexGuard<'_, EmState> {
        self.store.lock().unwrap_or_else(|p| p.into_inner())
    }
}
