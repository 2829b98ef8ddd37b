//! Graph's error JSON and the `request-id`/`client-request-id` headers every response carries.
//!
//! ```json
//! {"error":{"code":"Request_ResourceNotFound","message":"...",
//!   "innerError":{"date":"2026-11-28T01:02:03","request-id":"...","client-request-id":"..."}}}
//! ```

use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::Utc;
use serde_json::{json, Value};

/// The ids of one request, available to handlers as an extension.
#[derive(Debug, Clone)]
pub(crate) struct RequestIds {
    pub request_id: String,
    pub client_request_id: String,
}

/// An error in Graph's shape. The `request-id` middleware fills in `innerError`.
#[derive(Debug, Clone)]
pub struct GraphError {
    status: StatusCode,
    code: String,
    message: String,
    retry_after: Option<u64>,
}

impl GraphError {
    /// Any status, code and message.
    pub fn new(status: StatusCode, code: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            status,
            code: code.into(),
            message: message.into(),
            retry_after: None,
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// Graph's error code (`error.code`).
    pub fn code(&self) -> &str {
        &self.code
    }

    /// 404 `Request_ResourceNotFound` for an id.
    pub fn not_found(id: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "Request_ResourceNotFound",
            format!("Resource '{id}' does not exist or one of its queried reference-property objects are not present."),
        )
    }

    /// 400 `Request_BadRequest`.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "Request_BadRequest", message)
    }

    /// 401 `InvalidAuthenticationToken`.
    pub fn unauthenticated(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "InvalidAuthenticationToken", message)
    }

    /// 429 `TooManyRequests`, with `Retry-After` seconds when given.
    pub fn too_many_requests(retry_after: Option<u64>) -> Self {
        Self {
            retry_after,
            ..Self::new(
                StatusCode::TOO_MANY_REQUESTS,
                "TooManyRequests",
                "Please retry again later.",
            )
        }
    }

    /// 500 `generalException`.
    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "generalException",
            "General exception while processing.",
        )
    }

    /// 503 `serviceNotAvailable`, with `Retry-After` seconds when given.
    pub fn unavailable(retry_after: Option<u64>) -> Self {
        Self {
            retry_after,
            ..Self::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "serviceNotAvailable",
                "Service Unavailable.",
            )
        }
    }

    fn body(&self, ids: Option<&RequestIds>) -> Value {
        let mut inner = json!({ "date": Utc::now().format("%Y-%m-%dT%H:%M:%S").to_string() });
        if self.status == StatusCode::TOO_MANY_REQUESTS {
            inner["code"] = json!("429");
        }
        if let Some(ids) = ids {
            inner["request-id"] = json!(ids.request_id);
            inner["client-request-id"] = json!(ids.client_request_id);
        }
        json!({ "error": { "code": self.code, "message": self.message, "innerError": inner } })
    }
}

impl IntoResponse for GraphError {
    fn into_response(self) -> Response {
        let mut response = (self.status, Json(self.body(None))).into_response();
        if let Some(secs) = self.retry_after {
            response
                .headers_mut()
                .insert(http::header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response.extensions_mut().insert(self);
        response
    }
}

/// Middleware: assigns `request-id`, echoes or creates `client-request-id`, and completes Graph errors.
pub(crate) async fn request_ids(mut req: Request, next: Next) -> Response {
    let request_id = uuid::Uuid::new_v4().to_string();
    let client_request_id = req
        .headers()
        .get("client-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .unwrap_or_else(|| request_id.clone());
    let ids = RequestIds {
        request_id,
        client_request_id,
    };
    req.extensions_mut().insert(ids.clone());
    let mut response = next.run(req).await;
    if let Some(error) = response.extensions_mut().remove::<GraphError>() {
        let headers = std::mem::take(response.headers_mut());
        response = (error.status, Json(error.body(Some(&ids)))).into_response();
        for (name, value) in headers.iter() {
            if name != http::header::CONTENT_LENGTH && name != http::header::CONTENT_TYPE {
                response.headers_mut().insert(name.clone(), value.clone());
            }
        }
    }
    for (name, value) in [
        ("request-id", &ids.request_id),
        ("client-request-id", &ids.client_request_id),
    ] {
        if let Ok(v) = HeaderValue::from_str(value) {
            response.headers_mut().insert(name, v);
        }
    }
    response
}
