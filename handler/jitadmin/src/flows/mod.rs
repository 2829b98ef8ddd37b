//! Flows: what an event leads to, step by step, using the services. `process` hands each
//! queued [`crate::queue::Event`] to [`handle`]; `teams` hands a card click to
//! [`approval::click`]; `maintain` runs [`maintain::run`].
//!
//! A flow gets a [`Context`]: the parts it may use (store, Graph, Teams, rules) and its
//! settings, never the whole app with its inbound authentication or queue sender.

pub mod approval;
mod context;
pub mod decision;
pub mod device_loop;
pub mod maintain;
pub mod request;
pub mod watch;

pub use context::{Context, RequestSettings};

use crate::error::{DecisionError, DeviceError, WatchError, WorkError};
use crate::queue::{Delivered, Event};

/// How an event was handled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Handled {
    /// Handled now; the text says what was done (also the ledger's outcome).
    Done(String),
    /// The key was already done: nothing changed. The text is the earlier outcome.
    Duplicate(String),
}

impl std::fmt::Display for Handled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Handled::Done(outcome) => write!(f, "done: {outcome}"),
            Handled::Duplicate(earlier) => write!(f, "duplicate, nothing changed (earlier: {earlier})"),
        }
    }
}

/// Handling an event failed; the invocation fails so that the queue retries it.
#[derive(Debug, thiserror::Error)]
pub enum EventError {
    /// A callout's stage.
    #[error(transparent)]
    Work(#[from] WorkError),
    /// The devices of a granted or removed callout.
    #[error(transparent)]
    Devices(#[from] DeviceError),
    /// A group change or lifecycle event.
    #[error(transparent)]
    Watch(#[from] WatchError),
    /// A Teams decision.
    #[error(transparent)]
    Decision(#[from] DecisionError),
}

/// Handle one delivered event; the lines say what was done.
pub async fn handle(ctx: &Context<'_>, delivered: &Delivered) -> Result<Vec<String>, EventError> {
    match &delivered.event {
        Event::Callout(callout) => {
            let handled = request::handle(ctx, callout, delivered.replay.as_deref()).await?;
            let mut done = vec![handled.to_string()];
            // Granted and removed: the user's devices are asked to sync and the user is told
            // (idempotent per device and notice, so it runs for duplicates too and a retry
            // redoes only what failed).
            if let Some(devices) = device_loop::after_callout(ctx, callout).await? {
                done.push(format!("devices: {devices}"));
            }
            Ok(done)
        }
        Event::GroupChange(change) => Ok(vec![format!("done: {}", watch::group_change(ctx, change).await?)]),
        Event::Lifecycle(lifecycle) => Ok(vec![format!("done: {}", watch::lifecycle(ctx, lifecycle).await?)]),
        Event::TeamsDecision(decision) => Ok(vec![format!("done: {}", approval::retry::handle(ctx, decision).await?)]),
    }
}
