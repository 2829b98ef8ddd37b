//! Simulated entitlement management
//! (<https://learn.microsoft.com/graph/api/resources/accesspackageassignmentrequestworkflowextension>): access-package
//! assignment requests whose stages call custom extensions as EM does, the `resume` action with
//! a state machine, and the request/assignment reads jitadmin makes.
//!
//! - Stage settings per policy ([`StageSetting`]): which stage calls out, launch-and-wait or
//!   -continue, the endpoint URL, the callback timeout, and bearer or PoP authentication.
//! - Creating a request ([`NewRequest`], `TenantSim::create_assignment_request`) starts its
//!   stages in the background; each configured stage POSTs the PascalCase callout
//!   (`callout_body.rs`) with a 2-second timeout and one retry (`SimConfig::callout_timeout`,
//!   `callout_retries`), every attempt recorded ([`CalloutAttempt`]).
//! - `flow.rs` documents the state machine; `routes.rs` the resume errors.

pub mod approval;
pub(crate) mod approval_flow;
pub(crate) mod auth;
pub(crate) mod callout_body;
pub(crate) mod extensions;
pub(crate) mod flow;
pub(crate) mod json;
pub mod request_kinds;
pub(crate) mod routes;
pub(crate) mod send;
pub(crate) mod service;
pub(crate) mod store;
pub mod types;

pub use auth::EM_APP_ID;
pub use request_kinds::{CalloutCoverage, StageCoverage};
pub use routes::{NOT_WAITING_FOR_CALLBACK, REQUEST_NOT_FOUND, STAGE_INSTANCE_NOT_FOUND};
pub use types::{
    Answer, AssignmentView, CalloutAttempt, CalloutAuth, CalloutStatus, CalloutView, ClientTiming, CnfForm, LaunchMode,
    NewRequest, PopBinding, PopOptions, RequestView, ResumeRecord, Stage, StageSetting,
};
