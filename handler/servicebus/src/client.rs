//! The client: one HTTP call per operation, authorised per request.

use std::time::Duration;

use reqwest::header::{HeaderName, HeaderValue, AUTHORIZATION, CONTENT_TYPE, LOCATION};
use reqwest::{Method, StatusCode};
use url::Url;

use crate::auth::{Auth, ConnectionString, SCOPE};
use crate::error::ServiceBusError;
use crate::message::{properties_from_headers, property_header, BrokerProperties, OutgoingMessage, ReceivedMessage};

/// The dead-letter sub-queue of `queue`.
pub fn dead_letter_queue(queue: &str) -> String {
    format!("{queue}/$DeadLetterQueue")
}

/// A Service Bus namespace reached over REST.
#[derive(Debug, Clone)]
pub struct ServiceBusClient {
    http: reqwest::Client,
    endpoint: Url,
    auth: Auth,
}

const BROKER_PROPERTIES: &str = "BrokerProperties";

impl ServiceBusClient {
    /// A client for the namespace at `endpoint` (`https://<ns>.servicebus.windows.net/`).
    pub fn new(endpoint: Url, auth: Auth) -> Self {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(90))
            .build()
            .unwrap_or_default();
        Self::with_http(endpoint, auth, http)
    }

    /// The same with a caller's HTTP client.
    pub fn with_http(mut endpoint: Url, auth: Auth, http: reqwest::Client) -> Self {
        if !endpoint.path().ends_with('/') {
            let path = format!("{}/", endpoint.path());
            endpoint.set_path(&path);
        }
        ServiceBusClient { http, endpoint, auth }
    }

    /// A client for `<namespace>.servicebus.windows.net` (or a full URL), authorised by `auth`.
    pub fn for_namespace(namespace: &str, auth: Auth) -> Result<Self, ServiceBusError> {
        let url = if namespace.contains("://") {
            namespace.to_string()
        } else if namespace.contains('.') {
            format!("https://{namespace}/")
        } else {
            format!("https://{namespace}.servicebus.windows.net/")
        };
        let endpoint = Url::parse(&url)
            .map_err(|e| ServiceBusError::ConnectionString(format!("namespace '{namespace}' is not usable: {e}")))?;
        Ok(Self::new(endpoint, auth))
    }

    /// A client from a connection string (SAS).
    pub fn from_connection_string(text: &str) -> Result<Self, ServiceBusError> {
        let c = ConnectionString::parse(text)?;
        Ok(Self::new(c.endpoint, Auth::SharedAccessKey(c.key)))
    }

    /// The namespace endpoint.
    pub fn endpoint(&self) -> &Url {
        &self.endpoint
    }

    fn url(&self, path: &str) -> Result<Url, ServiceBusError> {
        self.endpoint
            .join(path)
            .map_err(|e| ServiceBusError::ConnectionString(format!("bad entity path '{path}': {e}")))
    }

    async fn authorization(&self, url: &Url, entity: &str) -> Result<String, ServiceBusError> {
        match &self.auth {
            Auth::Credential(credential) => {
                let token = credential
                    .get_token(&[SCOPE], None)
                    .await
                    .map_err(|e| ServiceBusError::Token(e.to_string()))?;
                Ok(format!("Bearer {}", token.token.secret()))
            }
            Auth::SharedAccessKey(key) => {
                // The signature covers the entity's URL (without the sub-queue or operation).
                let queue = entity.split('/').next().unwrap_or(entity);
                let mut resource = url.clone();
                resource.set_query(None);
                resource.set_path(&format!("{}{queue}", self.endpoint.path()));
                Ok(key.signature_now(resource.as_str()))
            }
        }
    }

    async fn call(
        &self,
        operation: &'static str,
        entity: &str,
        method: Method,
        url: Url,
        build: impl FnOnce(reqwest::RequestBuilder) -> reqwest::RequestBuilder,
    ) -> Result<reqwest::Response, ServiceBusError> {
        let authorization = self.authorization(&url, entity).await?;
        let request = build(self.http.request(method, url).header(AUTHORIZATION, authorization));
        request.send().await.map_err(|source| ServiceBusError::Transport {
            operation,
            entity: entity.to_string(),
            source,
        })
    }

    /// Send one message to a queue. A session queue requires `SessionId`.
    pub async fn send(&self, queue: &str, message: &OutgoingMessage) -> Result<(), ServiceBusError> {
        let url = self.url(&format!("{queue}/messages"))?;
        let mut headers = reqwest::header::HeaderMap::new();
        for (name, value) in &message.properties {
            let (Ok(name), Ok(value)) = (
                HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_str(&property_header(value)),
            ) else {
                tracing::warn!(queue, property = %name, "application property not sendable as a header; left out");
                continue;
            };
            headers.insert(name, value);
        }
        let content_type = message
            .content_type
            .clone()
            .unwrap_or_else(|| "application/json".into());
        let broker = message.broker_header();
        let body = message.body.clone();
        let response = self
            .call("send", queue, Method::POST, url, |r| {
                r.headers(headers)
                    .header(CONTENT_TYPE, content_type)
                    .header(BROKER_PROPERTIES, broker)
                    .body(body)
            })
            .await?;
        match response.status() {
            StatusCode::CREATED | StatusCode::OK => Ok(()),
            _ => Err(failure("send", queue, response).await),
        }
    }

    /// Take a peek-lock on the next message of `entity` (a queue, or [`dead_letter_queue`]),
    /// waiting up to `timeout` for one; `None` when none came.
    pub async fn peek_lock(&self, entity: &str, timeout: Duration) -> Result<Option<ReceivedMessage>, ServiceBusError> {
        let mut url = self.url(&format!("{entity}/messages/head"))?;
        url.query_pairs_mut()
            .append_pair("timeout", &timeout.as_secs().to_string());
        let response = self
            .call("receive", entity, Method::POST, url, |r| {
                r.header(reqwest::header::CONTENT_LENGTH, 0)
            })
            .await?;
        match response.status() {
            StatusCode::NO_CONTENT => Ok(None),
            StatusCode::CREATED | StatusCode::OK => read_received(entity, response).await.map(Some),
            _ => Err(failure("receive", entity, response).await),
        }
    }

    /// Complete a locked message: it is deleted. [`ServiceBusError::LockLost`] when the lock expired.
    pub async fn complete(&self, message: &ReceivedMessage) -> Result<(), ServiceBusError> {
        self.settle("complete", Method::DELETE, message).await
    }

    /// Unlock (abandon) a locked message: available again at once.
    pub async fn unlock(&self, message: &ReceivedMessage) -> Result<(), ServiceBusError> {
        self.settle("unlock", Method::PUT, message).await
    }

    /// Renew a message's lock by the queue's lock duration.
    pub async fn renew_lock(&self, message: &ReceivedMessage) -> Result<(), ServiceBusError> {
        self.settle("renew-lock", Method::POST, message).await
    }

    async fn settle(
        &self,
        operation: &'static str,
        method: Method,
        message: &ReceivedMessage,
    ) -> Result<(), ServiceBusError> {
        let entity = message.entity.as_str();
        let url = match &message.location {
            Some(location) => Url::parse(location).map_err(|e| ServiceBusError::Malformed {
                operation,
                entity: entity.to_string(),
                detail: format!("Location '{location}': {e}"),
            })?,
            None => {
                let lock = message.broker.lock_token.as_deref().unwrap_or_default();
                self.url(&format!("{entity}/messages/{}/{lock}", message.sequence_number()))?
            }
        };
        let response = self
            .call(operation, entity, method, url, |r| {
                r.header(reqwest::header::CONTENT_LENGTH, 0)
            })
            .await?;
        match response.status() {
            s if s.is_success() => Ok(()),
            StatusCode::NOT_FOUND => Err(ServiceBusError::LockLost {
                entity: entity.to_string(),
                sequence_number: message.sequence_number(),
            }),
            _ => Err(failure(operation, entity, response).await),
        }
    }
}

async fn read_received(entity: &str, response: reqwest::Response) -> Result<ReceivedMessage, ServiceBusError> {
    let malformed = |detail: String| ServiceBusError::Malformed {
        operation: "receive",
        entity: entity.to_string(),
        detail,
    };
    let headers = response.headers().clone();
    let broker: BrokerProperties = match headers.get(BROKER_PROPERTIES).map(|v| v.to_str()) {
        Some(Ok(text)) => serde_json::from_str(text).map_err(|e| malformed(format!("BrokerProperties: {e}")))?,
        Some(Err(_)) => return Err(malformed("BrokerProperties is not text".into())),
        None => return Err(malformed("no BrokerProperties header".into())),
    };
    let header_text = |name| headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
    let body = response
        .bytes()
        .await
        .map_err(|e| malformed(format!("reading the body: {e}")))?;
    Ok(ReceivedMessage {
        entity: entity.to_string(),
        body: body.to_vec(),
        content_type: header_text(CONTENT_TYPE),
        broker,
        properties: properties_from_headers(&headers),
        location: header_text(LOCATION),
    })
}

async fn failure(operation: &'static str, entity: &str, response: reqwest::Response) -> ServiceBusError {
    let status = response.status().as_u16();
    let mut detail = response.text().await.unwrap_or_default();
    detail.truncate(500);
    let entity = entity.to_string();
    match status {
        401 | 403 => ServiceBusError::Unauthorized {
            operation,
            entity,
            status,
            detail,
        },
        404 | 410 => ServiceBusError::EntityNotFound {
            operation,
            entity,
            status,
        },
        _ => ServiceBusError::Http {
            operation,
            entity,
            status,
            detail,
        },
    }
}
