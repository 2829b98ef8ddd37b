//! A tiny HTTP endpoint standing in for the code under test (jitadmin's `/api/callout`): it
//! records every request and answers with a scripted status after a scripted delay.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::Router;
use serde_json::Value;
use tokio::sync::Notify;

/// One request the endpoint received.
#[derive(Debug, Clone)]
pub struct Received {
    pub path: String,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Received {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("JSON body")
    }

    pub fn authorization(&self) -> Option<String> {
        self.headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }
}

#[derive(Default)]
struct Inner {
    received: Vec<Received>,
    /// Answers to give, in order; when empty, `fallback`.
    script: VecDeque<(Duration, u16)>,
    fallback: (Duration, u16),
    /// Woken on every request.
    arrived: Arc<Notify>,
}

/// A running endpoint.
#[derive(Clone)]
pub struct Endpoint {
    inner: Arc<Mutex<Inner>>,
    pub url: String,
}

impl Endpoint {
    /// Starts an endpoint at `http://127.0.0.1:<port>/api/callout` answering 202 at once.
    pub async fn start() -> Self {
        let inner = Arc::new(Mutex::new(Inner {
            fallback: (Duration::ZERO, 202),
            ..Default::default()
        }));
        let app = Router::new().fallback(handle).with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/api/callout", listener.local_addr().unwrap());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self { inner, url }
    }

    /// Answers every request (after the scripted ones) with `status` after `delay`.
    pub fn always(&self, delay: Duration, status: u16) {
        self.inner.lock().unwrap().fallback = (delay, status);
    }

    /// The next request is answered with `status` after `delay`.
    pub fn then(&self, delay: Duration, status: u16) {
        self.inner.lock().unwrap().script.push_back((delay, status));
    }

    pub fn received(&self) -> Vec<Received> {
        self.inner.lock().unwrap().received.clone()
    }

    /// Waits until `n` requests arrived (at most 5 s).
    pub async fn wait_for(&self, n: usize) -> Vec<Received> {
        let arrived = self.inner.lock().unwrap().arrived.clone();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        loop {
            let next = arrived.notified();
            tokio::pin!(next);
            next.as_mut().enable();
            let r = self.received();
            if r.len() >= n {
                return r;
            }
            if tokio::time::timeout_at(deadline, next).await.is_err() {
                panic!("expected {n} requests, got {}", self.received().len());
            }
        }
    }
}

async fn handle(State(inner): State<Arc<Mutex<Inner>>>, uri: Uri, headers: HeaderMap, body: Bytes) -> StatusCode {
    let (delay, status) = {
        let mut i = inner.lock().unwrap();
        i.received.push(Received {
            path: uri.path().to_owned(),
            headers,
            body,
        });
        i.arrived.notify_waiters();
        let fallback = i.fallback;
        i.script.pop_front().unwrap_or(fallback)
    };
    tokio::time::sleep(delay).await;
    StatusCode::from_u16(status).unwrap()
}
