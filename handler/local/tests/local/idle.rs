//! `LocalHost::wait_idle`: it returns once queued messages, invocations and timer runs are
//! over, and not while one is in progress. The handler's functions block on a gate the test
//! opens, and announce when they start, so the tests know the work is in progress.

use std::time::{Duration, Instant};

use crate::support::*;
use azfn_local::{Handler, LocalHost, NewMessage};
use azfn_runtime::{
    service_fn, Error, Functions, HttpRequest, HttpResponse, Invocation, OutputMessage, Outputs, ServiceBusMessage,
    TimerInfo,
};
use serde_json::{json, Value};
use tokio::sync::{mpsc, watch};

/// Functions that wait until the gate opens: `job` (Service Bus on `jobs`) and `tick` (timer).
/// `enqueue` (HTTP) sends one message to `jobs` and one to `elsewhere`, which nothing reads.
struct Gated {
    open: watch::Sender<bool>,
    entered: mpsc::UnboundedReceiver<String>,
    url: String,
}

impl Gated {
    async fn serve() -> Gated {
        let (open, gate) = watch::channel(false);
        let (enter, entered) = mpsc::unbounded_channel();
        let blocked = |name: &'static str| {
            let (gate, enter) = (gate.clone(), enter.clone());
            move || {
                let (mut gate, enter) = (gate.clone(), enter.clone());
                async move {
                    let _ = enter.send(name.to_owned());
                    let _ = gate.wait_for(|open| *open).await;
                    Ok::<_, Error>(Outputs::new())
                }
            }
        };
        let job = blocked("job");
        let tick = blocked("tick");
        let functions = Functions::new()
            .function(
                "enqueue",
                "req",
                service_fn(|_: Invocation<HttpRequest>| async {
                    Ok::<_, Error>(
                        Outputs::new()
                            .http("res", HttpResponse::json(202, &json!({})))
                            .message("jobs", OutputMessage::new(json!({"n": 1})))
                            .message("elsewhere", OutputMessage::new(json!({"n": 2}))),
                    )
                }),
            )
            .function("job", "msg", service_fn(move |_: Invocation<ServiceBusMessage>| job()))
            .function("tick", "timer", service_fn(move |_: Invocation<TimerInfo>| tick()));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(azfn_runtime::serve(
            listener,
            functions,
            azfn_runtime::ServerConfig::default(),
            std::future::pending(),
        ));
        Gated { open, entered, url }
    }

    /// Wait until `function` has started (and is blocked on the gate).
    async fn started(&mut self, function: &str) {
        let name = tokio::time::timeout(Duration::from_secs(10), self.entered.recv())
            .await
            .expect("a function starts")
            .expect("the handler runs");
        assert_eq!(name, function);
    }
}

fn enqueue_fn() -> Value {
    json!({"bindings": [
        {"type": "httpTrigger", "direction": "in", "name": "req", "authLevel": "anonymous", "route": "enqueue"},
        {"type": "http", "direction": "out", "name": "res"},
        {"type": "serviceBus", "direction": "out", "name": "jobs", "queueName": "jobs", "connection": "SB"},
        {"type": "serviceBus", "direction": "out", "name": "elsewhere", "queueName": "elsewhere", "connection": "SB"}
    ]})
}

fn job_fn() -> Value {
    json!({"bindings": [
        {"type": "serviceBusTrigger", "direction": "in", "name": "msg", "queueName": "jobs", "connection": "SB"}
    ]})
}

fn tick_fn() -> Value {
    json!({"bindings": [
        {"type": "timerTrigger", "direction": "in", "name": "timer", "schedule": "0 0 0 1 1 *", "runOnStartup": true}
    ]})
}

async fn start(root: &std::path::Path, gated: &Gated, functions: &[(&str, Value)]) -> LocalHost {
    write_app(root, host_json(), functions);
    LocalHost::builder()
        .app_root(root)
        .handler(Handler::Url(gated.url.clone()))
        .http_port(0)
        .start()
        .await
        .unwrap()
}

#[tokio::test]
async fn wait_idle_returns_once_a_queued_message_is_handled_and_not_while_it_is_in_flight() {
    let dir = tempfile::tempdir().unwrap();
    let mut gated = Gated::serve().await;
    let host = start(dir.path(), &gated, &[("enqueue", enqueue_fn()), ("job", job_fn())]).await;
    host.wait_idle(Duration::from_secs(5))
        .await
        .expect("a fresh host is idle");
    let mark = host.idle_mark().expect("idle");
    let mut records = host.invocations();

    let answer = client()
        .post(format!("{}/api/enqueue", host.front_door_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 202);
    gated.started("job").await;

    // The message is locked and its invocation runs: not idle.
    assert!(!host.is_idle());
    let busy = host.wait_idle(Duration::from_millis(200)).await.unwrap_err();
    assert_eq!(busy.invocations, 1, "{busy}");
    assert_eq!(busy.queues.len(), 1, "{busy}");
    assert_eq!(
        (busy.queues[0].name.as_str(), busy.queues[0].locked),
        ("jobs", 1),
        "{busy}"
    );
    assert!(busy.to_string().contains("queue 'jobs'"), "{busy}");

    gated.open.send_replace(true);
    let released = Instant::now();
    host.wait_idle(Duration::from_secs(10))
        .await
        .expect("idle once the job is done");
    assert!(released.elapsed() < Duration::from_secs(5), "returned promptly");
    let jobs = host.queues().queues().unwrap();
    let jobs = jobs.iter().find(|q| q.name == "jobs").unwrap();
    assert_eq!((jobs.active, jobs.locked), (0, 0));
    let mut done = Vec::new();
    while let Ok(record) = records.try_recv() {
        assert!(record.succeeded(), "{record:?}");
        done.push(record.function);
    }
    assert_eq!(done, ["enqueue", "job"], "both invocations were over when it returned");
    assert!(!host.idle_since(mark), "work ran since the first mark");
    let again = host.idle_mark().expect("idle again");
    assert!(host.idle_since(again));

    // The message to `elsewhere` waits for a reader this app does not have: not work here.
    let elsewhere = host.queues().queues().unwrap();
    let elsewhere = elsewhere.iter().find(|q| q.name == "elsewhere").unwrap();
    assert_eq!(elsewhere.active, 1);
    host.shutdown().await;
}

#[tokio::test]
async fn a_message_sent_to_the_store_directly_is_work_until_handled() {
    let dir = tempfile::tempdir().unwrap();
    let mut gated = Gated::serve().await;
    let host = start(dir.path(), &gated, &[("job", job_fn())]).await;
    host.queues().send("jobs", NewMessage::bytes("{}")).unwrap();
    let busy = host.wait_idle(Duration::from_millis(100)).await.unwrap_err();
    assert_eq!(busy.queues.len(), 1, "{busy}");
    gated.started("job").await;
    assert!(!host.is_idle());
    gated.open.send_replace(true);
    host.wait_idle(Duration::from_secs(10))
        .await
        .expect("idle once handled");
    host.shutdown().await;
}

#[tokio::test]
async fn wait_idle_waits_for_a_timer_run_in_progress() {
    let dir = tempfile::tempdir().unwrap();
    let mut gated = Gated::serve().await;
    let host = start(dir.path(), &gated, &[("tick", tick_fn())]).await;
    gated.started("tick").await;
    let busy = host.wait_idle(Duration::from_millis(200)).await.unwrap_err();
    assert_eq!((busy.timer_runs, busy.invocations), (1, 1), "{busy}");
    assert!(busy.queues.is_empty(), "{busy}");

    let mut records = host.invocations();
    gated.open.send_replace(true);
    host.wait_idle(Duration::from_secs(10))
        .await
        .expect("idle after the run");
    let record = records.try_recv().expect("the run was over when it returned");
    assert_eq!(record.function, "tick");
    host.shutdown().await;
}

#[tokio::test]
async fn the_front_door_serves_on_a_listener_the_caller_bound() {
    let dir = tempfile::tempdir().unwrap();
    let gated = Gated::serve().await;
    write_app(dir.path(), host_json(), &[("enqueue", enqueue_fn())]);
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let host = LocalHost::builder()
        .app_root(dir.path())
        .handler(Handler::Url(gated.url.clone()))
        .http_listener(listener)
        .start()
        .await
        .unwrap();
    assert_eq!(host.front_door_addr(), addr);
    let answer = client()
        .post(format!("http://{addr}/api/enqueue"))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 202);
    host.shutdown().await;
}
