//! `process` for callout events, fed with the messages `callout` itself queued: dedupe on
//! the ledger, resume through Graph (a scripted resume endpoint), outcomes in the ledger
//! and the audit trail, failures that fail the invocation so the queue retries.

use crate::callout_support::invoke::{callout, process};
use crate::callout_support::{fixture, start, TestApp};
use jitadmin::store::LedgerStatus;
use serde_json::{json, Value};

const REQUEST: &str = "3cbea889-0b4f-4d07-9a3c-2f14dbb13565";
const USER: &str = "c5e9a1b2-1111-4222-8333-444455556666";

/// Send a fixture through `callout` and return the one message it queued.
async fn queued(t: &TestApp, file: &str) -> Value {
    let answer = callout(&t.router, &[("Authorization", &t.bearer())], &fixture(file)).await;
    assert_eq!(answer.status, 202, "{file}: {}", answer.body);
    answer.messages.into_iter().next().expect("one message")
}

fn key(message: &Value) -> String {
    message["azfnMessage"]["messageId"].as_str().unwrap().to_string()
}

async fn actions(t: &TestApp) -> Vec<String> {
    let trail = t.app.store().audit_by_request(REQUEST).await.unwrap();
    trail.into_iter().map(|r| r.event.action).collect()
}

#[tokio::test]
async fn created_stage_with_continue_resumes_once_with_the_spec_body() {
    let t = start(&[
        ("JITADMIN_CREATED_STAGE", "continue"),
        ("JITADMIN_RESUME_SOURCE", "jitadmin-test"),
    ])
    .await;
    let message = queued(&t, "callout-created-pascalcase.json").await;
    let answer = process(&t.router, &message, 1).await;
    assert_eq!(answer.status, 200, "{}", answer.body);

    let resumes = t.graph.resumes();
    assert_eq!(resumes.len(), 1);
    let (request, body) = &resumes[0];
    assert_eq!(request, REQUEST);
    assert_eq!(body["source"], "jitadmin-test");
    assert_eq!(
        body["type"],
        "microsoft.graph.accessPackageCustomExtensionStage.assignmentRequestCreated"
    );
    assert_eq!(
        body["data"]["@odata.type"],
        "microsoft.graph.accessPackageAssignmentRequestCallbackData"
    );
    assert_eq!(
        body["data"]["customExtensionStageInstanceId"],
        "d7e99664-0001-4c0a-9d2e-79b2a2e5d001"
    );
    assert!(body["data"]["customExtensionStageInstanceDetail"]
        .as_str()
        .unwrap()
        .contains("jitadmin"));
    assert!(body["data"].get("state").is_none(), "continue carries no state");

    let entry = t.app.store().ledger_get(&key(&message)).await.unwrap().unwrap();
    assert_eq!(entry.status, LedgerStatus::Done);
    assert!(entry.outcome.unwrap().contains("resumed"));
    assert_eq!(actions(&t).await, ["callout.created.resumed"]);
}

#[tokio::test]
async fn duplicate_callout_leads_to_exactly_one_resume_and_says_so() {
    let t = start(&[("JITADMIN_CREATED_STAGE", "continue")]).await;
    // EM's retry: the same callout twice, so two identical messages (should Service Bus
    // duplicate detection not catch the second), and a redelivery of the first.
    let first = queued(&t, "callout-created-pascalcase.json").await;
    let second = queued(&t, "callout-created-camelcase.json").await;
    assert_eq!(key(&first), key(&second), "both forms give the same key");
    assert_eq!(process(&t.router, &first, 1).await.status, 200);
    assert_eq!(process(&t.router, &second, 1).await.status, 200);
    assert_eq!(process(&t.router, &first, 2).await.status, 200);

    assert_eq!(t.graph.resumes().len(), 1, "exactly one resume");
    let entry = t.app.store().ledger_get(&key(&first)).await.unwrap().unwrap();
    assert_eq!(entry.status, LedgerStatus::Done);
    assert_eq!(
        actions(&t).await,
        ["callout.created.resumed", "callout.duplicate", "callout.duplicate"]
    );
}

#[tokio::test]
async fn resume_answered_already_resumed_is_recorded_done() {
    let t = start(&[("JITADMIN_CREATED_STAGE", "continue")]).await;
    t.graph.already_resumed(REQUEST, "d7e99664-0001-4c0a-9d2e-79b2a2e5d001");
    let message = queued(&t, "callout-created-pascalcase.json").await;
    let answer = process(&t.router, &message, 1).await;
    assert_eq!(
        answer.status, 200,
        "an already-resumed stage is done, not a failure: {}",
        answer.body
    );
    assert_eq!(t.graph.resumes().len(), 1);
    assert_eq!(t.graph.reads(), 1, "the refusal was checked with a GET of the request");
    let entry = t.app.store().ledger_get(&key(&message)).await.unwrap().unwrap();
    assert_eq!(entry.status, LedgerStatus::Done);
    assert!(entry.outcome.unwrap().contains("already resumed"));
    assert_eq!(actions(&t).await, ["callout.created.already-done"]);
}

#[tokio::test]
async fn graph_fault_fails_the_invocation_and_the_retry_succeeds() {
    let t = start(&[("JITADMIN_CREATED_STAGE", "continue")]).await;
    t.graph.fault(Some(503));
    let message = queued(&t, "callout-created-pascalcase.json").await;
    let answer = process(&t.router, &message, 1).await;
    assert_eq!(answer.status, 500, "the queue must retry: {}", answer.body);
    assert!(
        answer.body["detail"].as_str().unwrap().contains("resume failed"),
        "{}",
        answer.body
    );
    let entry = t.app.store().ledger_get(&key(&message)).await.unwrap().unwrap();
    assert_eq!(entry.status, LedgerStatus::Failed);
    assert!(
        entry.last_error.unwrap().contains("scripted-request-id"),
        "Graph's request-id is kept"
    );

    t.graph.fault(None);
    assert_eq!(process(&t.router, &message, 2).await.status, 200);
    let entry = t.app.store().ledger_get(&key(&message)).await.unwrap().unwrap();
    assert_eq!(entry.status, LedgerStatus::Done);
    assert_eq!(entry.attempts, 2);
    assert_eq!(actions(&t).await, ["callout.failed", "callout.created.resumed"]);
}

#[tokio::test]
async fn created_stage_waits_by_default_and_records_it() {
    let t = start(&[]).await;
    let message = queued(&t, "callout-created-pascalcase.json").await;
    assert_eq!(process(&t.router, &message, 1).await.status, 200);
    assert!(t.graph.resumes().is_empty(), "no resume while waiting");
    let entry = t.app.store().ledger_get(&key(&message)).await.unwrap().unwrap();
    assert_eq!(entry.status, LedgerStatus::Done);
    assert!(entry.outcome.unwrap().contains("left waiting"));
    assert_eq!(actions(&t).await, ["callout.created"]);
}

#[tokio::test]
async fn approved_stage_that_waits_for_us_is_continued() {
    let t = start(&[]).await;
    let message = queued(&t, "callout-approved-pascalcase.json").await;
    assert_eq!(process(&t.router, &message, 1).await.status, 200);
    let resumes = t.graph.resumes();
    assert_eq!(resumes.len(), 1);
    assert_eq!(resumes[0].1["data"]["stage"], "assignmentRequestApproved");
}

#[tokio::test]
async fn granted_and_removed_open_and_close_an_elevation() {
    let t = start(&[]).await;
    let granted = queued(&t, "callout-granted-pascalcase.json").await;
    assert_eq!(process(&t.router, &granted, 1).await.status, 200);
    let elevations = t.app.store().elevations(USER).await.unwrap();
    assert_eq!(elevations.len(), 1);
    assert_eq!(elevations[0].request_id, REQUEST);
    assert!(elevations[0].removed_at.is_none());

    let removed = queued(&t, "callout-removed-pascalcase.json").await;
    assert_eq!(process(&t.router, &removed, 1).await.status, 200);
    let elevations = t.app.store().elevations(USER).await.unwrap();
    assert!(elevations[0].removed_at.is_some(), "the elevation is closed");
    assert!(
        t.graph.resumes().is_empty(),
        "launch-and-continue stages are not resumed"
    );
    // The device loop records that the user was not notified (JITADMIN_NOTIFY is none).
    assert_eq!(
        actions(&t).await,
        [
            "callout.granted",
            "user.not-notified",
            "callout.removed",
            "user.not-notified"
        ]
    );
}

#[tokio::test]
async fn pre_expiration_stages_are_recorded() {
    let t = start(&[]).await;
    for file in [
        "callout-fourteen-days-before-expiration-pascalcase.json",
        "callout-one-day-before-expiration-pascalcase.json",
    ] {
        let message = queued(&t, file).await;
        assert_eq!(process(&t.router, &message, 1).await.status, 200, "{file}");
    }
    assert!(t.graph.resumes().is_empty());
    assert_eq!(actions(&t).await, ["callout.expiring-14d", "callout.expiring-1d"]);
}

#[tokio::test]
async fn a_message_that_is_not_our_event_fails_for_the_dead_letter_queue() {
    let t = start(&[]).await;
    let message = json!({"azfnMessage": {"messageId": "m-1", "body": {"hello": "world"}}});
    let answer = process(&t.router, &message, 1).await;
    assert_eq!(answer.status, 500);
    assert!(
        answer.body["detail"]
            .as_str()
            .unwrap()
            .contains("message m-1 is not a jitadmin event"),
        "{}",
        answer.body
    );
}

#[tokio::test]
async fn a_queued_payload_that_no_longer_parses_fails_for_an_operator() {
    let t = start(&[]).await;
    let mut message = queued(&t, "callout-granted-pascalcase.json").await;
    message["azfnMessage"]["body"]["payload"] = json!({"Stage": "assignmentRequestGranted"});
    let answer = process(&t.router, &message, 1).await;
    assert_eq!(answer.status, 500);
    assert!(
        answer.body["detail"].as_str().unwrap().contains("not a valid callout"),
        "{}",
        answer.body
    );
}
