//! A burst of 5,000 removals (an access review ending), time-scaled: every device is synced
//! exactly once, no event is lost, and the shared limiter keeps Intune's 429s under 1 % of
//! the calls. Prints the drain time against the throttle's minimum (about 70 s in a debug
//! build on 2 cores; the limiter's 75 % margin makes 1.33x its floor).

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::devices_support::start_in;
use chrono::Utc;
use jitadmin::services::devices::{sync_user_devices, SyncReason};
use tenant_sim::Scenario;

/// Removal events (users with two Windows devices each): 5,000, or `JITADMIN_BURST_USERS`
/// (e.g. `JITADMIN_BURST_USERS=400 cargo test -p jitadmin --test devices_burst -- --nocapture`
/// for a quick look).
fn users() -> usize {
    std::env::var("JITADMIN_BURST_USERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5000)
}
/// Sim windows last 1 s instead of 20 s: Intune's 200 writes per window become 200 per
/// second. Faster scales measure the debug build's CPU, not the throttle.
const TIME_SCALE: f64 = 0.05;

fn user(i: usize) -> String {
    format!("aaaaaaaa-0000-4000-8000-{i:012}")
}

fn tenant_with_two_windows_devices_per_user(users: usize) -> Scenario {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../sim/scenarios/demo.toml");
    let mut text = std::fs::read_to_string(path).expect("demo.toml");
    for i in 0..users {
        let id = user(i);
        text.push_str(&format!(
            "\n[[users]]\nid = \"{id}\"\nuserPrincipalName = \"burst{i}@contoso.example\"\ndisplayName = \"Burst {i}\"\n"
        ));
        for d in 0..2 {
            text.push_str(&format!(
                "\n[[managedDevices]]\nid = \"bbbbbbbb-000{d}-4000-8000-{i:012}\"\ndeviceName = \"BURST-{i}-{d}\"\n\
                 userId = \"{id}\"\noperatingSystem = \"Windows\"\nmanagementAgent = \"mdm\"\n"
            ));
        }
    }
    Scenario::from_toml_str(&text, "burst.toml").expect("scenario")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_removals_drains_at_the_throttles_pace_with_every_device_synced_once() {
    let users = users();
    // Our limiter, time-scaled alike: 150 writes and 1,500 requests per window (the default 75 % margin).
    let window = format!("{}", 20.0 * TIME_SCALE);
    let t = start_in(
        tenant_with_two_windows_devices_per_user(users),
        &[
            ("JITADMIN_INTUNE_WINDOW_SECS", window.as_str()),
            ("JITADMIN_GRAPH_MAX_ATTEMPTS", "6"),
        ],
    )
    .await;
    t.sim.throttle().set_time_scale(TIME_SCALE);
    let started = Instant::now();
    let gate = Arc::new(tokio::sync::Semaphore::new(32));
    let mut tasks = Vec::new();
    for i in 0..users {
        let (app, gate) = (t.app.clone(), gate.clone());
        tasks.push(tokio::spawn(async move {
            let _permit = gate.acquire().await.expect("gate");
            sync_user_devices(
                app.context().devices(),
                &user(i),
                SyncReason::Removed,
                &format!("review-{i}"),
                Utc::now(),
            )
            .await
        }));
    }
    let mut lost = 0;
    for task in tasks {
        if !matches!(task.await, Ok(Ok(_))) {
            lost += 1;
        }
    }
    let drained = started.elapsed();

    assert_eq!(lost, 0, "no event lost");
    let syncs = t.sim.device_syncs();
    assert_eq!(syncs.len(), users * 2);
    let mut ids: Vec<_> = syncs.iter().map(|s| s.device_id.clone()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), users * 2, "every device synced exactly once");
    let throttle = t.sim.throttle();
    let throttled = throttle.throttled("intune") + throttle.throttled("intune-write");
    let admitted = throttle.admitted("intune");
    assert!(
        (throttled as f64) < 0.01 * (admitted + throttled) as f64,
        "{throttled} throttled of {} calls",
        admitted + throttled
    );
    let minimum = Duration::from_secs_f64((users * 2) as f64 / 200.0 * 20.0 * TIME_SCALE);
    println!(
        "{} removals, {} syncs drained in {drained:?}; the throttle's minimum is {minimum:?} ({:.2}x); {throttled} throttled of {} Intune calls",
        users,
        users * 2,
        drained.as_secs_f64() / minimum.as_secs_f64(),
        admitted + throttled
    );
}
