//! Graph's wire conventions, shared by every Graph area (directory, mail, entitlement
//! management, provisioning, subscriptions) and by the router's middleware: the error JSON and
//! request ids (`errors`), the API version a route was reached through, and OData query options
//! (`query`: `$select`, `$top`, `$skiptoken`; `filter`: `$expand`, `$filter`). A leaf: it
//! depends on nothing of the simulator.

pub(crate) mod errors;
pub(crate) mod filter;
pub(crate) mod query;

/// Which Graph version a route was reached through (`v1.0` or `beta`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct ApiVersion(pub &'static str);
