//! Resume: success, and the classification of a refused resume by a GET of the request.

use crate::support::{fast_policy, Mock, Reply};
use jitadmin_graph::resume::{ResumeCallback, ResumeDecision, ResumeOutcome, ResumeStage, ResumeTarget};
use serde_json::{json, Value};

const REQ: &str = "7d2a4b2e-4b21-4c33-9a5a-2b0c5f3e8d11";
const INSTANCE: &str = "5c1f1d7e-6b0a-4f3c-9d2e-8a7b6c5d4e3f";

fn resume_path() -> String {
    format!("/v1.0/identityGovernance/entitlementManagement/assignmentRequests/{REQ}/resume")
}

fn get_path() -> String {
    format!("/v1.0/identityGovernance/entitlementManagement/assignmentRequests/{REQ}")
}

fn callback() -> ResumeCallback {
    ResumeCallback {
        source: "jitadmin".into(),
        stage: ResumeStage::AssignmentRequestCreated,
        stage_instance_id: INSTANCE.into(),
        detail: "Checks passed".into(),
        decision: ResumeDecision::Continue,
    }
}

fn request_with(state: &str, status: &str, instance_status: &str) -> Value {
    let text = std::fs::read_to_string(format!(
        "{}/testdata/assignment-request-waiting.json",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("fixture");
    let mut v: Value = serde_json::from_str(&text).expect("json");
    v["state"] = json!(state);
    v["status"] = json!(status);
    v["customExtensionCalloutInstances"][0]["status"] = json!(instance_status);
    v
}

async fn resume_refused_then_get(get: Reply) -> (ResumeOutcome, Mock) {
    let mock = Mock::start().await;
    mock.on("POST", &resume_path(), Reply::error(400, "BadRequest"))
        .on("GET", &get_path(), get);
    let (client, _) = mock.client(fast_policy());
    let outcome = client
        .resume(&ResumeTarget::from_request_id(REQ).expect("target"), &callback())
        .await;
    (outcome, mock)
}

#[tokio::test]
async fn a_204_is_resumed_and_the_body_follows_the_spec() {
    let mock = Mock::start().await;
    mock.on("POST", &resume_path(), Reply::empty(204));
    let (client, _) = mock.client(fast_policy());
    let outcome = client
        .resume(&ResumeTarget::from_request_id(REQ).expect("target"), &callback())
        .await;
    assert!(matches!(outcome, ResumeOutcome::Resumed));
    let sent = &mock.calls()[0].body;
    let want: Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{}/testdata/resume-continue.json", env!("CARGO_MANIFEST_DIR")))
            .expect("fixture"),
    )
    .expect("json");
    assert_eq!(sent, &want);
    assert_eq!(mock.calls().len(), 1, "no GET after a success");
}

#[tokio::test]
async fn resume_goes_to_the_callout_callback_path_under_v1() {
    let mock = Mock::start().await;
    let path = format!("/v1.0/identityGovernance/entitlementManagement/accessPackageAssignmentRequests/{REQ}/resume");
    mock.on("POST", &path, Reply::empty(204));
    let (client, _) = mock.client(fast_policy());
    let target = ResumeTarget::from_callback_path(&format!(
        "/identityGovernance/entitlementManagement/accessPackageAssignmentRequests/{REQ}/resume"
    ))
    .expect("target");
    assert!(matches!(
        client.resume(&target, &callback()).await,
        ResumeOutcome::Resumed
    ));
}

#[tokio::test]
async fn a_throttled_resume_is_retried_and_succeeds() {
    let mock = Mock::start().await;
    mock.on(
        "POST",
        &resume_path(),
        Reply::error(429, "TooManyRequests").header("Retry-After", "1"),
    )
    .on("POST", &resume_path(), Reply::empty(204));
    let (client, _) = mock.client(fast_policy());
    let outcome = client
        .resume(&ResumeTarget::from_request_id(REQ).expect("target"), &callback())
        .await;
    assert!(matches!(outcome, ResumeOutcome::Resumed));
    assert!(mock.calls_to("GET", &get_path()).is_empty());
}

#[tokio::test]
async fn refused_when_our_callback_was_received_is_already_resumed() {
    let (outcome, mock) = resume_refused_then_get(Reply::json(
        200,
        request_with("pendingApproval", "PendingApproval", "callbackReceived"),
    ))
    .await;
    assert!(matches!(outcome, ResumeOutcome::AlreadyResumed), "{outcome:?}");
    assert_eq!(mock.calls_to("GET", &get_path()).len(), 1);
}

#[tokio::test]
async fn refused_when_the_request_was_denied_is_already_decided() {
    let (outcome, _) =
        resume_refused_then_get(Reply::json(200, request_with("denied", "Denied", "unknownFutureValue"))).await;
    assert!(
        matches!(&outcome, ResumeOutcome::AlreadyDecided { state } if state == "denied"),
        "{outcome:?}"
    );
    assert!(outcome.is_done());
}

#[tokio::test]
async fn refused_when_the_callback_timed_out_is_expired() {
    let (outcome, _) =
        resume_refused_then_get(Reply::json(200, request_with("deliveryFailed", "", "callbackTimedOut"))).await;
    assert!(matches!(outcome, ResumeOutcome::Expired), "{outcome:?}");
}

#[tokio::test]
async fn refused_while_still_waiting_is_a_real_failure_with_graphs_error() {
    let (outcome, _) = resume_refused_then_get(Reply::json(
        200,
        request_with("submitted", "WaitingForCallback", "waitingForCallback"),
    ))
    .await;
    match outcome {
        ResumeOutcome::Failed(e) => {
            assert_eq!(e.status(), Some(400));
            assert_eq!(e.code(), Some("BadRequest"));
            assert_eq!(e.request_id(), Some("rid-400"));
        }
        other => panic!("expected Failed, got {other:?}"),
    }
}

#[tokio::test]
async fn refused_for_a_request_that_no_longer_exists_is_not_found() {
    let (outcome, _) = resume_refused_then_get(Reply::error(404, "ResourceNotFound")).await;
    assert!(matches!(outcome, ResumeOutcome::NotFound(_)), "{outcome:?}");
}

#[tokio::test]
async fn refused_and_the_state_cannot_be_read_is_a_failure() {
    let (outcome, _) = resume_refused_then_get(Reply::error(403, "Forbidden")).await;
    assert!(
        matches!(outcome, ResumeOutcome::Failed(ref e) if e.status() == Some(400)),
        "{outcome:?}"
    );
}

#[tokio::test]
async fn a_resume_failing_on_the_server_is_not_classified_as_done() {
    let mock = Mock::start().await;
    for _ in 0..6 {
        mock.on("POST", &resume_path(), Reply::error(503, "serviceUnavailable"));
    }
    let (client, _) = mock.client(fast_policy());
    let outcome = client
        .resume(&ResumeTarget::from_request_id(REQ).expect("target"), &callback())
        .await;
    assert!(!outcome.is_done());
    assert!(
        mock.calls_to("GET", &get_path()).is_empty(),
        "a 5xx is not a refusal: no GET"
    );
}

#[tokio::test]
async fn any_serializable_body_can_be_sent() {
    let mock = Mock::start().await;
    mock.on("POST", &resume_path(), Reply::empty(204));
    let (client, _) = mock.client(fast_policy());
    let body = json!({"source": "x", "type": "t", "data": {"stage": "assignmentRequestApproved"}});
    let outcome = client
        .resume_with_body(&ResumeTarget::from_request_id(REQ).expect("target"), None, &body)
        .await;
    assert!(matches!(outcome, ResumeOutcome::Resumed));
    assert_eq!(mock.calls()[0].body, body);
}
