//! Sending one Table Storage request: headers, authorisation, retries with back-off, error decoding.

use std::time::Duration;

use reqwest::{Method, Response, StatusCode};
use url::Url;

use super::auth::{shared_key_authorization, Authorizer, SignedParts};
use crate::StoreError;

/// Table service REST version: the first that accepts Entra tokens; Azurite 3.35 supports it.
pub(crate) const API_VERSION: &str = "2019-02-02";
/// Attempts per request, the first included.
const MAX_ATTEMPTS: u32 = 5;
const FIRST_BACKOFF: Duration = Duration::from_millis(200);
const MAX_BACKOFF: Duration = Duration::from_secs(5);

/// A request about to be sent (and possibly re-sent).
pub(crate) struct TableRequest<'a> {
    pub(crate) operation: &'static str,
    pub(crate) table: &'a str,
    pub(crate) method: Method,
    pub(crate) url: Url,
    pub(crate) body: Option<Vec<u8>>,
    pub(crate) if_match: Option<&'a str>,
}

fn retryable_status(status: StatusCode) -> bool {
    matches!(status.as_u16(), 408 | 429 | 500 | 502 | 503 | 504)
}

fn backoff(attempt: u32) -> Duration {
    let base = FIRST_BACKOFF.saturating_mul(1 << attempt.min(5)).min(MAX_BACKOFF);
    // Up to 25% jitter so that concurrent retriers spread out; clock nanos are random enough.
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    base + base.mul_f64(f64::from(nanos % 1000) / 4000.0)
}

/// Sends a request with authorisation, retrying transport failures and 408/429/5xx answers.
/// Returns the final response whatever its status (callers map the statuses they expect).
pub(crate) async fn send(
    http: &reqwest::Client,
    auth: &Authorizer,
    account: &str,
    req: &TableRequest<'_>,
) -> Result<Response, StoreError> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        let date = chrono::Utc::now().format("%a, %d %b %Y %H:%M:%S GMT").to_string();
        let content_type = if req.body.is_some() { "application/json" } else { "" };
        let mut builder = http
            .request(req.method.clone(), req.url.clone())
            .header("x-ms-version", API_VERSION)
            .header("x-ms-date", &date)
            .header("Accept", "application/json;odata=minimalmetadata")
            .header("DataServiceVersion", "3.0;NetFx")
            .header("MaxDataServiceVersion", "3.0;NetFx");
        if let Some(body) = &req.body {
            builder = builder
                .header("Content-Type", content_type)
                .header("Prefer", "return-no-content")
                .body(body.clone());
        }
        if let Some(etag) = req.if_match {
            builder = builder.header("If-Match", etag);
        }
        let authorization = match auth {
            Authorizer::SharedKey { key } => shared_key_authorization(
                key,
                &SignedParts {
                    method: req.method.as_str(),
                    content_type,
                    date: &date,
                    account,
                    path: req.url.path(),
                    comp: None,
                },
            ),
            Authorizer::Bearer(source) => format!("Bearer {}", source.token().await?),
        };
        builder = builder.header("Authorization", authorization);

        match builder.send().await {
            Ok(resp) if retryable_status(resp.status()) && attempt < MAX_ATTEMPTS => {
                let wait = backoff(attempt);
                tracing::warn!(
                    operation = req.operation,
                    table = req.table,
                    status = resp.status().as_u16(),
                    attempt,
                    wait_ms = wait.as_millis() as u64,
                    "Table Storage answered with a retryable status; retrying"
                );
                tokio::time::sleep(wait).await;
            }
            Ok(resp) => return Ok(resp),
            Err(e) if (e.is_timeout() || e.is_connect() || e.is_request()) && attempt < MAX_ATTEMPTS => {
                let wait = backoff(attempt);
                tracing::warn!(
                    operation = req.operation,
                    table = req.table,
                    attempt,
                    wait_ms = wait.as_millis() as u64,
                    error = %e,
                    "Table Storage request failed; retrying"
                );
                tokio::time::sleep(wait).await;
            }
            Err(source) => {
                return Err(StoreError::Transport {
                    operation: req.operation,
                    table: req.table.to_string(),
                    attempts: attempt,
                    source,
                })
            }
        }
    }
}

/// Turns an unexpected response into a [`StoreError::Table`] with the service's code and message.
pub(crate) async fn error_from(operation: &'static str, table: &str, resp: Response) -> StoreError {
    let status = resp.status();
    let request_id = resp
        .headers()
        .get("x-ms-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("none")
        .to_string();
    let header_code = resp
        .headers()
        .get("x-ms-error-code")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let body = resp.text().await.unwrap_or_default();
    let (code, message) = parse_error_body(&body);
    StoreError::Table {
        operation,
        table: table.to_string(),
        status: status.as_u16(),
        code: code
            .or(header_code)
            .unwrap_or_else(|| status.canonical_reason().unwrap_or("unknown").to_string()),
        message: message.unwrap_or_else(|| body.chars().take(300).collect()),
        request_id,
    }
}

/// The error code of an OData JSON error body, if it has one.
pub(crate) fn parse_error_body(body: &str) -> (Option<String>, Option<String>) {
    let Ok(v) = serde_json::from_str::<serde_json::Value>(body) else {
        return (None, None);
    };
    let err = &v["odata.error"];
    let code = err["code"].as_str().map(str::to_string);
    let message = err["message"]["value"]
        .as_str()
        .map(|m| m.lines().next().unwrap_or(m).to_string());
    (code, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn odata_error_bodies_yield_code_and_first_message_line() {
        let body = r#"{"odata.error":{"code":"EntityAlreadyExists","message":{"lang":"en-US","value":"The specified entity already exists.\nRequestId:1"}}}"#;
        assert_eq!(
            parse_error_body(body),
            (
                Some("EntityAlreadyExists".to_string()),
                Some("The specified entity already exists.".to_string())
            )
        );
        assert_eq!(parse_error_body("<xml/>"), (None, None));
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        assert!(backoff(1) >= FIRST_BACKOFF * 2);
        assert!(backoff(2) > backoff(1).mul_f64(1.2) || backoff(2) >= FIRST_BACKOFF * 4);
        assert!(backoff(30) <= MAX_BACKOFF.mul_f64(1.25));
    }
}
