//! Middleware (outermost): records each request before anything else sees it, then its status.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use chrono::Utc;

use crate::odata::errors::GraphError;
use crate::record::{CallLog, RecordedCall};

/// Largest request body the simulator accepts and records.
const MAX_BODY: usize = 4 * 1024 * 1024;

/// Middleware (outermost): records the request before anything else sees it, then its status.
pub(crate) async fn record(State(calls): State<Arc<CallLog>>, req: Request, next: Next) -> Response {
    let (parts, body) = req.into_parts();
    let bytes = match axum::body::to_bytes(body, MAX_BODY).await {
        Ok(b) => b,
        Err(_) => {
            return GraphError::new(
                http::StatusCode::PAYLOAD_TOO_LARGE,
                "Request_BadRequest",
                "The request body is too large for the simulator.",
            )
            .into_response()
        }
    };
    let authorization = parts
        .headers
        .get(http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let app_id = crate::entra::tokens::unverified_app_id(authorization);
    let headers = parts
        .headers
        .iter()
        .map(|(name, value)| {
            let value = value.to_str().unwrap_or("<binary>");
            let value = match name.as_str() {
                "authorization" => value.split(' ').next().unwrap_or_default().to_owned(),
                "x-identity-header" | "cookie" => "<redacted>".to_owned(),
                _ => value.to_owned(),
            };
            (name.as_str().to_owned(), value)
        })
        .collect();
    let is_form = parts
        .headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    let recorded_body = if is_form { redact_form(&bytes) } else { bytes.clone() };
    let call = RecordedCall {
        seq: 0,
        method: parts.method.as_str().to_owned(),
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().map(str::to_owned),
        headers,
        body: recorded_body,
        app_id,
        status: None,
        at: Utc::now(),
    };
    tracing::debug!(method = %call.method, path = %call.path, "sim received request");
    let seq = calls.push(call);
    let response = next.run(Request::from_parts(parts, Body::from(bytes))).await;
    calls.set_status(seq, response.status().as_u16());
    response
}

fn redact_form(body: &[u8]) -> Bytes {
    let mut out = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in url::form_urlencoded::parse(body) {
        let secret = k == "client_secret" || k == "client_assertion";
        out.append_pair(&k, if secret { "<redacted>" } else { &v });
    }
    Bytes::from(out.finish())
}
