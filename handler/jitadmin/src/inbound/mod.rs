//! The edge of the HTTP functions: who is calling, what their notifications become, and
//! what we answer when we refuse.

mod callout_auth;
pub mod notifications;
mod problems;
mod untrusted;

pub use callout_auth::{Caller, CalloutAuth};
pub use problems::{auth_problem, parse_problem};
pub use untrusted::untrusted;
