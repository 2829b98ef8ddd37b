//! Bearer-token check for Graph routes: tokens from this tenant's keys for Graph's audience.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::authority::verify::{bearer, verify};
use crate::authority::Authority;
use crate::odata::errors::GraphError;

/// Audiences Graph accepts: its URI and its well-known app id.
pub const GRAPH_AUDIENCES: [&str; 2] = ["https://graph.microsoft.com", "00000003-0000-0000-c000-000000000000"];

/// The verified claims of the caller, available to Graph handlers as an extension.
#[derive(Debug, Clone)]
pub(crate) struct Caller(pub Value);

/// Middleware: 401 `InvalidAuthenticationToken` unless the bearer token verifies.
pub(crate) async fn require_token(State(authority): State<Arc<Authority>>, mut req: Request, next: Next) -> Response {
    let header = req
        .headers()
        .get(http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let claims = bearer(header).and_then(|token| verify(&authority, token, &GRAPH_AUDIENCES));
    match claims {
        Ok(claims) => {
            req.extensions_mut().insert(Caller(claims));
            next.run(req).await
        }
        Err(e) => {
            tracing::info!(path = %req.uri().path(), reason = %e, "graph request refused");
            GraphError::unauthenticated(e.to_string()).into_response()
        }
    }
}
