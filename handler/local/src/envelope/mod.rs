//! Invocation envelopes (`{Data, Metadata}`) built exactly as the Functions host builds
//! them (<https://learn.microsoft.com/azure/azure-functions/functions-custom-handlers#request-payload>), one module per trigger.

mod http_request;
mod service_bus;
mod timer;

pub use http_request::{http_invocation, Identity, IncomingRequest};
pub use service_bus::service_bus_invocation;
pub use timer::{timer_invocation, TimerStatus};

use serde_json::{Map, Value};

/// `{"Data": data, "Metadata": metadata}`.
pub(crate) fn envelope(data: Map<String, Value>, metadata: Map<String, Value>) -> Value {
    let mut body = Map::new();
    body.insert("Data".into(), Value::Object(data));
    body.insert("Metadata".into(), Value::Object(metadata));
    Value::Object(body)
}
