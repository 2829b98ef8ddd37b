//! `process`: the queue worker. Placeholder until issue 5 lands.

use azfn_runtime::{Error, Invocation, Outputs, ServiceBusMessage};

/// Handle one message.
pub async fn handle(event: Invocation<ServiceBusMessage>) -> Result<Outputs, Error> {
    tracing::info!(message_id = ?event.trigger.message_id, delivery_count = ?event.trigger.delivery_count, "process invoked");
    Err(super::placeholder::failure("process", 5))
}
