//! Middleware: applies the first injected fault matching the request, if any.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::connection::ConnectionKill;
use crate::faults::{FaultKind, Faults};
use crate::odata::errors::GraphError;

/// Middleware: applies the first matching fault, if any.
pub(crate) async fn apply(State(faults): State<Arc<Faults>>, req: Request, next: Next) -> Response {
    let Some(kind) = faults.take(req.method().as_str(), req.uri().path()) else {
        return next.run(req).await;
    };
    tracing::info!(method = %req.method(), path = %req.uri().path(), fault = ?kind, "injecting fault");
    match kind {
        FaultKind::TooManyRequests { retry_after } => GraphError::too_many_requests(retry_after).into_response(),
        FaultKind::InternalServerError => GraphError::internal().into_response(),
        FaultKind::ServiceUnavailable { retry_after } => GraphError::unavailable(retry_after).into_response(),
        FaultKind::Latency(delay) => {
            tokio::time::sleep(delay).await;
            next.run(req).await
        }
        FaultKind::DropConnection => match req.extensions().get::<ConnectionKill>() {
            Some(kill) => {
                kill.trigger();
                // The connection task drops the connection; this future is dropped with it.
                std::future::pending::<Response>().await
            }
            None => GraphError::internal().into_response(),
        },
    }
}
