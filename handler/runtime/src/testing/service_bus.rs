//! Service Bus-trigger invocations.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{Map, Value};

use super::{host_datetime_offset, host_datetime_utc, host_string, merge_body_properties, next_number, test_guid};
use crate::invocation::InvocationRequest;
use crate::service_bus::OutputMessage;

/// A Service Bus-triggered invocation, as the host delivers a message.
///
/// `Data.<binding>` is the message body as a JSON-encoded string; the metadata holds the
/// broker properties encoded as the host encodes them (`MessageId` as `"\"…\""`,
/// `DeliveryCount` as `"1"`, `EnqueuedTimeUtc` without an offset), the application
/// properties under `ApplicationProperties` and `UserProperties`, and the body's top-level
/// properties. See
/// <https://learn.microsoft.com/azure/azure-functions/functions-bindings-service-bus-trigger>
/// for the metadata. The binding is `msg` unless set.
///
/// [`from_output`](Self::from_output) delivers a message a function wrote with
/// [`OutputMessage`], with the broker properties it asked for (message id, session id,
/// correlation id, subject, application properties) set on the message.
///
/// ```
/// use azfn_runtime::testing::ServiceBusInvocation;
/// use azfn_runtime::{InvocationRequest, OutputMessage, ServiceBusMessage, Trigger};
///
/// let sent = OutputMessage::new(serde_json::json!({"order": 7})).message_id("o-7").session_id("u-1");
/// let request: InvocationRequest = ServiceBusInvocation::from_output(&sent).delivery_count(2).into();
/// let message = ServiceBusMessage::from_request(&request, "msg").unwrap();
/// assert_eq!(message.body["order"], 7);
/// assert_eq!(message.message_id.as_deref(), Some("o-7"));
/// assert_eq!(message.session_id.as_deref(), Some("u-1"));
/// assert_eq!(message.delivery_count, Some(2));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceBusInvocation {
    binding: String,
    body: Vec<u8>,
    message_id: String,
    session_id: Option<String>,
    correlation_id: Option<String>,
    subject: Option<String>,
    content_type: Option<String>,
    application_properties: Map<String, Value>,
    delivery_count: u32,
    sequence_number: i64,
    enqueued_time: DateTime<Utc>,
}

impl ServiceBusInvocation {
    /// A message whose body is `body` serialised as JSON, as a sender that does not use
    /// [`OutputMessage`] writes it.
    pub fn new(body: &impl Serialize) -> Self {
        ServiceBusInvocation::from_bytes(serde_json::to_vec(body).unwrap_or_default()).content_type("application/json")
    }

    /// A message with these body bytes (taken as UTF-8 text).
    pub fn from_bytes(body: impl Into<Vec<u8>>) -> Self {
        ServiceBusInvocation {
            binding: "msg".to_owned(),
            body: body.into(),
            message_id: test_guid(),
            session_id: None,
            correlation_id: None,
            subject: None,
            content_type: None,
            application_properties: Map::new(),
            delivery_count: 1,
            sequence_number: i64::try_from(next_number()).unwrap_or(i64::MAX),
            enqueued_time: Utc::now(),
        }
    }

    /// The delivery of `message`, written to an output binding by a function: its
    /// envelope is the body, and its message id (a generated one when it has none),
    /// session id, correlation id, subject and application properties are the message's.
    pub fn from_output(message: &OutputMessage) -> Self {
        let envelope = message.envelope();
        let mut invocation =
            ServiceBusInvocation::from_bytes(message.to_value().to_string()).content_type("application/json");
        if let Some(id) = &envelope.message_id {
            invocation = invocation.message_id(id);
        }
        invocation.session_id = envelope.session_id.clone();
        invocation.correlation_id = envelope.correlation_id.clone();
        invocation.subject = envelope.subject.clone();
        invocation.application_properties = envelope.application_properties.clone();
        invocation
    }

    /// Name the trigger binding (the `name` in function.json); `msg` by default.
    pub fn binding(mut self, name: &str) -> Self {
        name.clone_into(&mut self.binding);
        self
    }

    /// Set the message id.
    pub fn message_id(mut self, id: &str) -> Self {
        id.clone_into(&mut self.message_id);
        self
    }

    /// Set the session id.
    pub fn session_id(mut self, id: &str) -> Self {
        self.session_id = Some(id.to_owned());
        self
    }

    /// Set the correlation id.
    pub fn correlation_id(mut self, id: &str) -> Self {
        self.correlation_id = Some(id.to_owned());
        self
    }

    /// Set the subject (sent as `Subject` and as its older name `Label`).
    pub fn subject(mut self, subject: &str) -> Self {
        self.subject = Some(subject.to_owned());
        self
    }

    /// Set the content type.
    pub fn content_type(mut self, content_type: &str) -> Self {
        self.content_type = Some(content_type.to_owned());
        self
    }

    /// Add an application property.
    pub fn property(mut self, name: &str, value: impl Into<Value>) -> Self {
        self.application_properties.insert(name.to_owned(), value.into());
        self
    }

    /// Set how many times the message has been delivered, this delivery included; 1 by
    /// default. The host redelivers a message whose invocation failed.
    pub fn delivery_count(mut self, count: u32) -> Self {
        self.delivery_count = count;
        self
    }

    /// Set the broker's sequence number; by default the next of a per-process sequence.
    pub fn sequence_number(mut self, number: i64) -> Self {
        self.sequence_number = number;
        self
    }

    /// Set when the broker accepted the message; now by default.
    pub fn enqueued_time(mut self, at: DateTime<Utc>) -> Self {
        self.enqueued_time = at;
        self
    }

    /// The envelope the host would POST for this delivery.
    pub fn to_request(&self) -> InvocationRequest {
        let mut data = Map::new();
        data.insert(self.binding.clone(), host_string(&String::from_utf8_lossy(&self.body)));
        let mut metadata = Map::new();
        metadata.insert("DeliveryCount".into(), Value::String(self.delivery_count.to_string()));
        metadata.insert("MessageId".into(), host_string(&self.message_id));
        metadata.insert("SequenceNumber".into(), Value::String(self.sequence_number.to_string()));
        metadata.insert("EnqueuedTimeUtc".into(), host_datetime_utc(self.enqueued_time));
        metadata.insert("EnqueuedTime".into(), host_datetime_offset(self.enqueued_time));
        let optional = [
            ("ContentType", &self.content_type),
            ("CorrelationId", &self.correlation_id),
            ("Subject", &self.subject),
            ("Label", &self.subject),
            ("SessionId", &self.session_id),
        ];
        for (key, value) in optional {
            if let Some(value) = value {
                metadata.insert(key.into(), host_string(value));
            }
        }
        let properties = Value::Object(self.application_properties.clone());
        metadata.insert("ApplicationProperties".into(), properties.clone());
        metadata.insert("UserProperties".into(), properties);
        merge_body_properties(&mut metadata, &self.body);
        InvocationRequest { data, metadata }
    }
}

impl From<ServiceBusInvocation> for InvocationRequest {
    fn from(invocation: ServiceBusInvocation) -> Self {
        invocation.to_request()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ServiceBusMessage, Trigger};
    use chrono::TimeZone;
    use serde_json::json;

    #[test]
    fn an_output_message_arrives_with_its_broker_properties() {
        let sent = OutputMessage::new(json!({"n": 1}))
            .message_id("m-1")
            .session_id("s-1")
            .correlation_id("c-1")
            .subject("order")
            .property("tenant", "contoso");
        let at = Utc.with_ymd_and_hms(2026, 1, 5, 10, 0, 0).single().unwrap_or_default();
        let request = ServiceBusInvocation::from_output(&sent)
            .binding("queue")
            .delivery_count(3)
            .sequence_number(42)
            .enqueued_time(at)
            .to_request();
        assert_eq!(request.metadata["MessageId"], "\"m-1\"");
        assert_eq!(request.metadata["DeliveryCount"], "3");
        assert_eq!(request.metadata["EnqueuedTimeUtc"], "2026-01-05T10:00:00");
        let message = ServiceBusMessage::from_request(&request, "queue").unwrap();
        assert!(message.enveloped);
        assert_eq!(message.body, json!({"n": 1}));
        assert_eq!(message.message_id.as_deref(), Some("m-1"));
        assert_eq!(message.session_id.as_deref(), Some("s-1"));
        assert_eq!(message.correlation_id.as_deref(), Some("c-1"));
        assert_eq!(message.subject.as_deref(), Some("order"));
        assert_eq!(message.delivery_count, Some(3));
        assert_eq!(message.sequence_number, Some(42));
        assert_eq!(message.enqueued_time_utc, Some(at));
        assert_eq!(message.property_text("tenant").as_deref(), Some("contoso"));
    }

    #[test]
    fn a_plain_body_is_not_enveloped_and_its_properties_shadow_metadata() {
        let request = ServiceBusInvocation::new(&json!({"MessageId": "spoofed", "n": 2})).to_request();
        let message = ServiceBusMessage::from_request(&request, "msg").unwrap();
        assert!(!message.enveloped);
        assert_eq!(message.body["n"], 2);
        assert_eq!(message.message_id.as_deref(), Some("spoofed"));
    }
}
