//! The group watch against tenant-sim: `maintain` keeps one subscription per watched group
//! alive (created after the handshake, renewed when expiring soon, recreated when Graph lost
//! it); a member added directly is drift (reported, or removed when configured); a member
//! who left gets their devices synced; an expired deltaLink leads to one full round.

use std::time::Duration;

use crate::devices_support::{maintain, start, Loop, ADMIN_GROUP, ALEX, ALEX_WINDOWS, IT_ADMIN, PACKAGE};
use tenant_sim::DeltaExpiry;

async fn maintained(t: &Loop) {
    let (status, reply) = maintain(&t.router).await;
    assert_eq!(status, 200, "maintain succeeds: {reply}");
}

fn is_member(t: &Loop, user: &str) -> bool {
    t.sim.with_state(|s| {
        s.groups
            .iter()
            .find(|g| g.id == ADMIN_GROUP)
            .is_some_and(|g| g.members.iter().any(|m| m == user))
    })
}

/// Wait for the sim's change notification(s) after a membership change, then process them.
async fn notified_and_processed(t: &Loop, before: usize) {
    t.sim
        .wait_for_deliveries(Duration::from_secs(5), |d| {
            d.iter().skip(before).any(|d| d.status.is_some())
        })
        .await
        .expect("the sim notifies our endpoint");
    let statuses = t.drain().await;
    assert!(
        !statuses.is_empty() && statuses.iter().all(|s| *s == 200),
        "{statuses:?}"
    );
}

#[tokio::test]
async fn maintain_creates_one_subscription_per_watched_group_after_the_handshake() {
    let t = start(&[]).await;
    maintained(&t).await;
    let subs = t.sim.subscriptions();
    assert_eq!(subs.len(), 1);
    assert_eq!(subs[0].resource, format!("groups/{ADMIN_GROUP}"));
    let handshakes: Vec<_> = t.sim.deliveries().into_iter().filter(|d| d.accepted).collect();
    assert!(handshakes.len() >= 2, "notification and lifecycle URLs validated");
    let stored = t.app.store().subscriptions().await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].id, subs[0].id);
    assert!(
        !stored[0].client_state_ref.contains("test-client-state"),
        "never the secret"
    );

    maintained(&t).await;
    assert_eq!(
        t.sim.subscriptions().len(),
        1,
        "a live subscription is kept, not duplicated"
    );
}

#[tokio::test]
async fn subscription_expiring_soon_is_renewed() {
    // Renew when under 700 hours are left: a fresh subscription (about 683 hours) is "soon".
    let t = start(&[("JITADMIN_SUBSCRIPTION_RENEW_HOURS", "700")]).await;
    maintained(&t).await;
    assert!(t.sim.calls_to("PATCH", "/v1.0/subscriptions/").is_empty());
    maintained(&t).await;
    let renewals = t.sim.calls_to("PATCH", "/v1.0/subscriptions/");
    assert_eq!(renewals.len(), 1);
    assert_eq!(t.sim.subscriptions().len(), 1);
}

#[tokio::test]
async fn subscription_graph_lost_is_recreated() {
    let t = start(&[]).await;
    maintained(&t).await;
    let lost = t.sim.subscriptions()[0].id.clone();
    assert!(t.sim.expire_subscription(&lost));
    maintained(&t).await;
    let subs = t.sim.subscriptions();
    assert_eq!(subs.len(), 1);
    assert_ne!(subs[0].id, lost);
    let stored = t.app.store().subscriptions().await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].id, subs[0].id);
}

#[tokio::test]
async fn member_added_directly_is_reported_as_drift_and_kept() {
    let t = start(&[]).await;
    maintained(&t).await;
    assert!(
        t.actions(IT_ADMIN).await.contains(&"watch.drift".to_string()),
        "the first full round judges the members already there"
    );
    let before = t.sim.deliveries().len();
    t.sim.add_group_member(ADMIN_GROUP, ALEX).unwrap();
    notified_and_processed(&t, before).await;
    assert_eq!(t.actions(ALEX).await, ["watch.drift"]);
    assert!(is_member(&t, ALEX), "report only");
}

#[tokio::test]
async fn member_added_directly_is_removed_when_configured() {
    let t = start(&[("JITADMIN_DRIFT_ACTION", "remove")]).await;
    maintained(&t).await;
    let before = t.sim.deliveries().len();
    t.sim.add_group_member(ADMIN_GROUP, ALEX).unwrap();
    notified_and_processed(&t, before).await;
    assert!(!is_member(&t, ALEX));
    let actions = t.actions(ALEX).await;
    assert_eq!(
        actions[..3],
        ["watch.drift", "watch.drift-removed", "device.sync-requested"]
    );
    assert!(t.synced().contains(&ALEX_WINDOWS.to_string()));
}

#[tokio::test]
async fn member_who_left_gets_their_devices_synced_once() {
    let t = start(&[]).await;
    maintained(&t).await;
    let before = t.sim.deliveries().len();
    t.sim.remove_group_member(ADMIN_GROUP, IT_ADMIN).unwrap();
    notified_and_processed(&t, before).await;
    assert_eq!(t.synced(), ["33333333-0000-4000-8000-000000000005"]);
    maintained(&t).await;
    assert_eq!(t.synced().len(), 1, "the next reconciliation has nothing new");
}

#[tokio::test]
async fn expired_delta_link_leads_to_a_full_round_not_an_error_loop() {
    for how in [DeltaExpiry::Gone, DeltaExpiry::SyncStateNotFound] {
        let t = start(&[]).await;
        maintained(&t).await;
        assert!(t.sim.expire_delta_links(how) > 0);
        let calls_before = t.sim.calls_to("GET", "/v1.0/groups/delta").len();
        maintained(&t).await;
        let calls = t.sim.calls_to("GET", "/v1.0/groups/delta").len() - calls_before;
        assert_eq!(calls, 2, "{how:?}: the expired link once, then one full round");
        maintained(&t).await;
        let link = t.app.store().delta_link_get(ADMIN_GROUP).await.unwrap();
        assert!(link.is_some());
    }
}

#[tokio::test]
async fn member_added_by_a_granted_assignment_is_not_drift() {
    let t = start(&[("JITADMIN_DRIFT_ACTION", "remove")]).await;
    maintained(&t).await;
    let before = t.sim.deliveries().len();
    let request = t
        .sim
        .create_assignment_request(tenant_sim::NewRequest::new(ALEX, PACKAGE))
        .unwrap();
    t.sim
        .wait_for_request(&request, Duration::from_secs(10), |r| r.assignment_id.is_some())
        .await
        .unwrap();
    notified_and_processed(&t, before).await;
    assert!(is_member(&t, ALEX), "an assigned member stays");
    assert!(!t.actions(ALEX).await.contains(&"watch.drift".to_string()));
}
