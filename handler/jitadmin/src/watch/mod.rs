//! The watch on the admin groups (issue 8): Graph change-notification subscriptions per
//! watched group ([`subscriptions`]), notifications sorted and queued ([`inbound`],
//! [`event`]), each group reconciled by delta query ([`reconcile`]) with drift found and
//! handled ([`drift`]), and the timer's run ([`maintain`]).

pub mod drift;
mod error;
pub mod event;
pub mod inbound;
pub mod maintain;
pub mod process;
pub mod reconcile;
pub mod subscriptions;

pub use error::WatchError;
pub use event::{WatchEvent, WatchKind};
