//! `process` deciding created-stage callouts by `JITADMIN_RULES` in-process, against a
//! scripted Graph that knows no users: the ledger and retries around a decision.

use crate::callout_support::invoke::{callout, process};
use crate::callout_support::{fixture, start, TestApp};
use jitadmin::store::{ApprovalStatus, LedgerStatus};
use serde_json::Value;

const REQUEST: &str = "3cbea889-0b4f-4d07-9a3c-2f14dbb13565";
const INSTANCE: &str = "d7e99664-0001-4c0a-9d2e-79b2a2e5d001";

/// The fixture's callout, acknowledged, for a request Entra holds waiting at its instance.
async fn queued(t: &TestApp) -> Value {
    t.graph.waiting(REQUEST, INSTANCE);
    let answer = callout(
        &t.router,
        &[("Authorization", &t.bearer())],
        &fixture("callout-created-pascalcase.json"),
    )
    .await;
    assert_eq!(answer.status, 202, "{}", answer.body);
    answer.messages.into_iter().next().expect("one message")
}

fn key(message: &Value) -> String {
    message["azfnMessage"]["messageId"].as_str().unwrap().to_string()
}

fn rules_file(dir: &tempfile::TempDir, text: &str) -> String {
    let path = dir.path().join("rules.toml");
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

#[tokio::test]
async fn a_callout_for_a_request_entra_does_not_hold_waiting_is_not_decided() {
    let dir = tempfile::tempdir().unwrap();
    let rules = rules_file(
        &dir,
        "default = \"route\"\n\n[[rule]]\nname = \"all\"\nwhen = \"true\"\n\
         decision = \"approve\"\nreason = \"Everyone today.\"\n",
    );
    // Unknown to Entra.
    let t = start(&[("JITADMIN_RULES", &rules)]).await;
    let answer = callout(
        &t.router,
        &[("Authorization", &t.bearer())],
        &fixture("callout-created-pascalcase.json"),
    )
    .await;
    let message = answer.messages.into_iter().next().expect("one message");
    let handled = process(&t.router, &message, 1).await;
    assert_eq!(handled.status, 200, "{}", handled.body);
    assert!(t.graph.resumes().is_empty(), "nothing resumed");
    assert!(
        t.app.store().approval_get(INSTANCE).await.unwrap().is_none(),
        "nothing routed"
    );
    let trail = t.app.store().audit_by_request(REQUEST).await.unwrap();
    let entry = trail
        .iter()
        .find(|r| r.event.action == "callout.created.not-decided")
        .expect("audited as not decided");
    assert!(
        entry.event.detail["outcome"]
            .as_str()
            .unwrap_or_default()
            .contains("Entra has no such request"),
        "{}",
        entry.event.detail
    );

    // Known, but its stage instance was already resumed: not decided either.
    let t = start(&[("JITADMIN_RULES", &rules)]).await;
    t.graph.already_resumed(REQUEST, INSTANCE);
    let answer = callout(
        &t.router,
        &[("Authorization", &t.bearer())],
        &fixture("callout-created-pascalcase.json"),
    )
    .await;
    let message = answer.messages.into_iter().next().expect("one message");
    assert_eq!(process(&t.router, &message, 1).await.status, 200);
    assert!(t.graph.resumes().is_empty());
    let trail = t.app.store().audit_by_request(REQUEST).await.unwrap();
    assert!(trail.iter().any(|r| r.event.action == "callout.created.not-decided"));
}

#[tokio::test]
async fn durations_beyond_any_calendar_are_refused_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let rules = rules_file(
        &dir,
        "default = \"route\"\n\n[[rule]]\nname = \"short\"\nwhen = \"true\"\n\
         decision = \"approve\"\nmax_duration_hours = 8\nreason = \"Short ones.\"\n",
    );
    let t = start(&[("JITADMIN_RULES", &rules)]).await;
    t.graph.waiting(REQUEST, INSTANCE);
    let mut body: Value = serde_json::from_str(&fixture("callout-created-pascalcase.json")).unwrap();
    body["CallbackConfiguration"] = serde_json::json!({"DurationBeforeTimeout": "P999999999D"});
    body["Justification"] = Value::from("forever");
    body["Schedule"] = serde_json::json!({"StartDateTime": "2026-12-07T08:00:00Z",
        "Expiration": {"Type": "afterDuration", "Duration": "P999999999D"}});
    let answer = callout(&t.router, &[("Authorization", &t.bearer())], &body.to_string()).await;
    assert_eq!(answer.status, 202, "{}", answer.body);
    let message = answer.messages.into_iter().next().expect("one message");
    let handled = process(&t.router, &message, 1).await;
    assert_eq!(handled.status, 200, "{}", handled.body);
    assert!(
        t.graph.resumes().is_empty(),
        "never approved on a duration nobody can compute"
    );
    let approval = t.app.store().approval_get(INSTANCE).await.unwrap().expect("routed");
    let window = approval.value.expires_at - chrono::Utc::now();
    assert!(
        window <= chrono::Duration::days(14),
        "the approval window is at most EM's 14 days: {window}"
    );
}

#[tokio::test]
async fn facts_graph_cannot_give_route_on_error_with_an_open_approval_and_no_resume() {
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/../../rules.example.toml");
    let t = start(&[("JITADMIN_RULES", example)]).await;
    let message = queued(&t).await;
    let answer = process(&t.router, &message, 1).await;
    assert_eq!(answer.status, 200, "{}", answer.body);

    assert!(t.graph.resumes().is_empty(), "never approved on missing facts");
    let approval = t.app.store().approval_get(INSTANCE).await.unwrap().expect("approval");
    assert_eq!(approval.value.status, ApprovalStatus::Open);
    assert_eq!(approval.value.request_id, REQUEST);
    let entry = t.app.store().ledger_get(&key(&message)).await.unwrap().unwrap();
    assert_eq!(entry.status, LedgerStatus::Done);
    let outcome = entry.outcome.unwrap_or_default();
    assert!(outcome.contains("route on error"), "{outcome}");

    let trail = t.app.store().audit_by_request(REQUEST).await.unwrap();
    let decided = trail
        .iter()
        .find(|r| r.event.action == "callout.created.routed")
        .expect("the routing is audited");
    assert_eq!(decided.event.detail["decision"]["explanation"]["fellBack"], "onError");
    let unavailable: Vec<&str> = decided.event.detail["facts"]["unavailable"]
        .as_array()
        .expect("unavailable facts")
        .iter()
        .filter_map(|u| u["fact"].as_str())
        .collect();
    // The scripted Graph serves no users (and an empty device list, for the device loop).
    assert!(unavailable.contains(&"target"), "{unavailable:?}");
}

#[tokio::test]
async fn a_failed_deny_resume_fails_the_invocation_and_the_retry_denies_once() {
    let dir = tempfile::tempdir().unwrap();
    let rules = rules_file(
        &dir,
        "default = \"route\"\n\n[[rule]]\nname = \"deny-all\"\nwhen = \"true\"\n\
         decision = \"deny\"\nreason = \"Nobody today.\"\n",
    );
    let t = start(&[("JITADMIN_RULES", &rules)]).await;
    let message = queued(&t).await;

    t.graph.fault(Some(503));
    let failed = process(&t.router, &message, 1).await;
    assert_ne!(failed.status, 200, "a failed resume fails the invocation for a retry");
    let entry = t.app.store().ledger_get(&key(&message)).await.unwrap().unwrap();
    assert_eq!(entry.status, LedgerStatus::Failed);

    t.graph.fault(None);
    let retried = process(&t.router, &message, 2).await;
    assert_eq!(retried.status, 200, "{}", retried.body);
    let again = process(&t.router, &message, 3).await;
    assert_eq!(again.status, 200, "{}", again.body);

    let resumes = t.graph.resumes();
    let (_, last) = resumes.last().expect("a resume");
    assert_eq!(last["data"]["state"], "denied");
    assert_eq!(
        last["data"]["customExtensionStageInstanceDetail"],
        "deny by rule deny-all: Nobody today."
    );
    let attempts_while_faulted = resumes.len() - 1;
    assert!(attempts_while_faulted >= 1);
    let trail = t.app.store().audit_by_request(REQUEST).await.unwrap();
    let actions: Vec<&str> = trail.iter().map(|r| r.event.action.as_str()).collect();
    assert_eq!(
        actions,
        ["callout.failed", "callout.created.denied.resumed", "callout.duplicate"]
    );
    let denied = &trail[1].event.detail;
    assert_eq!(denied["denial"]["reason"], "Nobody today.");
    assert_eq!(denied["denial"]["rule"], "deny-all");
}
