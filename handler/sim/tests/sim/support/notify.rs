//! A stand-in for jitadmin's `notifications` function: answers Graph's validation handshake
//! (configurably wrong) and records notification POSTs.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Router;
use serde_json::Value;
use tokio::sync::Notify;

/// How the endpoint answers a handshake.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Handshake {
    /// 200, text/plain, the decoded token.
    Echo,
    /// 200 with the still-encoded token.
    EchoEncoded,
    /// 500.
    Fail,
    /// Echo after a delay.
    Slow(Duration),
}

struct Inner {
    handshake: Handshake,
    notification_delay: Duration,
    notifications: Vec<(String, Value)>,
    tokens: Vec<String>,
    /// Woken on every notification POST.
    arrived: Arc<Notify>,
}

/// A running notification endpoint.
#[derive(Clone)]
pub struct NotifyEndpoint {
    inner: Arc<Mutex<Inner>>,
    pub base: String,
}

impl NotifyEndpoint {
    pub async fn start(handshake: Handshake) -> Self {
        let inner = Arc::new(Mutex::new(Inner {
            handshake,
            notification_delay: Duration::ZERO,
            notifications: Vec::new(),
            tokens: Vec::new(),
            arrived: Arc::default(),
        }));
        let app = Router::new().fallback(handle).with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self { inner, base }
    }

    /// `{base}/api/notifications?code=k` (a Functions key in the query, as in production).
    pub fn url(&self) -> String {
        format!("{}/api/notifications?code=k", self.base)
    }

    pub fn lifecycle_url(&self) -> String {
        format!("{}/api/lifecycle", self.base)
    }

    pub fn delay_notifications(&self, d: Duration) {
        self.inner.lock().unwrap().notification_delay = d;
    }

    /// Validation tokens received (decoded).
    pub fn tokens(&self) -> Vec<String> {
        self.inner.lock().unwrap().tokens.clone()
    }

    /// Notification bodies received, with the raw query they came with.
    pub fn notifications(&self) -> Vec<(String, Value)> {
        self.inner.lock().unwrap().notifications.clone()
    }

    /// Waits until `n` notification POSTs arrived (at most 3 s).
    pub async fn wait_for_notifications(&self, n: usize) -> Vec<(String, Value)> {
        let arrived = self.inner.lock().unwrap().arrived.clone();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(3);
        loop {
            let next = arrived.notified();
            tokio::pin!(next);
            next.as_mut().enable();
            let got = self.notifications();
            if got.len() >= n {
                return got;
            }
            if tokio::time::timeout_at(deadline, next).await.is_err() {
                panic!("expected {n} notifications, got {}", self.notifications().len());
            }
        }
    }
}

async fn handle(State(inner): State<Arc<Mutex<Inner>>>, RawQuery(raw): RawQuery, body: Bytes) -> Response {
    let raw = raw.unwrap_or_default();
    let token = url::form_urlencoded::parse(raw.as_bytes())
        .find(|(k, _)| k == "validationToken")
        .map(|(_, v)| v.into_owned());
    if let Some(token) = token {
        let mode = {
            let mut i = inner.lock().unwrap();
            i.tokens.push(token.clone());
            i.handshake
        };
        return match mode {
            Handshake::Echo => ([("content-type", "text/plain")], token).into_response(),
            Handshake::EchoEncoded => {
                let encoded: String = url::form_urlencoded::byte_serialize(token.as_bytes()).collect();
                ([("content-type", "text/plain")], encoded).into_response()
            }
            Handshake::Fail => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
            Handshake::Slow(d) => {
                tokio::time::sleep(d).await;
                ([("content-type", "text/plain")], token).into_response()
            }
        };
    }
    let delay = {
        let mut i = inner.lock().unwrap();
        let json = serde_json::from_slice(&body).unwrap_or(Value::Null);
        i.notifications.push((raw, json));
        i.arrived.notify_waiters();
        i.notification_delay
    };
    tokio::time::sleep(delay).await;
    StatusCode::ACCEPTED.into_response()
}
