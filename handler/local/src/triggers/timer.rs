//! Running a timer-triggered function on its schedule, and at start-up when asked.

use std::sync::Arc;

use chrono::Utc;
use tokio::sync::watch;

use super::ncrontab::Schedule;
use crate::app::{FunctionDef, Trigger};
use crate::envelope::{timer_invocation, TimerStatus};
use crate::invoke::Shared;

/// How late an occurrence may fire before `IsPastDue` is set.
const PAST_DUE_AFTER: chrono::Duration = chrono::Duration::seconds(1);

/// Fire `function` on `schedule` until `shutdown`. Runs do not overlap: an occurrence
/// that passes while a run is in progress is skipped, as on the host.
pub(crate) async fn run_timer(
    shared: Arc<Shared>,
    function: FunctionDef,
    schedule: Schedule,
    mut shutdown: watch::Receiver<bool>,
) {
    let Trigger::Timer {
        name, run_on_startup, ..
    } = &function.trigger
    else {
        return;
    };
    let mut last = None;
    let mut floor = Utc::now();
    if *run_on_startup {
        let now = Utc::now();
        let status = TimerStatus {
            last,
            next: schedule.next_after(now),
            is_past_due: false,
        };
        fire(&shared, &function, name, status).await;
        last = Some(now);
    }
    loop {
        // Never fire an occurrence twice, even if a sleep ends a hair early.
        let Some(due) = schedule.next_after(Utc::now().max(floor)) else {
            return;
        };
        floor = due;
        let wait = (due - Utc::now()).to_std().unwrap_or_default();
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = crate::stopped(&mut shutdown) => return,
        }
        let now = Utc::now();
        let status = TimerStatus {
            last,
            next: schedule.next_after(due),
            is_past_due: now - due > PAST_DUE_AFTER,
        };
        fire(&shared, &function, name, status).await;
        last = Some(due);
    }
}

async fn fire(shared: &Shared, function: &FunctionDef, binding: &str, status: TimerStatus) {
    let envelope = timer_invocation(&function.name, binding, status, Utc::now());
    // Failures are logged by the invocation; timers do not retry without a retry policy.
    let _ = shared.invoke(function, envelope).await;
}
