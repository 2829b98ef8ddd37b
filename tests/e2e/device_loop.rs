//! The device loop end to end, through the real binary under azfn-local against tenant-sim: a
//! granted request syncs exactly the user's Windows devices once, a removal likewise; the
//! user's mail notice and the device's check-in (confirmed by `maintain`) are in the audit
//! trail; a user who added the app in Teams is told in their 1:1 chat (reopened when it went
//! stale), and by mail once they removed it; with
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
/// The mailbox notices are sent from (Megan Bowen, IT).
const MAILBOX: &str = "megan.bowen@contoso.example";

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
            // Once everything has settled, a duplicate would have been requested.
            crate::helpers::settled(env).await;
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

/// An environment whose requests continue without the rules and whose users are told by
/// `mode` (`mail` or `teams`), mailing from [`MAILBOX`].
async fn notifying(mode: &str) -> TestEnv {
    TestEnv::start_with(|options| {
        continue_without_rules(options);
        options.extra_settings.push(("JITADMIN_NOTIFY".into(), mode.into()));
        options
            .extra_settings
            .push(("JITADMIN_NOTIFY_MAILBOX".into(), MAILBOX.into()));
    })
    .await
}

/// The running environment's store (the dev SQLite file).
async fn dev_store(test: &TestEnv) -> jitadmin::store::Store {
    jitadmin::store::Store::open_setting(
        &format!("sqlite:{}", test.dir.path().join("state").join("jitadmin.db").display()),
        None,
    )
    .await
    .expect("the dev store opens")
}

/// Runs the `maintain` timer once, as the host would.
async fn run_maintain(env: &jitadmin::dev::DevEnvironment, invocation: &str) {
    let handler = env.host.handler_url().await.expect("the handler runs");
    let tick = json!({"Data": {"tick": {"IsPastDue": false}}, "Metadata": {}});
    let answer = reqwest::Client::new()
        .post(format!("{}/maintain", handler.trim_end_matches('/')))
        .header("x-azure-functions-invocationid", invocation)
        .json(&tick)
        .send()
        .await
        .unwrap();
    assert!(
        answer.status().is_success(),
        "{}",
        answer.text().await.unwrap_or_default()
    );
}

#[tokio::test]
async fn the_users_notice_and_the_devices_check_in_are_in_the_audit_trail() {
    let test = notifying("mail").await;
    let env = &test.env;
    env.sim.set_device_checkin_delay(Duration::from_millis(200));
    let request_id = env
        .sim
        .create_assignment_request(NewRequest::new(ALEX, PACKAGE))
        .unwrap();
    assert_eq!(wait_for_syncs(env, 1).await, [ALEX_WINDOWS]);

    // The mail went out from the configured mailbox to Alex, saying what to do.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while env.sim.sent_mail().is_empty() {
        assert!(tokio::time::Instant::now() < deadline, "no mail was sent");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mail = env.sim.sent_mail();
    assert_eq!(mail.len(), 1, "{mail:?}");
    assert_eq!(mail[0].to, ["alex.wilber@contoso.example"]);
    assert!(mail[0].body.to_lowercase().contains("sign out"), "{}", mail[0].body);

    // The device checks in; `maintain` confirms it.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while env.sim.device_syncs().iter().any(|s| s.checked_in_at.is_none()) {
        assert!(tokio::time::Instant::now() < deadline, "the device did not check in");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    run_maintain(env, "e2e-maintain-checkin").await;

    let store = dev_store(&test).await;
    let trail: Vec<String> = store
        .audit_by_request(&request_id)
        .await
        .expect("the trail")
        .into_iter()
        .map(|r| r.event.action)
        .collect();
    let position = |action: &str| {
        trail
            .iter()
            .position(|a| a == action)
            .unwrap_or_else(|| panic!("{action} is not in the trail: {trail:?}"))
    };
    let (synced, notified, checked_in) = (
        position("device.sync-requested"),
        position("user.notified"),
        position("device.checked-in"),
    );
    assert!(synced < checked_in && notified < checked_in, "{trail:?}");
    test.shutdown().await;
}

#[tokio::test]
async fn a_member_added_directly_to_the_watched_group_is_caught_as_drift_and_removed() {
    // The dev environment points JITADMIN_NOTIFICATION_URL at its own front door.
    let test = TestEnv::start_with(|options| {
        continue_without_rules(options);
        for (name, value) in [
            ("JITADMIN_WATCH_GROUPS", ADMIN_GROUP.to_string()),
            ("JITADMIN_WATCH_ACCESS_PACKAGES", PACKAGE.to_string()),
            ("JITADMIN_CLIENT_STATE", "e2e-client-state-4f1c9a".to_string()),
            ("JITADMIN_DRIFT_ACTION", "remove".to_string()),
        ] {
            options.extra_settings.push((name.into(), value));
        }
    })
    .await;
    let env = &test.env;

    // The timer runs every five minutes; run it once now, as the host would.
    run_maintain(env, "e2e-maintain-1").await;
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

#[tokio::test]
async fn a_nested_group_added_to_the_watched_group_is_reported_as_drift() {
    const APPROVERS_GROUP: &str = "22222222-0000-4000-8000-000000000002";
    let test = TestEnv::start_with(|options| {
        continue_without_rules(options);
        for (name, value) in [
            ("JITADMIN_WATCH_GROUPS", ADMIN_GROUP.to_string()),
            ("JITADMIN_ACCESS_PACKAGES", PACKAGE.to_string()),
            ("JITADMIN_CLIENT_STATE", "e2e-client-state-7b2d11".to_string()),
            ("JITADMIN_DRIFT_ACTION", "report".to_string()),
        ] {
            options.extra_settings.push((name.into(), value));
        }
    })
    .await;
    let env = &test.env;
    run_maintain(env, "e2e-maintain-nested").await;
    env.sim.add_group_member(ADMIN_GROUP, APPROVERS_GROUP).unwrap();
    // The notification, the queued change and its reconcile are done once both sides idle.
    crate::helpers::settled(env).await;
    let store = dev_store(&test).await;
    let trail = store.audit_by_request(&format!("group:{ADMIN_GROUP}")).await.unwrap();
    let finding = trail
        .into_iter()
        .find(|r| r.event.action == "watch.drift" && r.event.user == APPROVERS_GROUP)
        .expect("the nested group is reported");
    assert_eq!(finding.event.detail["memberKind"], "group");
    assert_eq!(finding.event.detail["action"], "report");
    assert!(
        env.sim.with_state(|s| s
            .group(ADMIN_GROUP)
            .is_some_and(|g| g.members.iter().any(|m| m == APPROVERS_GROUP))),
        "reported, not removed"
    );
    test.shutdown().await;
}

/// The `user.notified` entries of Alex's trail, oldest first: (channel, notInTeams).
async fn notices(store: &jitadmin::store::Store) -> Vec<(String, Option<String>)> {
    store
        .audit_by_user(ALEX)
        .await
        .expect("the trail")
        .into_iter()
        .filter(|r| r.event.action == "user.notified")
        .map(|r| {
            (
                r.event.detail["channel"].as_str().unwrap_or_default().to_string(),
                r.event.detail["notInTeams"].as_str().map(str::to_string),
            )
        })
        .collect()
}

async fn wait_for_notices(store: &jitadmin::store::Store, count: usize) -> Vec<(String, Option<String>)> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let seen = notices(store).await;
        if seen.len() >= count {
            return seen;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "waited for {count} notice(s), have {seen:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn a_user_who_added_the_app_is_told_in_teams_and_by_mail_once_they_removed_it() {
    let test = notifying("teams").await;
    let env = &test.env;
    let store = dev_store(&test).await;
    let teams = env.sim.teams_client();

    // Alex adds the app in Teams: jitadmin hears of it through its messaging endpoint.
    let installed = teams.install_personal(ALEX).await.expect("install");
    assert!(installed.acknowledged(), "{installed:?}");
    let contact = store
        .teams_contact_get(ALEX)
        .await
        .unwrap()
        .expect("the contact is stored");
    assert_eq!(contact.conversation_id, installed.conversation_id);
    assert_eq!(contact.member_id, env.sim.bot().user_mri(ALEX));

    // Granted: told in the 1:1 chat, not by mail.
    let request_id = env
        .sim
        .create_assignment_request(NewRequest::new(ALEX, PACKAGE))
        .unwrap();
    let request = env
        .sim
        .wait_for_request(&request_id, Duration::from_secs(30), |r| {
            r.callout(Stage::AssignmentRequestGranted).is_some()
        })
        .await
        .expect("the request is granted");
    assert_eq!(wait_for_notices(&store, 1).await, [("teams".to_string(), None)]);
    let chat = teams.personal_messages(ALEX);
    assert_eq!(chat.len(), 1);
    let text = chat[0].text().unwrap_or_default();
    assert!(
        text.contains("granted") && text.contains("FIN-LT-042") && text.contains("sign out"),
        "{text}"
    );
    assert!(env.sim.sent_mail().is_empty(), "{:?}", env.sim.sent_mail());

    // The stored chat went stale (Teams answers 404): jitadmin reopens it by Alex's 29: id.
    let mut stale = contact.clone();
    stale.conversation_id = "a:1gone".into();
    store.teams_contact_put(&stale).await.unwrap();
    env.sim
        .remove_assignment(&request.assignment_id.expect("an assignment"))
        .unwrap();
    assert_eq!(wait_for_notices(&store, 2).await[1], ("teams".to_string(), None));
    let chat = teams.personal_messages(ALEX);
    assert_eq!(chat.len(), 2);
    assert!(chat[1].text().unwrap_or_default().contains("ended"));
    let reopened = store.teams_contact_get(ALEX).await.unwrap().expect("still a contact");
    assert_eq!(reopened.conversation_id, installed.conversation_id);

    // Alex removes the app: jitadmin forgets the chat, and the next notice is a mail.
    let removed = teams.uninstall_personal(ALEX).await.expect("uninstall");
    assert!(removed.acknowledged(), "{removed:?}");
    assert_eq!(store.teams_contact_get(ALEX).await.unwrap(), None);
    env.sim
        .create_assignment_request(NewRequest::new(ALEX, PACKAGE))
        .unwrap();
    let seen = wait_for_notices(&store, 3).await;
    crate::helpers::settled(env).await;
    assert_eq!(seen[2].0, "mail");
    assert!(
        seen[2].1.as_deref().is_some_and(|why| why.contains("not added")),
        "{seen:?}"
    );
    let mail = env.sim.sent_mail();
    assert_eq!(mail.len(), 1, "{mail:?}");
    assert_eq!(mail[0].to, ["alex.wilber@contoso.example"]);
    assert_eq!(teams.personal_messages(ALEX).len(), 2);
    test.shutdown().await;
}
