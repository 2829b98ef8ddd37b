//! `$batch`: items dispatched through the full stack (recorded, throttled, faulted per item),
//! Graph's limits and refusals.

use crate::support::*;
use serde_json::{json, Value};
use tenant_sim::{FaultKind, FaultRule, RoutePattern, TenantSim, ThrottleClass};

const DEVICES: [&str; 3] = [
    "33333333-0000-4000-8000-000000000001",
    "33333333-0000-4000-8000-000000000003",
    "33333333-0000-4000-8000-000000000005",
];

fn sync_items(devices: &[&str]) -> Value {
    let requests: Vec<Value> = devices
        .iter()
        .enumerate()
        .map(|(i, d)| {
            json!({ "id": (i + 1).to_string(), "method": "POST",
                    "url": format!("/deviceManagement/managedDevices/{d}/syncDevice") })
        })
        .collect();
    json!({ "requests": requests })
}

async fn post_batch(sim: &TenantSim, body: &Value) -> reqwest::Response {
    http()
        .post(format!("{}/v1.0/$batch", sim.graph_url()))
        .bearer_auth(graph_token(sim))
        .json(body)
        .send()
        .await
        .unwrap()
}

fn statuses(body: &Value) -> Vec<u64> {
    body["responses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_u64().unwrap())
        .collect()
}

#[tokio::test]
async fn each_item_runs_through_the_routes_and_is_recorded() {
    let sim = demo().await;
    let mut body = sync_items(&DEVICES);
    body["requests"]
        .as_array_mut()
        .unwrap()
        .push(json!({ "id": "u", "method": "GET", "url": format!("/users/{ALEX}?$select=id,department") }));
    let r = post_batch(&sim, &body).await;
    assert_eq!(r.status(), 200);
    let got: Value = r.json().await.unwrap();
    assert_eq!(statuses(&got), vec![204, 204, 204, 200]);
    assert_eq!(got["responses"][0]["id"], "1");
    assert!(got["responses"][0].get("body").is_none());
    assert_eq!(got["responses"][3]["body"]["department"], "Finance");
    assert!(got["responses"][3]["headers"]["Content-Type"]
        .as_str()
        .unwrap()
        .starts_with("application/json"));
    assert_eq!(sim.device_syncs().len(), 3);
    let inner = sim.calls_to("POST", "/v1.0/deviceManagement/managedDevices/");
    assert_eq!(inner.len(), 3);
    assert!(inner
        .iter()
        .all(|c| c.app_id.as_deref() == Some(JITADMIN_APP) && c.status == Some(204)));
    sim.shutdown().await;
}

#[tokio::test]
async fn throttled_items_get_their_own_429_and_retry_after() {
    let sim = demo().await;
    let mut writes = ThrottleClass::intune_writes();
    writes.limit = 2;
    sim.throttle().set_class(writes);
    let r = post_batch(&sim, &sync_items(&DEVICES)).await;
    assert_eq!(r.status(), 200, "the envelope succeeds");
    let got: Value = r.json().await.unwrap();
    assert_eq!(statuses(&got), vec![204, 204, 429]);
    let throttled = &got["responses"][2];
    let retry_after: u64 = throttled["headers"]["Retry-After"].as_str().unwrap().parse().unwrap();
    assert!(retry_after >= 1);
    assert!(throttled["headers"]["x-sim-retry-after-ms"].is_string());
    assert_eq!(throttled["body"]["error"]["code"], "TooManyRequests");
    sim.shutdown().await;
}

#[tokio::test]
async fn faults_apply_per_item() {
    let sim = demo().await;
    let path = format!("/v1.0/deviceManagement/managedDevices/{}/syncDevice", DEVICES[1]);
    sim.faults().inject(FaultRule::new(
        RoutePattern::new("POST", &path),
        FaultKind::ServiceUnavailable { retry_after: Some(7) },
    ));
    let got: Value = post_batch(&sim, &sync_items(&DEVICES)).await.json().await.unwrap();
    assert_eq!(statuses(&got), vec![204, 503, 204]);
    assert_eq!(got["responses"][1]["headers"]["Retry-After"], "7");
    sim.shutdown().await;
}

#[tokio::test]
async fn more_than_twenty_items_or_duplicate_ids_are_refused() {
    let sim = demo_recording().await;
    let devices = vec![DEVICES[0]; 21];
    let r = post_batch(&sim, &sync_items(&devices)).await;
    assert_eq!(r.status(), 400);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "Request_BadRequest");
    let dup = json!({ "requests": [
        { "id": "a", "method": "GET", "url": "/users/x" },
        { "id": "A", "method": "GET", "url": "/users/y" } ] });
    assert_eq!(post_batch(&sim, &dup).await.status(), 400);
    assert!(sim.device_syncs().is_empty(), "nothing ran");
    let anonymous = http()
        .post(format!("{}/v1.0/$batch", sim.graph_url()))
        .json(&sync_items(&DEVICES))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
    sim.shutdown().await;
}

#[tokio::test]
async fn an_item_whose_dependency_failed_gets_424() {
    let sim = demo().await;
    let body = json!({ "requests": [
        { "id": "1", "method": "POST", "url": "/deviceManagement/managedDevices/missing/syncDevice" },
        { "id": "2", "method": "POST", "url": format!("/deviceManagement/managedDevices/{}/syncDevice", DEVICES[0]),
          "dependsOn": ["1"] } ] });
    let got: Value = post_batch(&sim, &body).await.json().await.unwrap();
    assert_eq!(statuses(&got), vec![404, 424]);
    sim.shutdown().await;
}
