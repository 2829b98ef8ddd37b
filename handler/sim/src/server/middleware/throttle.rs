//! Middleware: 429 with `Retry-After` when the caller's app is over a throttle class's limit.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::odata::errors::GraphError;
use crate::throttle::{Throttle, SIM_RETRY_AFTER_MS};

/// Middleware: 429 with `Retry-After` when the caller's app is over a class's limit.
pub(crate) async fn apply(State(throttle): State<Arc<Throttle>>, req: Request, next: Next) -> Response {
    let authorization = req
        .headers()
        .get(http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let app = crate::entra::tokens::unverified_app_id(authorization).unwrap_or_else(|| "anonymous".to_owned());
    match throttle.check(req.method().as_str(), req.uri().path(), &app) {
        Ok(()) => next.run(req).await,
        Err(refusal) => {
            tracing::info!(app = %app, path = %req.uri().path(), retry_after = refusal.retry_after_secs, "throttled");
            let mut response = GraphError::too_many_requests(Some(refusal.retry_after_secs)).into_response();
            let ms = refusal.real_wait.as_millis().max(1) as u64;
            response.headers_mut().insert(SIM_RETRY_AFTER_MS, HeaderValue::from(ms));
            response
        }
    }
}
