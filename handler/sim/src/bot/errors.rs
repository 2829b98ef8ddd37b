//! The Bot Connector's `ErrorResponse`: `{"error": {"code", "message"}}`
//! (<https://learn.microsoft.com/azure/bot-service/rest-api/bot-framework-rest-connector-api-reference>).

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

/// An error answer of the simulated Bot Connector.
#[derive(Debug, Clone)]
pub(crate) struct ConnectorError {
    status: StatusCode,
    code: &'static str,
    message: String,
    retry_after: Option<u64>,
}

impl ConnectorError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ConnectorError {
            status,
            code,
            message: message.into(),
            retry_after: None,
        }
    }

    pub fn bad_argument(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "BadArgument", message)
    }

    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "Unauthorized", message)
    }

    pub fn not_found(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, code, message)
    }

    pub fn too_many_requests(retry_after_secs: u64) -> Self {
        ConnectorError {
            retry_after: Some(retry_after_secs),
            ..Self::new(
                StatusCode::TOO_MANY_REQUESTS,
                "TooManyRequests",
                "The bot is sending too fast.",
            )
        }
    }
}

impl IntoResponse for ConnectorError {
    fn into_response(self) -> Response {
        let body = json!({ "error": { "code": self.code, "message": self.message } });
        let mut response = (self.status, Json(body)).into_response();
        let headers = response.headers_mut();
        if let Some(secs) = self.retry_after {
            headers.insert(http::header::RETRY_AFTER, HeaderValue::from(secs));
        }
        let operation = uuid::Uuid::new_v4().to_string();
        if let Ok(v) = HeaderValue::from_str(&operation) {
            headers.insert("x-correlating-operationid", v);
        }
        response
    }
}
