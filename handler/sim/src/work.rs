//! The tenant's own work toward the code under test, counted so that
//! [`TenantSim::wait_idle`](crate::TenantSim::wait_idle) can observe when it is over instead of
//! guessing with a sleep: entitlement-management stages running in the background (their
//! callouts sent and retried), change notifications being posted, and every outbound HTTP
//! exchange (callouts, notifications, handshakes, Bot Connector deliveries).
//!
//! A piece of work holds a [`Busy`] guard, taken before the work is spawned (so it is counted
//! from the moment it exists) and dropped when it ends. Every start and end bumps a
//! generation, so a check that reads the counters, then other state, then the counters again
//! knows whether anything started or ended in between.
//!
//! Not counted, because they are the tenant waiting rather than working: a launch-and-wait
//! stage waiting for its resume (its timeout may be an hour away), and a device's scheduled
//! check-in after `syncDevice` (simulated minutes; it calls no one).

use std::future::Future;
use std::sync::Arc;

use tokio::sync::watch;

/// What a [`Busy`] guard counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// An access package request's stages running (callouts sent, retried).
    Stages,
    /// A change-notification collection being posted.
    Notification,
    /// An outbound HTTP exchange in flight.
    Http,
}

/// The counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Counts {
    pub stages: usize,
    pub notifications: usize,
    pub http: usize,
    /// Bumped at every start and every end.
    pub generation: u64,
}

impl Counts {
    pub fn is_quiet(&self) -> bool {
        self.stages == 0 && self.notifications == 0 && self.http == 0
    }
}

/// The tenant's work in progress; cheap to clone.
#[derive(Debug, Clone, Default)]
pub(crate) struct Work {
    counts: Arc<watch::Sender<Counts>>,
}

impl Work {
    /// Count one piece of work of `kind` until the guard is dropped.
    pub fn begin(&self, kind: Kind) -> Busy {
        self.change(kind, true);
        Busy {
            work: self.clone(),
            kind,
        }
    }

    /// Spawn `task`, counted as `kind` from now until it ends.
    pub fn spawn(&self, kind: Kind, task: impl Future<Output = ()> + Send + 'static) {
        let busy = self.begin(kind);
        tokio::spawn(async move {
            task.await;
            drop(busy);
        });
    }

    /// The counters now.
    pub fn counts(&self) -> Counts {
        *self.counts.borrow()
    }

    /// A receiver that sees every change of the counters.
    pub fn subscribe(&self) -> watch::Receiver<Counts> {
        self.counts.subscribe()
    }

    fn change(&self, kind: Kind, up: bool) {
        self.counts.send_modify(|c| {
            let counter = match kind {
                Kind::Stages => &mut c.stages,
                Kind::Notification => &mut c.notifications,
                Kind::Http => &mut c.http,
            };
            *counter = if up {
                counter.saturating_add(1)
            } else {
                counter.saturating_sub(1)
            };
            c.generation = c.generation.wrapping_add(1);
        });
    }
}

/// Counts one piece of work while alive (also when its task is aborted).
#[derive(Debug)]
pub(crate) struct Busy {
    work: Work,
    kind: Kind,
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.work.change(self.kind, false);
    }
}
