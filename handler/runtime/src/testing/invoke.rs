//! Calling functions in process and reading their replies.

use axum::body::Body;
use axum::Router;
use chrono::Utc;
use http::Request;
use serde_json::{Map, Value};
use tower::ServiceExt;

use super::{next_number, sys};
use crate::function::Functions;
use crate::http::HttpResponse;
use crate::invocation::{InvocationRequest, InvocationResponse};
use crate::problem::Problem;
use crate::server::{router, ServerConfig};
use crate::service_bus::OutputMessage;

/// Calls functions through the server's router, in process, as the host calls them.
#[derive(Debug, Clone)]
pub struct TestHost {
    router: Router,
}

impl TestHost {
    /// A host for `functions` with the default [`ServerConfig`].
    pub fn new(functions: Functions) -> Self {
        TestHost::with_config(functions, ServerConfig::default())
    }

    /// A host for `functions` with `config`.
    pub fn with_config(functions: Functions, config: ServerConfig) -> Self {
        TestHost::from_router(router(functions, config))
    }

    /// A host calling `router` (one made by [`router`](crate::router), maybe with more
    /// routes or layers).
    pub fn from_router(router: Router) -> Self {
        TestHost { router }
    }

    /// Invoke `function` with `invocation` under a new invocation id (`test-<n>`).
    pub async fn invoke(&self, function: &str, invocation: impl Into<InvocationRequest>) -> TestResponse {
        let invocation_id = format!("test-{}", next_number());
        self.invoke_with_id(function, &invocation_id, invocation).await
    }

    /// Invoke `function` with `invocation` under `invocation_id`.
    ///
    /// The host's `sys` metadata (`MethodName`, `UtcNow`, `RandGuid`) is added unless the
    /// envelope has it.
    pub async fn invoke_with_id(
        &self,
        function: &str,
        invocation_id: &str,
        invocation: impl Into<InvocationRequest>,
    ) -> TestResponse {
        let mut envelope = invocation.into();
        if envelope.metadata_value("sys").is_none() {
            envelope.metadata.insert("sys".into(), sys(function, Utc::now()));
        }
        let body = serde_json::to_vec(&envelope).unwrap_or_default();
        let request = Request::post(format!("/{function}"))
            .header(http::header::CONTENT_TYPE, "application/json")
            .header("x-azure-functions-invocationid", invocation_id)
            .body(Body::from(body));
        let request = match request {
            Ok(request) => request,
            Err(e) => {
                return TestResponse::failed(
                    invocation_id,
                    Problem::new("bad-test-request", "The test request is not valid", 400)
                        .with_detail(format!("function '{function}', id '{invocation_id}': {e}")),
                )
            }
        };
        let response = match self.router.clone().oneshot(request).await {
            Ok(response) => response,
            Err(never) => match never {},
        };
        let status = response.status().as_u16();
        let bytes = match axum::body::to_bytes(response.into_body(), usize::MAX).await {
            Ok(bytes) => bytes,
            Err(e) => {
                return TestResponse::failed(
                    invocation_id,
                    Problem::new("unreadable-reply", "The reply body could not be read", status)
                        .with_detail(e.to_string()),
                )
            }
        };
        TestResponse::read(status, invocation_id, &bytes)
    }
}

/// Invoke `function` of `functions` once with `invocation`; see [`TestHost`] to invoke
/// several times.
pub async fn invoke(functions: &Functions, function: &str, invocation: impl Into<InvocationRequest>) -> TestResponse {
    TestHost::new(functions.clone()).invoke(function, invocation).await
}

/// The reply to one invocation.
#[derive(Debug, Clone, PartialEq)]
pub struct TestResponse {
    /// The reply's status: 200 when the invocation completed; otherwise it failed, and the
    /// host would retry or dead-letter a queue message.
    pub status: u16,
    /// The invocation id it ran under.
    pub invocation_id: String,
    /// Output binding values by binding name (empty when the invocation failed).
    pub outputs: Map<String, Value>,
    /// The `$return` value.
    pub return_value: Option<Value>,
    /// The invocation's log lines (returned as `Logs`, or in the problem when it failed).
    /// Collected only when the test's subscriber has
    /// [`InvocationLogLayer`](crate::InvocationLogLayer).
    pub logs: Vec<String>,
    /// Why the invocation failed, when it did.
    pub problem: Option<Problem>,
}

impl TestResponse {
    fn failed(invocation_id: &str, problem: Problem) -> Self {
        TestResponse {
            status: problem.status,
            invocation_id: invocation_id.to_owned(),
            outputs: Map::new(),
            return_value: None,
            logs: Vec::new(),
            problem: Some(problem),
        }
    }

    fn read(status: u16, invocation_id: &str, bytes: &[u8]) -> Self {
        if status == 200 {
            if let Ok(reply) = serde_json::from_slice::<InvocationResponse>(bytes) {
                return TestResponse {
                    status,
                    invocation_id: invocation_id.to_owned(),
                    outputs: reply.outputs,
                    return_value: reply.return_value,
                    logs: reply.logs,
                    problem: None,
                };
            }
        }
        let problem = serde_json::from_slice::<Problem>(bytes).unwrap_or_else(|_| {
            Problem::new("unexpected-reply", "The reply is neither outputs nor a problem", status)
                .with_detail(String::from_utf8_lossy(bytes).into_owned())
        });
        let logs = match problem.extensions.get("Logs") {
            Some(Value::Array(lines)) => lines.iter().filter_map(Value::as_str).map(str::to_owned).collect(),
            _ => Vec::new(),
        };
        TestResponse {
            status,
            invocation_id: invocation_id.to_owned(),
            outputs: Map::new(),
            return_value: None,
            logs,
            problem: Some(problem),
        }
    }

    /// True when the invocation completed (status 200).
    pub fn succeeded(&self) -> bool {
        self.status == 200
    }

    /// The value of output binding `binding`.
    pub fn output(&self, binding: &str) -> Option<&Value> {
        self.outputs.get(binding)
    }

    /// The HTTP output `binding` (usually `res`): status, headers and body.
    pub fn http(&self, binding: &str) -> Option<HttpResponse> {
        self.output(binding)
            .and_then(|value| serde_json::from_value(value.clone()).ok())
    }

    /// The messages written to the Service Bus output `binding`, in order; feed one to
    /// [`ServiceBusInvocation::from_output`](super::ServiceBusInvocation::from_output) to
    /// deliver it.
    pub fn messages(&self, binding: &str) -> Vec<OutputMessage> {
        match self.output(binding) {
            Some(Value::Array(items)) => items.iter().map(OutputMessage::from_value).collect(),
            Some(Value::Null) | None => Vec::new(),
            Some(other) => vec![OutputMessage::from_value(other)],
        }
    }

    /// True when a log line of the invocation contains `text`.
    pub fn logged(&self, text: &str) -> bool {
        self.logs.iter().any(|line| line.contains(text))
    }
}
