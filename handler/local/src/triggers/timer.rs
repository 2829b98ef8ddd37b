//! Running a timer-triggered function on its schedule, at start-up when asked, and at
//! start-up when an occurrence was missed while no host ran (`IsPastDue`), as the host
//! does with schedule monitoring. The last run is kept in the queue store.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use tokio::sync::watch;

use super::ncrontab::Schedule;
use crate::activity::Kind;
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
    let mut last = shared.store.timer_last_run(&function.name).unwrap_or_else(|error| {
        tracing::warn!(function = %function.name, %error, "cannot read the timer's last run");
        None
    });
    let now = Utc::now();
    let missed = last.and_then(|l| schedule.next_after(l)).is_some_and(|due| due <= now);
    if *run_on_startup || missed {
        let status = TimerStatus {
            last,
            next: schedule.next_after(now),
            is_past_due: missed,
        };
        fire(&shared, &function, name, status, now).await;
        last = Some(now);
    }
    let mut floor = now;
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
        fire(&shared, &function, name, status, due).await;
        last = Some(due);
    }
}

async fn fire(shared: &Shared, function: &FunctionDef, binding: &str, status: TimerStatus, occurrence: DateTime<Utc>) {
    let _run = shared.activity.begin(Kind::TimerRun);
    if let Err(error) = shared.store.record_timer_run(&function.name, occurrence) {
        tracing::warn!(function = %function.name, %error, "cannot record the timer's run");
    }
    let envelope = timer_invocation(&function.name, binding, status, Utc::now());
    // Failures are logged by the invocation; timers do not retry without a retry policy.
    let _ = shared.invoke(function, envelope).await;
}
