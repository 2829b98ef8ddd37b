//! Issue 8 end to end, through the real binary under azfn-local against tenant-sim: a
//! granted request syncs exactly the user's Windows devices once, a removal likewise; with
//! the admin group watched, `maintain` subscribes (the handshake goes through the front door)
//! and a member added directly in the sim is caught as drift and removed.

use std::time::Duration;

use jitadmin_tests::TestEnv;
use serde_json::json;
use tenant_sim::{NewRequest, Stage};

const ALEX: &str = "11111111-0000-4000-8000-000000000005";
const ALEX_WINDOWS: &str = "33333333-0000-4000-8000-000000000001";
const PACKAGE: &str = "55555555-0000-4000-8000-000000000001";
const ADMIN_GROUP: &str = "22222222-0000-4000-8000-000000000001";

/// Requests continue without the rules, so the grant does not depend on them.
fn continue_without_rules(options: &mut jitadmin::dev::DevOptions) {
    options.extra_settings.push(("JITADMIN_RULES".into(), String::new()));
    options
        .extra_settings
        .push(("JITADMIN_CREATED_STAGE".into(), "continue".into()));
}

async fn wait_for_syncs(env: &jitadmin::dev::DevEnvironment, count: usize) -> Vec<String> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let synced: Vec<String> = env.sim.device_syncs().into_iter().map(|s| s.device_id).collect();
        if synced.len() >= count {
            // Give a duplicate a moment to show up, were there one.
            tokio::time::sleep(Duration::from_millis(500)).await;
            return env.sim.device_syncs().into_iter().map(|s| s.device_id).collect();
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "waited for {count} sync(s), have {synced:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn a_granted_request_syncs_exactly_the_users_windows_devices_once_and_a_removal_likewise() {
    let test = TestEnv::start_with(continue_without_rules).await;
    let env = &test.env;
    let request_id = env
        .sim
        .create_assignment_request(NewRequest::new(ALEX, PACKAGE).justification("INC0042"))
        .unwrap();
    let request = env
        .sim
        .wait_for_request(&request_id, Duration::from_secs(30), |r| {
            r.callout(Stage::AssignmentRequestGranted).is_some()
        })
        .await
        .expect("the request is granted");
    assert_eq!(wait_for_syncs(env, 1).await, [ALEX_WINDOWS], "the iPhone is not synced");

    let assignment = request.assignment_id.expect("an assignment");
    env.sim.remove_assignment(&assignment).unwrap();
    assert_eq!(wait_for_syncs(env, 2).await, [ALEX_WINDOWS, ALEX_WINDOWS]);
    test.shutdown().await;
}

#[tokio::test]
async fn a_member_added_directly_to_the_watched_group_is_caught_as_drift_and_removed() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let test = TestEnv::start_with(|options| {
        continue_without_rules(options);
        options.http_port = port;
        for (name, value) in [
            ("JITADMIN_WATCH_GROUPS", ADMIN_GROUP.to_string()),
            ("JITADMIN_WATCH_ACCESS_PACKAGES", PACKAGE.to_string()),
            (
                "JITADMIN_NOTIFICATION_URL",
                format!("http://127.0.0.1:{port}/api/notifications"),
            ),
            ("JITADMIN_CLIENT_STATE", "e2e-client-state-4f1c9a".to_string()),
            ("JITADMIN_DRIFT_ACTION", "remove".to_string()),
        ] {
            options.extra_settings.push((name.into(), value));
        }
    })
    .await;
    let env = &test.env;

    // The timer runs every five minutes; run it once now, as the host would.
    let handler = env.host.handler_url().await.expect("the handler runs");
    let tick = json!({"Data": {"tick": {"IsPastDue": false}}, "Metadata": {}});
    let answer = reqwest::Client::new()
        .post(format!("{}/maintain", handler.trim_end_matches('/')))
        .header("x-azure-functions-invocationid", "e2e-maintain-1")
        .json(&tick)
        .send()
        .await
        .unwrap();
    assert!(
        answer.status().is_success(),
        "{}",
        answer.text().await.unwrap_or_default()
    );
    assert_eq!(env.sim.subscriptions().len(), 1, "subscribed after the handshake");

    env.sim.add_group_member(ADMIN_GROUP, ALEX).unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while env.sim.with_state(|s| {
        s.groups
            .iter()
            .any(|g| g.id == ADMIN_GROUP && g.members.iter().any(|m| m == ALEX))
    }) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the drifted member was not removed"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let notification = env
        .sim
        .deliveries()
        .into_iter()
        .find(|d| matches!(d.kind, tenant_sim::DeliveryKind::Notification))
        .expect("a change notification");
    assert_eq!(notification.status, Some(202));
    assert!(notification.accepted && !notification.slow);
    // The first full round also removed the demo admin who had no assignment (IT-LT-001).
    let mut synced = wait_for_syncs(env, 2).await;
    synced.sort();
    assert_eq!(
        synced,
        [ALEX_WINDOWS, "33333333-0000-4000-8000-000000000005"],
        "each removed member's Windows device is synced once"
    );
    test.shutdown().await;
}
