//! The app crate's tests, one binary: the functions through `azfn_runtime::router` as the
//! Functions host calls them, the flows against tenant-sim, and the `jitadmin` binary's
//! commands. The app is built one way ([`harness`]); `callout_support` and `devices_support`
//! add the fakes around it.

mod callout_support;
mod devices_support;
mod harness;

mod architecture;
mod callout_auth;
mod callout_direct_send;
mod callout_end_to_end;
mod callout_refusals;
mod callout_stages;
mod cli_decide;
mod devices_burst;
mod devices_notice;
mod devices_sync;
mod devices_watch;
mod graph_conformance;
mod notifications_endpoint;
mod process_callout;
mod process_decide;
mod process_managed_identity;
mod process_replay;
mod replay_service_bus;
mod serve;
mod teams_endpoint;
