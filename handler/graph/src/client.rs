//! The client: configuration, token, one request with retries, throttling and a timeout.

use azure_core::credentials::TokenCredential;
use bytes::Bytes;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, ACCEPT, CONTENT_TYPE};
use reqwest::Method;
use serde::de::DeserializeOwned;
use std::sync::Arc;
use std::time::Duration;
use url::Url;

use crate::error::{ApiError, ErrorBody};
use crate::limiter::{RateLimiter, RateLimits, RequestClass};
use crate::retry::{parse_retry_after, tokio_sleep, RetryPolicy, SleepFn};
use crate::token::GRAPH_SCOPE;
use crate::GraphError;

/// Graph's public endpoint.
pub const GRAPH_BASE_URL: &str = "https://graph.microsoft.com";

/// Settings of a [`GraphClient`]: one typed struct, loaded once.
#[derive(Debug, Clone, PartialEq)]
pub struct GraphConfig {
    /// Base URL requests are made against, without the version (`https://graph.microsoft.com`,
    /// `https://graph.microsoft.us`, or tenant-sim's loopback address, optionally with a path prefix).
    pub base_url: String,
    /// Token scope (`https://graph.microsoft.com/.default`; the sovereign cloud's or the sim's otherwise).
    pub scope: String,
    /// Timeout of one attempt, from sending to the last byte of the answer.
    pub timeout: Duration,
    /// Retry policy.
    pub retry: RetryPolicy,
    /// Limits for Intune calls (paths under `/deviceManagement/` or naming `managedDevices`); `None` = unlimited.
    pub intune_limits: Option<RateLimits>,
    /// Most pages a paging helper follows before giving up (a guard against endless nextLinks).
    pub max_pages: usize,
}

impl Default for GraphConfig {
    fn default() -> Self {
        GraphConfig {
            base_url: GRAPH_BASE_URL.to_string(),
            scope: GRAPH_SCOPE.to_string(),
            timeout: Duration::from_secs(30),
            retry: RetryPolicy::default(),
            intune_limits: Some(RateLimits::INTUNE_RECOMMENDED),
            max_pages: 10_000,
        }
    }
}

/// Decides which request paths go through the limiter (the path includes the version, e.g. `/v1.0/...`).
pub type PathPredicate = Arc<dyn Fn(&str) -> bool + Send + Sync>;

/// Whether a path is an Intune call: `/deviceManagement/...` or any path naming `managedDevices`.
pub fn is_intune_path(path: &str) -> bool {
    let rest = strip_version(path);
    rest.starts_with("/deviceManagement/") || rest.split('/').any(|s| s.eq_ignore_ascii_case("managedDevices"))
}

fn strip_version(path: &str) -> &str {
    for v in ["/v1.0", "/beta"] {
        if let Some(rest) = path.strip_prefix(v) {
            if rest.starts_with('/') {
                return rest;
            }
        }
    }
    path
}

/// One request to Graph. `target` is a path starting with the version (`/v1.0/users/{id}`), with any
/// query, or an absolute URL Graph gave us (`@odata.nextLink`), which must point at the configured base.
#[derive(Debug, Clone)]
pub struct GraphRequest {
    /// HTTP method.
    pub method: Method,
    /// Path with query, or an absolute URL on the base's origin.
    pub target: String,
    /// JSON body.
    pub body: Option<serde_json::Value>,
    /// Extra headers (e.g. `ConsistencyLevel: eventual`), resent on every page and retry.
    pub headers: Vec<(String, String)>,
}

impl GraphRequest {
    /// A request without a body.
    pub fn new(method: Method, target: impl Into<String>) -> Self {
        GraphRequest {
            method,
            target: target.into(),
            body: None,
            headers: Vec::new(),
        }
    }
    /// A GET.
    pub fn get(target: impl Into<String>) -> Self {
        Self::new(Method::GET, target)
    }
    /// A DELETE.
    pub fn delete(target: impl Into<String>) -> Self {
        Self::new(Method::DELETE, target)
    }
    /// A POST with a JSON body.
    pub fn post(target: impl Into<String>, body: serde_json::Value) -> Self {
        Self::new(Method::POST, target).with_body(body)
    }
    /// A PATCH with a JSON body.
    pub fn patch(target: impl Into<String>, body: serde_json::Value) -> Self {
        Self::new(Method::PATCH, target).with_body(body)
    }
    /// Sets the JSON body.
    pub fn with_body(mut self, body: serde_json::Value) -> Self {
        self.body = Some(body);
        self
    }
    /// Adds a header.
    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }
}

/// A successful (2xx) answer.
#[derive(Debug, Clone)]
pub struct GraphResponse {
    /// HTTP status.
    pub status: u16,
    /// Response headers.
    pub headers: HeaderMap,
    /// Raw body.
    pub body: Bytes,
    /// Graph's `request-id` header.
    pub request_id: Option<String>,
    /// The request path (no query), for error messages.
    pub path: String,
}

impl GraphResponse {
    /// Parses the body as JSON.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, GraphError> {
        serde_json::from_slice(&self.body).map_err(|e| GraphError::Decode {
            path: self.path.clone(),
            message: e.to_string(),
        })
    }
}

/// The Microsoft Graph client. Cheap to clone; clones share the connection pool and the limiter.
#[derive(Clone)]
pub struct GraphClient {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    base: Url,
    credential: Arc<dyn TokenCredential>,
    scope: String,
    timeout: Duration,
    retry: RetryPolicy,
    limiter: Option<(Arc<RateLimiter>, PathPredicate)>,
    sleep: SleepFn,
    max_pages: usize,
}

impl std::fmt::Debug for GraphClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GraphClient")
            .field("base", &self.inner.base.as_str())
            .field("scope", &self.inner.scope)
            .finish()
    }
}

/// Builds a [`GraphClient`] from a [`GraphConfig`] plus the parts that are not configuration.
pub struct GraphClientBuilder {
    config: GraphConfig,
    credential: Arc<dyn TokenCredential>,
    limiter: Option<(Arc<RateLimiter>, PathPredicate)>,
    sleep: Option<SleepFn>,
    http: Option<reqwest::Client>,
}

impl GraphClientBuilder {
    /// Replaces the configuration.
    pub fn config(mut self, config: GraphConfig) -> Self {
        self.config = config;
        self
    }
    /// Shares an existing limiter (e.g. one per app across several clients) for Intune paths.
    pub fn intune_limiter(self, limiter: Arc<RateLimiter>) -> Self {
        self.limiter_for(limiter, Arc::new(is_intune_path))
    }
    /// Routes the requests whose path matches `predicate` through `limiter`.
    pub fn limiter_for(mut self, limiter: Arc<RateLimiter>, predicate: PathPredicate) -> Self {
        self.limiter = Some((limiter, predicate));
        self
    }
    /// Replaces how the client waits between attempts (tests record instead of sleeping).
    pub fn sleep_fn(mut self, sleep: SleepFn) -> Self {
        self.sleep = Some(sleep);
        self
    }
    /// Uses this reqwest client (proxies, custom roots...).
    pub fn http_client(mut self, http: reqwest::Client) -> Self {
        self.http = Some(http);
        self
    }
    /// Builds the client.
    pub fn build(self) -> Result<GraphClient, GraphError> {
        let base = Url::parse(self.config.base_url.trim_end_matches('/'))
            .map_err(|e| GraphError::InvalidRequest(format!("Graph base URL {:?}: {e}", self.config.base_url)))?;
        if base.cannot_be_a_base() || !matches!(base.scheme(), "http" | "https") {
            return Err(GraphError::InvalidRequest(format!(
                "Graph base URL {base} is not an http(s) URL"
            )));
        }
        let http = match self.http {
            Some(h) => h,
            None => reqwest::Client::builder()
                .build()
                .map_err(|e| GraphError::InvalidRequest(format!("HTTP client: {e}")))?,
        };
        let limiter = self.limiter.or_else(|| {
            self.config
                .intune_limits
                .map(|l| (Arc::new(RateLimiter::new(l)), Arc::new(is_intune_path) as PathPredicate))
        });
        Ok(GraphClient {
            inner: Arc::new(Inner {
                http,
                base,
                credential: self.credential,
                scope: self.config.scope,
                timeout: self.config.timeout,
                retry: self.config.retry,
                limiter,
                sleep: self.sleep.unwrap_or_else(tokio_sleep),
                max_pages: self.config.max_pages.max(1),
            }),
        })
    }
}

impl GraphClient {
    /// A builder with the default configuration and this token source.
    pub fn builder(credential: Arc<dyn TokenCredential>) -> GraphClientBuilder {
        GraphClientBuilder {
            config: GraphConfig::default(),
            credential,
            limiter: None,
            sleep: None,
            http: None,
        }
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
        for (name, value) in &req.headers {
            let name = HeaderName::try_from(name.as_str());
            let value = HeaderValue::try_from(value.as_str());
            if let (Ok(n), Ok(v)) = (name, value) {
                rb = rb.header(n, v);
            }
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
