//! Throttling per class of route and per app, with a time scale.

use std::time::Duration;

use crate::support::*;
use serde_json::Value;
use tenant_sim::{RoutePattern, Scenario, SimConfig, TenantSim, ThrottleClass, SIM_RETRY_AFTER_MS};

async fn scaled_sim(scale: f64) -> TenantSim {
    TenantSim::start_with(Scenario::demo(), SimConfig::default().with_time_scale(scale))
        .await
        .unwrap()
}

fn users_class(limit: u32) -> ThrottleClass {
    ThrottleClass::new(
        "users",
        limit,
        Duration::from_secs(20),
        vec![RoutePattern::any("/v1.0/users/*")],
    )
}

#[tokio::test]
async fn limit_hit_gives_429_with_scaled_retry_after_and_counts() {
    // 0.1: the 20 s window lasts two seconds of wall-clock time.
    let sim = scaled_sim(0.1).await;
    sim.throttle().set_class(users_class(3));
    let token = graph_token(&sim);
    let url = format!("{}/v1.0/users/{ADELE}", sim.graph_url());
    for _ in 0..3 {
        assert_eq!(http().get(&url).bearer_auth(&token).send().await.unwrap().status(), 200);
    }
    let resp = http().get(&url).bearer_auth(&token).send().await.unwrap();
    assert_eq!(resp.status(), 429);
    let retry_after: u64 = resp.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=20).contains(&retry_after), "simulated seconds: {retry_after}");
    let wait_ms: u64 = resp.headers()[SIM_RETRY_AFTER_MS].to_str().unwrap().parse().unwrap();
    assert!(wait_ms <= 2000, "wall-clock wait is scaled: {wait_ms}");
    assert!(
        wait_ms as f64 <= retry_after as f64 * 0.1 * 1000.0 + 1.0,
        "consistent with Retry-After × scale"
    );
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["code"], "TooManyRequests");
    assert_eq!(
        (sim.throttle().admitted("users"), sim.throttle().throttled("users")),
        (3, 1)
    );

    // A client honours the advertised wait; that the window has slid by then is what is tested,
    // so this waits for time itself, not for an event.
    tokio::time::sleep(Duration::from_millis(wait_ms + 20)).await;
    assert_eq!(
        graph_get(&sim, &format!("/v1.0/users/{ADELE}")).await.status(),
        200,
        "window has slid"
    );
}

#[tokio::test]
async fn each_app_has_its_own_budget() {
    let sim = scaled_sim(1.0).await;
    sim.throttle().set_class(users_class(1));
    assert_eq!(graph_get(&sim, &format!("/v1.0/users/{ADELE}")).await.status(), 200);
    assert_eq!(graph_get(&sim, &format!("/v1.0/users/{ADELE}")).await.status(), 429);
    let other_app = sim.app_token(MI_CLIENT, GRAPH).unwrap();
    let resp = http()
        .get(format!("{}/v1.0/users/{ADELE}", sim.graph_url()))
        .bearer_auth(other_app)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200, "the managed identity is another app");
}

#[tokio::test]
async fn intune_write_limit_applies_to_writes_only() {
    let sim = scaled_sim(0.1).await;
    // Install a small copy of Intune's classes to keep the test fast.
    let mut writes = ThrottleClass::intune_writes();
    writes.limit = 2;
    sim.throttle().set_class(writes);
    let token = graph_token(&sim);
    let sync = format!("{}/v1.0/deviceManagement/managedDevices/d1/syncDevice", sim.graph_url());
    let mut statuses = Vec::new();
    for _ in 0..3 {
        statuses.push(
            http()
                .post(&sync)
                .bearer_auth(&token)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16(),
        );
    }
    // Device d1 does not exist (404), but the throttle runs before routing.
    assert_eq!(statuses, vec![404, 404, 429]);
    let read = format!("{}/v1.0/deviceManagement/managedDevices", sim.graph_url());
    assert_eq!(
        http().get(&read).bearer_auth(&token).send().await.unwrap().status(),
        200,
        "reads are not writes"
    );
    assert_eq!(sim.throttle().throttled("intune-write"), 1);
    assert!(sim
        .throttle()
        .classes()
        .iter()
        .any(|c| c.name == "intune" && c.limit == 2000));
}
