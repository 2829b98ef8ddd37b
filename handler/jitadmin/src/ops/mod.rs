//! Operations: put dead-lettered events back to work (`jitadmin replay`) and read a
//! request's whole trail (`jitadmin audit`).

pub mod audit_trail;
pub mod azure_queue;
pub mod dead_letters;
pub mod local_queue;
pub mod replay;

pub use dead_letters::{DeadLetter, EventSummary, Filter, REPLAY_PROPERTY};
pub use replay::{DeadLetterQueue, OpsError, Outcome, Summary};
