//! Hostile ids and values at and over the size limits.

use jitadmin_store::{Claim, Elevation, LedgerOutcome, Store, StoreError};
use serde_json::json;

use super::{approval, event, t};

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
        "😀".repeat(300),
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
