//! Intune managed devices: listing with `$select` and paging, one device, `syncDevice` with a
//! time-scaled check-in, offline devices, and the Intune write throttle.

use std::time::Duration;

use crate::support::*;
use serde_json::Value;
use tenant_sim::{Scenario, SimConfig, TenantSim, ThrottleClass};

const ALEX_LAPTOP: &str = "33333333-0000-4000-8000-000000000001";
const ALEX_PHONE: &str = "33333333-0000-4000-8000-000000000002";

async fn sync(sim: &TenantSim, device: &str) -> reqwest::Response {
    http()
        .post(format!(
            "{}/v1.0/deviceManagement/managedDevices/{device}/syncDevice",
            sim.graph_url()
        ))
        .bearer_auth(graph_token(sim))
        .header("accept", "application/json")
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_users_devices_are_listed_with_select_and_next_links() {
    let sim = demo().await;
    let first: Value = graph_get(
        &sim,
        &format!("/v1.0/users/{ALEX}/managedDevices?$select=id,operatingSystem,lastSyncDateTime&$top=1"),
    )
    .await
    .json()
    .await
    .unwrap();
    let item = first["value"][0].as_object().unwrap();
    assert_eq!(item["id"], ALEX_LAPTOP);
    assert_eq!(item["operatingSystem"], "Windows");
    assert_eq!(item["lastSyncDateTime"], "2026-11-27T08:15:00Z");
    assert!(!item.contains_key("deviceName"), "only selected properties");
    let next = first["@odata.nextLink"].as_str().expect("nextLink");
    let second: Value = http()
        .get(next)
        .bearer_auth(graph_token(&sim))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(second["value"][0]["id"], ALEX_PHONE);
    assert!(second["value"][0].get("deviceName").is_none(), "nextLink keeps $select");
    assert!(second.get("@odata.nextLink").is_none());

    // By UPN too; unknown users are 404; Intune reads count in the intune class.
    let by_upn: Value = graph_get(&sim, "/v1.0/users/alex.wilber@contoso.example/managedDevices")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(by_upn["value"].as_array().unwrap().len(), 2);
    assert_eq!(by_upn["value"][0]["userId"], ALEX);
    assert_eq!(graph_get(&sim, "/v1.0/users/nobody/managedDevices").await.status(), 404);
    assert_eq!(sim.throttle().admitted("intune"), 4);
    sim.shutdown().await;
}

#[tokio::test]
async fn one_device_has_graphs_properties() {
    let sim = demo().await;
    let d: Value = graph_get(&sim, &format!("/beta/deviceManagement/managedDevices/{ALEX_LAPTOP}"))
        .await
        .json()
        .await
        .unwrap();
    for (k, v) in [
        ("deviceName", "FIN-LT-042"),
        ("complianceState", "compliant"),
        ("managementAgent", "mdm"),
        ("azureADDeviceId", "44444444-0000-4000-8000-000000000001"),
        ("userPrincipalName", "alex.wilber@contoso.example"),
        ("deviceEnrollmentType", "windowsAzureADJoin"),
    ] {
        assert_eq!(d[k], v, "{k}");
    }
    assert_eq!(d["deviceActionResults"], serde_json::json!([]));
    // Every property jitadmin-graph selects exists (an unknown one would be a 400).
    let select = "id,userId,deviceName,operatingSystem,osVersion,complianceState,lastSyncDateTime,\
azureADDeviceId,managementAgent,userPrincipalName,deviceEnrollmentType,deviceActionResults";
    let r = graph_get(&sim, &format!("/v1.0/users/{ALEX}/managedDevices?$select={select}")).await;
    assert_eq!(r.status(), 200);
    let missing = graph_get(&sim, "/v1.0/deviceManagement/managedDevices/nope").await;
    assert_eq!(missing.status(), 404);
    sim.shutdown().await;
}

#[tokio::test]
async fn a_synced_device_checks_in_after_the_scaled_delay() {
    // Two simulated minutes at 1/1000 speed: 120 ms.
    let sim = TenantSim::start_with(Scenario::demo(), SimConfig::default().with_time_scale(0.001))
        .await
        .unwrap();
    let before = sim.device(ALEX_LAPTOP).unwrap().last_sync_date_time.unwrap();
    assert_eq!(sync(&sim, ALEX_LAPTOP).await.status(), 204);
    let pending: Value = graph_get(&sim, &format!("/v1.0/deviceManagement/managedDevices/{ALEX_LAPTOP}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(pending["deviceActionResults"][0]["actionName"], "syncDevice");
    assert_eq!(pending["deviceActionResults"][0]["actionState"], "pending");
    assert_eq!(sim.device(ALEX_LAPTOP).unwrap().last_sync_date_time.unwrap(), before);

    eventually("the device checks in", Duration::from_secs(5), || {
        sim.device_syncs()[0].checked_in_at
    })
    .await;
    let after = sim.device(ALEX_LAPTOP).unwrap().last_sync_date_time.unwrap();
    assert!(after > before);
    let syncs = sim.device_syncs();
    assert_eq!(syncs.len(), 1);
    assert!(syncs[0].checked_in_at.is_some_and(|t| t >= syncs[0].requested_at));
    let done: Value = graph_get(&sim, &format!("/v1.0/deviceManagement/managedDevices/{ALEX_LAPTOP}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(done["deviceActionResults"][0]["actionState"], "done");
    assert_eq!(sync(&sim, "unknown-device").await.status(), 404);
    sim.shutdown().await;
}

#[tokio::test]
async fn an_offline_device_checks_in_only_when_it_comes_back() {
    let sim = TenantSim::start_with(Scenario::demo(), SimConfig::default().with_time_scale(0.001))
        .await
        .unwrap();
    sim.set_device_online(ALEX_LAPTOP, false);
    assert_eq!(sync(&sim, ALEX_LAPTOP).await.status(), 204);
    // An online device synced after it, with the same delay, checks in; the offline one refuses
    // to (the scheduled check-in does the same) and its sync stays pending.
    assert_eq!(sync(&sim, ALEX_PHONE).await.status(), 204);
    eventually("the online device checks in", Duration::from_secs(5), || {
        sim.device_syncs()[1].checked_in_at
    })
    .await;
    assert!(!sim.check_in_device(ALEX_LAPTOP));
    assert!(sim.device_syncs()[0].checked_in_at.is_none());
    sim.set_device_online(ALEX_LAPTOP, true);
    assert!(sim.device_syncs()[0].checked_in_at.is_some());
    sim.shutdown().await;
}

#[tokio::test]
async fn sync_device_is_under_the_intune_write_throttle() {
    let sim = demo().await;
    let mut writes = ThrottleClass::intune_writes();
    writes.limit = 2;
    sim.throttle().set_class(writes);
    assert_eq!(sync(&sim, ALEX_LAPTOP).await.status(), 204);
    assert_eq!(sync(&sim, ALEX_PHONE).await.status(), 204);
    let third = sync(&sim, ALEX_LAPTOP).await;
    assert_eq!(third.status(), 429);
    let retry_after: u64 = third.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=20).contains(&retry_after));
    assert_eq!(sim.throttle().throttled("intune-write"), 1);
    assert_eq!(sim.device_syncs().len(), 2, "a throttled sync does nothing");
    sim.shutdown().await;
}
