//! `maintain`: the timer. Keep the watched groups' subscriptions alive, reconcile each
//! group by delta query, close the approvals Entra no longer waits on, confirm the check-ins
//! of synced devices ([`crate::flows::maintain`]).
//! A run with a failed part fails the invocation, so it shows in the host's logs; the next
//! tick tries again.

use std::sync::Arc;

use azfn_runtime::{Error, Invocation, Outputs, TimerInfo};
use chrono::Utc;

use crate::app::App;
use crate::flows::maintain;

/// Handle one tick.
pub async fn handle(app: Arc<App>, event: Invocation<TimerInfo>) -> Result<Outputs, Error> {
    let invocation_id = event.context.invocation_id.as_str();
    let report = maintain::run(&app.context(), Utc::now()).await;
    for line in &report.done {
        tracing::info!(
            function = "maintain",
            invocation_id,
            past_due = event.trigger.is_past_due,
            "{line}"
        );
    }
    if report.failures.is_empty() {
        return Ok(Outputs::new());
    }
    for line in &report.failures {
        tracing::warn!(function = "maintain", invocation_id, "{line}");
    }
    Err(format!("maintain: {}", report.failures.join("; ")).into())
}
