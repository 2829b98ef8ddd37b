//! The client: token, one request with retries, throttling and a timeout.

use azure_core::credentials::TokenCredential;
use reqwest::header::{HeaderName, HeaderValue, ACCEPT, CONTENT_TYPE};
use reqwest::Method;
use serde::de::DeserializeOwned;
use std::sync::Arc;
use std::time::Duration;
use url::Url;

use crate::config::{GraphClientBuilder, GraphConfig, PathPredicate};
use crate::error::{ApiError, ErrorBody};
use crate::limiter::{RateLimiter, RequestClass};
use crate::retry::{parse_retry_after, RetryPolicy, SleepFn};
use crate::{GraphError, GraphRequest, GraphResponse};

/// The Microsoft Graph client. Cheap to clone; clones share the connection pool and the limiter.
#[derive(Clone)]
pub struct GraphClient {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) http: reqwest::Client,
    pub(crate) base: Url,
    pub(crate) credential: Arc<dyn TokenCredential>,
    pub(crate) scope: String,
    pub(crate) timeout: Duration,
    pub(crate) retry: RetryPolicy,
    pub(crate) limiter: Option<(Arc<RateLimiter>, PathPredicate)>,
    pub(crate) sleep: SleepFn,
    pub(crate) max_pages: usize,
}

impl std::fmt::Debug for GraphClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GraphClient")
            .field("base", &self.inner.base.as_str())
            .field("scope", &self.inner.scope)
            .finish()
    }
}

/// The preference that makes Graph return the members of evolvable enums that come after
/// `unknownFutureValue` (such as `approverRemove` of `accessPackageRequestType`) instead of
/// `unknownFutureValue`. jitadmin handles every member Graph has (a test compares its enums
/// with Graph's metadata), so it asks for them on every call
/// (<https://learn.microsoft.com/graph/best-practices-concept>, "Handling future members in evolvable enumerations").
pub const INCLUDE_UNKNOWN_ENUM_MEMBERS: &str = "include-unknown-enum-members";

impl GraphClient {
    /// A builder with the default configuration and this token source.
    pub fn builder(credential: Arc<dyn TokenCredential>) -> GraphClientBuilder {
        GraphClientBuilder::new(credential)
    }

    /// A client from a configuration and a token source.
    pub fn new(config: GraphConfig, credential: Arc<dyn TokenCredential>) -> Result<GraphClient, GraphError> {
        Self::builder(credential).config(config).build()
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &Url {
        &self.inner.base
    }

    /// Most pages a paging helper follows.
    pub(crate) fn max_pages(&self) -> usize {
        self.inner.max_pages
    }

    /// The retry policy.
    pub(crate) fn retry_policy(&self) -> &RetryPolicy {
        &self.inner.retry
    }

    /// Waits as the client waits between attempts.
    pub(crate) async fn pause(&self, d: Duration) {
        (self.inner.sleep)(d).await
    }

    /// Waits for the limiter if requests to `path` go through it.
    pub(crate) async fn acquire_for(&self, method: &str, path: &str) {
        if let Some((limiter, applies)) = &self.inner.limiter {
            if applies(path) {
                limiter.acquire(RequestClass::of_method(method)).await;
            }
        }
    }

    /// Turns a target into a URL on the base's origin.
    pub(crate) fn resolve(&self, target: &str) -> Result<Url, GraphError> {
        let base = &self.inner.base;
        if target.starts_with('/') {
            let joined = format!("{}{}", base.as_str().trim_end_matches('/'), target);
            return Url::parse(&joined).map_err(|e| GraphError::InvalidRequest(format!("path {target:?}: {e}")));
        }
        let url = Url::parse(target).map_err(|e| GraphError::InvalidRequest(format!("URL {target:?}: {e}")))?;
        if url.origin() != base.origin() {
            // Never send our token to a host Graph's answer named but we were not configured for.
            return Err(GraphError::InvalidRequest(format!(
                "link to {} is not on the configured Graph origin {}",
                url.origin().ascii_serialization(),
                base.origin().ascii_serialization()
            )));
        }
        Ok(url)
    }

    /// Sends a request with retries; a non-2xx answer becomes [`GraphError::Api`].
    pub async fn execute(&self, req: GraphRequest) -> Result<GraphResponse, GraphError> {
        let url = self.resolve(&req.target)?;
        let path = url.path().to_string();
        let method = req.method.as_str().to_string();
        let policy = &self.inner.retry;
        let client_request_id = uuid::Uuid::new_v4().to_string();
        let started = tokio::time::Instant::now();
        let mut total_delay = Duration::ZERO;
        let mut server_error_retries = 0;
        let max_attempts = policy.max_attempts.max(1);
        let mut attempt = 0;
        loop {
            attempt += 1;
            self.acquire_for(&method, &path).await;
            let (err, retryable, retry_after) = match self.attempt(&req, &url, &client_request_id).await {
                Ok(Ok(resp)) => {
                    tracing::debug!(
                        method = %method, path = %path, status = resp.status, request_id = resp.request_id.as_deref(),
                        attempt, elapsed_ms = started.elapsed().as_millis() as u64, "graph request done"
                    );
                    return Ok(GraphResponse { path, ..resp });
                }
                Ok(Err(api)) => {
                    let retryable = policy.is_retryable_status(api.status, server_error_retries);
                    if matches!(api.status, 500 | 502) {
                        server_error_retries += 1;
                    }
                    let retry_after = api.retry_after;
                    let api = ApiError {
                        method: method.clone(),
                        path: path.clone(),
                        ..api
                    };
                    (GraphError::Api(Box::new(api)), retryable, retry_after)
                }
                Err(AttemptFailure::Token(message)) => {
                    return Err(GraphError::Token {
                        scope: self.inner.scope.clone(),
                        message,
                    })
                }
                Err(AttemptFailure::Timeout) => {
                    let e = GraphError::Timeout {
                        method: method.clone(),
                        path: path.clone(),
                        attempts: attempt,
                        timeout: self.inner.timeout,
                    };
                    (e, true, None)
                }
                Err(AttemptFailure::Transport { message, retryable }) => {
                    let e = GraphError::Transport {
                        method: method.clone(),
                        path: path.clone(),
                        attempts: attempt,
                        message,
                    };
                    (e, retryable, None)
                }
            };
            let elapsed_ms = started.elapsed().as_millis() as u64;
            let status = err.status();
            let request_id = err.request_id().map(str::to_string);
            if !retryable || attempt >= max_attempts {
                tracing::warn!(
                    method = %method, path = %path, status, request_id = request_id.as_deref(), attempt, elapsed_ms,
                    error = %err, "graph request failed"
                );
                return Err(err);
            }
            let delay = policy.delay(attempt, retry_after);
            if total_delay + delay > policy.max_total_delay {
                tracing::warn!(
                    method = %method, path = %path, status, request_id = request_id.as_deref(), attempt, elapsed_ms,
                    delay_ms = delay.as_millis() as u64, "graph request failed: retry would pass the total delay bound"
                );
                return Err(err);
            }
            tracing::info!(
                method = %method, path = %path, status, request_id = request_id.as_deref(), attempt, elapsed_ms,
                delay_ms = delay.as_millis() as u64, error = %err, "graph request retrying"
            );
            total_delay += delay;
            self.pause(delay).await;
        }
    }

    /// One attempt: token, send, read the whole answer, within the timeout.
    async fn attempt(
        &self,
        req: &GraphRequest,
        url: &Url,
        client_request_id: &str,
    ) -> Result<Result<GraphResponse, ApiError>, AttemptFailure> {
        let token = self
            .inner
            .credential
            .get_token(&[self.inner.scope.as_str()], None)
            .await
            .map_err(|e| AttemptFailure::Token(e.to_string()))?;
        let mut rb = self
            .inner
            .http
            .request(req.method.clone(), url.clone())
            .bearer_auth(token.token.secret())
            .header(ACCEPT, "application/json")
            .header("client-request-id", client_request_id);
        let mut prefer = vec![INCLUDE_UNKNOWN_ENUM_MEMBERS.to_string()];
        for (name, value) in &req.headers {
            if name.eq_ignore_ascii_case("prefer") {
                prefer.insert(0, value.clone());
                continue;
            }
            let name = HeaderName::try_from(name.as_str());
            let value = HeaderValue::try_from(value.as_str());
            if let (Ok(n), Ok(v)) = (name, value) {
                rb = rb.header(n, v);
            }
        }
        if let Ok(value) = HeaderValue::try_from(prefer.join(", ")) {
            rb = rb.header("Prefer", value);
        }
        if let Some(body) = &req.body {
            rb = rb.header(CONTENT_TYPE, "application/json").body(body.to_string());
        } else if matches!(req.method, Method::POST | Method::PATCH | Method::PUT) {
            rb = rb.header(reqwest::header::CONTENT_LENGTH, "0");
        }
        let exchange = async {
            let resp = rb.send().await?;
            let status = resp.status().as_u16();
            let headers = resp.headers().clone();
            let body = resp.bytes().await?;
            Ok::<_, reqwest::Error>((status, headers, body))
        };
        let (status, headers, body) = match tokio::time::timeout(self.inner.timeout, exchange).await {
            Err(_) => return Err(AttemptFailure::Timeout),
            Ok(Err(e)) if e.is_timeout() => return Err(AttemptFailure::Timeout),
            Ok(Err(e)) => {
                let retryable = !e.is_builder();
                return Err(AttemptFailure::Transport {
                    message: error_chain(&e),
                    retryable,
                });
            }
            Ok(Ok(parts)) => parts,
        };
        let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
        let request_id = header("request-id");
        if (200..300).contains(&status) {
            return Ok(Ok(GraphResponse {
                status,
                headers,
                body,
                request_id,
                path: String::new(),
            }));
        }
        let parsed = ErrorBody::parse(&body);
        let inner = parsed.error.inner_error.unwrap_or_default();
        Ok(Err(ApiError {
            method: String::new(),
            path: String::new(),
            status,
            code: parsed.error.code,
            message: parsed.error.message,
            request_id: request_id.or(inner.request_id),
            client_request_id: header("client-request-id")
                .or(inner.client_request_id)
                .or_else(|| Some(client_request_id.to_string())),
            retry_after: parse_retry_after(&headers),
        }))
    }

    /// GET a path and parse the JSON answer.
    pub async fn get_json<T: DeserializeOwned>(&self, target: &str) -> Result<T, GraphError> {
        self.execute(GraphRequest::get(target)).await?.json()
    }
}

enum AttemptFailure {
    Token(String),
    Timeout,
    Transport { message: String, retryable: bool },
}

/// The error and its sources, for logs (reqwest's top-level message is often just "error sending request").
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
    use crate::config::is_intune_path;
    use crate::token::StaticToken;

    fn client(base: &str) -> GraphClient {
        GraphClient::new(
            GraphConfig {
                base_url: base.into(),
                ..GraphConfig::default()
            },
            StaticToken::new("t"),
        )
        .expect("client")
    }

    #[test]
    fn intune_paths_are_recognised() {
        assert!(is_intune_path("/v1.0/deviceManagement/managedDevices/1/syncDevice"));
        assert!(is_intune_path("/beta/deviceManagement/managedDevices"));
        assert!(is_intune_path("/v1.0/users/u1/managedDevices"));
        assert!(!is_intune_path("/v1.0/users/u1"));
        assert!(!is_intune_path("/v1.0/groups/delta"));
    }

    #[test]
    fn paths_join_the_base_including_a_prefix() {
        let c = client("http://127.0.0.1:9/graph/");
        let url = c.resolve("/v1.0/users/a?$select=id").expect("url");
        assert_eq!(url.as_str(), "http://127.0.0.1:9/graph/v1.0/users/a?$select=id");
    }

    #[test]
    fn links_to_another_origin_are_refused() {
        let c = client("https://graph.microsoft.com");
        assert!(c.resolve("https://graph.microsoft.com/v1.0/users?$skiptoken=x").is_ok());
        assert!(matches!(
            c.resolve("https://evil.example/v1.0/users"),
            Err(GraphError::InvalidRequest(_))
        ));
    }

    #[test]
    fn a_base_url_that_is_not_http_is_refused() {
        let r = GraphClient::new(
            GraphConfig {
                base_url: "mailto:x@y".into(),
                ..GraphConfig::default()
            },
            StaticToken::new("t"),
        );
        assert!(r.is_err());
    }
}
