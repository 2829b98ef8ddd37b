//! `process`: the queue worker (Service Bus queue `events`, sessions keyed by user).
//!
//! Read the [`Event`] (parsed once, here), hand it to [`crate::flows::handle`], and answer. A
//! message that is not one of our events, or whose handling failed, fails the invocation: the
//! queue retries it up to its max delivery count and then dead-letters it, where an operator
//! can inspect and replay it (handling is idempotent on the event's own key).

use std::sync::Arc;

use azfn_runtime::{Error, Invocation, Outputs, ServiceBusMessage};

use crate::app::App;
use crate::queue::Event;

/// Handle one message.
pub async fn handle(app: Arc<App>, event: Invocation<ServiceBusMessage>) -> Result<Outputs, Error> {
    let invocation_id = event.context.invocation_id.as_str();
    let message = &event.trigger;
    let delivery_count = message.delivery_count;
    let delivered = match Event::from_message(message) {
        Ok(delivered) => delivered,
        Err(error) => {
            tracing::error!(function = "process", invocation_id, delivery_count, "{error}");
            return Err(error.into());
        }
    };
    delivered.event.record_in_span();
    let kind = delivered.event.kind().as_str();
    let id = delivered.event.identity();
    tracing::info!(
        function = "process",
        invocation_id,
        kind,
        key = %id.key,
        request_id = id.request_id,
        user = id.user,
        correlation_id = %id.correlation_id,
        delivery_count,
        replay = delivered.replay.as_deref(),
        "processing event"
    );
    match crate::flows::handle(&app.context(), &delivered).await {
        Ok(done) => {
            for line in done {
                tracing::info!(function = "process", invocation_id, kind, key = %id.key, "{line}");
            }
            Ok(Outputs::new())
        }
        Err(error) => {
            tracing::warn!(function = "process", invocation_id, kind, key = %id.key, delivery_count, "event failed: {error}");
            Err(error.into())
        }
    }
}
