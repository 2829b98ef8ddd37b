//! Shared test helpers: app folders written per test, the in-process test handler.

#![allow(dead_code)]

#[path = "../../examples/test_handler.rs"]
pub mod test_handler;

use std::path::Path;
use std::time::Duration;

use azfn_local::{Handler, Keys, LocalHost, LocalHostBuilder};
use serde_json::{json, Value};

pub use test_handler::Recorder;

pub const MASTER: &str = "master-secret";
pub const DEFAULT_KEY: &str = "default-key";

/// Write `host.json` and `function-defs/<name>/function.json` for each function.
pub fn write_app(root: &Path, host: Value, functions: &[(&str, Value)]) {
    std::fs::write(root.join("host.json"), serde_json::to_vec_pretty(&host).unwrap()).unwrap();
    for (name, def) in functions {
        let dir = root.join("function-defs").join(name);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("function.json"), serde_json::to_vec_pretty(def).unwrap()).unwrap();
    }
}

pub fn host_json() -> Value {
    json!({"version": "2.0", "extensions": {"serviceBus": {"maxConcurrentCalls": 4, "maxConcurrentSessions": 4}}})
}

pub fn ingest_fn() -> Value {
    json!({"bindings": [
        {"type": "httpTrigger", "direction": "in", "name": "req", "authLevel": "function", "methods": ["post"], "route": "items/{tenant}"},
        {"type": "http", "direction": "out", "name": "res"},
        {"type": "serviceBus", "direction": "out", "name": "outMsg", "queueName": "work-items", "connection": "SB"}
    ]})
}

pub fn work_fn(sessions: bool) -> Value {
    json!({"bindings": [
        {"type": "serviceBusTrigger", "direction": "in", "name": "msg", "queueName": "work-items", "connection": "SB", "isSessionsEnabled": sessions}
    ]})
}

pub fn echo_fn(auth_level: &str) -> Value {
    json!({"bindings": [
        {"type": "httpTrigger", "direction": "in", "name": "req", "authLevel": auth_level, "route": "echo/{a}/{b:int}"},
        {"type": "http", "direction": "out", "name": "$return"}
    ]})
}

pub fn keys() -> Keys {
    Keys::default()
        .with_master(MASTER)
        .with_function_key("default", DEFAULT_KEY)
}

/// The standard app (ingest → work-items → work, echo) with the handler in-process.
pub async fn standard(root: &Path, recorder: Recorder, sessions: bool) -> LocalHostBuilder {
    write_app(
        root,
        host_json(),
        &[
            ("ingest", ingest_fn()),
            ("work", work_fn(sessions)),
            ("echo", echo_fn("anonymous")),
        ],
    );
    let url = test_handler::serve_in_process(recorder).await;
    LocalHost::builder()
        .app_root(root)
        .handler(Handler::Url(url))
        .http_port(0)
        .keys(keys())
        .lock_duration(Duration::from_millis(500))
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

/// Wait for an invocation record matching `pred`.
pub async fn wait_record(
    rx: &mut tokio::sync::broadcast::Receiver<azfn_local::InvocationRecord>,
    timeout: Duration,
    pred: impl Fn(&azfn_local::InvocationRecord) -> bool,
) -> azfn_local::InvocationRecord {
    tokio::time::timeout(timeout, async {
        loop {
            match rx.recv().await {
                Ok(r) if pred(&r) => return r,
                Ok(_) => {}
                Err(e) => panic!("invocation records ended: {e}"),
            }
        }
    })
    .await
    .expect("timed out waiting for an invocation record")
}
