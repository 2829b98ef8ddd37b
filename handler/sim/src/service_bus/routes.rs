//! The REST surface: send, peek-lock, complete, unlock, renew-lock.

use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{FromRef, Path, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::Router;
use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};

use super::api::{split_entity, stored, SbMessage};
use super::area::ServiceBusArea;
use super::{auth, StoredMessage, DEAD_LETTER_QUEUE};

/// Longest a receive waits for a message.
const MAX_WAIT: Duration = Duration::from_secs(5);

/// The namespace's REST routes, relative to `{base}/servicebus`.
pub(crate) fn routes<S>() -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    ServiceBusArea: FromRef<S>,
{
    Router::new().route("/{*path}", any(handle))
}

/// Service Bus's REST error body.
fn error(status: StatusCode, detail: impl std::fmt::Display) -> Response {
    let body = format!(
        "<Error><Code>{}</Code><Detail>{}. TrackingId:{}</Detail></Error>",
        status.as_u16(),
        detail,
        uuid::Uuid::new_v4()
    );
    (
        status,
        [(http::header::CONTENT_TYPE, "application/xml; charset=utf-8")],
        body,
    )
        .into_response()
}

async fn handle(
    State(area): State<ServiceBusArea>,
    method: Method,
    Path(path): Path<String>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    // Nested under /servicebus, so `uri` lacks the prefix the signature covers.
    let full_path = format!("/servicebus/{path}");
    if let Err(reason) = auth::authorize(&area, &headers, &full_path) {
        tracing::info!(path = %full_path, %reason, "service bus request refused");
        return error(StatusCode::UNAUTHORIZED, format!("Unauthorized: {reason}"));
    }
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let (entity, rest) = match segments.as_slice() {
        [queue, sub, rest @ ..] if sub.eq_ignore_ascii_case(DEAD_LETTER_QUEUE) => {
            (format!("{queue}/{DEAD_LETTER_QUEUE}"), rest)
        }
        [queue, rest @ ..] => (queue.to_string(), rest),
        [] => return error(StatusCode::NOT_FOUND, "No entity in the path"),
    };
    match (method, rest) {
        (Method::POST, ["messages"]) => send(&area, &entity, &headers, body),
        (Method::POST, ["messages", "head"]) => receive(&area, &entity, timeout(&uri)).await,
        (Method::DELETE, ["messages", id, lock]) => settle(&area, &entity, id, lock, Settle::Complete),
        (Method::PUT, ["messages", id, lock]) => settle(&area, &entity, id, lock, Settle::Unlock),
        (Method::POST, ["messages", id, lock]) => settle(&area, &entity, id, lock, Settle::Renew),
        _ => error(StatusCode::NOT_FOUND, format!("No such operation on '{entity}'")),
    }
}

fn timeout(uri: &Uri) -> Duration {
    let secs = uri
        .query()
        .and_then(|q| url::form_urlencoded::parse(q.as_bytes()).find(|(k, _)| k == "timeout"))
        .and_then(|(_, v)| v.parse::<u64>().ok())
        .unwrap_or(60);
    Duration::from_secs(secs).min(MAX_WAIT)
}

fn gone(entity: &str) -> Response {
    error(
        StatusCode::GONE,
        format!("The messaging entity '{entity}' could not be found"),
    )
}

fn send(area: &ServiceBusArea, entity: &str, headers: &HeaderMap, body: Bytes) -> Response {
    let (queue, dead) = split_entity(entity);
    if dead {
        return error(StatusCode::BAD_REQUEST, "Cannot send to a dead-letter sub-queue");
    }
    let broker: Map<String, Value> = match headers.get("brokerproperties").map(|v| v.to_str()) {
        None => Map::new(),
        Some(Ok(text)) => match serde_json::from_str(text) {
            Ok(map) => map,
            Err(e) => return error(StatusCode::BAD_REQUEST, format!("BrokerProperties is not JSON: {e}")),
        },
        Some(Err(_)) => return error(StatusCode::BAD_REQUEST, "BrokerProperties is not text"),
    };
    let text = |k: &str| broker.get(k).and_then(Value::as_str).map(str::to_string);
    let mut properties = Map::new();
    for (name, value) in headers {
        let n = name.as_str();
        if matches!(
            n,
            "authorization" | "content-type" | "content-length" | "brokerproperties" | "host" | "accept"
        ) || n.starts_with("x-ms-")
        {
            continue;
        }
        let Ok(v) = value.to_str() else { continue };
        properties.insert(
            n.to_string(),
            serde_json::from_str(v).unwrap_or_else(|_| Value::String(v.to_string())),
        );
    }
    let message = SbMessage {
        body: body.to_vec(),
        message_id: text("MessageId"),
        session_id: text("SessionId"),
        correlation_id: text("CorrelationId"),
        properties,
    };
    let now = Utc::now();
    let mut sb = area.service_bus();
    let seq = sb.next_sequence_number();
    let Some(q) = sb.queues.get_mut(queue) else {
        return gone(queue);
    };
    if q.settings.requires_session && message.session_id.is_none() {
        return error(
            StatusCode::BAD_REQUEST,
            format!("The SessionId was not set on a message, and it cannot be sent to the entity '{queue}'. Entities that have session support enabled can only receive messages that have the SessionId set"),
        );
    }
    let mut stored = stored(seq, message, 0);
    stored.label = text("Label");
    stored.content_type = headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    if q.is_duplicate(&stored.message_id, now) {
        tracing::debug!(queue, message_id = %stored.message_id, "duplicate message dropped");
    } else {
        q.active.push(stored);
    }
    StatusCode::CREATED.into_response()
}

async fn receive(area: &ServiceBusArea, entity: &str, wait: Duration) -> Response {
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        match try_receive(area, entity) {
            Some(response) => return response,
            None if tokio::time::Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            None => return StatusCode::NO_CONTENT.into_response(),
        }
    }
}

/// The answer to a receive: a locked message or an error; `None` while there is no message.
fn try_receive(area: &ServiceBusArea, entity: &str) -> Option<Response> {
    let (queue, dead) = split_entity(entity);
    let now = Utc::now();
    let mut sb = area.service_bus();
    sb.expire_locks(queue, now);
    let Some(q) = sb.queues.get_mut(queue) else {
        return Some(gone(entity));
    };
    if q.settings.requires_session && !dead {
        return Some(error(
            StatusCode::BAD_REQUEST,
            format!("'{queue}' requires sessions; the REST API cannot accept a session"),
        ));
    }
    let until = now + q.lock_duration();
    let messages = if dead { &mut q.dead } else { &mut q.active };
    let m = messages.iter_mut().find(|m| m.lock.is_none())?;
    m.delivery_count += 1;
    let token = uuid::Uuid::new_v4().to_string();
    m.lock = Some((token.clone(), until));
    let location = format!(
        "{}/servicebus/{entity}/messages/{}/{token}",
        area.authority.base_url, m.sequence_number
    );
    Some(delivered(m, &token, until, &location))
}

fn rfc1123(t: DateTime<Utc>) -> String {
    t.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

fn delivered(m: &StoredMessage, token: &str, until: DateTime<Utc>, location: &str) -> Response {
    let mut broker = json!({
        "DeliveryCount": m.delivery_count,
        "EnqueuedSequenceNumber": m.sequence_number,
        "EnqueuedTimeUtc": rfc1123(m.enqueued_time_utc),
        "LockToken": token,
        "LockedUntilUtc": rfc1123(until),
        "MessageId": m.message_id,
        "SequenceNumber": m.sequence_number,
        "State": "Active",
        // TimeSpan.MaxValue in seconds, what the broker shows for messages that never expire.
        "TimeToLive": 922_337_203_685.477_5,
    });
    for (key, value) in [
        ("SessionId", &m.session_id),
        ("CorrelationId", &m.correlation_id),
        ("Label", &m.label),
    ] {
        if let Some(value) = value {
            broker[key] = json!(value);
        }
    }
    let mut headers = HeaderMap::new();
    let mut put = |name: &str, value: String| {
        if let (Ok(name), Ok(value)) = (
            http::header::HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(&value),
        ) {
            headers.insert(name, value);
        }
    };
    put("BrokerProperties", broker.to_string());
    put("Location", location.to_string());
    put(
        "Content-Type",
        m.content_type
            .clone()
            .unwrap_or_else(|| "application/octet-stream".into()),
    );
    for (name, value) in &m.properties {
        put(name, value.to_string());
    }
    (StatusCode::CREATED, headers, m.body.clone()).into_response()
}

enum Settle {
    Complete,
    Unlock,
    Renew,
}

fn settle(area: &ServiceBusArea, entity: &str, id: &str, lock: &str, how: Settle) -> Response {
    let (queue, dead) = split_entity(entity);
    let now = Utc::now();
    let mut sb = area.service_bus();
    sb.expire_locks(queue, now);
    let Some(q) = sb.queues.get_mut(queue) else {
        return gone(entity);
    };
    let duration = q.lock_duration();
    let messages = if dead { &mut q.dead } else { &mut q.active };
    let Some(pos) = messages.iter().position(|m| {
        (m.sequence_number.to_string() == id || m.message_id == id)
            && m.lock.as_ref().is_some_and(|(token, _)| token == lock)
    }) else {
        return error(
            StatusCode::NOT_FOUND,
            format!("No message was found with the specified MessageId or LockToken on '{entity}'"),
        );
    };
    match how {
        Settle::Complete => {
            messages.remove(pos);
        }
        Settle::Unlock => {
            messages[pos].lock = None;
            if !dead {
                q.dead_letter_exhausted(
                    |m| m.lock.is_none(),
                    "the message was abandoned after its last allowed delivery",
                );
            }
        }
        Settle::Renew => {
            if let Some((_, until)) = messages[pos].lock.as_mut() {
                *until = now + duration;
            }
        }
    }
    StatusCode::OK.into_response()
}
