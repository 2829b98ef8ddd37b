//! Typed errors of the Graph client.

use serde::Deserialize;
use std::time::Duration;

/// A non-success answer from Graph, with everything an operator needs to find it in Microsoft's logs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP method of the request.
    pub method: String,
    /// Request path, without the query string.
    pub path: String,
    /// HTTP status Graph answered.
    pub status: u16,
    /// Graph's `error.code` (for example `Request_ResourceNotFound`), empty if the body had none.
    pub code: String,
    /// Graph's `error.message`, empty if the body had none.
    pub message: String,
    /// Graph's `request-id` (response header, else `error.innerError.request-id`).
    pub request_id: Option<String>,
    /// The `client-request-id` (response header, else `error.innerError`, else the one we sent).
    pub client_request_id: Option<String>,
    /// The `Retry-After` Graph suggested, if any.
    pub retry_after: Option<Duration>,
}

/// Everything that can go wrong talking to Graph.
#[derive(Debug, thiserror::Error)]
pub enum GraphError {
    /// Graph answered with a non-success status (after any retries).
    #[error(
        "Graph answered {} to {} {}: {}: {} (request-id {})",
        .0.status, .0.method, .0.path, .0.code, .0.message, .0.request_id.as_deref().unwrap_or("none")
    )]
    Api(Box<ApiError>),
    /// The connection failed or broke before a whole answer arrived (after any retries).
    #[error("could not reach Graph for {method} {path} after {attempts} attempt(s): {message}")]
    Transport {
        /// HTTP method of the request.
        method: String,
        /// Request path, without the query string.
        path: String,
        /// Attempts made.
        attempts: u32,
        /// What the HTTP stack said.
        message: String,
    },
    /// No answer arrived within the per-request timeout (after any retries).
    #[error("Graph did not answer {method} {path} within {timeout:?} ({attempts} attempt(s))")]
    Timeout {
        /// HTTP method of the request.
        method: String,
        /// Request path, without the query string.
        path: String,
        /// Attempts made.
        attempts: u32,
        /// The per-request timeout.
        timeout: Duration,
    },
    /// The token source could not give a token for Graph.
    #[error("could not get a token for scope {scope}: {message}")]
    Token {
        /// The scope requested.
        scope: String,
        /// What the credential said (never the token).
        message: String,
    },
    /// A delta link is no longer valid (410 Gone or `syncStateNotFound`): start a full sync again.
    #[error("the delta token for {path} is no longer valid ({status} {code}): restart with a full sync")]
    DeltaReset {
        /// The path of the delta request.
        path: String,
        /// HTTP status Graph answered.
        status: u16,
        /// Graph's error code.
        code: String,
    },
    /// Graph's answer did not have the shape we expected.
    #[error("could not read Graph's answer to {path}: {message}")]
    Decode {
        /// The request path.
        path: String,
        /// What was wrong.
        message: String,
    },
    /// The request could not be built (bad id, foreign nextLink, too many batch items...).
    #[error("invalid Graph request: {0}")]
    InvalidRequest(String),
}

impl GraphError {
    /// The HTTP status, when Graph answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            GraphError::Api(e) => Some(e.status),
            GraphError::DeltaReset { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// Graph's error code, when Graph answered with one.
    pub fn code(&self) -> Option<&str> {
        match self {
            GraphError::Api(e) if !e.code.is_empty() => Some(&e.code),
            GraphError::DeltaReset { code, .. } if !code.is_empty() => Some(code),
            _ => None,
        }
    }

    /// Graph's `request-id`, when Graph answered.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            GraphError::Api(e) => e.request_id.as_deref(),
            _ => None,
        }
    }

    /// The API error, when Graph answered.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            GraphError::Api(e) => Some(e),
            _ => None,
        }
    }

    /// Whether Graph answered 404.
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(404)
    }

    /// Whether a later attempt could succeed (throttling, server trouble, network, timeout).
    pub fn is_transient(&self) -> bool {
        match self {
            GraphError::Api(e) => e.status == 429 || e.status >= 500,
            GraphError::Transport { .. } | GraphError::Timeout { .. } | GraphError::Token { .. } => true,
            _ => false,
        }
    }
}

/// Graph's error body: `{"error": {"code", "message", "innerError": {"request-id", "client-request-id"}}}`.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ErrorBody {
    #[serde(default)]
    pub error: ErrorDetail,
}

/// The `error` object of Graph's error body.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ErrorDetail {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub message: String,
    #[serde(default, rename = "innerError", alias = "innererror")]
    pub inner_error: Option<InnerError>,
}

/// The `innerError` object of Graph's error body.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct InnerError {
    #[serde(default, rename = "request-id")]
    pub request_id: Option<String>,
    #[serde(default, rename = "client-request-id")]
    pub client_request_id: Option<String>,
}

impl ErrorBody {
    /// Parses an error body leniently: anything unreadable gives empty fields.
    pub(crate) fn parse(body: &[u8]) -> ErrorBody {
        serde_json::from_slice(body).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throttled_error_fixture_gives_code_message_and_request_id() {
        let body = ErrorBody::parse(include_bytes!("../testdata/error-429-too-many-requests.json"));
        assert_eq!(body.error.code, "TooManyRequests");
        assert_eq!(body.error.message, "Please retry again later.");
        let inner = body.error.inner_error.expect("innerError");
        assert_eq!(
            inner.request_id.as_deref(),
            Some("94fb3b52-452a-4535-a601-69e0a90e3aa2")
        );
        assert_eq!(
            inner.client_request_id.as_deref(),
            Some("94fb3b52-452a-4535-a601-69e0a90e3aa2")
        );
    }

    #[test]
    fn unreadable_error_body_gives_empty_fields() {
        let body = ErrorBody::parse(b"<html>bad gateway</html>");
        assert!(body.error.code.is_empty());
        assert!(body.error.inner_error.is_none());
    }

    #[test]
    fn api_error_message_names_status_code_and_request_id() {
        let e = GraphError::Api(Box::new(ApiError {
            method: "GET".into(),
            path: "/v1.0/users/x".into(),
            status: 404,
            code: "Request_ResourceNotFound".into(),
            message: "Resource 'x' does not exist".into(),
            request_id: Some("rid-1".into()),
            client_request_id: None,
            retry_after: None,
        }));
        let text = e.to_string();
        assert!(text.contains("404") && text.contains("Request_ResourceNotFound") && text.contains("rid-1"));
        assert!(e.is_not_found() && !e.is_transient());
    }
}
