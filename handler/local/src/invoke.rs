//! One invocation from the host's side: call the handler, print its `Logs`, and on
//! success write the output bindings (<https://learn.microsoft.com/azure/azure-functions/functions-custom-handlers#response-payload>).

use std::time::Duration;

use serde::Serialize;
use serde_json::Value;
use tokio::sync::broadcast;

use crate::activity::{Activity, Kind};
use crate::answer::{http_output, service_bus_messages, HttpOutput};
use crate::app::{App, FunctionDef, Output};
use crate::error::InvokeError;
use crate::handler::HandlerClient;
use crate::store::{QueueStore, SendOutcome};

/// What became of one invocation (see `LocalHost::invocations`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InvocationRecord {
    /// The function.
    pub function: String,
    /// The invocation id sent in `X-Azure-Functions-InvocationId`.
    pub invocation_id: String,
    /// The error, for a failed invocation.
    pub error: Option<String>,
    /// Sequence numbers of the Service Bus messages its outputs wrote.
    pub messages_sent: Vec<i64>,
}

impl InvocationRecord {
    /// True when the invocation succeeded.
    pub fn succeeded(&self) -> bool {
        self.error.is_none()
    }
}

/// Everything invocations need, shared by the front door, the triggers and the admin API.
pub(crate) struct Shared {
    pub app: App,
    pub store: QueueStore,
    pub client: HandlerClient,
    pub keys: Option<crate::keys::Keys>,
    pub function_timeout: Duration,
    pub events: broadcast::Sender<InvocationRecord>,
    /// Invocations and timer runs in progress (for `LocalHost::wait_idle`).
    pub activity: Activity,
}

impl Shared {
    /// Invoke `function` with `envelope`. On success the Service Bus outputs are in
    /// their queues and the `http` output (if the function has one and set it) is returned.
    pub async fn invoke(&self, function: &FunctionDef, envelope: Value) -> Result<Option<HttpOutput>, InvokeError> {
        // Counted until the outputs are written and the outcome is published.
        let _busy = self.activity.begin(Kind::Invocation);
        let invocation_id = uuid::Uuid::new_v4().to_string();
        let result = self.invoke_with_id(function, &invocation_id, envelope).await;
        let (error, messages_sent) = match &result {
            Ok((_, sent)) => (None, sent.clone()),
            Err(e) => (Some(e.to_string()), Vec::new()),
        };
        match &error {
            None => tracing::info!(function = %function.name, %invocation_id, "invocation succeeded"),
            Some(error) => tracing::warn!(function = %function.name, %invocation_id, %error, "invocation failed"),
        }
        let _ = self.events.send(InvocationRecord {
            function: function.name.clone(),
            invocation_id,
            error,
            messages_sent,
        });
        result.map(|(http, _)| http)
    }

    async fn invoke_with_id(
        &self,
        function: &FunctionDef,
        invocation_id: &str,
        envelope: Value,
    ) -> Result<(Option<HttpOutput>, Vec<i64>), InvokeError> {
        let answer = self
            .client
            .invoke(&function.name, invocation_id, &envelope, self.function_timeout)
            .await;
        if let Ok(answer) = &answer {
            for line in &answer.logs {
                tracing::info!(target: "azfn_local::function", function = %function.name, %invocation_id, "{line}");
            }
        }
        let answer = answer?;
        let http = match function.http_output() {
            Some(name) => answer.output(name).map(http_output).transpose()?,
            None => None,
        };
        let mut sent = Vec::new();
        for output in &function.outputs {
            let Output::ServiceBus {
                name,
                queue_name,
                binary,
            } = output
            else {
                continue;
            };
            let Some(value) = answer.output(name) else { continue };
            let messages = service_bus_messages(value, *binary);
            if self.app.requires_session(queue_name) && messages.iter().any(|m| m.session_id.is_none()) {
                return Err(InvokeError::InvalidAnswer(format!(
                    "output '{name}': queue '{queue_name}' is session-enabled and a message has no sessionId"
                )));
            }
            for message in messages {
                match self.store.send(queue_name, message) {
                    Ok(SendOutcome::Enqueued(seq)) => sent.push(seq),
                    Ok(SendOutcome::Duplicate) => {}
                    Err(e) => return Err(InvokeError::Transport(format!("writing output '{name}': {e}"))),
                }
            }
        }
        Ok((http, sent))
    }
}
