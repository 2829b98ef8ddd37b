//! Sync on grant and removal against tenant-sim: exactly the user's Windows devices, once
//! per (device, reason, window); a failed sync fails the call and the retry redoes only it;
//! check-ins are confirmed, or reported overdue; the user's notice is in the audit trail.

use crate::devices_support::{start, ALEX, ALEX_WINDOWS};
use chrono::{Duration as ChronoDuration, Utc};
use jitadmin::services::devices::{confirm_check_ins, sync_user_devices, SyncReason};
use jitadmin::services::notify::{notify_user, Message};
use tenant_sim::{FaultKind, FaultRule, RoutePattern};

#[tokio::test]
async fn a_grant_syncs_exactly_the_users_windows_devices_once() {
    let t = start(&[]).await;
    let report = sync_user_devices(
        t.app.context().devices(),
        ALEX,
        SyncReason::Granted,
        "req-1",
        Utc::now(),
    )
    .await
    .unwrap();
    assert_eq!(report.requested, ["FIN-LT-042"], "the iPhone is not synced");
    assert_eq!(t.synced(), [ALEX_WINDOWS]);

    // Another grant event for the same device within the window is coalesced.
    let again = sync_user_devices(
        t.app.context().devices(),
        ALEX,
        SyncReason::Granted,
        "req-2",
        Utc::now(),
    )
    .await
    .unwrap();
    assert_eq!(again.coalesced, ["FIN-LT-042"]);
    assert_eq!(t.synced().len(), 1);
    assert_eq!(t.actions(ALEX).await, ["device.sync-requested"]);

    // A removal is another reason: synced again.
    sync_user_devices(
        t.app.context().devices(),
        ALEX,
        SyncReason::Removed,
        "req-1",
        Utc::now(),
    )
    .await
    .unwrap();
    assert_eq!(t.synced().len(), 2);
}

#[tokio::test]
async fn a_failed_sync_fails_the_call_and_the_retry_syncs_it_once() {
    let t = start(&[]).await;
    t.sim.faults().inject(
        FaultRule::new(
            RoutePattern::new("POST", "*/syncDevice"),
            FaultKind::InternalServerError,
        )
        .always(),
    );
    let error = sync_user_devices(
        t.app.context().devices(),
        ALEX,
        SyncReason::Removed,
        "req-9",
        Utc::now(),
    )
    .await
    .unwrap_err();
    assert!(error.to_string().contains("1 of 1 device sync(s) failed"), "{error}");
    assert!(t.synced().is_empty());
    t.sim.faults().clear();
    sync_user_devices(
        t.app.context().devices(),
        ALEX,
        SyncReason::Removed,
        "req-9",
        Utc::now(),
    )
    .await
    .unwrap();
    assert_eq!(t.synced(), [ALEX_WINDOWS]);
}

#[tokio::test]
async fn check_in_after_the_sync_is_confirmed_once() {
    let t = start(&[]).await;
    t.sim.set_device_online(ALEX_WINDOWS, false);
    sync_user_devices(
        t.app.context().devices(),
        ALEX,
        SyncReason::Granted,
        "req-1",
        Utc::now(),
    )
    .await
    .unwrap();
    let waiting = confirm_check_ins(t.app.context().devices(), Utc::now()).await.unwrap();
    assert_eq!(waiting.waiting, 1);
    t.sim.set_device_online(ALEX_WINDOWS, true);
    let confirmed = confirm_check_ins(t.app.context().devices(), Utc::now()).await.unwrap();
    assert_eq!(confirmed.checked_in, 1, "{confirmed:?}");
    let later = confirm_check_ins(t.app.context().devices(), Utc::now()).await.unwrap();
    assert_eq!((later.checked_in, later.waiting), (0, 0));
    assert_eq!(t.actions(ALEX).await, ["device.sync-requested", "device.checked-in"]);
}

#[tokio::test]
async fn device_that_does_not_check_in_in_time_is_reported() {
    let t = start(&[("JITADMIN_CHECKIN_TIMEOUT_MINS", "30")]).await;
    t.sim.set_device_online(ALEX_WINDOWS, false);
    sync_user_devices(
        t.app.context().devices(),
        ALEX,
        SyncReason::Granted,
        "req-1",
        Utc::now(),
    )
    .await
    .unwrap();
    let report = confirm_check_ins(t.app.context().devices(), Utc::now() + ChronoDuration::minutes(31))
        .await
        .unwrap();
    assert_eq!(report.overdue, 1);
    assert_eq!(
        t.actions(ALEX).await,
        ["device.sync-requested", "device.not-checked-in"]
    );
}

#[tokio::test]
async fn the_users_notice_is_recorded_once_per_request_and_reason() {
    let t = start(&[]).await;
    let report = sync_user_devices(
        t.app.context().devices(),
        ALEX,
        SyncReason::Granted,
        "req-1",
        Utc::now(),
    )
    .await
    .unwrap();
    let first = notify_user(t.app.context().notifier(), ALEX, Message::Granted, "req-1", &report)
        .await
        .unwrap();
    assert!(first.describe().contains("JITADMIN_NOTIFY=none"), "{first:?}");
    let second = notify_user(t.app.context().notifier(), ALEX, Message::Granted, "req-1", &report)
        .await
        .unwrap();
    assert_eq!(second.describe(), "user already told");
    let trail = t.app.store().audit_by_user(ALEX).await.unwrap();
    let notice = trail.iter().find(|r| r.event.action == "user.not-notified").unwrap();
    assert_eq!(notice.event.detail["devices"][0], "FIN-LT-042");
}
