//! jitadmin: just-in-time local admin rights for Intune-managed Windows devices.
//!
//! The library behind the `jitadmin` binary. The parts with one job each live in their
//! own crates (handler/*) and are re-exported here under the names of DESIGN.md §2
//! as each lands.

pub mod app;
pub mod cli;
pub mod config;
pub mod decision;
pub mod dev;
pub mod devices;
pub mod facts;
pub mod functions;
pub mod inbound;
pub mod ops;
pub mod provision;
pub mod queue;
pub mod teams;
pub mod watch;
pub mod work;

pub use jitadmin_auth as auth;
pub use jitadmin_decide as decide;
pub use jitadmin_events as events;
pub use jitadmin_graph as graph;
pub use jitadmin_store as store;
