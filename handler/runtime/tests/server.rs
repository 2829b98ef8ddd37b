//! The server's answers to good and bad invocations, through the router (no socket).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::body::Body;
use azfn_runtime::{
    service_fn, Error, Functions, HttpRequest, HttpResponse, Invocation, OutputMessage, Outputs, Problem, ServerConfig,
    ServiceBusMessage,
};
use http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;

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

/// Held by the test that captures logs: tracing caches a callsite's interest globally, so a
/// callsite first hit on another test's thread (no subscriber) while that test sets its
/// subscriber up could stay disabled for it.
static LOGS: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

async fn send(router: axum::Router, request: Request<Body>) -> (StatusCode, String, Value) {
    let _serial = LOGS.lock().await;
    send_unserialised(router, request).await
}

async fn send_unserialised(router: axum::Router, request: Request<Body>) -> (StatusCode, String, Value) {
    let response = router.oneshot(request).await.unwrap();
    let status = response.status();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        content_type,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

fn post(path: &str, content_type: &str, body: impl Into<Body>) -> Request<Body> {
    Request::post(path)
        .header("content-type", content_type)
        .header("x-azure-functions-invocationid", "inv-1")
        .body(body.into())
        .unwrap()
}

const HTTP_ENVELOPE: &str = include_str!("../testdata/http-post-json-body.json");

#[tokio::test]
async fn readiness_answers_get_root() {
    let (status, _, body) = send(app(1024), Request::get("/").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["status"], "ready");
}

#[tokio::test]
async fn http_function_answers_with_outputs_and_logs() {
    let _serial = LOGS.lock().await;
    let _guard = tracing::subscriber::set_default(tracing_subscriber::layer::SubscriberExt::with(
        tracing_subscriber::registry(),
        azfn_runtime::InvocationLogLayer::new(),
    ));
    tracing::callsite::rebuild_interest_cache();
    let (status, content_type, body) =
        send_unserialised(app(1 << 20), post("/echo", "application/json", HTTP_ENVELOPE)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(content_type, "application/json");
    assert_eq!(body["Outputs"]["res"]["statusCode"], 202);
    let inner: Value = serde_json::from_str(body["Outputs"]["res"]["body"].as_str().unwrap()).unwrap();
    assert_eq!(inner["id"], "inv-1");
    assert_eq!(inner["body"], "{\"stage\":\"ConnectionTest\"}");
    let out = body["Outputs"]["out"].as_array().unwrap();
    assert_eq!(out.len(), 2, "two messages become an array");
    assert_eq!(out[0]["azfnMessage"]["messageId"], "m1");
    assert_eq!(out[0]["azfnMessage"]["sessionId"], "s1");
    assert_eq!(out[1]["azfnMessage"]["body"]["n"], 2);
    let logs: Vec<&str> = body["Logs"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(
        logs.iter()
            .any(|l| l.contains("echo called") && l.contains("path=/api/callout")),
        "{logs:?}"
    );
    assert!(body["ReturnValue"].is_null());
}

#[tokio::test]
async fn function_error_is_a_500_problem_so_the_message_is_retried() {
    let envelope = include_str!("../testdata/servicebus-plain.json");
    let (status, content_type, body) = send(app(1 << 20), post("/failing", "application/json", envelope)).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(content_type, "application/problem+json");
    assert_eq!(body["type"], "urn:azfn:problem:function-failed");
    assert_eq!(body["detail"], "the store is unreachable");
    assert_eq!(body["invocationId"], "inv-1");
}

#[tokio::test]
async fn a_problem_error_keeps_its_status() {
    let envelope = include_str!("../testdata/timer.json");
    let (status, _, body) = send(app(1 << 20), post("/later", "application/json", envelope)).await;
    assert_eq!(status, StatusCode::NOT_IMPLEMENTED);
    assert_eq!(body["title"], "Not implemented yet");
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
async fn missing_binding_is_400_problem() {
    let (status, _, body) = send(
        app(1 << 20),
        post("/echo", "application/json", "{\"Data\":{},\"Metadata\":{}}"),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["detail"], "the invocation has no input binding named 'req'");
}

#[tokio::test]
async fn wrong_method_on_a_function_is_405_problem() {
    let (status, _, _) = send(app(1024), Request::get("/echo").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
}

static IN_FLIGHT: AtomicUsize = AtomicUsize::new(0);
static MAX_IN_FLIGHT: AtomicUsize = AtomicUsize::new(0);

async fn slow(_: Invocation<Value>) -> Result<Outputs, Error> {
    let now = IN_FLIGHT.fetch_add(1, Ordering::SeqCst) + 1;
    MAX_IN_FLIGHT.fetch_max(now, Ordering::SeqCst);
    tokio::time::sleep(Duration::from_millis(100)).await;
    IN_FLIGHT.fetch_sub(1, Ordering::SeqCst);
    Ok(Outputs::new())
}

#[tokio::test]
async fn invocations_run_concurrently() {
    let _serial = LOGS.lock().await;
    let router = azfn_runtime::router(
        Functions::new().function("slow", "tick", service_fn(slow)),
        ServerConfig::default(),
    );
    let envelope = include_str!("../testdata/timer.json");
    let calls = (0..8).map(|_| send_unserialised(router.clone(), post("/slow", "application/json", envelope)));
    for (status, _, _) in futures::future::join_all(calls).await {
        assert_eq!(status, StatusCode::OK);
    }
    assert!(MAX_IN_FLIGHT.load(Ordering::SeqCst) > 1, "invocations were serialised");
}

async fn correlated(_: Invocation<Value>) -> Result<Outputs, Error> {
    tracing::info!("before the event is read");
    azfn_runtime::record_field("event_kind", "order");
    azfn_runtime::record_field("request_id", "R-1");
    azfn_runtime::record_field("user", "u-1");
    tracing::info!("after the event is read");
    Ok(Outputs::new())
}

#[tokio::test]
async fn lines_after_the_event_is_read_carry_its_ids_and_one_summary_line_ends_the_invocation() {
    let _guard = tracing::subscriber::set_default(tracing_subscriber::layer::SubscriberExt::with(
        tracing_subscriber::registry(),
        azfn_runtime::InvocationLogLayer::new(),
    ));
    let router = azfn_runtime::router(
        Functions::new().function("correlated", "req", service_fn(correlated)),
        ServerConfig::default(),
    );
    let (status, _, body) = send(router, post("/correlated", "application/json", HTTP_ENVELOPE)).await;
    assert_eq!(status, StatusCode::OK);
    let logs: Vec<&str> = body["Logs"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(logs.len(), 3, "{logs:?}");
    assert!(!logs[0].contains("request_id"), "{logs:?}");
    assert!(
        logs[1].contains("after the event is read")
            && logs[1].contains("event_kind=order")
            && logs[1].contains("request_id=R-1")
            && logs[1].contains("user=u-1"),
        "{logs:?}"
    );
    assert!(
        logs[2].contains("invocation finished")
            && logs[2].contains("outcome=succeeded")
            && logs[2].contains("duration_ms=")
            && logs[2].contains("request_id=R-1"),
        "{logs:?}"
    );
}
