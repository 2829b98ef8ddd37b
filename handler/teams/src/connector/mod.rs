//! The Bot Connector REST client (spec functions-teams B1): a bot token from an
//! `azure_core` [`TokenCredential`](azure_core::credentials::TokenCredential), a new thread
//! in a Teams channel carrying a card, updates of that card, and messages into an existing
//! conversation.
//!
//! Errors: 429 → [`ConnectorError::Throttled`], 5xx → [`ConnectorError::Unavailable`], other
//! non-2xx → [`ConnectorError::Refused`]. The client retries briefly and boundedly on its own
//! ([`ConnectorRetry`]: by default one retry within 2 s, 5xx only for idempotent updates);
//! real back-off is the caller's: fail the invocation and let the queue redeliver.
//! Tokens are never logged.

mod client;
mod error;
mod payload;
mod retry;
mod service_url;

pub use client::{BotConnector, PostedCard, BOT_FRAMEWORK_SCOPE};
pub use error::ConnectorError;
pub use payload::ADAPTIVE_CARD_CONTENT_TYPE;
pub use retry::ConnectorRetry;
