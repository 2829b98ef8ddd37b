//! A minimal Functions front door for end-to-end-style tests: tenant-sim's
//! entitlement-management caller POSTs to `http://127.0.0.1:PORT/api/callout`; the door
//! turns the request into a host invocation of `callout` through the router, answers with
//! its HTTP output, and keeps the `events` messages in a queue that the test drains into
//! `process` (no duplicate detection: the ledger has to cope).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::{json, Value};

use super::invoke;

struct Door {
    router: axum::Router,
    base: String,
    queue: Mutex<Vec<Value>>,
    /// Wait this long before answering the next N callouts (after queueing), to make the
    /// caller time out and retry.
    stall: Mutex<(usize, Duration)>,
}

/// The running front door.
#[derive(Clone)]
pub struct FrontDoor {
    door: Arc<Door>,
}

impl FrontDoor {
    pub async fn start(router: axum::Router) -> FrontDoor {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let door = Arc::new(Door {
            router,
            base,
            queue: Mutex::new(Vec::new()),
            stall: Mutex::new((0, Duration::ZERO)),
        });
        let app = axum::Router::new()
            .route("/api/callout", post(callout))
            .with_state(door.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        FrontDoor { door }
    }

    /// `http://127.0.0.1:PORT/api/callout`.
    pub fn callout_url(&self) -> String {
        format!("{}/api/callout", self.door.base)
    }

    /// Answer the next `count` callouts only after `delay` (they are queued first).
    pub fn stall(&self, count: usize, delay: Duration) {
        *self.door.stall.lock().unwrap() = (count, delay);
    }

    /// Messages queued and not yet processed.
    pub fn queued(&self) -> usize {
        self.door.queue.lock().unwrap().len()
    }

    /// Deliver every queued message to `process`; returns the invocation statuses.
    pub async fn drain(&self) -> Vec<u16> {
        let messages: Vec<Value> = std::mem::take(&mut *self.door.queue.lock().unwrap());
        let mut statuses = Vec::new();
        for message in messages {
            statuses.push(invoke::process(&self.door.router, &message, 1).await.status);
        }
        statuses
    }
}

async fn callout(State(door): State<Arc<Door>>, headers: HeaderMap, body: Bytes) -> Response {
    let headers: Vec<(String, String)> = headers
        .iter()
        .filter_map(|(k, v)| Some((k.as_str().to_string(), v.to_str().ok()?.to_string())))
        .collect();
    let pairs: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let body = String::from_utf8_lossy(&body).into_owned();
    let url = format!("{}/api/callout", door.base);
    let answer = invoke::callout_at(&door.router, &url, &pairs, &body).await;
    door.queue.lock().unwrap().extend(answer.messages);
    let delay = {
        let mut stall = door.stall.lock().unwrap();
        if stall.0 > 0 {
            stall.0 -= 1;
            stall.1
        } else {
            Duration::ZERO
        }
    };
    tokio::time::sleep(delay).await;
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, axum::Json(json!(answer.body))).into_response()
}
