//! JSON batching: up to 20 requests per `POST /{version}/$batch`, per-item status, and retries of only
//! the throttled (429) or transiently failed (5xx) items, after the largest per-item `Retry-After`
//! (<https://learn.microsoft.com/graph/json-batching>). `dependsOn` is not supported: every batch is parallel.
//!
//! Graph may execute a throttled sub-request anyway, so batch only idempotent operations.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::{HashMap, HashSet};
use std::time::Duration;

use crate::error::{ApiError, ErrorBody};
use crate::retry::parse_retry_after_value;
use crate::{GraphClient, GraphError, GraphRequest};

/// Most requests Graph accepts in one batch.
pub const MAX_BATCH_SIZE: usize = 20;

/// One request inside a batch.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BatchRequest {
    /// Unique (case-insensitively) among the requests given to one [`GraphClient::batch`] call.
    pub id: String,
    /// HTTP method.
    pub method: String,
    /// URL relative to the version, e.g. `/deviceManagement/managedDevices/{id}/syncDevice`.
    pub url: String,
    /// Headers; Graph requires `Content-Type` when there is a body (added automatically).
    #[serde(skip_serializing_if = "Map::is_empty")]
    pub headers: Map<String, Value>,
    /// JSON body.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
}

impl BatchRequest {
    /// A request without a body.
    pub fn new(id: impl Into<String>, method: &str, url: impl Into<String>) -> Self {
        BatchRequest {
            id: id.into(),
            method: method.to_string(),
            url: url.into(),
            headers: Map::new(),
            body: None,
        }
    }

    /// Adds a JSON body (and its `Content-Type`).
    pub fn with_body(mut self, body: Value) -> Self {
        self.headers
            .insert("Content-Type".into(), Value::String("application/json".into()));
        self.body = Some(body);
        self
    }
}

/// One item's answer.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct BatchResponse {
    /// The request's id.
    pub id: String,
    /// The item's own HTTP status.
    pub status: u16,
    /// The item's headers.
    #[serde(default)]
    pub headers: Map<String, Value>,
    /// The item's body.
    #[serde(default)]
    pub body: Option<Value>,
}

impl BatchResponse {
    /// Whether the item succeeded (2xx).
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// A header of the item, case-insensitively, as text.
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .and_then(|(_, v)| match v {
                Value::String(s) => Some(s.clone()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            })
    }

    /// The item's `Retry-After`.
    pub fn retry_after(&self) -> Option<Duration> {
        parse_retry_after_value(self.header("Retry-After")?.trim(), chrono::Utc::now())
    }

    /// Whether the item may be retried: throttled or a transient server failure.
    pub fn is_retryable(&self) -> bool {
        matches!(self.status, 429 | 500 | 502 | 503 | 504)
    }

    /// The item's failure as a [`GraphError`], or `None` when it succeeded.
    pub fn error(&self, method: &str, url: &str) -> Option<GraphError> {
        if self.is_success() {
            return None;
        }
        let parsed = match &self.body {
            Some(body) => ErrorBody::parse(body.to_string().as_bytes()),
            None => ErrorBody::default(),
        };
        let inner = parsed.error.inner_error.unwrap_or_default();
        Some(GraphError::Api(Box::new(ApiError {
            method: method.to_string(),
            path: url.split('?').next().unwrap_or(url).to_string(),
            status: self.status,
            code: parsed.error.code,
            message: parsed.error.message,
            request_id: self.header("request-id").or(inner.request_id),
            client_request_id: self.header("client-request-id").or(inner.client_request_id),
            retry_after: self.retry_after(),
        })))
    }
}

#[derive(Deserialize)]
struct BatchEnvelope {
    #[serde(default)]
    responses: Vec<BatchResponse>,
}

impl GraphClient {
    /// Sends `requests` in batches of at most 20 to `/{version}/$batch` (`version` is `v1.0` or
    /// `beta`), retrying only the items that were throttled or failed transiently, and answers one
    /// [`BatchResponse`] per request, in the order given.
    pub async fn batch(&self, version: &str, requests: Vec<BatchRequest>) -> Result<Vec<BatchResponse>, GraphError> {
        let mut ids = HashSet::new();
        for r in &requests {
            if r.id.is_empty() || !ids.insert(r.id.to_ascii_lowercase()) {
                return Err(GraphError::InvalidRequest(format!(
                    "batch request id {:?} is empty or repeated",
                    r.id
                )));
            }
        }
        let mut results: HashMap<String, BatchResponse> = HashMap::new();
        for chunk in requests.chunks(MAX_BATCH_SIZE) {
            self.batch_chunk(version, chunk.to_vec(), &mut results).await?;
        }
        requests
            .iter()
            .map(|r| {
                results
                    .remove(&r.id.to_ascii_lowercase())
                    .ok_or_else(|| GraphError::Decode {
                        path: format!("/{version}/$batch"),
                        message: format!("no answer for item {:?}", r.id),
                    })
            })
            .collect()
    }

    async fn batch_chunk(
        &self,
        version: &str,
        mut pending: Vec<BatchRequest>,
        results: &mut HashMap<String, BatchResponse>,
    ) -> Result<(), GraphError> {
        let policy = self.retry_policy().clone();
        let path = format!("/{version}/$batch");
        let mut total_delay = Duration::ZERO;
        let mut round = 0;
        while !pending.is_empty() {
            round += 1;
            for r in &pending {
                let item_path = format!("/{version}{}", r.url.split('?').next().unwrap_or(&r.url));
                self.acquire_for(&r.method, &item_path).await;
            }
            let body = serde_json::json!({ "requests": pending });
            let answers = match self.execute(GraphRequest::post(&path, body)).await {
                Ok(resp) => resp.json::<BatchEnvelope>()?.responses,
                // An older Graph page says a throttled batch may fail whole with 424: treat every item as throttled.
                Err(e) if e.status() == Some(424) => Vec::new(),
                Err(e) => return Err(e),
            };
            let mut by_id: HashMap<String, BatchResponse> =
                answers.into_iter().map(|a| (a.id.to_ascii_lowercase(), a)).collect();
            let mut retry = Vec::new();
            let mut wait: Option<Duration> = None;
            for r in pending {
                let key = r.id.to_ascii_lowercase();
                let answer = by_id.remove(&key).unwrap_or_else(|| BatchResponse {
                    id: r.id.clone(),
                    status: 503,
                    headers: Map::new(),
                    body: Some(serde_json::json!({"error": {"code": "noBatchItemAnswer", "message": "Graph's batch answer had no item with this id"}})),
                });
                let last_round = round >= policy.max_attempts.max(1);
                if answer.is_retryable() && !last_round {
                    if let Some(ra) = answer.retry_after() {
                        wait = Some(wait.map_or(ra, |w| w.max(ra)));
                    }
                    tracing::info!(
                        path = %path, item = %r.id, item_method = %r.method, status = answer.status, attempt = round,
                        "graph batch item will be retried"
                    );
                    retry.push((r, answer));
                } else {
                    results.insert(key, answer);
                }
            }
            if retry.is_empty() {
                return Ok(());
            }
            let delay = policy.delay(round, wait);
            if total_delay + delay > policy.max_total_delay {
                tracing::warn!(path = %path, items = retry.len(), attempt = round, "graph batch: total delay bound reached");
                for (r, answer) in retry {
                    results.insert(r.id.to_ascii_lowercase(), answer);
                }
                return Ok(());
            }
            total_delay += delay;
            self.pause(delay).await;
            pending = retry.into_iter().map(|(r, _)| r).collect();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batch_response_fixture_gives_per_item_status_and_retry_after() {
        let env: BatchEnvelope =
            serde_json::from_slice(include_bytes!("../testdata/batch-response-mixed.json")).expect("batch");
        assert_eq!(env.responses.len(), 3);
        let throttled = env.responses.iter().find(|r| r.id == "2").expect("item 2");
        assert_eq!(throttled.status, 429);
        assert!(throttled.is_retryable());
        assert_eq!(throttled.retry_after(), Some(Duration::from_secs(7)));
        let err = throttled
            .error("POST", "/deviceManagement/managedDevices/x/syncDevice")
            .expect("error");
        assert_eq!(err.code(), Some("TooManyRequests"));
        let missing = env.responses.iter().find(|r| r.id == "3").expect("item 3");
        assert_eq!(missing.status, 404);
        assert!(!missing.is_retryable());
        assert!(env.responses[0].is_success() && env.responses[0].error("POST", "/x").is_none());
    }

    #[test]
    fn sub_request_serialises_without_empty_headers_and_with_content_type_for_a_body() {
        let plain = serde_json::to_value(BatchRequest::new("1", "POST", "/a/syncDevice")).expect("json");
        assert_eq!(
            plain,
            serde_json::json!({"id": "1", "method": "POST", "url": "/a/syncDevice"})
        );
        let with_body =
            serde_json::to_value(BatchRequest::new("2", "PATCH", "/b").with_body(serde_json::json!({"x": 1})))
                .expect("json");
        assert_eq!(with_body["headers"]["Content-Type"], "application/json");
        assert_eq!(with_body["body"]["x"], 1);
    }
}
