//! The server's answers to good and bad invocations, through the router (no socket).

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use azfn_runtime::testing::{HttpInvocation, ServiceBusInvocation, TestHost, TimerInvocation};
use azfn_runtime::{
    service_fn, Error, Functions, HttpRequest, HttpResponse, Invocation, InvocationRequest, OutputMessage, Outputs,
    Problem, ServerConfig, ServiceBusMessage,
};
use http::{Request, StatusCode};
use serde_json::{json, Value};
use tokio::sync::Barrier;
use tower::ServiceExt;

use crate::support::{init_logs, HTTP_ENVELOPE};

async fn echo(event: Invocation<HttpRequest>) -> Result<Outputs, Error> {
    tracing::info!(path = event.trigger.path(), "echo called");
    let body =
        json!({"method": event.trigger.method, "body": event.trigger.body_text(), "id": event.context.invocation_id});
    Ok(Outputs::new()
        .http("res", HttpResponse::json(202, &body))
        .message(
            "out",
            OutputMessage::new(json!({"n": 1})).message_id("m1").session_id("s1"),
        )
        .message("out", OutputMessage::new(json!({"n": 2}))))
}

async fn failing(_: Invocation<ServiceBusMessage>) -> Result<Outputs, Error> {
    tracing::warn!("about to fail");
    Err("the store is unreachable".into())
}

async fn not_yet(_: Invocation<Value>) -> Result<Outputs, Error> {
    Err(Problem::new("not-implemented", "Not implemented yet", 501).into())
}

fn functions() -> Functions {
    Functions::new()
        .function("echo", "req", service_fn(echo))
        .function("failing", "msg", service_fn(failing))
        .function("later", "tick", service_fn(not_yet))
}

fn app(limit: usize) -> axum::Router {
    azfn_runtime::router(functions(), ServerConfig { body_limit: limit })
}

/// Send a hand-made request, for the answers to what the host never sends.
async fn send(router: axum::Router, request: Request<Body>) -> (StatusCode, String, Value) {
    let response = router.oneshot(request).await.unwrap();
    let status = response.status();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
    (
        status,
        content_type,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

fn post(path: &str, content_type: &str, body: impl Into<Body>) -> Request<Body> {
    Request::post(path)
        .header("content-type", content_type)
        .header("x-azure-functions-invocationid", "inv-server")
        .body(body.into())
        .unwrap()
}

#[tokio::test]
async fn readiness_answers_get_root() {
    let (status, _, body) = send(app(1024), Request::get("/").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["status"], "ready");
}

#[tokio::test]
async fn http_function_answers_with_outputs_and_logs() {
    init_logs();
    let host = TestHost::new(functions());
    let reply = host
        .invoke_with_id(
            "echo",
            "inv-echo",
            HttpInvocation::post("https://example.net/api/callout?tenant=contoso")
                .json(&json!({"stage": "ConnectionTest"})),
        )
        .await;
    assert!(reply.succeeded(), "{reply:?}");
    let res = reply.http("res").unwrap();
    assert_eq!(res.status_code, 202);
    assert_eq!(res.headers["Content-Type"], "application/json");
    let inner: Value = res.json_body().unwrap();
    assert_eq!(inner["id"], "inv-echo");
    assert_eq!(inner["method"], "POST");
    assert_eq!(inner["body"], "{\"stage\":\"ConnectionTest\"}");
    let out = reply.messages("out");
    assert_eq!(out.len(), 2, "two messages become an array");
    assert_eq!(out[0].envelope().message_id.as_deref(), Some("m1"));
    assert_eq!(out[0].envelope().session_id.as_deref(), Some("s1"));
    assert_eq!(out[1].envelope().body["n"], 2);
    assert!(
        reply
            .logs
            .iter()
            .any(|l| l.contains("echo called") && l.contains("path=/api/callout")),
        "{:?}",
        reply.logs
    );
    assert!(reply.return_value.is_none());
}

#[tokio::test]
async fn a_host_fixture_is_answered_like_a_built_invocation() {
    init_logs();
    let envelope: InvocationRequest = serde_json::from_str(HTTP_ENVELOPE).unwrap();
    let reply = TestHost::new(functions()).invoke("echo", envelope).await;
    assert!(reply.succeeded(), "{reply:?}");
    let inner: Value = reply.http("res").unwrap().json_body().unwrap();
    assert_eq!(inner["body"], "{\"stage\":\"ConnectionTest\"}");
}

#[tokio::test]
async fn function_error_is_a_500_problem_so_the_message_is_retried() {
    init_logs();
    let reply = TestHost::new(functions())
        .invoke_with_id("failing", "inv-failing", ServiceBusInvocation::new(&json!({"n": 1})))
        .await;
    assert_eq!(reply.status, 500);
    let problem = reply.problem.as_ref().unwrap();
    assert_eq!(problem.kind, "urn:azfn:problem:function-failed");
    assert_eq!(problem.detail.as_deref(), Some("the store is unreachable"));
    assert_eq!(problem.extensions["invocationId"], "inv-failing");
    assert!(reply.logged("about to fail"), "{:?}", reply.logs);
    assert!(reply.logged("outcome=failed"), "{:?}", reply.logs);
}

#[tokio::test]
async fn a_problem_error_keeps_its_status() {
    init_logs();
    let reply = azfn_runtime::testing::invoke(&functions(), "later", TimerInvocation::new().binding("tick")).await;
    assert_eq!(reply.status, 501);
    assert_eq!(reply.problem.unwrap().title, "Not implemented yet");
}

#[tokio::test]
async fn unknown_function_is_404_problem() {
    let (status, content_type, body) = send(app(1024), post("/nope", "application/json", "{}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(content_type, "application/problem+json");
    assert_eq!(body["function"], "nope");
}

#[tokio::test]
async fn invalid_json_is_400_problem() {
    let (status, content_type, body) = send(app(1024), post("/echo", "application/json", "{not json")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(content_type, "application/problem+json");
    assert_eq!(body["type"], "urn:azfn:problem:invalid-json");
    assert!(body["detail"].as_str().unwrap().contains("line 1"), "{body}");
}

#[tokio::test]
async fn wrong_content_type_is_415_problem() {
    let (status, _, body) = send(app(1024), post("/echo", "text/plain", HTTP_ENVELOPE)).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(body["type"], "urn:azfn:problem:unsupported-media-type");
}

#[tokio::test]
async fn oversized_body_is_413_problem() {
    let big = format!("{{\"Data\":{{\"req\":\"{}\"}},\"Metadata\":{{}}}}", "x".repeat(4096));
    let (status, _, body) = send(app(1024), post("/echo", "application/json", big)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(body["detail"].as_str().unwrap().contains("1024"));
}

#[tokio::test]
async fn a_functions_own_body_limit_applies_to_it_alone() {
    let capped = azfn_runtime::router(
        functions().body_limit("later", 1024),
        ServerConfig { body_limit: 1 << 20 },
    );
    let big = format!("{{\"Data\":{{\"req\":\"{}\"}},\"Metadata\":{{}}}}", "x".repeat(4096));
    let (status, _, body) = send(capped.clone(), post("/later", "application/json", big.clone())).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(body["detail"].as_str().unwrap().contains("1024"));
    let (status, _, _) = send(capped, post("/echo", "application/json", big)).await;
    assert_ne!(status, StatusCode::PAYLOAD_TOO_LARGE, "echo keeps the server's limit");
}

#[tokio::test]
async fn missing_binding_is_400_problem() {
    init_logs();
    let reply = TestHost::new(functions())
        .invoke(
            "echo",
            HttpInvocation::get("https://example.net/api/echo").binding("request"),
        )
        .await;
    assert_eq!(reply.status, 400);
    assert_eq!(
        reply.problem.unwrap().detail.as_deref(),
        Some("the invocation has no input binding named 'req'")
    );
}

#[tokio::test]
async fn wrong_method_on_a_function_is_405_problem() {
    let (status, _, _) = send(app(1024), Request::get("/echo").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invocations_run_concurrently() {
    init_logs();
    // Each invocation waits at the barrier for the other: serialised, neither would finish.
    let barrier = Arc::new(Barrier::new(2));
    let meet = service_fn(move |_: Invocation<Value>| {
        let barrier = barrier.clone();
        async move {
            barrier.wait().await;
            Ok::<_, Error>(Outputs::new())
        }
    });
    let host = TestHost::new(Functions::new().function("meet", "timer", meet));
    let calls = futures::future::join(
        host.invoke("meet", TimerInvocation::new()),
        host.invoke("meet", TimerInvocation::new()),
    );
    let (a, b) = tokio::time::timeout(Duration::from_secs(10), calls)
        .await
        .expect("both invocations reached the barrier, so they ran at the same time");
    assert!(a.succeeded() && b.succeeded(), "{a:?} {b:?}");
}
