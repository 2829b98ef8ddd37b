//! Every request the simulator received, in arrival order, with its response status.

use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::shared::Shared;

/// Largest request body the simulator accepts and records.
const MAX_BODY: usize = 4 * 1024 * 1024;

/// One received request.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedCall {
    /// Position in arrival order, from 0 (not reset by `clear_calls`).
    pub seq: u64,
    /// HTTP method, e.g. `GET`.
    pub method: String,
    /// The path, e.g. `/v1.0/users/u1` (percent-encoding kept).
    pub path: String,
    /// The raw query string, if any.
    pub query: Option<String>,
    /// Request headers (lower-case names). `authorization` is reduced to its scheme
    /// (`Bearer`), `x-identity-header` and `cookie` to `<redacted>`.
    pub headers: Vec<(String, String)>,
    /// The request body; form fields `client_secret` and `client_assertion` are redacted.
    pub body: Bytes,
    /// The calling app id read (unverified) from a bearer token's `appid`/`azp`.
    pub app_id: Option<String>,
    /// The response status; `None` while in flight or when the connection was dropped.
    pub status: Option<u16>,
    /// When the request arrived.
    pub at: DateTime<Utc>,
}

impl RecordedCall {
    /// A header's value (name case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body parsed as JSON, if it is JSON.
    pub fn json(&self) -> Option<Value> {
        serde_json::from_slice(&self.body).ok()
    }

    /// The body as text (lossy).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// The ordered log of received calls.
#[derive(Debug, Default)]
pub(crate) struct CallLog {
    inner: Mutex<CallLogInner>,
}

#[derive(Debug, Default)]
struct CallLogInner {
    calls: Vec<RecordedCall>,
    next_seq: u64,
}

impl CallLog {
    fn lock(&self) -> std::sync::MutexGuard<'_, CallLogInner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn push(&self, mut call: RecordedCall) -> u64 {
        let mut inner = self.lock();
        call.seq = inner.next_seq;
        inner.next_seq += 1;
        let seq = call.seq;
        inner.calls.push(call);
        seq
    }

    fn set_status(&self, seq: u64, status: u16) {
        let mut inner = self.lock();
        if let Some(call) = inner.calls.iter_mut().rev().find(|c| c.seq == seq) {
            call.status = Some(status);
        }
    }

    pub fn all(&self) -> Vec<RecordedCall> {
        self.lock().calls.clone()
    }

    pub fn to(&self, method: &str, path_prefix: &str) -> Vec<RecordedCall> {
        self.lock()
            .calls
            .iter()
            .filter(|c| (method == "*" || c.method.eq_ignore_ascii_case(method)) && c.path.starts_with(path_prefix))
            .cloned()
            .collect()
    }

    pub fn clear(&self) {
        self.lock().calls.clear();
    }
}

/// Middleware (outermost): records the request before anything else sees it, then its status.
pub(crate) async fn record(State(sim): State<Arc<Shared>>, req: Request, next: Next) -> Response {
    let (parts, body) = req.into_parts();
    let bytes = match axum::body::to_bytes(body, MAX_BODY).await {
        Ok(b) => b,
        Err(_) => {
            return crate::graph::errors::GraphError::new(
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
    let seq = sim.calls.push(call);
    let response = next.run(Request::from_parts(parts, Body::from(bytes))).await;
    sim.calls.set_status(seq, response.status().as_u16());
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
