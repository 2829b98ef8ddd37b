//! Spawn mode: the handler executable is started as the host starts it, waited for,
//! and restarted when it dies.

use std::path::PathBuf;
use std::time::Duration;

use crate::support::*;
use azfn_local::LocalHost;
use serde_json::{json, Value};

/// `target/<profile>/examples/test-handler`, built by `cargo test` with the tests.
fn test_handler_exe() -> PathBuf {
    let deps = std::env::current_exe().unwrap().parent().unwrap().to_owned();
    let exe = deps
        .parent()
        .unwrap()
        .join("examples")
        .join(format!("test-handler{}", std::env::consts::EXE_SUFFIX));
    assert!(
        exe.is_file(),
        "{} is missing: run `cargo test -p azfn-local`, which builds the examples",
        exe.display()
    );
    exe
}

fn http_fn(route: &str) -> Value {
    json!({"bindings": [
        {"type": "httpTrigger", "direction": "in", "name": "req", "authLevel": "anonymous", "route": route},
        {"type": "http", "direction": "out", "name": "res"}
    ]})
}

async fn pid(base: &str) -> u64 {
    let response = client().get(format!("{base}/api/pid")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    response.json::<Value>().await.unwrap()["pid"].as_u64().unwrap()
}

#[tokio::test]
async fn the_handler_is_started_from_host_json_and_restarted_after_it_dies() {
    let dir = tempfile::tempdir().unwrap();
    let mut host_json = host_json();
    host_json["customHandler"] = json!({"description": {"defaultExecutablePath": test_handler_exe(), "arguments": []}});
    write_app(
        dir.path(),
        host_json,
        &[("pid", http_fn("pid")), ("crash", http_fn("crash"))],
    );
    let host = LocalHost::builder()
        .app_root(dir.path())
        .http_port(0)
        .startup_timeout(Duration::from_secs(10))
        .start()
        .await
        .unwrap();
    let handler = host.handler_url().await.unwrap();
    assert!(handler.starts_with("http://127.0.0.1:"), "{handler}");
    let base = host.front_door_url();
    let first = pid(&base).await;
    assert_ne!(first as u32, std::process::id(), "the handler runs in its own process");

    let response = client().get(format!("{base}/api/crash")).send().await.unwrap();
    assert_eq!(response.status(), 500, "an invocation that kills the handler fails");
    // Until the supervisor sees the exit, calls may still go to the dead process and
    // fail, as on the real host; then the restarted handler answers.
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    let second = loop {
        let response = client().get(format!("{base}/api/pid")).send().await.unwrap();
        if response.status() == 200 {
            break response.json::<Value>().await.unwrap()["pid"].as_u64().unwrap();
        }
        assert!(std::time::Instant::now() < deadline, "the handler was not restarted");
        tokio::time::sleep(Duration::from_millis(25)).await;
    };
    assert_ne!(first, second, "a new handler process answers after the restart");
    host.shutdown().await;
}

#[tokio::test]
async fn a_handler_that_cannot_start_fails_start_up_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let mut host_json = host_json();
    host_json["customHandler"] = json!({"description": {"defaultExecutablePath": "/nonexistent/handler"}});
    write_app(dir.path(), host_json, &[("pid", http_fn("pid"))]);
    let err = LocalHost::builder()
        .app_root(dir.path())
        .http_port(0)
        .start()
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("/nonexistent/handler") && text.contains("giving up after 3"),
        "{text}"
    );
}

#[cfg(unix)]
#[tokio::test]
async fn an_invocation_that_times_out_restarts_the_handler() {
    let dir = tempfile::tempdir().unwrap();
    // A relative executable path resolves against the app root, as on the host.
    std::os::unix::fs::symlink(test_handler_exe(), dir.path().join("handler")).unwrap();
    let mut host_json = host_json();
    host_json["customHandler"] = json!({"description": {"defaultExecutablePath": "handler"}});
    write_app(
        dir.path(),
        host_json,
        &[("pid", http_fn("pid")), ("sleep", http_fn("sleep"))],
    );
    let host = LocalHost::builder()
        .app_root(dir.path())
        .http_port(0)
        .function_timeout(Duration::from_millis(300))
        .start()
        .await
        .unwrap();
    let base = host.front_door_url();
    let first = pid(&base).await;
    let response = client().get(format!("{base}/api/sleep")).send().await.unwrap();
    assert_eq!(response.status(), 500, "a timed-out invocation fails");
    let second = pid(&base).await;
    assert_ne!(first, second, "the worker is restarted after a timeout, as on the host");
    host.shutdown().await;
}
