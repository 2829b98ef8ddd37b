//! `TenantSim::wait_idle`: it returns once the tenant's own work (callouts, change
//! notifications) is over, and not while it is pending. The endpoint standing in for the code
//! under test holds every callout and notification until the test opens its gate, and
//! announces each arrival, so the tests know the work is in flight.

use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Router;
use chrono::Utc;
use serde_json::json;
use tenant_sim::{CalloutStatus, DeliveryKind, NewRequest, Scenario, SimConfig, Stage, StageSetting, TenantSim};
use tokio::sync::{mpsc, watch};

use crate::support::*;

const PACKAGE: &str = "55555555-0000-4000-8000-000000000001";
const POLICY: &str = "55555555-0000-4000-8000-0000000000a1";

#[derive(Clone)]
struct GateState {
    open: watch::Receiver<bool>,
    arrived: mpsc::UnboundedSender<String>,
}

/// An endpoint that echoes validation handshakes at once and holds every other POST until
/// the gate opens, then answers 202.
struct Gate {
    open: watch::Sender<bool>,
    arrived: mpsc::UnboundedReceiver<String>,
    url: String,
}

impl Gate {
    async fn start() -> Gate {
        let (open, gate) = watch::channel(false);
        let (arrive, arrived) = mpsc::unbounded_channel();
        let app = Router::new().fallback(held).with_state(GateState {
            open: gate,
            arrived: arrive,
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/api/endpoint", listener.local_addr().unwrap());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Gate { open, arrived, url }
    }

    /// Waits until a held POST has arrived; returns its body.
    async fn arrival(&mut self) -> String {
        tokio::time::timeout(Duration::from_secs(10), self.arrived.recv())
            .await
            .expect("a POST arrives")
            .expect("the endpoint runs")
    }

    fn release(&self) {
        self.open.send_replace(true);
    }
}

async fn held(State(gate): State<GateState>, RawQuery(raw): RawQuery, body: Bytes) -> Response {
    let raw = raw.unwrap_or_default();
    let token = url::form_urlencoded::parse(raw.as_bytes())
        .find(|(k, _)| k == "validationToken")
        .map(|(_, v)| v.into_owned());
    if let Some(token) = token {
        return ([("content-type", "text/plain")], token).into_response();
    }
    let _ = gate.arrived.send(String::from_utf8_lossy(&body).into_owned());
    let mut open = gate.open.clone();
    let _ = open.wait_for(|open| *open).await;
    StatusCode::ACCEPTED.into_response()
}

#[tokio::test]
async fn wait_idle_returns_once_a_callout_is_answered_and_the_stages_ran_not_before() {
    let sim = demo().await;
    let mut gate = Gate::start().await;
    sim.wait_idle(Duration::from_secs(5))
        .await
        .expect("a fresh tenant is idle");
    sim.set_stage_setting(
        POLICY,
        StageSetting::continue_at(Stage::AssignmentRequestCreated, &gate.url),
    )
    .unwrap();
    let id = sim.create_assignment_request(NewRequest::new(LEE, PACKAGE)).unwrap();
    assert!(gate.arrival().await.contains(&id));

    assert!(!sim.is_idle());
    let pending = sim.wait_idle(Duration::from_millis(200)).await.unwrap_err();
    assert!(pending.to_string().contains("1 request stage run(s)"), "{pending}");
    assert!(pending.to_string().contains("1 outbound HTTP exchange(s)"), "{pending}");

    gate.release();
    let released = Instant::now();
    sim.wait_idle(Duration::from_secs(10))
        .await
        .expect("idle once answered");
    assert!(released.elapsed() < Duration::from_secs(5), "returned promptly");
    let request = sim.assignment_request(&id).unwrap();
    assert_eq!(
        request.state, "delivered",
        "the stages ran to the grant before it returned"
    );
    assert!(request.assignment_id.is_some());
}

#[tokio::test]
async fn a_stage_waiting_for_its_resume_is_not_pending_work() {
    let sim = demo().await;
    let mut gate = Gate::start().await;
    gate.release();
    sim.set_stage_setting(
        POLICY,
        StageSetting::wait(Stage::AssignmentRequestCreated, &gate.url, Duration::from_secs(3600)),
    )
    .unwrap();
    let id = sim.create_assignment_request(NewRequest::new(LEE, PACKAGE)).unwrap();
    gate.arrival().await;
    sim.wait_idle(Duration::from_secs(10))
        .await
        .expect("idle while the request waits for its resume");
    let callout = sim.assignment_request(&id).unwrap();
    let callout = callout.callout(Stage::AssignmentRequestCreated).unwrap();
    assert_eq!(callout.status, CalloutStatus::WaitingForCallback);
    assert_eq!(callout.attempts.len(), 1, "the attempt was recorded before it returned");
}

async fn subscribe(sim: &TenantSim, url: &str) {
    let answer = http()
        .post(format!("{}/v1.0/subscriptions", sim.graph_url()))
        .bearer_auth(graph_token(sim))
        .json(&json!({
            "changeType": "updated",
            "notificationUrl": url,
            "resource": format!("groups/{ADMINS}"),
            "expirationDateTime": (Utc::now() + chrono::Duration::minutes(60)).to_rfc3339(),
            "clientState": "idle-test",
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 201);
}

#[tokio::test]
async fn wait_idle_waits_for_a_change_notification_in_flight() {
    let sim = demo().await;
    let mut gate = Gate::start().await;
    subscribe(&sim, &gate.url).await;
    sim.add_group_member(ADMINS, LEE).unwrap();
    assert!(gate.arrival().await.contains(LEE));

    let pending = sim.wait_idle(Duration::from_millis(200)).await.unwrap_err();
    assert!(pending.to_string().contains("1 notification post(s)"), "{pending}");

    gate.release();
    sim.wait_idle(Duration::from_secs(10))
        .await
        .expect("idle once delivered");
    let notifications: Vec<_> = sim
        .deliveries()
        .into_iter()
        .filter(|d| d.kind == DeliveryKind::Notification)
        .collect();
    assert_eq!(notifications.len(), 1, "recorded before it returned");
    assert!(notifications[0].accepted);
}

#[tokio::test]
async fn a_membership_change_not_yet_notified_is_pending_work() {
    let config = SimConfig {
        notification_delay: Duration::from_millis(500),
        ..SimConfig::default()
    };
    let sim = TenantSim::start_with(Scenario::demo(), config).await.unwrap();
    let gate = Gate::start().await;
    gate.release();
    subscribe(&sim, &gate.url).await;
    sim.add_group_member(ADMINS, LEE).unwrap();

    let pending = sim.wait_idle(Duration::ZERO).await.unwrap_err();
    assert!(
        pending.to_string().contains("1 membership change(s) not yet notified"),
        "{pending}"
    );
    sim.wait_idle(Duration::from_secs(10))
        .await
        .expect("idle once notified");
    assert!(sim
        .deliveries()
        .iter()
        .any(|d| d.kind == DeliveryKind::Notification && d.accepted));
}
