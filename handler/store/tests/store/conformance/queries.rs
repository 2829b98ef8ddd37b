//! Paging and the audit queries.

use std::collections::HashSet;

use chrono::{Duration, TimeZone, Utc};
use jitadmin_store::{Store, Subscription};

use super::{event, t};

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
