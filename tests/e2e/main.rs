//! End-to-end tests, one binary: the real `jitadmin` binary under azfn-local against
//! tenant-sim (`jitadmin_tests::TestEnv`), and checks of the deployable files against the
//! official schemas.

mod helpers;

mod callout_flow;
mod decisions_flow;
mod deploy;
mod dev_environment;
mod device_loop;
mod doctor;
mod log_scan;
mod ops_flow;
mod package;
mod provision_flow;
mod recipe;
mod request_types;
mod schemas;
mod teams_flow;
