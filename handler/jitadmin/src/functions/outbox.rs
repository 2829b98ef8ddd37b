//! Putting events on the `events` queue: with the direct Service Bus sender when one is
//! configured (in Azure the Functions output binding cannot set MessageId or SessionId for a
//! custom handler), else as the `events` output binding of this invocation. A failed direct
//! send is the invocation's error, so the caller (entitlement management, Graph, Teams)
//! calls again and nothing is lost.

use azfn_runtime::Outputs;
use jitadmin_servicebus::{ServiceBusClient, ServiceBusError};

use super::bindings::EVENTS_OUT;
use crate::app::App;
use crate::queue::{direct_message, Event};

/// Where events go.
#[derive(Debug, Clone, Copy)]
pub enum Outbox<'a> {
    /// The `events` output binding.
    Binding,
    /// A direct send to this queue of this namespace.
    Direct(&'a ServiceBusClient, &'a str),
}

impl<'a> Outbox<'a> {
    /// The app's outbox: its direct sender when configured, else the binding.
    pub fn of(app: &'a App) -> Outbox<'a> {
        match app.direct_queue() {
            Some((client, queue)) => Outbox::Direct(client, queue),
            None => Outbox::Binding,
        }
    }

    /// Put `event` on the queue, adding it to `outputs` when it goes through the binding.
    pub async fn put(&self, outputs: Outputs, event: &Event) -> Result<Outputs, ServiceBusError> {
        let message = event.to_message();
        match self {
            Outbox::Direct(client, queue) => {
                client.send(queue, &direct_message(&message)).await?;
                Ok(outputs)
            }
            Outbox::Binding => Ok(outputs.message(EVENTS_OUT, message)),
        }
    }
}
