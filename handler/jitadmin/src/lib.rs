//! jitadmin: just-in-time local admin rights for Intune-managed Windows devices.
//!
//! The library behind the `jitadmin` binary, in layers that point one way:
//!
//! - the entry points: [`functions`] (the five Azure Functions, built on [`app`]) and the
//!   command line ([`cli`], [`dev`], [`provision`], [`doctor`], [`ops`]);
//! - [`flows`]: what an event leads to (request stages, decisions, approvals, the device loop,
//!   the group watch, the timer's run);
//! - [`services`]: what the flows act through (resume, cards, devices, notices,
//!   subscriptions, facts);
//! - leaves: the [`queue`]'s event types, the [`audit`] trail, [`error`]s, [`config`] and the
//!   [`inbound`] edge.
//!
//! Nothing imports upward; `tests/architecture.rs` keeps it so. The parts with one job each
//! live in their own crates (handler/*) and are re-exported here.

pub mod app;
pub mod audit;
pub mod cli;
pub mod config;
#[cfg(feature = "dev")]
pub mod dev;
pub mod doctor;
pub mod error;
pub mod flows;
pub mod functions;
pub mod inbound;
pub mod ops;
pub mod provision;
pub mod queue;
pub mod services;

pub use jitadmin_auth as auth;
pub use jitadmin_decide as decide;
pub use jitadmin_events as events;
pub use jitadmin_graph as graph;
pub use jitadmin_store as store;
