//! A small Azure Service Bus client over the REST API, for operators' tools (`jitadmin replay`).
//!
//! It sends messages with broker properties (MessageId, SessionId, CorrelationId, Label) and
//! application properties, receives in peek-lock mode (from a queue or its `$DeadLetterQueue`
//! sub-queue), completes (deletes) and unlocks locked messages, and renews locks. It
//! authenticates with an Entra token from any `azure_core` [`TokenCredential`] (scope
//! [`SCOPE`]) or with a shared access signature made from a connection string's key.
//!
//! ```no_run
//! # async fn demo() -> Result<(), jitadmin_servicebus::ServiceBusError> {
//! use std::time::Duration;
//! use jitadmin_servicebus::{dead_letter_queue, OutgoingMessage, ServiceBusClient};
//!
//! let client = ServiceBusClient::from_connection_string(
//!     "Endpoint=sb://contoso.servicebus.windows.net/;SharedAccessKeyName=ops;SharedAccessKey=c2VjcmV0",
//! )?;
//! while let Some(message) = client.peek_lock(&dead_letter_queue("events"), Duration::from_secs(1)).await? {
//!     client.send("events", &OutgoingMessage::from_received(&message)).await?;
//!     client.complete(&message).await?; // only after the send succeeded
//! }
//! # Ok(()) }
//! ```
//!
//! # Why REST and not AMQP
//! The workspace already speaks HTTPS through `reqwest` + rustls and gets tokens from
//! `azure_identity`; the REST API needs nothing more than those and an HMAC for SAS. An AMQP
//! client would bring a second network stack (AMQP 1.0 framing, its own TLS and connection
//! management) and its build time to every developer and CI run, for a tool that moves a
//! handful of dead-lettered messages. What REST cannot do, and how we live with it:
//! - **No non-destructive peek.** The runtime REST API offers send, receive-and-delete,
//!   peek-lock, unlock, delete and renew-lock, nothing that browses. Listing therefore takes a
//!   peek-lock on each message in turn (holding the locks, so the next receive yields the next
//!   message) and unlocks them all at the end; every listed message's `DeliveryCount` grows by
//!   one, which is harmless in a dead-letter queue (it is never dead-lettered again).
//! - **No sessions on receive.** We only receive from dead-letter sub-queues, which do not
//!   require sessions; sending to a session queue just sets `SessionId`.
//! - **One message per call.** Fine for operator-sized batches.
//! - **Header names are case-insensitive.** Application properties travel as HTTP headers, so
//!   their names reach the broker lower-cased by the HTTP stack.
//!
//! [`TokenCredential`]: azure_core::credentials::TokenCredential
#![deny(clippy::all)]
#![warn(missing_docs)]

mod auth;
mod client;
mod error;
mod message;

pub use auth::{Auth, ConnectionString, SharedAccessKey, SCOPE};
pub use client::{dead_letter_queue, ServiceBusClient};
pub use error::ServiceBusError;
pub use message::{BrokerProperties, OutgoingMessage, ReceivedMessage};
