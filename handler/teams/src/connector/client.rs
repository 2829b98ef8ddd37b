//! [`BotConnector`]: a bot token per attempt, one request with a brief bounded retry, typed payloads.

use std::sync::Arc;
use std::time::Duration;

use azure_core::credentials::TokenCredential;
use reqwest::header::{HeaderMap, ACCEPT, CONTENT_TYPE};
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::payload::{
    Activity, ChannelData, ConversationParameters, ConversationResourceResponse, ErrorResponse, IdRef,
    PersonalConversationParameters, ResourceResponse, TenantData,
};
use super::retry::{retry_after, ConnectorRetry};
use super::service_url::ServiceUrl;
use super::ConnectorError;

/// The scope of a Bot Framework token for calls to the Connector
/// (<https://learn.microsoft.com/azure/bot-service/rest-api/bot-framework-rest-connector-authentication>).
pub const BOT_FRAMEWORK_SCOPE: &str = "https://api.botframework.com/.default";

/// The header the Connector puts on its answers, to quote in a support case
/// (<https://learn.microsoft.com/azure/bot-service/rest-api/bot-framework-rest-connector-api-reference>).
const OPERATION_ID: &str = "x-correlating-operationid";

/// Where a card was posted: the new thread's conversation id and the card's activity id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostedCard {
    /// The conversation id of the new thread (`19:…@thread.tacv2;messageid=…`).
    pub conversation_id: String,
    /// The id of the activity holding the card (for `update_card`).
    pub activity_id: String,
}

/// The Bot Connector client. Cheap to clone; clones share the HTTP client and the credential
/// (azure_identity's credentials cache tokens and refresh them before expiry).
#[derive(Clone)]
pub struct BotConnector {
    credential: Arc<dyn TokenCredential>,
    scope: String,
    http: reqwest::Client,
    retry: ConnectorRetry,
    timeout: Duration,
    allowed_hosts: Option<Vec<String>>,
}

impl std::fmt::Debug for BotConnector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BotConnector")
            .field("scope", &self.scope)
            .field("retry", &self.retry)
            .field("timeout", &self.timeout)
            .field("allowed_hosts", &self.allowed_hosts)
            .finish_non_exhaustive()
    }
}

impl BotConnector {
    /// `credential`: the bot's identity (client secret, certificate or managed identity via
    /// azure_identity); `scope` normally [`BOT_FRAMEWORK_SCOPE`]. Retries with
    /// [`ConnectorRetry::default`]; each attempt times out after 10 s.
    pub fn new(credential: Arc<dyn TokenCredential>, scope: impl Into<String>, http: reqwest::Client) -> Self {
        BotConnector {
            credential,
            scope: scope.into(),
            http,
            retry: ConnectorRetry::default(),
            timeout: Duration::from_secs(10),
            allowed_hosts: None,
        }
    }

    /// Sends the bot's token only to these `serviceUrl` hosts, so that a forged `serviceUrl` cannot
    /// collect it (our own precaution; Microsoft documents no such list):
    /// `smba.trafficmanager.net`, or `.gov.teams.microsoft.us` for any subdomain. Any other
    /// host is [`ConnectorError::Refused`] with status 0 before a token is requested. Without
    /// an allowlist (the default) every http(s) host is accepted.
    pub fn with_allowed_hosts<I, S>(mut self, hosts: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.allowed_hosts = Some(hosts.into_iter().map(Into::into).collect());
        self
    }

    /// Parses `service_url` and checks its host against the allowlist.
    fn service_url(&self, service_url: &str) -> Result<ServiceUrl, ConnectorError> {
        let url = ServiceUrl::parse(service_url)?;
        if let Some(allowed) = &self.allowed_hosts {
            url.check_host(allowed)?;
        }
        Ok(url)
    }

    /// Replaces the retry policy (e.g. [`ConnectorRetry::none`]).
    pub fn with_retry(mut self, retry: ConnectorRetry) -> Self {
        self.retry = retry;
        self
    }

    /// Replaces the per-attempt timeout.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// `POST {serviceUrl}/v3/conversations`: a new thread in a Teams channel carrying `card`
    /// (an Adaptive Card) as attachment; `summary` is the activity's `summary` (the text
    /// shown where the card cannot be, e.g. notifications).
    ///
    /// The activity id is the answer's `activityId`, or else the `messageid` of the returned
    /// thread id (`…;messageid=N`); an answer with neither is a [`ConnectorError::Transport`].
    pub async fn post_card_to_channel(
        &self,
        service_url: &str,
        channel_id: &str,
        tenant_id: &str,
        card: &serde_json::Value,
        summary: &str,
    ) -> Result<PostedCard, ConnectorError> {
        let url = self.service_url(service_url)?.join(&["v3", "conversations"]);
        let body = ConversationParameters {
            is_group: true,
            channel_data: ChannelData {
                channel: IdRef { id: channel_id },
                tenant: IdRef { id: tenant_id },
            },
            activity: Activity {
                summary: (!summary.is_empty()).then_some(summary),
                ..Activity::message()
            }
            .with_card(card),
            tenant_id,
        };
        let answer: ConversationResourceResponse = self.call(Method::POST, url, &body).await?;
        let activity_id = answer.activity_id().ok_or_else(|| {
            ConnectorError::Transport("the new conversation's answer carries no activity id".to_string())
        })?;
        if answer.id.is_empty() {
            return Err(ConnectorError::Transport(
                "the new conversation's answer carries no conversation id".to_string(),
            ));
        }
        tracing::info!(conversation_id = %answer.id, activity_id = %activity_id, "card posted to channel");
        Ok(PostedCard {
            conversation_id: answer.id,
            activity_id,
        })
    }

    /// `PUT {serviceUrl}/v3/conversations/{conversationId}/activities/{activityId}` with the card.
    pub async fn update_card(
        &self,
        service_url: &str,
        conversation_id: &str,
        activity_id: &str,
        card: &serde_json::Value,
    ) -> Result<(), ConnectorError> {
        let url =
            self.service_url(service_url)?
                .join(&["v3", "conversations", conversation_id, "activities", activity_id]);
        let body = Activity {
            id: Some(activity_id),
            ..Activity::message()
        }
        .with_card(card);
        let _: ResourceResponse = self.call(Method::PUT, url, &body).await?;
        tracing::info!(conversation_id, activity_id, "card updated");
        Ok(())
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
        let url = self
            .service_url(service_url)?
            .join(&["v3", "conversations", conversation_id, "activities"]);
        let mut body = Activity {
            text: (!text.is_empty()).then_some(text),
            ..Activity::message()
        };
        if let Some(card) = card {
            body = body.with_card(card);
        }
        let answer: ResourceResponse = self.call(Method::POST, url, &body).await?;
        tracing::info!(conversation_id, activity_id = %answer.id, "message sent");
        Ok(answer.id)
    }

    /// `POST {serviceUrl}/v3/conversations` with one member: the 1:1 chat between the bot
    /// (`bot_id`, `28:{app id}`) and the user whose bot-specific Teams id is `member_id`
    /// (`29:…`; <https://learn.microsoft.com/microsoftteams/platform/bots/how-to/conversations/send-proactive-messages>). Returns the chat's
    /// conversation id (`a:…`); Teams gives the same
    /// chat again for the same user. Refused (403) when the app is not installed for the user.
    pub async fn open_personal_chat(
        &self,
        service_url: &str,
        bot_id: &str,
        member_id: &str,
        tenant_id: &str,
    ) -> Result<String, ConnectorError> {
        let url = self.service_url(service_url)?.join(&["v3", "conversations"]);
        let body = PersonalConversationParameters {
            bot: IdRef { id: bot_id },
            members: [IdRef { id: member_id }],
            channel_data: TenantData {
                tenant: IdRef { id: tenant_id },
            },
            tenant_id,
        };
        let answer: ConversationResourceResponse = self.call(Method::POST, url, &body).await?;
        if answer.id.is_empty() {
            return Err(ConnectorError::Transport(
                "the 1:1 chat's answer carries no conversation id".to_string(),
            ));
        }
        tracing::info!(conversation_id = %answer.id, "1:1 chat opened");
        Ok(answer.id)
    }

    /// One call with the bounded retry of [`ConnectorRetry`].
    async fn call<B: Serialize, T: DeserializeOwned + Default>(
        &self,
        method: Method,
        url: url::Url,
        body: &B,
    ) -> Result<T, ConnectorError> {
        let body =
            serde_json::to_vec(body).map_err(|e| ConnectorError::Transport(format!("encoding the body: {e}")))?;
        let idempotent = method == Method::PUT;
        let path = url.path().to_string();
        let mut attempt = 0;
        let mut waited = Duration::ZERO;
        loop {
            attempt += 1;
            let result = self.attempt(&method, &url, &body).await;
            let err = match result {
                Ok(bytes) if bytes.iter().all(u8::is_ascii_whitespace) => return Ok(T::default()),
                Ok(bytes) => {
                    return serde_json::from_slice(&bytes)
                        .map_err(|e| ConnectorError::Transport(format!("{method} {path}: unreadable answer: {e}")))
                }
                Err(err) => err,
            };
            let retry_hint = match &err {
                ConnectorError::Throttled { retry_after } => Some(*retry_after),
                ConnectorError::Unavailable { .. } | ConnectorError::Transport(_) if idempotent => Some(None),
                _ => None,
            };
            let wait = retry_hint.and_then(|hint| self.retry.wait(attempt, waited, hint));
            let Some(wait) = wait else {
                tracing::warn!(%method, %path, attempt, error = %err, "bot connector call failed");
                return Err(err);
            };
            tracing::info!(%method, %path, attempt, wait_ms = wait.as_millis() as u64, error = %err, "bot connector call retrying");
            waited += wait;
            tokio::time::sleep(wait).await;
        }
    }

    /// One attempt: token, send, whole answer, within the timeout. `Ok` = the 2xx body.
    async fn attempt(&self, method: &Method, url: &url::Url, body: &[u8]) -> Result<bytes::Bytes, ConnectorError> {
        let token = self
            .credential
            .get_token(&[self.scope.as_str()], None)
            .await
            .map_err(|e| ConnectorError::Token(e.to_string()))?;
        let request = self
            .http
            .request(method.clone(), url.clone())
            .bearer_auth(token.token.secret())
            .header(ACCEPT, "application/json")
            .header(CONTENT_TYPE, "application/json; charset=utf-8")
            .timeout(self.timeout)
            .body(body.to_vec());
        let response = request
            .send()
            .await
            .map_err(|e| ConnectorError::Transport(error_chain(&e)))?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = response
            .bytes()
            .await
            .map_err(|e| ConnectorError::Transport(error_chain(&e)))?;
        if (200..300).contains(&status) {
            return Ok(bytes);
        }
        Err(classify(status, &headers, &bytes))
    }
}

/// The error for a non-2xx answer.
fn classify(status: u16, headers: &HeaderMap, body: &[u8]) -> ConnectorError {
    let operation_id = headers.get(OPERATION_ID).and_then(|v| v.to_str().ok());
    match status {
        429 => ConnectorError::Throttled {
            retry_after: retry_after(headers),
        },
        500..=599 => {
            tracing::debug!(status, operation_id, detail = %ErrorResponse::describe(body), "bot connector server error");
            ConnectorError::Unavailable { status }
        }
        _ => {
            let mut message = ErrorResponse::describe(body);
            if let Some(id) = operation_id {
                message.push_str(&format!(" (operation id {id})"));
            }
            ConnectorError::Refused { status, message }
        }
    }
}

/// The error and its sources (reqwest's top-level message is often just "error sending request").
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_map_to_errors() {
        let mut h = HeaderMap::new();
        h.insert("retry-after", "3".parse().unwrap());
        assert_eq!(
            classify(429, &h, b""),
            ConnectorError::Throttled {
                retry_after: Some(Duration::from_secs(3))
            }
        );
        assert_eq!(classify(503, &h, b""), ConnectorError::Unavailable { status: 503 });
        h.insert(OPERATION_ID, "op-1".parse().unwrap());
        assert_eq!(
            classify(403, &h, br#"{"error":{"code":"BotNotInConversationRoster","message":"The bot is not part of the conversation roster."}}"#),
            ConnectorError::Refused {
                status: 403,
                message: "BotNotInConversationRoster: The bot is not part of the conversation roster. (operation id op-1)"
                    .into()
            }
        );
    }
}
