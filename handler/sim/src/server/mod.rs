//! The HTTP server: middleware stack, routes, and an accept loop that can drop connections.
//!
//! `axum::serve` gives handlers no way to close a connection without answering, so we run
//! hyper's HTTP/1 connection ourselves. Each connection gets a [`ConnectionKill`] in its
//! requests' extensions; the fault middleware triggers it, and the connection task drops the
//! connection (closing the socket) instead of waiting for a response.

mod middleware;
mod shared;

use std::sync::Arc;
use std::time::Duration;

use axum::middleware::{from_fn, from_fn_with_state};
use axum::response::IntoResponse;
use axum::{Extension, Router};
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinSet;
use tower::ServiceExt;

use crate::connection::ConnectionKill;
use crate::odata::errors::GraphError;
use crate::odata::ApiVersion;
use crate::{bot, em, entra, graph, mail, provisioning, service_bus, subs};
pub(crate) use shared::Shared;

/// All routes behind the middleware stack (outermost first): record → request ids → faults → throttle.
pub(crate) fn app(sim: Arc<Shared>) -> Router {
    let routes = Router::new()
        .merge(entra::routes())
        .merge(bot::routes())
        .nest("/v1.0", graph_version(&sim, "v1.0"))
        .nest("/beta", graph_version(&sim, "beta"))
        .nest("/servicebus", service_bus::routes())
        .fallback(|uri: http::Uri| async move {
            GraphError::new(
                http::StatusCode::NOT_FOUND,
                "UnknownError",
                format!("The simulator does not serve {}", uri.path()),
            )
            .into_response()
        })
        .with_state(sim.clone());
    // Layers on a router with only a fallback service run before routing, so they see the full path.
    Router::new()
        .fallback_service(routes)
        .layer(from_fn_with_state(sim.throttle.clone(), middleware::throttle::apply))
        .layer(from_fn_with_state(sim.faults.clone(), middleware::faults::apply))
        .layer(from_fn(crate::odata::errors::request_ids))
        .layer(from_fn_with_state(sim.calls.clone(), middleware::record::record))
}

/// The Graph routes of one version (the directory, mail, subscriptions, entitlement management,
/// provisioning), all behind bearer-token validation, with the version as an extension.
fn graph_version(sim: &Arc<Shared>, version: &'static str) -> Router<Arc<Shared>> {
    Router::new()
        .merge(graph::routes())
        .merge(mail::routes())
        .merge(subs::routes::routes())
        .merge(em::routes::routes())
        .merge(provisioning::routes())
        .layer(from_fn_with_state(
            sim.conformance.clone(),
            middleware::conformance::check,
        ))
        .layer(from_fn_with_state(sim.authority.clone(), graph::auth::require_token))
        .layer(Extension(ApiVersion(version)))
}

/// Accepts connections until `shutdown` changes; then aborts every open connection.
pub(crate) async fn serve(listener: TcpListener, app: Router, mut shutdown: watch::Receiver<bool>) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => {
                    connections.spawn(serve_connection(stream, app.clone()));
                }
                Err(e) => {
                    tracing::warn!(error = %e, "sim accept failed");
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
            },
            _ = shutdown.changed() => break,
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    connections.abort_all();
    tracing::debug!("sim server stopped");
}

async fn serve_connection(stream: TcpStream, app: Router) {
    let kill = ConnectionKill::default();
    let for_requests = kill.clone();
    let service = hyper::service::service_fn(move |mut req: http::Request<hyper::body::Incoming>| {
        req.extensions_mut().insert(for_requests.clone());
        app.clone().oneshot(req.map(axum::body::Body::new))
    });
    let connection = hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), service);
    tokio::select! {
        result = connection => {
            if let Err(e) = result {
                tracing::debug!(error = %e, "sim connection ended with an error");
            }
        }
        _ = kill.triggered() => tracing::debug!("sim dropped a connection (injected fault)"),
    }
}
