//! Invoking functions: `POST {handler}/{FunctionName}` with the host's headers.

use std::time::Duration;

use std::sync::Arc;

use serde_json::Value;
use tokio::sync::{watch, Notify};

use super::Endpoint;
use crate::answer::{parse_answer, Answer};
use crate::error::InvokeError;

/// The version this host reports in `X-Azure-Functions-HostVersion`.
pub const HOST_VERSION: &str = concat!("azfn-local-", env!("CARGO_PKG_VERSION"));

/// Calls the handler. Cheap to clone.
#[derive(Debug, Clone)]
pub struct HandlerClient {
    http: reqwest::Client,
    endpoint: watch::Receiver<Endpoint>,
    wait_ready: Duration,
    restart: Option<Restart>,
}

/// How the client asks the supervisor for a restart: mark the handler as starting (so
/// no further call goes to the old process), then wake the supervisor.
#[derive(Debug, Clone)]
pub(crate) struct Restart {
    pub endpoint: Arc<watch::Sender<Endpoint>>,
    pub notify: Arc<Notify>,
}

impl HandlerClient {
    /// `restart` is notified when an invocation times out (a supervised handler is then
    /// restarted, as the host restarts the worker after `functionTimeout`).
    pub(crate) fn new(endpoint: watch::Receiver<Endpoint>, wait_ready: Duration, restart: Option<Restart>) -> Self {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .build()
            .unwrap_or_default();
        HandlerClient {
            http,
            endpoint,
            wait_ready,
            restart,
        }
    }

    /// The base URL once the handler is ready (waits while it starts or restarts).
    pub async fn base_url(&self) -> Result<String, InvokeError> {
        let mut rx = self.endpoint.clone();
        let wait = async {
            loop {
                match &*rx.borrow_and_update() {
                    Endpoint::Ready(url) => return Ok(url.clone()),
                    Endpoint::Failed(reason) => return Err(InvokeError::Unavailable(reason.clone())),
                    Endpoint::Starting => {}
                }
                if rx.changed().await.is_err() {
                    return Err(InvokeError::Unavailable("the local host is shutting down".into()));
                }
            }
        };
        tokio::time::timeout(self.wait_ready, wait).await.unwrap_or_else(|_| {
            Err(InvokeError::Unavailable(format!(
                "not ready after {:?}",
                self.wait_ready
            )))
        })
    }

    /// Invoke `function` with an envelope; a non-2xx status, a transport error, an
    /// invalid answer or the timeout is a failed invocation.
    pub async fn invoke(
        &self,
        function: &str,
        invocation_id: &str,
        envelope: &Value,
        timeout: Duration,
    ) -> Result<Answer, InvokeError> {
        let base = self.base_url().await?;
        let call = async {
            let response = self
                .http
                .post(format!("{base}/{function}"))
                .header("X-Azure-Functions-InvocationId", invocation_id)
                .header("X-Azure-Functions-HostVersion", HOST_VERSION)
                .header("User-Agent", format!("Azure-Functions-Host/{HOST_VERSION}"))
                .json(envelope)
                .send()
                .await
                .map_err(|e| InvokeError::Transport(error_text(&e)))?;
            let status = response.status();
            let content_type = response
                .headers()
                .get(reqwest::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            let body = response
                .bytes()
                .await
                .map_err(|e| InvokeError::Transport(error_text(&e)))?;
            if !status.is_success() {
                let text = String::from_utf8_lossy(&body);
                let body: String = text.chars().take(2000).collect();
                return Err(InvokeError::Status {
                    status: status.as_u16(),
                    body,
                });
            }
            parse_answer(content_type.as_deref(), &body)
        };
        let result = tokio::time::timeout(timeout, call)
            .await
            .unwrap_or(Err(InvokeError::Timeout(timeout)));
        if let (Err(InvokeError::Timeout(_)), Some(restart)) = (&result, &self.restart) {
            tracing::warn!(
                function,
                invocation_id,
                ?timeout,
                "invocation timed out; restarting the handler"
            );
            let _ = restart.endpoint.send(Endpoint::Starting);
            restart.notify.notify_waiters();
        }
        result
    }

    /// Forward an HTTP request as the host does with `enableForwardingHttpRequest`
    /// (<https://learn.microsoft.com/azure/azure-functions/functions-custom-handlers>): same method, path and query, the original headers plus the host's.
    pub async fn forward(
        &self,
        invocation_id: &str,
        method: &str,
        path_and_query: &str,
        headers: &[(String, String)],
        body: Vec<u8>,
        timeout: Duration,
    ) -> Result<reqwest::Response, InvokeError> {
        let base = self.base_url().await?;
        let method =
            reqwest::Method::from_bytes(method.as_bytes()).map_err(|e| InvokeError::Transport(e.to_string()))?;
        let mut request = self
            .http
            .request(method, format!("{base}{path_and_query}"))
            .timeout(timeout);
        for (name, value) in headers {
            if !matches!(
                name.to_ascii_lowercase().as_str(),
                "host" | "content-length" | "transfer-encoding" | "connection"
            ) {
                request = request.header(name, value);
            }
        }
        let request = request
            .header("X-Azure-Functions-InvocationId", invocation_id)
            .header("X-Azure-Functions-HostVersion", HOST_VERSION);
        let request = if body.is_empty() { request } else { request.body(body) };
        request.send().await.map_err(|e| {
            if e.is_timeout() {
                InvokeError::Timeout(timeout)
            } else {
                InvokeError::Transport(error_text(&e))
            }
        })
    }
}

fn error_text(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(e) = source {
        text.push_str(": ");
        text.push_str(&e.to_string());
        source = e.source();
    }
    text
}
