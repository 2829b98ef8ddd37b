//! Invocations for tests, without hand-written host envelopes and without a socket.
//!
//! The builders produce `{Data, Metadata}` envelopes shaped and encoded as the Functions
//! host sends them (strings in metadata JSON-encoded a second time, numbers as strings,
//! timestamps without an offset, a JSON body's top-level properties copied into the
//! metadata), so a test exercises the same decoding as production. See
//! <https://learn.microsoft.com/azure/azure-functions/functions-custom-handlers>
//! for the envelope.
//!
//! [`TestHost`] calls a [`Functions`](crate::Functions) through the same router the server
//! runs (`tower::ServiceExt::oneshot`, in process) and reads the reply back as a
//! [`TestResponse`]: outputs, the HTTP output, messages, `Logs`, or the problem of a failed
//! invocation.
//!
//! ```
//! use azfn_runtime::testing::{HttpInvocation, ServiceBusInvocation, TestHost};
//! use azfn_runtime::{service_fn, Error, Functions, HttpRequest, HttpResponse, Invocation};
//! use azfn_runtime::{OutputMessage, Outputs, ServiceBusMessage};
//!
//! async fn submit(event: Invocation<HttpRequest>) -> Result<Outputs, Error> {
//!     let order = event.trigger.body_text().unwrap_or_default().to_owned();
//!     Ok(Outputs::new()
//!         .http("res", HttpResponse::text(202, "queued"))
//!         .message("orders", OutputMessage::new(order).message_id("o-1")))
//! }
//!
//! async fn process(event: Invocation<ServiceBusMessage>) -> Result<Outputs, Error> {
//!     assert_eq!(event.trigger.message_id.as_deref(), Some("o-1"));
//!     Ok(Outputs::new())
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let host = TestHost::new(
//!     Functions::new()
//!         .function("submit", "req", service_fn(submit))
//!         .function("process", "msg", service_fn(process)),
//! );
//! let reply = host
//!     .invoke("submit", HttpInvocation::post("https://example.net/api/submit").text("one pizza"))
//!     .await;
//! assert_eq!(reply.http("res").map(|res| res.status_code), Some(202));
//!
//! let message = &reply.messages("orders")[0];
//! let reply = host.invoke("process", ServiceBusInvocation::from_output(message)).await;
//! assert!(reply.succeeded(), "{:?}", reply.problem);
//! # }
//! ```

mod http;
mod invoke;
mod service_bus;
mod timer;

pub use self::http::HttpInvocation;
pub use self::invoke::{invoke, TestHost, TestResponse};
pub use self::service_bus::ServiceBusInvocation;
pub use self::timer::TimerInvocation;

use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

/// A string as the host writes it into metadata: JSON-encoded once more (`"\"abc\""`).
fn host_string(text: &str) -> Value {
    Value::String(Value::String(text.to_owned()).to_string())
}

/// A JSON value as the host writes it into metadata: strings encoded again, numbers and
/// booleans as their text, objects and arrays as they are, `null` left out.
fn host_value(value: &Value) -> Option<Value> {
    match value {
        Value::Null => None,
        Value::String(text) => Some(host_string(text)),
        Value::Number(n) => Some(Value::String(n.to_string())),
        Value::Bool(b) => Some(Value::String(b.to_string())),
        other => Some(other.clone()),
    }
}

/// A UTC time as the host writes a .NET `DateTime` of kind UTC: without an offset.
fn host_datetime_utc(at: DateTime<Utc>) -> Value {
    Value::String(at.naive_utc().format("%Y-%m-%dT%H:%M:%S%.f").to_string())
}

/// A UTC time as the host writes a .NET `DateTimeOffset`: with `+00:00`.
fn host_datetime_offset(at: DateTime<Utc>) -> Value {
    Value::String(at.naive_utc().format("%Y-%m-%dT%H:%M:%S%.f+00:00").to_string())
}

/// Copy a JSON body's top-level properties into the metadata, as the host's binding data
/// does. They replace keys of the same name, compared without case, even system keys such
/// as `MessageId`.
fn merge_body_properties(metadata: &mut Map<String, Value>, body: &[u8]) {
    if let Ok(Value::Object(properties)) = serde_json::from_slice::<Value>(body) {
        for (key, value) in properties {
            if let Some(encoded) = host_value(&value) {
                let existing = metadata.keys().find(|k| k.eq_ignore_ascii_case(&key)).cloned();
                metadata.insert(existing.unwrap_or(key), encoded);
            }
        }
    }
}

/// The `sys` metadata the host adds to every invocation: `{MethodName, UtcNow, RandGuid}`.
fn sys(function: &str, now: DateTime<Utc>) -> Value {
    let mut map = Map::new();
    map.insert("MethodName".into(), Value::String(function.to_owned()));
    map.insert(
        "UtcNow".into(),
        Value::String(now.format("%Y-%m-%dT%H:%M:%S%.fZ").to_string()),
    );
    map.insert("RandGuid".into(), Value::String(test_guid()));
    Value::Object(map)
}

/// A GUID-shaped id, unique within the process (not random: tests need no randomness).
fn test_guid() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let pid = u64::from(std::process::id());
    format!("{:08x}-0000-4000-8000-{:012x}", pid & 0xffff_ffff, n & 0xffff_ffff_ffff)
}

/// The next number of a per-process sequence (sequence numbers, invocation ids).
fn next_number() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn values_are_encoded_like_the_host() {
        assert_eq!(host_value(&json!("abc")), Some(json!("\"abc\"")));
        assert_eq!(host_value(&json!(4)), Some(json!("4")));
        assert_eq!(host_value(&json!({"a": 1})), Some(json!({"a": 1})));
        assert_eq!(host_value(&Value::Null), None);
        let mut metadata = Map::new();
        metadata.insert("MessageId".into(), host_string("m-1"));
        merge_body_properties(&mut metadata, br#"{"messageid": "spoofed", "n": 2}"#);
        assert_eq!(metadata["MessageId"], json!("\"spoofed\""));
        assert_eq!(metadata["n"], json!("2"));
    }
}
