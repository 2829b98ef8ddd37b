//! The admin API for operators (replay in local mode), guarded by the master key.
//!
//! | route | does |
//! |---|---|
//! | `GET  /admin/azfn-local/queues` | queues with active, locked and dead-lettered counts |
//! | `GET  /admin/azfn-local/queues/{queue}/messages?max=N` | peek (default 100) |
//! | `POST /admin/azfn-local/queues/{queue}/messages` | send `{"body": …, "messageId"?, "sessionId"?, "correlationId"?, "contentType"?, "subject"?, "applicationProperties"?}` |
//! | `GET  /admin/azfn-local/queues/{queue}/deadletters` | the dead-letter queue |
//! | `POST /admin/azfn-local/queues/{queue}/deadletters/resubmit` | move back all, or `{"sequenceNumbers": [..]}` |
//! | `GET  /admin/azfn-local/functions` | the functions and their triggers |
//!
//! Functions cannot have routes under `/admin` (the host reserves it), so these never
//! collide with function routes.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

use super::FrontDoor;
use crate::app::Trigger;
use crate::store::{NewMessage, SendOutcome};

/// Where the admin API lives.
pub const ADMIN_PREFIX: &str = "/admin/azfn-local";

pub(super) fn router() -> Router<Arc<FrontDoor>> {
    Router::new()
        .route("/queues", get(list_queues))
        .route("/queues/{queue}/messages", get(peek).post(send))
        .route("/queues/{queue}/deadletters", get(dead_letters))
        .route("/queues/{queue}/deadletters/resubmit", post(resubmit))
        .route("/functions", get(functions))
}

#[derive(Deserialize, Default)]
struct AdminQuery {
    code: Option<String>,
    max: Option<usize>,
}

/// The refusal for a request without the master key, if it lacks it.
fn guard(door: &FrontDoor, headers: &HeaderMap, query: &AdminQuery) -> Option<Response> {
    let keys = door.shared.keys.as_ref()?;
    let presented = headers
        .get("x-functions-key")
        .and_then(|v| v.to_str().ok())
        .or(query.code.as_deref());
    match keys.identify("", presented) {
        Some(identity) if identity.level == "Admin" => None,
        _ => Some(
            (
                StatusCode::UNAUTHORIZED,
                Json(json!({"error": "the master key is required"})),
            )
                .into_response(),
        ),
    }
}

fn store_error(e: crate::error::StoreError) -> Response {
    (StatusCode::INTERNAL_SERVER_ERROR, Json(json!({"error": e.to_string()}))).into_response()
}

async fn list_queues(State(door): State<Arc<FrontDoor>>, headers: HeaderMap, Query(q): Query<AdminQuery>) -> Response {
    if let Some(r) = guard(&door, &headers, &q) {
        return r;
    }
    door.shared
        .store
        .queues()
        .map(|q| Json(q).into_response())
        .unwrap_or_else(store_error)
}

async fn peek(
    State(door): State<Arc<FrontDoor>>,
    Path(queue): Path<String>,
    headers: HeaderMap,
    Query(q): Query<AdminQuery>,
) -> Response {
    if let Some(r) = guard(&door, &headers, &q) {
        return r;
    }
    door.shared
        .store
        .peek(&queue, q.max.unwrap_or(100))
        .map(|m| Json(m).into_response())
        .unwrap_or_else(store_error)
}

async fn dead_letters(
    State(door): State<Arc<FrontDoor>>,
    Path(queue): Path<String>,
    headers: HeaderMap,
    Query(q): Query<AdminQuery>,
) -> Response {
    if let Some(r) = guard(&door, &headers, &q) {
        return r;
    }
    door.shared
        .store
        .dead_letters(&queue)
        .map(|m| Json(m).into_response())
        .unwrap_or_else(store_error)
}

fn bad_request(message: String) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({"error": message}))).into_response()
}

async fn send(
    State(door): State<Arc<FrontDoor>>,
    Path(queue): Path<String>,
    headers: HeaderMap,
    Query(q): Query<AdminQuery>,
    body: Bytes,
) -> Response {
    if let Some(r) = guard(&door, &headers, &q) {
        return r;
    }
    let request: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => return bad_request(format!("the body must be JSON: {e}")),
    };
    let mut message: NewMessage = match serde_json::from_value(request.clone()) {
        Ok(m) => m,
        Err(e) => return bad_request(e.to_string()),
    };
    message.body = match request.get("body") {
        Some(Value::String(text)) => text.clone().into_bytes(),
        Some(Value::Null) | None => return bad_request("'body' is required".into()),
        Some(other) => other.to_string().into_bytes(),
    };
    if message.session_id.is_none() && door.shared.app.requires_session(&queue) {
        return bad_request(format!("queue '{queue}' is session-enabled: 'sessionId' is required"));
    }
    match door.shared.store.send(&queue, message) {
        Ok(SendOutcome::Enqueued(seq)) => (StatusCode::CREATED, Json(json!({"sequenceNumber": seq}))).into_response(),
        Ok(SendOutcome::Duplicate) => Json(json!({"duplicate": true})).into_response(),
        Err(e) => store_error(e),
    }
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct ResubmitRequest {
    sequence_numbers: Option<Vec<i64>>,
}

async fn resubmit(
    State(door): State<Arc<FrontDoor>>,
    Path(queue): Path<String>,
    headers: HeaderMap,
    Query(q): Query<AdminQuery>,
    body: Bytes,
) -> Response {
    if let Some(r) = guard(&door, &headers, &q) {
        return r;
    }
    let request: ResubmitRequest = if body.is_empty() {
        ResubmitRequest::default()
    } else {
        match serde_json::from_slice(&body) {
            Ok(r) => r,
            Err(e) => return bad_request(format!("expected {{\"sequenceNumbers\": [..]}}: {e}")),
        }
    };
    door.shared
        .store
        .resubmit_dead_letters(&queue, request.sequence_numbers.as_deref())
        .map(|moved| Json(json!({"moved": moved})).into_response())
        .unwrap_or_else(store_error)
}

async fn functions(State(door): State<Arc<FrontDoor>>, headers: HeaderMap, Query(q): Query<AdminQuery>) -> Response {
    if let Some(r) = guard(&door, &headers, &q) {
        return r;
    }
    let prefix = &door.shared.app.host.route_prefix;
    let list: Vec<Value> = door
        .shared
        .app
        .functions
        .iter()
        .map(|f| match &f.trigger {
            Trigger::Http { route, methods, .. } => {
                json!({"name": f.name, "trigger": "http", "route": format!("/{prefix}/{route}"), "methods": methods})
            }
            Trigger::ServiceBus {
                queue_name, sessions, ..
            } => {
                json!({"name": f.name, "trigger": "serviceBus", "queue": queue_name, "sessions": sessions})
            }
            Trigger::Timer { schedule, .. } => json!({"name": f.name, "trigger": "timer", "schedule": schedule}),
        })
        .collect();
    Json(list).into_response()
}
