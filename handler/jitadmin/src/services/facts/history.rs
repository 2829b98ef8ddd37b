//! `history`: the user's elevations in the store, and their last denial in the audit trail.
//!
//! A denial is any audit event of the user whose detail carries a denial
//! ([`crate::audit::detail::denial_of`]).

use chrono::{DateTime, Duration, Utc};
use jitadmin_decide::{Denial, History};
use jitadmin_store::{Elevation, ElevationSummary, Store};

use crate::audit::detail::denial_of;
use crate::config::ManagedPackages;

/// The window of `grantsLast30Days` and `elevatedHoursLast30Days`.
pub const HISTORY_DAYS: u32 = 30;

/// Reads `user`'s history at `now`, counting the elevations of the managed `packages` only;
/// the error is a one-line description for the explanation.
pub async fn read(
    store: Option<&Store>,
    packages: &ManagedPackages,
    user: &str,
    now: DateTime<Utc>,
) -> Result<History, String> {
    let Some(store) = store else {
        return Err("no store to read the history from".into());
    };
    let (elevations, audit) = tokio::try_join!(store.elevations(user), store.audit_by_user(user),)
        .map_err(|e| format!("the store failed: {e}"))?;
    let elevations: Vec<Elevation> = elevations
        .into_iter()
        .filter(|e| packages.manages(Some(&e.access_package)))
        .collect();
    let summary = ElevationSummary::of(elevations.clone(), HISTORY_DAYS, now);
    let since = now - Duration::days(i64::from(HISTORY_DAYS));
    let last_denial = audit.iter().rev().filter(|r| r.event.at <= now).find_map(|r| {
        denial_of(&r.event.detail).map(|d| Denial {
            date_time: r.event.at,
            reason: d.reason,
            rule: d.rule,
        })
    });
    Ok(History {
        active_elevation: !summary.active.is_empty(),
        grants_last30_days: elevations
            .iter()
            .filter(|e| e.granted_at > since && e.granted_at <= now)
            .count() as i64,
        elevated_hours_last30_days: (summary.hours * 100.0).round() / 100.0,
        last_denial,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use jitadmin_store::{AuditEvent, Elevation};
    use serde_json::{json, Value};

    async fn store() -> (Store, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let setting = format!("sqlite:{}", dir.path().join("s.db").display());
        (Store::open_setting(&setting, None).await.unwrap(), dir)
    }

    fn audit(user: &str, at: DateTime<Utc>, detail: Value) -> AuditEvent {
        AuditEvent {
            request_id: "r".into(),
            user: user.into(),
            at,
            actor: "jitadmin".into(),
            action: "callout.created.denied.resumed".into(),
            detail,
        }
    }

    #[tokio::test]
    async fn history_counts_recent_grants_hours_and_the_last_denial() {
        let (store, _dir) = store().await;
        let now: DateTime<Utc> = "2026-11-28T12:00:00Z".parse().unwrap();
        let grant = |id: &str, days_ago: i64, hours: Option<i64>| Elevation {
            user: "u".into(),
            access_package: "p".into(),
            request_id: id.into(),
            granted_at: now - Duration::days(days_ago),
            removed_at: hours.map(|h| now - Duration::days(days_ago) + Duration::hours(h)),
        };
        for e in [
            grant("old", 40, Some(8)),
            grant("a", 10, Some(8)),
            grant("b", 2, Some(4)),
            grant("now", 0, None),
        ] {
            store.elevation_granted(&e).await.unwrap();
        }
        store
            .audit_append(&audit(
                "u",
                now - Duration::days(5),
                json!({"denial": {"reason": "first", "rule": "r1"}}),
            ))
            .await
            .unwrap();
        store
            .audit_append(&audit(
                "u",
                now - Duration::days(1),
                json!({"denial": {"reason": "second", "rule": ""}}),
            ))
            .await
            .unwrap();
        store
            .audit_append(&audit("u", now - Duration::hours(1), json!({"other": 1})))
            .await
            .unwrap();

        let h = read(Some(&store), &ManagedPackages::default(), "u", now).await.unwrap();
        assert!(h.active_elevation);
        assert_eq!(h.grants_last30_days, 3);
        assert_eq!(h.elevated_hours_last30_days, 12.0);
        let last = h.last_denial.expect("a denial");
        assert_eq!(last.reason, "second");
        assert_eq!(last.rule, "");
        assert_eq!(last.date_time, now - Duration::days(1));
    }

    #[tokio::test]
    async fn elevations_of_other_packages_do_not_count() {
        let (store, _dir) = store().await;
        let now: DateTime<Utc> = "2026-11-28T12:00:00Z".parse().unwrap();
        for (package, request) in [("ours", "a"), ("theirs", "b")] {
            let elevation = Elevation {
                user: "u".into(),
                access_package: package.into(),
                request_id: request.into(),
                granted_at: now - Duration::hours(10),
                removed_at: Some(now - Duration::hours(2)),
            };
            store.elevation_granted(&elevation).await.unwrap();
        }
        let ours = ManagedPackages::of(vec!["OURS".into()]);
        let h = read(Some(&store), &ours, "u", now).await.unwrap();
        assert_eq!(h.grants_last30_days, 1);
        assert_eq!(h.elevated_hours_last30_days, 8.0);
        let everything = read(Some(&store), &ManagedPackages::default(), "u", now).await.unwrap();
        assert_eq!(everything.grants_last30_days, 2);
    }

    #[tokio::test]
    async fn without_a_store_the_history_is_unavailable() {
        assert!(read(None, &ManagedPackages::default(), "u", Utc::now()).await.is_err());
    }
}
