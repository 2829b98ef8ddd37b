//! The conformance suite every backend must pass. Each case is an async fn over a fresh
//! [`Store`]; [`conformance_tests!`] turns them into `#[tokio::test]`s for one backend.

use std::collections::HashSet;

use chrono::{DateTime, Duration, TimeZone, Utc};
use jitadmin_store::{
    Approval, ApprovalStatus, AuditEvent, CardRef, Claim, DeltaLink, Elevation, LedgerOutcome, LedgerStatus, Store,
    StoreError, Subscription,
};
use serde_json::json;

/// Generates one test per case; `$make` is an async fn returning `(Store, guard)`.
#[macro_export]
macro_rules! conformance_tests {
    ($make:path) => {
        $crate::conformance_tests!(@cases $make;
            every_record_type_round_trips,
            ledger_replay_of_a_done_key_changes_nothing,
            fifty_concurrent_claimers_yield_one_winner_and_forty_nine_who_know_it,
            stale_etags_and_duplicate_inserts_are_reported,
            paging_over_2500_entities_returns_each_once,
            hostile_keys_round_trip_and_stay_distinct,
            oversize_values_are_rejected_never_cut,
            large_audit_details_are_split_and_joined,
            audit_queries_by_request_user_and_time_range_are_in_time_order,
            elevation_hours_count_overlaps_once_and_report_active,
        );
    };
    (@cases $make:path; $($case:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $case() {
                let (store, _guard) = $make().await;
                conformance::$case(&store).await;
            }
        )*
    };
}

fn t(s: &str) -> DateTime<Utc> {
    s.parse().expect("test timestamp")
}

fn approval(id: &str) -> Approval {
    Approval {
        stage_instance_id: id.to_string(),
        request_id: format!("req-{id}"),
        user: "user-1".to_string(),
        access_package: "ap-admins".to_string(),
        card: None,
        status: ApprovalStatus::Open,
        decided_by: None,
        decided_at: None,
        reason: None,
        expires_at: t("2026-12-01T00:00:00Z"),
    }
}

fn event(request: &str, user: &str, at: DateTime<Utc>, action: &str) -> AuditEvent {
    AuditEvent {
        request_id: request.to_string(),
        user: user.to_string(),
        at,
        actor: "jitadmin".to_string(),
        action: action.to_string(),
        detail: json!({ "n": action }),
    }
}

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

pub async fn fifty_concurrent_claimers_yield_one_winner_and_forty_nine_who_know_it(store: &Store) {
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..50 {
        let store = store.clone();
        tasks.spawn(async move {
            let me = format!("approver-{i}");
            (me.clone(), store.claim("stage/decision#1", &me).await.unwrap())
        });
    }
    let mut winners = Vec::new();
    let mut told = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        match joined.unwrap() {
            (me, Claim::Won) => winners.push(me),
            (_, Claim::Lost { winner, .. }) => told.push(winner),
        }
    }
    assert_eq!(winners.len(), 1, "winners: {winners:?}");
    assert_eq!(told.len(), 49);
    assert!(
        told.iter().all(|w| w == &winners[0]),
        "losers were told {told:?}, winner {winners:?}"
    );
    let (holder, _) = store.claim_holder("stage/decision#1").await.unwrap().unwrap();
    assert_eq!(holder, winners[0]);
}

pub async fn stale_etags_and_duplicate_inserts_are_reported(store: &Store) {
    let a = approval("stage-etag");
    store.approval_insert(&a).await.unwrap();
    let dup = store.approval_insert(&a).await.unwrap_err();
    assert!(
        matches!(dup, StoreError::AlreadyExists { record: "approval", ref id } if id == "stage-etag"),
        "{dup}"
    );

    let first = store.approval_get("stage-etag").await.unwrap().unwrap();
    let second = store.approval_get("stage-etag").await.unwrap().unwrap();
    let mut approved = first.value.clone();
    approved.status = ApprovalStatus::Approved;
    let new_etag = store.approval_replace(&approved, &first.etag).await.unwrap();
    assert_ne!(new_etag, first.etag);
    let mut denied = second.value.clone();
    denied.status = ApprovalStatus::Denied;
    let err = store.approval_replace(&denied, &second.etag).await.unwrap_err();
    assert!(
        matches!(err, StoreError::ETagMismatch { record: "approval", .. }),
        "{err}"
    );
    assert_eq!(
        store.approval_get("stage-etag").await.unwrap().unwrap().value.status,
        ApprovalStatus::Approved
    );

    let missing = store
        .approval_replace(&approval("no-such-stage"), &first.etag)
        .await
        .unwrap_err();
    assert!(
        matches!(missing, StoreError::NotFound { .. } | StoreError::ETagMismatch { .. }),
        "{missing}"
    );
}

async fn in_parallel<F, Fut>(n: usize, f: F)
where
    F: Fn(usize) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..n {
        if tasks.len() >= 16 {
            tasks.join_next().await.unwrap().unwrap();
        }
        tasks.spawn(f(i));
    }
    while let Some(r) = tasks.join_next().await {
        r.unwrap();
    }
}

pub async fn paging_over_2500_entities_returns_each_once(store: &Store) {
    let base = t("2026-11-01T00:00:00Z");
    in_parallel(2500, |i| {
        let store = store.clone();
        async move {
            let ev = event(
                &format!("req-{i}"),
                "pager",
                base + Duration::seconds(i as i64),
                &format!("a{i}"),
            );
            store.audit_append(&ev).await.unwrap();
        }
    })
    .await;
    let trail = store.audit_by_user("pager").await.unwrap();
    assert_eq!(trail.len(), 2500);
    let ids: HashSet<_> = trail.iter().map(|r| r.id.clone()).collect();
    assert_eq!(ids.len(), 2500);
    assert!(trail.windows(2).all(|w| w[0].event.at <= w[1].event.at));

    // A whole-table scan across partitions, more than one page.
    in_parallel(1200, |i| {
        let store = store.clone();
        async move {
            let sub = Subscription {
                id: format!("sub-{i:04}"),
                resource: "groups/g/members".into(),
                expires_at: base + Duration::minutes(i as i64),
                client_state_ref: "ref".into(),
            };
            store.subscription_put(&sub).await.unwrap();
        }
    })
    .await;
    let subs = store.subscriptions().await.unwrap();
    assert_eq!(subs.len(), 1200);
    assert_eq!(subs.iter().map(|s| s.id.clone()).collect::<HashSet<_>>().len(), 1200);
}

pub async fn hostile_keys_round_trip_and_stay_distinct(store: &Store) {
    let ids = [
        "/".to_string(),
        "\\".to_string(),
        "#".to_string(),
        "?".to_string(),
        "~2F".to_string(),
        "a/b\\c#d?e%f'g".to_string(),
        "ctl\u{1}\u{1f}\u{7f}\u{85}\t\n".to_string(),
        "ünïcödé 🎉 日本 ".to_string(),
        "quote''s & plus+ = (paren) ,comma".to_string(),
        "/".repeat(1024),
        "é".repeat(1024),
        format!("{}x", "/".repeat(1023)),
    ];
    for (n, id) in ids.iter().enumerate() {
        let label = format!("{n}");
        store.ledger_begin(id).await.unwrap();
        store
            .ledger_finish(id, LedgerOutcome::Done(label.clone()))
            .await
            .unwrap();
        store.approval_insert(&approval(id)).await.unwrap();
        assert_eq!(store.claim(id, &label).await.unwrap(), Claim::Won);
        store
            .elevation_granted(&Elevation {
                user: id.clone(),
                access_package: id.clone(),
                request_id: id.clone(),
                granted_at: t("2026-11-01T00:00:00Z"),
                removed_at: None,
            })
            .await
            .unwrap();
        store
            .audit_append(&event(id, id, t("2026-11-01T00:00:00Z"), &label))
            .await
            .unwrap();
    }
    for (n, id) in ids.iter().enumerate() {
        let label = format!("{n}");
        let ledger = store.ledger_get(id).await.unwrap().unwrap();
        assert_eq!((&ledger.key, ledger.outcome.as_deref()), (id, Some(label.as_str())));
        assert_eq!(
            &store.approval_get(id).await.unwrap().unwrap().value.stage_instance_id,
            id
        );
        assert_eq!(store.claim_holder(id).await.unwrap().map(|h| h.0), Some(label.clone()));
        assert_eq!(&store.elevations(id).await.unwrap()[0].request_id, id);
        let by_req = store.audit_by_request(id).await.unwrap();
        assert_eq!(by_req.len(), 1, "id #{n}");
        assert_eq!(by_req[0].event.action, label);
        assert_eq!(store.audit_by_user(id).await.unwrap().len(), 1);
    }
}

pub async fn oversize_values_are_rejected_never_cut(store: &Store) {
    let mut a = approval("stage-big");
    a.reason = Some("x".repeat(40_000)); // 80,000 UTF-16 bytes > 64 KiB
    let err = store.approval_insert(&a).await.unwrap_err();
    match &err {
        StoreError::ValueTooLarge {
            record,
            field,
            size,
            limit,
        } => {
            assert_eq!(
                (*record, field.as_str(), *size, *limit),
                ("approval", "reason", 80_000, 65_536)
            );
        }
        other => panic!("expected ValueTooLarge, got {other}"),
    }
    assert!(err.to_string().contains("reason"), "{err}");
    assert_eq!(store.approval_get("stage-big").await.unwrap(), None);

    let mut ev = event("req-big", "user-big", t("2026-11-01T00:00:00Z"), "huge");
    ev.detail = json!({ "blob": "y".repeat(600_000) });
    let err = store.audit_append(&ev).await.unwrap_err();
    assert!(
        matches!(err, StoreError::ValueTooLarge { record: "audit event", ref field, .. } if field == "detail"),
        "{err}"
    );
    assert!(store.audit_by_request("req-big").await.unwrap().is_empty());
}

pub async fn large_audit_details_are_split_and_joined(store: &Store) {
    let mut ev = event("req-large", "user-large", t("2026-11-01T00:00:00Z"), "facts");
    // 760 KB in UTF-16 (so split over 12 properties), 680 KB as an escaped request body.
    ev.detail = json!({ "facts": format!("{}{}", "zé😀".repeat(20_000), "x".repeat(300_000)) });
    store.audit_append(&ev).await.unwrap();
    let trail = store.audit_by_request("req-large").await.unwrap();
    assert_eq!(trail.len(), 1);
    assert_eq!(trail[0].event, ev);
}

pub async fn audit_queries_by_request_user_and_time_range_are_in_time_order(store: &Store) {
    let at = |d: u32, h: u32| Utc.with_ymd_and_hms(2026, 10, d, h, 0, 0).unwrap();
    let events = [
        event("req-A", "alice", at(31, 23) + Duration::minutes(30), "a3"),
        event("req-A", "alice", at(30, 9), "a1"),
        event("req-B", "bob", at(31, 12), "b1"),
        event("req-A", "alice", at(31, 10), "a2"),
        event("req-C", "alice", at(31, 23) + Duration::hours(2), "c1"), // 2026-11-01 01:00
        event("req-B", "bob", at(1, 0), "b0"),
    ];
    for ev in &events {
        store.audit_append(ev).await.unwrap();
    }
    let actions = |v: Vec<jitadmin_store::AuditRecord>| v.into_iter().map(|r| r.event.action).collect::<Vec<_>>();
    assert_eq!(
        actions(store.audit_by_request("req-A").await.unwrap()),
        ["a1", "a2", "a3"]
    );
    assert_eq!(
        actions(store.audit_by_user("alice").await.unwrap()),
        ["a1", "a2", "a3", "c1"]
    );
    assert_eq!(actions(store.audit_by_user("bob").await.unwrap()), ["b0", "b1"]);
    assert!(store.audit_by_user("carol").await.unwrap().is_empty());
    // [from, to): start inclusive, end exclusive, across a month boundary.
    assert_eq!(
        actions(
            store
                .audit_between(at(30, 9), at(31, 23) + Duration::hours(2))
                .await
                .unwrap()
        ),
        ["a1", "a2", "b1", "a3"]
    );
    assert_eq!(
        actions(
            store
                .audit_between(at(31, 11), t("2026-12-01T00:00:00Z"))
                .await
                .unwrap()
        ),
        ["b1", "a3", "c1"]
    );
    assert_eq!(
        actions(
            store
                .audit_between(t("2026-09-01T00:00:00Z"), t("2027-01-01T00:00:00Z"))
                .await
                .unwrap()
        ),
        ["b0", "a1", "a2", "b1", "a3", "c1"]
    );
    assert!(store.audit_between(at(31, 0), at(30, 0)).await.unwrap().is_empty());
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
