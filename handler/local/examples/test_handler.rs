//! The custom handler azfn-local's own tests run: built on azfn-runtime, usable
//! in-process (`functions(recorder)`) or as a spawned executable (this file's `main`).
//!
//! | function | trigger | does |
//! |---|---|---|
//! | `ingest` | HTTP `items/{tenant}` | answers 202 and sends `{"azfnMessage": …}` with messageId = body `id`, sessionId = tenant |
//! | `work` | Service Bus | records the message; fails while `DeliveryCount <= fail_times` (unless healed), sleeps `sleep_ms`, hangs on the first delivery when `hang` |
//! | `echo` | HTTP | answers the envelope it received as `$return` |
//! | `tick` | timer | records the `TimerInfo` |
//! | `pid` | HTTP | answers the process id |
//! | `crash` | HTTP | exits the process |
//! | `sleep` | HTTP | takes 30 s |

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use azfn_runtime::{
    service_fn, Error, Functions, HttpRequest, HttpResponse, Invocation, OutputMessage, Outputs, ServiceBusMessage,
    TimerInfo,
};
use serde_json::{json, Value};

/// One invocation the handler saw.
#[derive(Debug, Clone)]
pub struct Seen {
    pub function: String,
    pub envelope: Value,
    pub message: Option<ServiceBusMessage>,
    pub timer: Option<TimerInfo>,
    pub started: Instant,
    pub ended: Option<Instant>,
}

/// What the in-process handler saw, for assertions.
#[derive(Debug, Clone, Default)]
pub struct Recorder {
    seen: Arc<Mutex<Vec<Seen>>>,
    changed: Arc<tokio::sync::Notify>,
    healed: Arc<AtomicBool>,
}

impl Recorder {
    fn push(&self, seen: Seen) -> usize {
        let mut all = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        all.push(seen);
        self.changed.notify_waiters();
        all.len() - 1
    }

    fn end(&self, index: usize) {
        let mut all = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        all[index].ended = Some(Instant::now());
        self.changed.notify_waiters();
    }

    /// Every invocation so far.
    pub fn all(&self) -> Vec<Seen> {
        self.seen.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Invocations of one function so far.
    pub fn of(&self, function: &str) -> Vec<Seen> {
        self.all().into_iter().filter(|s| s.function == function).collect()
    }

    /// Make `work` succeed from now on.
    pub fn heal(&self) {
        self.healed.store(true, Ordering::SeqCst);
    }

    /// Wait until `done` holds for the invocations seen (panics after `timeout`).
    pub async fn wait_until(&self, timeout: Duration, what: &str, done: impl Fn(&[Seen]) -> bool) -> Vec<Seen> {
        let deadline = Instant::now() + timeout;
        loop {
            let notified = self.changed.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            let all = self.all();
            if done(&all) {
                return all;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(
                !left.is_zero(),
                "timed out waiting for {what}; seen: {:#?}",
                all.iter().map(|s| (&s.function, &s.envelope)).collect::<Vec<_>>()
            );
            let _ = tokio::time::timeout(left.min(Duration::from_millis(50)), notified).await;
        }
    }
}

fn envelope_of<T>(event: &Invocation<T>) -> Value {
    serde_json::to_value(&event.request).unwrap_or_default()
}

/// The functions, recording into `recorder`.
pub fn functions(recorder: Recorder) -> Functions {
    let r = recorder.clone();
    let ingest = service_fn(move |event: Invocation<HttpRequest>| {
        let r = r.clone();
        async move {
            let index = r.push(Seen {
                function: "ingest".into(),
                envelope: envelope_of(&event),
                message: None,
                timer: None,
                started: Instant::now(),
                ended: None,
            });
            let body: Value = serde_json::from_slice(event.trigger.body.as_deref().unwrap_or(b"{}"))?;
            let tenant = event.trigger.params.get("tenant").cloned().unwrap_or_default();
            let id = body.get("id").and_then(Value::as_str).unwrap_or("no-id").to_owned();
            let message = OutputMessage::new(&body)
                .message_id(&id)
                .session_id(&tenant)
                .property("tenant", tenant.clone());
            r.end(index);
            Ok::<_, Error>(
                Outputs::new()
                    .http(
                        "res",
                        HttpResponse::json(202, &json!({"accepted": id, "tenant": tenant})),
                    )
                    .message("outMsg", message),
            )
        }
    });
    let r = recorder.clone();
    let work = service_fn(move |event: Invocation<ServiceBusMessage>| {
        let r = r.clone();
        async move {
            let message = event.trigger.clone();
            let index = r.push(Seen {
                function: "work".into(),
                envelope: envelope_of(&event),
                message: Some(message.clone()),
                timer: None,
                started: Instant::now(),
                ended: None,
            });
            let delivery = message.delivery_count.unwrap_or(0);
            if let Some(ms) = message.body.get("sleep_ms").and_then(Value::as_u64) {
                tokio::time::sleep(Duration::from_millis(ms)).await;
            }
            if message.body.get("hang").and_then(Value::as_bool) == Some(true) && delivery == 1 {
                std::future::pending::<()>().await;
            }
            r.end(index);
            let fail_times = message.body.get("fail_times").and_then(Value::as_i64).unwrap_or(0);
            if delivery <= fail_times && !r.healed.load(Ordering::SeqCst) {
                return Err(Error::from(format!("work failed on delivery {delivery} on purpose")));
            }
            Ok::<_, Error>(Outputs::new())
        }
    });
    let r = recorder.clone();
    let echo = service_fn(move |event: Invocation<Value>| {
        let r = r.clone();
        async move {
            let envelope = envelope_of(&event);
            tracing::info!(params = %envelope["Data"]["req"]["Params"], "echo called");
            r.push(Seen {
                function: "echo".into(),
                envelope: envelope.clone(),
                message: None,
                timer: None,
                started: Instant::now(),
                ended: Some(Instant::now()),
            });
            Ok::<_, Error>(Outputs::new().return_value(HttpResponse::json(200, &envelope)))
        }
    });
    let r = recorder.clone();
    let tick = service_fn(move |event: Invocation<TimerInfo>| {
        let r = r.clone();
        async move {
            r.push(Seen {
                function: "tick".into(),
                envelope: envelope_of(&event),
                message: None,
                timer: Some(event.trigger.clone()),
                started: Instant::now(),
                ended: Some(Instant::now()),
            });
            Ok::<_, Error>(Outputs::new())
        }
    });
    let pid = service_fn(|_: Invocation<Value>| async {
        Ok::<_, Error>(Outputs::new().http("res", HttpResponse::json(200, &json!({"pid": std::process::id()}))))
    });
    let crash = service_fn(|_: Invocation<Value>| async {
        std::process::exit(3);
        #[allow(unreachable_code)]
        Ok::<_, Error>(Outputs::new())
    });
    let sleep = service_fn(|_: Invocation<Value>| async {
        tokio::time::sleep(Duration::from_secs(30)).await;
        Ok::<_, Error>(Outputs::new())
    });
    Functions::new()
        .function("sleep", "req", sleep)
        .function("ingest", "req", ingest)
        .function("work", "msg", work)
        .function("echo", "req", echo)
        .function("tick", "timer", tick)
        .function("pid", "req", pid)
        .function("crash", "req", crash)
}

/// Serve the functions on 127.0.0.1:0 in this process; returns the base URL.
#[allow(dead_code)]
pub async fn serve_in_process(recorder: Recorder) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(azfn_runtime::serve(
        listener,
        functions(recorder),
        azfn_runtime::ServerConfig::default(),
        std::future::pending(),
    ));
    url
}

#[allow(dead_code)]
#[tokio::main]
async fn main() -> Result<(), Error> {
    azfn_runtime::run(functions(Recorder::default())).await?;
    Ok(())
}
