//! A scripted mock of Graph for the client's tests: records every call, answers from per-route queues.
#![allow(dead_code)]

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Request, StatusCode};
use axum::response::Response;
use jitadmin_graph::retry::SleepFn;
use jitadmin_graph::{GraphClient, GraphConfig, RetryPolicy, StaticToken};
use serde_json::Value;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The token every test client uses; tests assert it never shows up in logs.
pub const TOKEN: &str = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.secret-test-token";

/// A recorded call.
#[derive(Debug, Clone)]
pub struct Call {
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    pub headers: HeaderMap,
    pub body: Value,
    pub at: Instant,
}

/// A scripted answer.
#[derive(Clone)]
pub enum Reply {
    Json {
        status: u16,
        headers: Vec<(String, String)>,
        body: Value,
    },
    Empty {
        status: u16,
        headers: Vec<(String, String)>,
    },
    Delay(Duration, Box<Reply>),
    /// Starts a 200 answer and breaks the connection mid-body.
    Drop,
}

impl Reply {
    pub fn json(status: u16, body: Value) -> Reply {
        Reply::Json {
            status,
            headers: Vec::new(),
            body,
        }
    }
    pub fn empty(status: u16) -> Reply {
        Reply::Empty {
            status,
            headers: Vec::new(),
        }
    }
    /// A Graph error body with the given code, and a request-id header.
    pub fn error(status: u16, code: &str) -> Reply {
        Reply::Json {
            status,
            headers: vec![("request-id".into(), format!("rid-{status}"))],
            body: serde_json::json!({"error": {"code": code, "message": format!("{code} happened"),
                "innerError": {"request-id": format!("rid-{status}"), "client-request-id": "crid-from-body", "date": "2025-06-30T08:12:44"}}}),
        }
    }
    pub fn header(self, name: &str, value: &str) -> Reply {
        match self {
            Reply::Json {
                status,
                mut headers,
                body,
            } => {
                headers.push((name.into(), value.into()));
                Reply::Json { status, headers, body }
            }
            Reply::Empty { status, mut headers } => {
                headers.push((name.into(), value.into()));
                Reply::Empty { status, headers }
            }
            other => other,
        }
    }
}

#[derive(Default)]
struct State {
    calls: Vec<Call>,
    script: HashMap<String, VecDeque<Reply>>,
}

/// The mock server.
#[derive(Clone)]
pub struct Mock {
    pub base: String,
    state: Arc<Mutex<State>>,
}

impl Mock {
    pub async fn start() -> Mock {
        let state = Arc::new(Mutex::new(State::default()));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let s = state.clone();
        let app = axum::Router::new().fallback(move |req: Request<Body>| {
            let s = s.clone();
            async move { handle(s, req).await }
        });
        tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });
        Mock { base, state }
    }

    /// Queues an answer for `METHOD path` (a path with a query matches that exact query first).
    pub fn on(&self, method: &str, path_and_query: &str, reply: Reply) -> &Self {
        let key = format!("{} {}", method.to_ascii_uppercase(), path_and_query);
        self.state
            .lock()
            .unwrap()
            .script
            .entry(key)
            .or_default()
            .push_back(reply);
        self
    }

    pub fn calls(&self) -> Vec<Call> {
        self.state.lock().unwrap().calls.clone()
    }

    pub fn calls_to(&self, method: &str, path: &str) -> Vec<Call> {
        self.calls()
            .into_iter()
            .filter(|c| c.method == method && c.path == path)
            .collect()
    }

    /// A client against this mock that records its waits instead of sleeping.
    pub fn client(&self, retry: RetryPolicy) -> (GraphClient, Arc<Mutex<Vec<Duration>>>) {
        self.client_with(GraphConfig { retry, ..self.config() })
    }

    pub fn config(&self) -> GraphConfig {
        GraphConfig {
            base_url: self.base.clone(),
            timeout: Duration::from_secs(5),
            retry: fast_policy(),
            intune_limits: None,
            ..GraphConfig::default()
        }
    }

    pub fn client_with(&self, config: GraphConfig) -> (GraphClient, Arc<Mutex<Vec<Duration>>>) {
        let (sleep, waits) = recording_sleep();
        let client = GraphClient::builder(StaticToken::new(TOKEN))
            .config(config)
            .sleep_fn(sleep)
            .build()
            .expect("client");
        (client, waits)
    }
}

/// The default policy without jitter on Retry-After, so waits can be asserted exactly.
pub fn fast_policy() -> RetryPolicy {
    RetryPolicy {
        retry_after_jitter: Duration::ZERO,
        ..RetryPolicy::default()
    }
}

/// A sleep that records the wait and returns at once.
pub fn recording_sleep() -> (SleepFn, Arc<Mutex<Vec<Duration>>>) {
    let waits = Arc::new(Mutex::new(Vec::new()));
    let w = waits.clone();
    let sleep: SleepFn = Arc::new(move |d| {
        w.lock().unwrap().push(d);
        Box::pin(async {})
    });
    (sleep, waits)
}

async fn handle(state: Arc<Mutex<State>>, req: Request<Body>) -> Response {
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, 10 << 20).await.unwrap_or_default();
    let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    let method = parts.method.as_str().to_string();
    let path = parts.uri.path().to_string();
    let query = parts.uri.query().map(str::to_string);
    let reply = {
        let mut s = state.lock().unwrap();
        s.calls.push(Call {
            method: method.clone(),
            path: path.clone(),
            query: query.clone(),
            headers: parts.headers,
            body,
            at: Instant::now(),
        });
        let full = format!(
            "{method} {}",
            parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or(&path)
        );
        let plain = format!("{method} {path}");
        let from = |s: &mut State, k: &str| s.script.get_mut(k).and_then(|q| q.pop_front());
        from(&mut s, &full).or_else(|| from(&mut s, &plain))
    };
    let reply = reply.unwrap_or_else(|| Reply::error(404, "noScriptedAnswer"));
    render(reply).await
}

fn render(reply: Reply) -> std::pin::Pin<Box<dyn std::future::Future<Output = Response> + Send>> {
    Box::pin(async move {
        match reply {
            Reply::Json { status, headers, body } => {
                let mut r = Response::builder()
                    .status(status)
                    .header("content-type", "application/json");
                for (k, v) in headers {
                    r = r.header(k, v);
                }
                r.body(Body::from(body.to_string())).expect("response")
            }
            Reply::Empty { status, headers } => {
                let mut r = Response::builder().status(status);
                for (k, v) in headers {
                    r = r.header(k, v);
                }
                r.body(Body::empty()).expect("response")
            }
            Reply::Delay(d, inner) => {
                tokio::time::sleep(d).await;
                render(*inner).await
            }
            Reply::Drop => {
                let chunks: Vec<Result<Bytes, std::io::Error>> = vec![
                    Ok(Bytes::from_static(b"{\"value\": [")),
                    Err(std::io::Error::other("connection dropped")),
                ];
                Response::builder()
                    .status(StatusCode::OK)
                    .header("content-type", "application/json")
                    .body(Body::from_stream(futures::stream::iter(chunks)))
                    .expect("response")
            }
        }
    })
}
