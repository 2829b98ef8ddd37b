//! Work in progress inside a host, counted so that [`LocalHost::wait_idle`] can observe when
//! the host has settled instead of guessing with a sleep.
//!
//! An invocation (HTTP, Service Bus or timer, forwarded requests included) holds a
//! [`Busy`] guard from before it calls the handler until its outputs are written; a timer
//! run holds one from the moment it fires until its invocation is over. Every start and end
//! bumps a generation, so a check that reads the counters, then the queues, then the
//! generation again knows whether anything started or ended in between.
//!
//! [`LocalHost::wait_idle`]: crate::LocalHost::wait_idle

use std::sync::Arc;

use tokio::sync::watch;

/// The counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Counts {
    /// Invocations in progress (the handler is being called or outputs are being written).
    pub invocations: usize,
    /// Timer runs in progress.
    pub timer_runs: usize,
    /// Bumped at every start and every end.
    pub generation: u64,
}

impl Counts {
    pub fn is_quiet(&self) -> bool {
        self.invocations == 0 && self.timer_runs == 0
    }
}

/// What a [`Busy`] guard counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Invocation,
    TimerRun,
}

/// The host's activity; cheap to clone.
#[derive(Debug, Clone, Default)]
pub(crate) struct Activity {
    counts: Arc<watch::Sender<Counts>>,
}

impl Activity {
    /// Count one piece of work of `kind` until the guard is dropped.
    pub fn begin(&self, kind: Kind) -> Busy {
        self.change(kind, true);
        Busy {
            activity: self.clone(),
            kind,
        }
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
                Kind::Invocation => &mut c.invocations,
                Kind::TimerRun => &mut c.timer_runs,
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

/// Counts one piece of work while alive (also when its future is dropped mid-way, e.g. at
/// shutdown or on a timeout).
#[derive(Debug)]
pub(crate) struct Busy {
    activity: Activity,
    kind: Kind,
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.activity.change(self.kind, false);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guards_count_while_alive_and_every_change_bumps_the_generation() {
        let activity = Activity::default();
        let start = activity.counts();
        assert!(start.is_quiet());
        let run = activity.begin(Kind::TimerRun);
        let call = activity.begin(Kind::Invocation);
        let busy = activity.counts();
        assert_eq!((busy.invocations, busy.timer_runs), (1, 1));
        assert!(!busy.is_quiet());
        drop(call);
        drop(run);
        let end = activity.counts();
        assert!(end.is_quiet());
        assert_eq!(end.generation, start.generation + 4);
    }
}
