//! The Bot Connector REST client (spec functions-teams B1): a bot token from an
//! `azure_core` [`TokenCredential`](azure_core::credentials::TokenCredential), a new thread
//! in a Teams channel carrying a card, updates of that card, and messages into an existing
//! conversation.

mod client;
mod error;

pub use client::{BotConnector, PostedCard, BOT_FRAMEWORK_SCOPE};
pub use error::ConnectorError;
