//! [`BotConnector`]: token, one request with a brief bounded retry, typed payloads.

use std::sync::Arc;

use azure_core::credentials::TokenCredential;

use super::ConnectorError;

/// The scope of a Bot Framework token (spec B1.1).
pub const BOT_FRAMEWORK_SCOPE: &str = "https://api.botframework.com/.default";

/// Where a card was posted: the new thread's conversation id and the card's activity id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostedCard {
    /// The conversation id of the new thread (`19:…@thread.tacv2;messageid=…`).
    pub conversation_id: String,
    /// The id of the activity holding the card (for `update_card`).
    pub activity_id: String,
}

/// The Bot Connector client. Cheap to clone.
#[derive(Clone)]
pub struct BotConnector {
    credential: Arc<dyn TokenCredential>,
    scope: String,
    http: reqwest::Client,
}

impl std::fmt::Debug for BotConnector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BotConnector").field("scope", &self.scope).finish_non_exhaustive()
    }
}

impl BotConnector {
    /// `credential`: the bot's identity (client secret, certificate or managed identity via
    /// azure_identity); `scope` normally [`BOT_FRAMEWORK_SCOPE`].
    pub fn new(credential: Arc<dyn TokenCredential>, scope: impl Into<String>, http: reqwest::Client) -> Self {
        BotConnector {
            credential,
            scope: scope.into(),
            http,
        }
    }

    /// `POST {serviceUrl}/v3/conversations`: a new thread in a Teams channel carrying `card`
    /// (an Adaptive Card) as attachment; `summary` is the notification text.
    pub async fn post_card_to_channel(
        &self,
        service_url: &str,
        channel_id: &str,
        tenant_id: &str,
        card: &serde_json::Value,
        summary: &str,
    ) -> Result<PostedCard, ConnectorError> {
        let _ = (service_url, channel_id, tenant_id, card, summary, &self.credential, &self.http);
        todo!()
    }

    /// `PUT {serviceUrl}/v3/conversations/{conversationId}/activities/{activityId}` with the card.
    pub async fn update_card(
        &self,
        service_url: &str,
        conversation_id: &str,
        activity_id: &str,
        card: &serde_json::Value,
    ) -> Result<(), ConnectorError> {
        let _ = (service_url, conversation_id, activity_id, card);
        todo!()
    }

    /// `POST {serviceUrl}/v3/conversations/{conversationId}/activities`: a message (text, and
    /// a card if given) into an existing conversation. Returns the new activity's id.
    pub async fn send_message(
        &self,
        service_url: &str,
        conversation_id: &str,
        text: &str,
        card: Option<&serde_json::Value>,
    ) -> Result<String, ConnectorError> {
        let _ = (service_url, conversation_id, text, card);
        todo!()
    }
}
