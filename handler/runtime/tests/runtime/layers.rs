//! The layers every invocation runs in: panic catching and the app-declared span.

use std::time::Duration;

use azfn_runtime::testing::{HttpInvocation, ServiceBusInvocation, TestHost, TimerInvocation};
use azfn_runtime::{service_fn, Error, Functions, Invocation, OutputMessage, Outputs, ServerConfig, ServiceBusMessage};
use futures::future::BoxFuture;
use serde_json::{json, Value};
use tracing::field::Empty;
use tracing::Instrument;

use crate::support::{init_logs, post_over_socket};

async fn panics(_: Invocation<Value>) -> Result<Outputs, Error> {
    tracing::info!("about to panic");
    panic!("the store said \"no\"\nat line 2");
}

async fn fine(_: Invocation<Value>) -> Result<Outputs, Error> {
    Ok(Outputs::new().set("out", json!({"ok": true})))
}

/// A service whose synchronous part panics, before it returns a future.
fn panics_when_called(_: Invocation<Value>) -> BoxFuture<'static, Result<Outputs, Error>> {
    panic!("panicked in call");
}

fn functions() -> Functions {
    Functions::new()
        .function("panics", "timer", service_fn(panics))
        .function("panics-in-call", "timer", service_fn(panics_when_called))
        .function("fine", "timer", service_fn(fine))
}

#[tokio::test]
async fn a_panic_fails_only_its_invocation_with_a_500_problem_and_an_error_line() {
    init_logs();
    let host = TestHost::new(functions());
    let reply = host
        .invoke_with_id("panics", "inv-panics", TimerInvocation::new())
        .await;
    assert_eq!(reply.status, 500, "{reply:?}");
    let problem = reply.problem.as_ref().unwrap();
    assert_eq!(problem.kind, "urn:azfn:problem:function-panicked");
    assert_eq!(problem.extensions["invocationId"], "inv-panics");
    assert!(
        !problem.detail.as_deref().unwrap_or_default().contains("store"),
        "the panic message stays out of the reply: {problem:?}"
    );
    let line = reply
        .logs
        .iter()
        .find(|l| l.starts_with("ERROR") && l.contains("function panicked"))
        .unwrap_or_else(|| panic!("no panic line in {:?}", reply.logs));
    assert!(line.contains("function=panics"), "{line}");
    assert!(line.contains("invocation_id=inv-panics"), "{line}");
    assert!(
        line.contains(r#"panic=the store said \"no\"\nat line 2"#),
        "the message is escaped onto one line: {line}"
    );
    assert!(
        reply.logged("about to panic"),
        "lines before the panic are kept: {:?}",
        reply.logs
    );
    assert!(reply.logged("outcome=panicked"), "{:?}", reply.logs);

    let next = host.invoke("fine", TimerInvocation::new()).await;
    assert!(next.succeeded(), "{next:?}");
    assert_eq!(next.output("out"), Some(&json!({"ok": true})));
}

#[tokio::test]
async fn a_panic_before_the_future_exists_is_caught_too() {
    init_logs();
    let reply = TestHost::new(functions())
        .invoke_with_id("panics-in-call", "inv-call", TimerInvocation::new())
        .await;
    assert_eq!(reply.status, 500);
    assert!(
        reply.logged("function panicked") && reply.logged("panic=panicked in call"),
        "{:?}",
        reply.logs
    );
}

#[tokio::test]
async fn after_a_panic_the_server_keeps_answering_on_its_socket() {
    init_logs();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(azfn_runtime::serve(
        listener,
        functions(),
        ServerConfig::default(),
        async move {
            let _ = stopped.await;
        },
    ));

    let envelope = serde_json::to_string(&TimerInvocation::new().to_request()).unwrap();
    let (status, body) = post_over_socket(addr, "/panics", "inv-socket-1", &envelope)
        .await
        .expect("the host gets an answer, not a dropped connection");
    assert_eq!(status, 500, "{body}");
    assert_eq!(body["type"], "urn:azfn:problem:function-panicked");
    let (status, body) = post_over_socket(addr, "/fine", "inv-socket-2", &envelope)
        .await
        .unwrap();
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["Outputs"]["out"]["ok"], true);

    let _ = stop.send(());
    tokio::time::timeout(Duration::from_secs(10), server)
        .await
        .expect("the server stops")
        .unwrap()
        .unwrap();
}

async fn correlated(_: Invocation<Value>) -> Result<Outputs, Error> {
    tracing::info!("before the event is read");
    azfn_runtime::record_field("event_kind", "order");
    azfn_runtime::record_field("request_id", "R-1");
    azfn_runtime::record_field("undeclared", "ignored");
    tracing::info!("after the event is read");
    // Recorded from inside a nested span, the field still lands on the invocation's span.
    async {
        azfn_runtime::record_field("request_id", "R-2");
        tracing::info!("inside a nested span");
    }
    .instrument(tracing::info_span!("store"))
    .await;
    Ok(Outputs::new())
}

fn declared(function: &str, invocation_id: &str) -> tracing::Span {
    tracing::info_span!(
        "handler",
        function,
        invocation_id,
        region = "west",
        event_kind = Empty,
        request_id = Empty,
        correlation_id = Empty,
    )
}

#[tokio::test]
async fn fields_the_app_declares_appear_on_lines_once_recorded() {
    init_logs();
    let host = TestHost::new(
        Functions::new()
            .span(declared)
            .function("correlated", "timer", service_fn(correlated)),
    );
    let reply = host.invoke("correlated", TimerInvocation::new()).await;
    assert!(reply.succeeded(), "{reply:?}");
    let logs = &reply.logs;
    assert_eq!(logs.len(), 4, "{logs:?}");
    assert!(
        logs[0].contains("before the event is read") && logs[0].ends_with(" region=west"),
        "fields with a value at creation are on every line: {logs:?}"
    );
    assert!(!logs[0].contains("request_id"), "{logs:?}");
    assert!(
        logs[1].contains("after the event is read")
            && logs[1].contains("event_kind=order")
            && logs[1].contains("request_id=R-1")
            && !logs[1].contains("undeclared"),
        "{logs:?}"
    );
    assert!(
        logs[2].contains("inside a nested span") && logs[2].contains("request_id=R-2"),
        "{logs:?}"
    );
    assert!(
        logs[3].contains("invocation finished")
            && logs[3].contains("outcome=succeeded")
            && logs[3].contains("duration_ms=")
            && logs[3].contains("request_id=R-2"),
        "one summary line ends the invocation: {logs:?}"
    );
    assert!(
        logs.iter()
            .all(|l| !l.contains("function=") && !l.contains("invocation_id=")),
        "the host knows the function and invocation id: {logs:?}"
    );
}

#[tokio::test]
async fn the_default_span_has_no_app_fields() {
    init_logs();
    let reply = TestHost::new(Functions::new().function("correlated", "timer", service_fn(correlated)))
        .invoke("correlated", TimerInvocation::new())
        .await;
    assert!(reply.succeeded(), "{reply:?}");
    assert_eq!(reply.logs.len(), 4, "{:?}", reply.logs);
    assert!(
        reply
            .logs
            .iter()
            .all(|l| !l.contains("event_kind") && !l.contains("request_id")),
        "{:?}",
        reply.logs
    );
}

async fn consume(_: Invocation<ServiceBusMessage>) -> Result<Outputs, Error> {
    tracing::info!("consumed");
    Ok(Outputs::new())
}

#[tokio::test]
async fn a_service_bus_trigger_records_the_correlation_id_when_declared() {
    init_logs();
    let host = TestHost::new(
        Functions::new()
            .span(declared)
            .function("consume", "msg", service_fn(consume)),
    );
    let sent = OutputMessage::new(json!({"n": 1})).correlation_id("C-9");
    let reply = host.invoke("consume", ServiceBusInvocation::from_output(&sent)).await;
    assert!(reply.succeeded(), "{reply:?}");
    assert!(
        reply
            .logs
            .iter()
            .any(|l| l.contains("consumed") && l.contains("correlation_id=C-9")),
        "{:?}",
        reply.logs
    );
}

#[tokio::test]
async fn http_invocations_get_the_declared_span_too() {
    init_logs();
    let seen = service_fn(|event: Invocation<azfn_runtime::HttpRequest>| async move {
        azfn_runtime::record_field("request_id", event.trigger.query.get("id").map_or("", String::as_str));
        tracing::info!("seen");
        Ok::<_, Error>(Outputs::new())
    });
    let reply = TestHost::new(Functions::new().span(declared).function("seen", "req", seen))
        .invoke("seen", HttpInvocation::get("https://example.net/api/seen?id=R-7"))
        .await;
    assert!(reply.logged("seen region=west request_id=R-7"), "{:?}", reply.logs);
}
