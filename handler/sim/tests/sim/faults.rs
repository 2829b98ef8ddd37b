//! One test per injected fault kind.

use std::time::{Duration, Instant};

use crate::support::*;
use serde_json::Value;
use tenant_sim::{FaultKind, FaultRule, RoutePattern};

fn users_route() -> RoutePattern {
    RoutePattern::new("GET", "/v1.0/users/*")
}

#[tokio::test]
async fn too_many_requests_is_sent_with_retry_after() {
    let sim = demo().await;
    sim.faults().inject(FaultRule::new(
        users_route(),
        FaultKind::TooManyRequests { retry_after: Some(7) },
    ));
    let resp = graph_get(&sim, &format!("/v1.0/users/{ADELE}")).await;
    assert_eq!(resp.status(), 429);
    assert_eq!(resp.headers()["retry-after"], "7");
    assert!(resp.headers().contains_key("request-id"));
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["code"], "TooManyRequests");
    assert_eq!(body["error"]["innerError"]["code"], "429");
    assert_eq!(
        graph_get(&sim, &format!("/v1.0/users/{ADELE}")).await.status(),
        200,
        "only the next call"
    );
}

#[tokio::test]
async fn too_many_requests_can_come_without_retry_after() {
    let sim = demo().await;
    sim.faults()
        .inject(FaultRule::new(users_route(), FaultKind::TooManyRequests { retry_after: None }).times(2));
    for _ in 0..2 {
        let resp = graph_get(&sim, &format!("/v1.0/users/{ADELE}")).await;
        assert_eq!(resp.status(), 429);
        assert!(!resp.headers().contains_key("retry-after"));
    }
    assert_eq!(graph_get(&sim, &format!("/v1.0/users/{ADELE}")).await.status(), 200);
    assert_eq!(sim.faults().injected(), 2);
}

#[tokio::test]
async fn internal_server_error_is_sent_until_cleared() {
    let sim = demo().await;
    sim.faults()
        .inject(FaultRule::new(RoutePattern::any("/v1.0/groups/*"), FaultKind::InternalServerError).always());
    for _ in 0..3 {
        let resp = graph_get(&sim, &format!("/v1.0/groups/{ADMINS}")).await;
        assert_eq!(resp.status(), 500);
        let body: Value = resp.json().await.unwrap();
        assert_eq!(body["error"]["code"], "generalException");
    }
    assert_eq!(
        graph_get(&sim, &format!("/v1.0/users/{ADELE}")).await.status(),
        200,
        "other routes unaffected"
    );
    sim.faults().clear();
    assert_eq!(graph_get(&sim, &format!("/v1.0/groups/{ADMINS}")).await.status(), 200);
}

#[tokio::test]
async fn service_unavailable_is_sent_with_optional_retry_after() {
    let sim = demo().await;
    sim.faults().inject(FaultRule::new(
        users_route(),
        FaultKind::ServiceUnavailable { retry_after: Some(3) },
    ));
    let resp = graph_get(&sim, &format!("/v1.0/users/{ADELE}")).await;
    assert_eq!(resp.status(), 503);
    assert_eq!(resp.headers()["retry-after"], "3");
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["code"], "serviceNotAvailable");
}

#[tokio::test]
async fn latency_delays_the_response_then_serves_it() {
    let sim = demo().await;
    sim.faults().inject(FaultRule::new(
        users_route(),
        FaultKind::Latency(Duration::from_millis(300)),
    ));
    let started = Instant::now();
    let resp = graph_get(&sim, &format!("/v1.0/users/{ADELE}")).await;
    assert_eq!(resp.status(), 200);
    assert!(started.elapsed() >= Duration::from_millis(300));
}

#[tokio::test]
async fn dropped_connection_gets_no_response() {
    let sim = demo().await;
    sim.faults()
        .inject(FaultRule::new(users_route(), FaultKind::DropConnection));
    let err = http()
        .get(format!("{}/v1.0/users/{ADELE}", sim.graph_url()))
        .bearer_auth(graph_token(&sim))
        .timeout(Duration::from_secs(5))
        .send()
        .await
        .expect_err("the connection is closed without a response");
    assert!(!err.is_timeout(), "closed, not hung: {err:?}");
    let calls = sim.calls_to("GET", "/v1.0/users/");
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].status, None, "no status was sent");
    assert_eq!(
        graph_get(&sim, &format!("/v1.0/users/{ADELE}")).await.status(),
        200,
        "next call is served"
    );
}

#[tokio::test]
async fn faults_apply_to_the_token_endpoint_too() {
    let sim = demo().await;
    sim.faults().inject(FaultRule::new(
        RoutePattern::new("POST", "/*/oauth2/v2.0/token"),
        FaultKind::ServiceUnavailable { retry_after: None },
    ));
    let resp = http()
        .post(sim.token_url())
        .form(&[("client_id", JITADMIN_APP), ("client_secret", JITADMIN_SECRET)])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 503);
}
