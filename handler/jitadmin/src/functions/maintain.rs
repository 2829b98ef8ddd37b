//! `maintain`: the timer. Placeholder until issue 8 lands.

use azfn_runtime::{Error, Invocation, Outputs, TimerInfo};

/// Handle one tick.
pub async fn handle(event: Invocation<TimerInfo>) -> Result<Outputs, Error> {
    tracing::info!(past_due = event.trigger.is_past_due, "maintain invoked");
    Err(super::placeholder::failure("maintain", 8))
}
