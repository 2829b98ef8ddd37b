//! The conformance suite every backend must pass. Each case is an async fn over a fresh
//! [`Store`]; [`conformance_tests!`] turns them into `#[tokio::test]`s for one backend.

mod conflicts;
mod keys_and_limits;
mod queries;
mod round_trips;

pub use conflicts::*;
pub use keys_and_limits::*;
pub use queries::*;
pub use round_trips::*;

use chrono::{DateTime, Utc};
use jitadmin_store::{Approval, ApprovalStatus, AuditEvent};
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

pub(crate) fn t(s: &str) -> DateTime<Utc> {
    s.parse().expect("test timestamp")
}

pub(crate) fn approval(id: &str) -> Approval {
    Approval {
        stage_instance_id: id.to_string(),
        request_id: format!("req-{id}"),
        user: "user-1".to_string(),
        requested_by: None,
        access_package: "ap-admins".to_string(),
        card: None,
        status: ApprovalStatus::Open,
        decided_by: None,
        decided_at: None,
        reason: None,
        expires_at: t("2026-12-01T00:00:00Z"),
        stage: None,
        callback_uri_path: None,
        card_json: None,
        posting_since: None,
        decided_by_name: None,
        applied_at: None,
        closed_why: None,
    }
}

pub(crate) fn event(request: &str, user: &str, at: DateTime<Utc>, action: &str) -> AuditEvent {
    AuditEvent {
        request_id: request.to_string(),
        user: user.to_string(),
        at,
        actor: "jitadmin".to_string(),
        action: action.to_string(),
        detail: json!({ "n": action }),
    }
}
