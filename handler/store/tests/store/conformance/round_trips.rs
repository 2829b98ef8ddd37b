//! Every record type reads back as written; ledger and elevation semantics.

use jitadmin_store::{
    ApprovalStatus, CardRef, Claim, DeltaLink, Elevation, LedgerOutcome, LedgerStatus, Store, Subscription,
};

use super::{approval, event, t};

pub async fn every_record_type_round_trips(store: &Store) {
    // Ledger.
    let begun = store.ledger_begin("callout:s1:created").await.unwrap();
    assert_eq!((begun.status, begun.attempts), (LedgerStatus::Pending, 1));
    let failed = store
        .ledger_finish("callout:s1:created", LedgerOutcome::Failed("graph 503".into()))
        .await
        .unwrap();
    assert_eq!(failed.last_error.as_deref(), Some("graph 503"));
    assert_eq!(store.ledger_begin("callout:s1:created").await.unwrap().attempts, 2);
    store
        .ledger_finish("callout:s1:created", LedgerOutcome::Done("approved".into()))
        .await
        .unwrap();
    let done = store.ledger_get("callout:s1:created").await.unwrap().unwrap();
    assert_eq!(done.status, LedgerStatus::Done);
    assert_eq!(done.outcome.as_deref(), Some("approved"));
    assert_eq!(done.last_error.as_deref(), Some("graph 503"));
    assert!(done.first_seen <= done.last_seen);
    assert_eq!(store.ledger_get("never-seen").await.unwrap(), None);

    // Approvals, with and without a card.
    let mut a = approval("stage-1");
    store.approval_insert(&a).await.unwrap();
    let read = store.approval_get("stage-1").await.unwrap().unwrap();
    assert_eq!(read.value, a);
    a.card = Some(CardRef {
        service_url: "https://smba.trafficmanager.net/emea/".into(),
        conversation_id: "19:abc@thread.tacv2;messageid=1".into(),
        activity_id: "1700000000000".into(),
    });
    a.status = ApprovalStatus::Approved;
    a.decided_by = Some("approver@contoso.com".into());
    a.decided_at = Some(t("2026-11-28T10:00:00.123456Z"));
    a.reason = Some("on call".into());
    a.stage = Some(jitadmin_events::callout::Stage::AssignmentRequestCreated);
    a.callback_uri_path = Some("/identityGovernance/entitlementManagement/assignmentRequests/r/resume".into());
    a.requested_by = Some("megan".into());
    a.card_json = Some(r#"{"requestId":"req-stage-1","devices":[]}"#.into());
    a.decided_by_name = Some("Megan Bowen".into());
    a.applied_at = Some(t("2026-11-28T10:00:01Z"));
    store.approval_replace(&a, &read.etag).await.unwrap();
    assert_eq!(store.approval_get("stage-1").await.unwrap().unwrap().value, a);
    store.approval_insert(&approval("stage-2")).await.unwrap();
    let open: Vec<_> = store
        .approvals_open()
        .await
        .unwrap()
        .into_iter()
        .map(|v| v.value)
        .collect();
    assert_eq!(open, vec![approval("stage-2")]);

    // Subscriptions.
    let sub = Subscription {
        id: "sub-1".into(),
        resource: "groups/g1/members".into(),
        expires_at: t("2026-11-30T00:00:00Z"),
        client_state_ref: "kv:clientstate".into(),
    };
    store.subscription_put(&sub).await.unwrap();
    assert_eq!(store.subscription_get("sub-1").await.unwrap(), Some(sub.clone()));
    assert_eq!(store.subscriptions().await.unwrap(), vec![sub]);
    assert!(store.subscription_delete("sub-1").await.unwrap());
    assert!(!store.subscription_delete("sub-1").await.unwrap());
    assert_eq!(store.subscription_get("sub-1").await.unwrap(), None);

    // Delta links.
    let link = DeltaLink {
        group_id: "g1".into(),
        link: "https://graph.microsoft.com/v1.0/groups/delta?$deltatoken=abc&x=1".into(),
        updated_at: t("2026-11-28T00:00:00Z"),
    };
    store.delta_link_put(&link).await.unwrap();
    assert_eq!(store.delta_link_get("g1").await.unwrap(), Some(link));
    assert_eq!(store.delta_link_get("g2").await.unwrap(), None);

    // Elevations.
    let e = Elevation {
        user: "user-1".into(),
        access_package: "ap-admins".into(),
        request_id: "req-1".into(),
        granted_at: t("2026-11-27T08:00:00Z"),
        removed_at: None,
    };
    store.elevation_granted(&e).await.unwrap();
    store.elevation_granted(&e).await.unwrap(); // replay
    assert_eq!(store.elevations("user-1").await.unwrap(), vec![e.clone()]);
    let closed = store
        .elevation_removed("user-1", "ap-admins", t("2026-11-27T10:00:00Z"))
        .await
        .unwrap();
    assert_eq!(closed.len(), 1);
    assert_eq!(
        store.elevations("user-1").await.unwrap()[0].removed_at,
        Some(t("2026-11-27T10:00:00Z"))
    );

    // Audit.
    let ev = event("req-1", "user-1", t("2026-11-27T08:00:00.5Z"), "granted");
    let id = store.audit_append(&ev).await.unwrap();
    let trail = store.audit_by_request("req-1").await.unwrap();
    assert_eq!(trail.len(), 1);
    assert_eq!((trail[0].id.as_str(), &trail[0].event), (id.as_str(), &ev));

    // Claims.
    assert_eq!(store.claim("k", "alice").await.unwrap(), Claim::Won);
    assert_eq!(
        store.claim_holder("k").await.unwrap().map(|h| h.0),
        Some("alice".to_string())
    );
    assert!(store.claim_release("k").await.unwrap());
    assert_eq!(store.claim("k", "bob").await.unwrap(), Claim::Won);
}

pub async fn ledger_replay_of_a_done_key_changes_nothing(store: &Store) {
    store.ledger_begin("sync:dev1:granted:w1").await.unwrap();
    let done = store
        .ledger_finish("sync:dev1:granted:w1", LedgerOutcome::Done("synced".into()))
        .await
        .unwrap();
    let replay = store.ledger_begin("sync:dev1:granted:w1").await.unwrap();
    assert_eq!(replay, done);
}

pub async fn elevation_hours_count_overlaps_once_and_report_active(store: &Store) {
    let now = t("2026-11-28T12:00:00Z");
    let grant = |req: &str, pkg: &str, from: &str, to: Option<&str>| Elevation {
        user: "eve".into(),
        access_package: pkg.into(),
        request_id: req.into(),
        granted_at: t(from),
        removed_at: to.map(t),
    };
    // Outside the 7-day window: ignored.
    store
        .elevation_granted(&grant("r0", "p1", "2026-11-01T00:00:00Z", Some("2026-11-01T05:00:00Z")))
        .await
        .unwrap();
    // Straddles the window start (2026-11-21T12:00): counts 2 hours.
    store
        .elevation_granted(&grant("r1", "p1", "2026-11-21T10:00:00Z", Some("2026-11-21T14:00:00Z")))
        .await
        .unwrap();
    // Two overlapping grants 09:00–12:00 and 10:00–13:00: 4 hours, not 6.
    store
        .elevation_granted(&grant("r2", "p1", "2026-11-25T09:00:00Z", Some("2026-11-25T12:00:00Z")))
        .await
        .unwrap();
    store
        .elevation_granted(&grant("r3", "p2", "2026-11-25T10:00:00Z", Some("2026-11-25T13:00:00Z")))
        .await
        .unwrap();
    // Active since 10:30 today: 1.5 hours so far.
    store
        .elevation_granted(&grant("r4", "p1", "2026-11-28T10:30:00Z", None))
        .await
        .unwrap();

    let summary = store.elevation_summary("eve", 7, now).await.unwrap();
    assert!((summary.hours - 7.5).abs() < 1e-9, "hours {}", summary.hours);
    assert_eq!(
        summary.active.iter().map(|e| e.request_id.as_str()).collect::<Vec<_>>(),
        ["r4"]
    );

    let closed = store
        .elevation_removed("eve", "p1", t("2026-11-28T11:00:00Z"))
        .await
        .unwrap();
    assert_eq!(closed.iter().map(|e| e.request_id.as_str()).collect::<Vec<_>>(), ["r4"]);
    assert!(store.elevation_removed("eve", "p1", now).await.unwrap().is_empty());
    let after = store.elevation_summary("eve", 7, now).await.unwrap();
    assert!((after.hours - 6.5).abs() < 1e-9, "hours {}", after.hours);
    assert!(after.active.is_empty());
    assert_eq!(store.elevation_summary("nobody", 7, now).await.unwrap().hours, 0.0);
}
