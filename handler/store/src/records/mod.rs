//! The records the store keeps, one module each, with the operations jitadmin needs on them.

pub mod approvals;
pub mod audit;
pub mod claims;
pub mod delta_links;
pub mod elevations;
pub mod ledger;
pub mod subscriptions;
pub mod teams_contacts;

/// RowKey of tables holding one row per partition.
pub(crate) const SINGLE_ROW: &str = "0";
