//! What a flow may use.

use jitadmin_decide::RuleSet;
use jitadmin_graph::GraphClient;
use jitadmin_store::Store;

use crate::config::{CreatedStage, ManagedPackages, NotifySettings, SyncSettings, WatchSettings};
use crate::services::devices::Devices;
use crate::services::notify::Notifier;
use crate::services::subscriptions::Subscriptions;
use crate::services::teams::Teams;

/// How request stages are carried out.
#[derive(Debug, Clone)]
pub struct RequestSettings {
    /// What a created stage does without rules (`JITADMIN_CREATED_STAGE`).
    pub created_stage: CreatedStage,
    /// The `source` of our resumes (`JITADMIN_RESUME_SOURCE`).
    pub resume_source: String,
    /// Our tenant.
    pub tenant_id: String,
    /// The access packages we manage (`JITADMIN_ACCESS_PACKAGES`).
    pub packages: ManagedPackages,
}

/// The parts and settings the flows work with.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// State: ledger, audit trail, approvals, elevations, contacts.
    pub store: &'a Store,
    /// Microsoft Graph.
    pub graph: &'a GraphClient,
    /// Teams, when configured.
    pub teams: Option<&'a Teams>,
    /// The rules that decide created requests, when configured.
    pub rules: Option<&'a RuleSet>,
    /// How request stages are carried out.
    pub request: &'a RequestSettings,
    /// The watch on the admin groups.
    pub watch: &'a WatchSettings,
    /// Intune syncs.
    pub sync: &'a SyncSettings,
    /// The user's notice.
    pub notify: &'a NotifySettings,
}

impl<'a> Context<'a> {
    /// The device side.
    pub fn devices(&self) -> Devices<'a> {
        Devices {
            store: self.store,
            graph: self.graph,
            settings: self.sync,
        }
    }

    /// Telling users.
    pub fn notifier(&self) -> Notifier<'a> {
        Notifier {
            store: self.store,
            graph: self.graph,
            teams: self.teams,
            settings: self.notify,
        }
    }

    /// The group subscriptions.
    pub fn subscriptions(&self) -> Subscriptions<'a> {
        Subscriptions {
            store: self.store,
            graph: self.graph,
            settings: self.watch,
        }
    }
}
