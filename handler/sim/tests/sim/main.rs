//! tenant-sim's integration tests, in one binary (linking one test binary per file dominated
//! the build). One module per area; shared helpers and stand-in endpoints in [`support`].

mod support;

mod architecture;
mod azure_identity_mi;
mod azure_identity_secret;
mod batch;
mod bot_click;
mod bot_connector;
mod bot_tokens;
mod conformance;
mod delta;
mod em_callouts;
mod em_request_types;
mod em_resume;
mod entra_tokens;
mod faults;
mod graph_auth;
mod graph_users_groups;
mod idle;
mod intune_devices;
mod lifecycle;
mod provisioning;
mod recorded_calls;
mod scenario;
mod subscriptions;
mod throttle;
