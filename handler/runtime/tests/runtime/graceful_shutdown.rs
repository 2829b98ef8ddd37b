//! SIGTERM mid-invocation: the invocation completes before the server stops.
//!
//! The test signals its own process. That is safe among the other tests of this binary:
//! `shutdown_signal()` installs the SIGTERM handler before the signal is sent, and once
//! installed it stays for the life of the process, so SIGTERM no longer terminates it.

use std::sync::Arc;
use std::time::Duration;

use azfn_runtime::{service_fn, Error, Functions, Invocation, Outputs, ServerConfig};
use serde_json::{json, Value};
use tokio::sync::{oneshot, Notify};

use crate::support::{init_logs, post_over_socket, TIMER_ENVELOPE};

#[tokio::test]
async fn sigterm_waits_for_in_flight_invocations() {
    init_logs();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (started, release) = (Arc::new(Notify::new()), Arc::new(Notify::new()));
    let slow = {
        let (started, release) = (started.clone(), release.clone());
        service_fn(move |_: Invocation<Value>| {
            let (started, release) = (started.clone(), release.clone());
            async move {
                started.notify_one();
                release.notified().await;
                Ok::<_, Error>(Outputs::new().set("out", json!({"finished": true})))
            }
        })
    };
    let functions = Functions::new().function("slow", "tick", slow);
    // Listening for SIGTERM from here on, before anything sends it.
    let signal = azfn_runtime::shutdown_signal();
    let (stopping, stopping_seen) = oneshot::channel();
    let shutdown = async move {
        signal.await;
        let _ = stopping.send(());
    };
    let server = tokio::spawn(azfn_runtime::serve(
        listener,
        functions,
        ServerConfig::default(),
        shutdown,
    ));

    let call = tokio::spawn(post_over_socket(addr, "/slow", "inv-graceful", TIMER_ENVELOPE));
    started.notified().await;
    let status = std::process::Command::new("kill")
        .args(["-TERM", &std::process::id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    stopping_seen.await.expect("the shutdown signal resolves on SIGTERM");
    assert!(!server.is_finished(), "the server stopped with an invocation in flight");

    release.notify_one();
    let (status, body) = call.await.unwrap().expect("the in-flight invocation is answered");
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["Outputs"]["out"]["finished"], true);

    tokio::time::timeout(Duration::from_secs(10), server)
        .await
        .expect("the server stops after the invocation")
        .unwrap()
        .unwrap();
    assert!(
        tokio::net::TcpStream::connect(addr).await.is_err(),
        "no longer listening"
    );
}
