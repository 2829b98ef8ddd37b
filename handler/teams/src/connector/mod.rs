//! The Bot Connector REST client
//! (<https://learn.microsoft.com/azure/bot-service/rest-api/bot-framework-rest-connector-api-reference>): a bot token from an
//! `azure_core` [`TokenCredential`](azure_core::credentials::TokenCredential), a new thread
//! in a Teams channel carrying a card, updates of that card, a user's 1:1 chat with the bot,
//! and messages into an existing conversation.
//!
//! Errors: 429 → [`ConnectorError::Throttled`], 5xx → [`ConnectorError::Unavailable`], other
//! non-2xx → [`ConnectorError::Refused`]. The client retries briefly and boundedly on its own
//! ([`ConnectorRetry`]: by default one retry within 2 s, 5xx only for idempotent updates);
//! real back-off is the caller's: fail the invocation and let the queue redeliver.
//! Tokens are never logged.
//!
//! ```no_run
//! use std::sync::Arc;
//! use jitadmin_teams::connector::{BotConnector, ConnectorError, BOT_FRAMEWORK_SCOPE};
//!
//! # async fn run(credential: Arc<dyn azure_core::credentials::TokenCredential>) -> Result<(), ConnectorError> {
//! let connector = BotConnector::new(credential, BOT_FRAMEWORK_SCOPE, reqwest::Client::new())
//!     .with_allowed_hosts(["smba.trafficmanager.net"]);
//! let service_url = "https://smba.trafficmanager.net/amer/84bd8158-6d4d-4958-8b9f-9d6445542f95/";
//! let card = serde_json::json!({ "type": "AdaptiveCard", "version": "1.5", "body": [] });
//! let posted = connector
//!     .post_card_to_channel(service_url, "19:abc@thread.tacv2", "84bd8158-6d4d-4958-8b9f-9d6445542f95", &card, "Approval needed")
//!     .await?;
//! connector.update_card(service_url, &posted.conversation_id, &posted.activity_id, &card).await?;
//! # Ok(()) }
//! ```

mod client;
mod error;
mod payload;
mod retry;
mod service_url;

pub use client::{BotConnector, PostedCard, BOT_FRAMEWORK_SCOPE};
pub use error::ConnectorError;
pub use payload::ADAPTIVE_CARD_CONTENT_TYPE;
pub use retry::ConnectorRetry;
