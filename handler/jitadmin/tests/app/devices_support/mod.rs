//! Test support for the device loop: an App whose Graph is tenant-sim (devices, syncs,
//! groups, delta, subscriptions, entitlement management), an in-memory store, and a front
//! door serving `/api/notifications` over loopback HTTP so the sim's handshakes and
//! notifications reach the real function. Queued messages are kept for [`Loop::drain`].
#![allow(dead_code)]

use std::sync::{Arc, Mutex};

use crate::harness::Harness;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use azfn_runtime::testing::{HttpInvocation, ServiceBusInvocation, TestHost, TestResponse, TimerInvocation};
use azfn_runtime::OutputMessage;
use jitadmin::app::App;
use serde_json::Value;
use tenant_sim::{Scenario, TenantSim};

/// The demo tenant's admin group (the access package's resource group).
pub const ADMIN_GROUP: &str = "22222222-0000-4000-8000-000000000001";
/// The demo access package.
pub const PACKAGE: &str = "55555555-0000-4000-8000-000000000001";
/// The clientState the tests configure.
pub const CLIENT_STATE: &str = "test-client-state-0123456789";
/// A user with one Windows device (FIN-LT-042) and an iPhone.
pub const ALEX: &str = "11111111-0000-4000-8000-000000000005";
/// FIN-LT-042.
pub const ALEX_WINDOWS: &str = "33333333-0000-4000-8000-000000000001";
/// The admin group's member in the demo tenant (IT-LT-001), without an assignment.
pub const IT_ADMIN: &str = "11111111-0000-4000-8000-000000000002";

/// The app, the sim and the door.
pub struct Loop {
    pub sim: TenantSim,
    pub app: Arc<App>,
    pub router: axum::Router,
    door: Arc<Door>,
}

struct Door {
    router: axum::Router,
    queued: Mutex<Vec<Value>>,
}

/// What `notifications` answered.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: Value,
    pub body: String,
    pub messages: Vec<Value>,
}

/// Start with the watch on the admin group and `overrides` (a `""` value unsets one).
pub async fn start(overrides: &[(&str, &str)]) -> Loop {
    start_in(Scenario::demo(), overrides).await
}

/// Like [`start`], in another tenant.
pub async fn start_in(scenario: Scenario, overrides: &[(&str, &str)]) -> Loop {
    let sim = TenantSim::start(scenario).await.expect("tenant-sim");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let built = Harness::on_sim(&sim)
        .setting("JITADMIN_GRAPH_MAX_ATTEMPTS", "3")
        .setting("JITADMIN_WATCH_GROUPS", ADMIN_GROUP)
        .setting("JITADMIN_WATCH_ACCESS_PACKAGES", PACKAGE)
        .setting(
            "JITADMIN_NOTIFICATION_URL",
            &format!("{base}/api/notifications?code=test-key"),
        )
        .setting("JITADMIN_CLIENT_STATE", CLIENT_STATE)
        .settings(overrides.iter().copied())
        .build()
        .await;
    let (app, router) = (built.app, built.router);
    let door = Arc::new(Door {
        router: router.clone(),
        queued: Mutex::new(Vec::new()),
    });
    let http = axum::Router::new()
        .route("/api/notifications", post(notifications))
        .with_state(door.clone());
    tokio::spawn(async move { axum::serve(listener, http).await });
    Loop { sim, app, router, door }
}

async fn notifications(
    State(door): State<Arc<Door>>,
    RawQuery(query): RawQuery,
    _h: HeaderMap,
    body: Bytes,
) -> Response {
    let answer = invoke_notifications(
        &door.router,
        query.as_deref().unwrap_or(""),
        &String::from_utf8_lossy(&body),
    )
    .await;
    door.queued.lock().unwrap().extend(answer.messages.clone());
    let mut response = (StatusCode::from_u16(answer.status).unwrap(), answer.body).into_response();
    if let Some(ct) = answer.headers["Content-Type"].as_str() {
        response.headers_mut().insert("content-type", ct.parse().unwrap());
    }
    response
}

fn host(router: &axum::Router) -> TestHost {
    TestHost::from_router(router.clone())
}

/// The problem of a failed invocation, else its outputs.
fn reply_of(reply: &TestResponse) -> Value {
    match &reply.problem {
        Some(problem) => serde_json::to_value(problem).unwrap_or(Value::Null),
        None => Value::Object(reply.outputs.clone()),
    }
}

/// Invoke `notifications` as the host does, with a raw (encoded) query string and a body.
pub async fn invoke_notifications(router: &axum::Router, raw_query: &str, body: &str) -> Answer {
    let url = "https://jitadmin.example.net/api/notifications";
    let mut request = HttpInvocation::post(url).header("Content-Type", "application/json");
    for (name, value) in url::form_urlencoded::parse(raw_query.as_bytes()) {
        request = request.query(&name, &value);
    }
    if !body.is_empty() {
        request = request.text(body);
    }
    let id = format!("inv-notifications-{}", uuid::Uuid::new_v4());
    let reply = host(router).invoke_with_id("notifications", &id, request).await;
    assert!(
        reply.succeeded(),
        "the notifications invocation itself succeeds: {:?}",
        reply.problem
    );
    let res = reply.http("res").expect("an HTTP answer");
    Answer {
        status: res.status_code,
        headers: serde_json::to_value(&res.headers).unwrap_or(Value::Null),
        body: res.body.clone(),
        messages: reply.messages("events").iter().map(OutputMessage::to_value).collect(),
    }
}

/// Deliver a queued message to `process`; the invocation's status (200 = completed).
pub async fn process(router: &axum::Router, message: &Value, delivery_count: u32) -> (u16, Value) {
    let delivery =
        ServiceBusInvocation::from_output(&OutputMessage::from_value(message)).delivery_count(delivery_count);
    let id = format!("inv-process-{}", uuid::Uuid::new_v4());
    let reply = host(router).invoke_with_id("process", &id, delivery).await;
    (reply.status, reply_of(&reply))
}

/// Run the `maintain` timer once; the invocation's status and reply.
pub async fn maintain(router: &axum::Router) -> (u16, Value) {
    let id = format!("inv-maintain-{}", uuid::Uuid::new_v4());
    let reply = host(router)
        .invoke_with_id("maintain", &id, TimerInvocation::new().binding("tick"))
        .await;
    (reply.status, reply_of(&reply))
}

impl Loop {
    /// Messages the door's `notifications` queued so far (taken).
    pub fn take_queued(&self) -> Vec<Value> {
        std::mem::take(&mut *self.door.queued.lock().unwrap())
    }

    /// Deliver every queued message to `process`; their statuses.
    pub async fn drain(&self) -> Vec<u16> {
        let mut statuses = Vec::new();
        for message in self.take_queued() {
            statuses.push(process(&self.router, &message, 1).await.0);
        }
        statuses
    }

    /// Audit actions about `user`, in order.
    pub async fn actions(&self, user: &str) -> Vec<String> {
        let trail = self.app.store().audit_by_user(user).await.unwrap();
        trail.into_iter().map(|r| r.event.action).collect()
    }

    /// The `syncDevice` calls the sim received, by device id.
    pub fn synced(&self) -> Vec<String> {
        self.sim.device_syncs().into_iter().map(|s| s.device_id).collect()
    }
}
