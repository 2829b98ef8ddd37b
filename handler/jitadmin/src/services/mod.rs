//! Services: what the flows use to act on the world, each taking only what it needs.
//! They depend on the leaves (queue, audit, error, config) and never on a flow.

pub mod approvals;
pub mod devices;
pub mod facts;
pub mod notify;
pub mod requests;
pub mod resume;
pub mod subscriptions;
pub mod teams;
