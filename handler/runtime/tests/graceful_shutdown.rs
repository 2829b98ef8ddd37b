//! SIGTERM mid-invocation: the invocation completes before the server stops.
//! Its own test binary, because it signals its own process.

use std::time::Duration;

use azfn_runtime::{service_fn, Error, Functions, Invocation, Outputs, ServerConfig};
use serde_json::Value;

async fn slow(_: Invocation<Value>) -> Result<Outputs, Error> {
    tokio::time::sleep(Duration::from_millis(800)).await;
    Ok(Outputs::new().set("out", serde_json::json!({"finished": true})))
}

#[tokio::test]
async fn sigterm_waits_for_in_flight_invocations() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let functions = Functions::new().function("slow", "tick", service_fn(slow));
    // Register the signal handler before anything signals us.
    let shutdown = azfn_runtime::shutdown_signal();
    let server = tokio::spawn(azfn_runtime::serve(
        listener,
        functions,
        ServerConfig::default(),
        shutdown,
    ));

    let client = reqwest::Client::new();
    let call = tokio::spawn(
        client
            .post(format!("http://{addr}/slow"))
            .header("content-type", "application/json")
            .body(include_str!("../testdata/timer.json"))
            .send(),
    );
    tokio::time::sleep(Duration::from_millis(200)).await;
    let status = std::process::Command::new("kill")
        .args(["-TERM", &std::process::id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());

    let response = call.await.unwrap().expect("the in-flight invocation is answered");
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["Outputs"]["out"]["finished"], true);

    tokio::time::timeout(Duration::from_secs(5), server)
        .await
        .expect("the server stops after the invocation")
        .unwrap()
        .unwrap();
    assert!(
        tokio::net::TcpStream::connect(addr).await.is_err(),
        "no longer listening"
    );
}
