//! Operations: put dead-lettered events back to work (`jitadmin replay`), on Azure Service
//! Bus or, in builds with the `dev` feature, the local host's queue.

pub mod azure_queue;
pub mod dead_letters;
#[cfg(feature = "dev")]
pub mod local_queue;
pub mod replay;

pub use dead_letters::{DeadLetter, EventSummary, Filter, REPLAY_PROPERTY};
pub use replay::{DeadLetterQueue, OpsError, Outcome, Summary};
