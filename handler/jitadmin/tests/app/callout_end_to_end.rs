//! End to end through tenant-sim's entitlement management: a request created in the sim
//! makes it call `/api/callout` as EM does (bearer via the forwarder, or PoP directly);
//! the event goes through the queue to `process`, which resumes the request in the sim's
//! Graph. Asserted on what the sim recorded.

use std::time::Duration;

use crate::callout_support::front_door::FrontDoor;
use crate::callout_support::{start_on_sim_graph, TestApp, AUDIENCE, FORWARDER_CLIENT_ID};
use jitadmin::store::LedgerStatus;
use tenant_sim::em::{CalloutStatus, NewRequest, RequestView, Stage, StageSetting};

const PACKAGE: &str = "55555555-0000-4000-8000-000000000001";
const POLICY: &str = "55555555-0000-4000-8000-0000000000a1";
const ADELE: &str = "11111111-0000-4000-8000-000000000002";

async fn setup(overrides: &[(&str, &str)], bearer: bool) -> (TestApp, FrontDoor) {
    let t = start_on_sim_graph(overrides).await;
    let door = FrontDoor::start(t.router.clone()).await;
    let mut setting = StageSetting::wait(
        Stage::AssignmentRequestCreated,
        door.callout_url(),
        Duration::from_secs(3600),
    );
    if bearer {
        setting = setting.with_bearer(FORWARDER_CLIENT_ID, AUDIENCE);
    }
    t.sim.set_stage_setting(POLICY, setting).unwrap();
    (t, door)
}

/// Wait until `n` events are queued; on timeout, fail with the callout attempts the sim saw.
async fn queued(t: &TestApp, door: &FrontDoor, request: &str, n: usize) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    while door.queued() < n {
        if tokio::time::Instant::now() > deadline {
            let view = t.sim.assignment_request(request);
            let attempts: Vec<_> = view
                .iter()
                .flat_map(|v| v.callouts.iter().map(|c| c.attempts.clone()))
                .collect();
            panic!("{} of {n} events queued; callout attempts: {attempts:?}", door.queued());
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

async fn wait_resumed(t: &TestApp, request: &str) -> RequestView {
    t.sim
        .wait_for_request(request, Duration::from_secs(10), |r| {
            r.callout(Stage::AssignmentRequestCreated)
                .is_some_and(|c| c.status == CalloutStatus::CallbackReceived)
        })
        .await
        .expect("the created stage is resumed")
}

fn assert_resume_body(view: &RequestView) {
    let callout = view.callout(Stage::AssignmentRequestCreated).unwrap();
    assert_eq!(view.resumes.len(), 1, "exactly one resume: {:?}", view.resumes);
    let resume = &view.resumes[0];
    assert_eq!(resume.status, 204);
    assert_eq!(
        resume.stage_instance_id.as_deref(),
        Some(callout.stage_instance_id.as_str())
    );
    assert_eq!(resume.body["source"], "jitadmin");
    assert_eq!(
        resume.body["type"],
        "microsoft.graph.accessPackageCustomExtensionStage.assignmentRequestCreated"
    );
    assert_eq!(resume.body["data"]["stage"], "assignmentRequestCreated");
    assert!(resume.body["data"]["customExtensionStageInstanceDetail"].is_string());
}

#[tokio::test]
async fn request_created_in_the_sim_is_resumed_once_through_the_forwarder_shape() {
    let (t, door) = setup(&[("JITADMIN_CREATED_STAGE", "continue")], true).await;
    let request = t
        .sim
        .create_assignment_request(NewRequest::new(ADELE, PACKAGE))
        .unwrap();
    queued(&t, &door, &request, 1).await;
    assert_eq!(door.drain().await, [200]);
    let view = wait_resumed(&t, &request).await;
    assert_resume_body(&view);
    let callout = view.callout(Stage::AssignmentRequestCreated).unwrap();
    assert_eq!(callout.attempts.len(), 1, "answered within EM's 2 seconds");
    assert_eq!(callout.attempts[0].status, Some(202));
    assert_eq!(callout.attempts[0].auth_scheme.as_deref(), Some("Bearer"));
}

#[tokio::test]
async fn request_created_in_the_sim_is_resumed_with_em_pop_direct() {
    let (t, door) = setup(
        &[("JITADMIN_CREATED_STAGE", "continue"), ("JITADMIN_CALLOUT_AUTH", "pop")],
        false,
    )
    .await;
    let request = t
        .sim
        .create_assignment_request(NewRequest::new(ADELE, PACKAGE))
        .unwrap();
    queued(&t, &door, &request, 1).await;
    assert_eq!(door.drain().await, [200]);
    let view = wait_resumed(&t, &request).await;
    assert_resume_body(&view);
    let callout = view.callout(Stage::AssignmentRequestCreated).unwrap();
    assert_eq!(callout.attempts[0].auth_scheme.as_deref(), Some("PoP"));
}

/// What the forwarder adds to the function's own answer time (EM reaching the Logic App, the
/// PoP check, the forwarder's token): a modelled figure, Microsoft publishes none.
const FORWARDER_OVERHEAD: Duration = Duration::from_millis(500);
/// A cold Functions host's start, as the first call may meet it without always-ready instances.
const COLD_START: Duration = Duration::from_millis(2000);

#[tokio::test]
async fn em_retry_of_a_slow_answer_leads_to_exactly_one_decision_and_one_resume() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("rules.toml");
    std::fs::write(
        &rules,
        "[default]\ndecision = \"approve\"\nreason = \"Everyone, in this test.\"\n",
    )
    .unwrap();
    let rules = rules.display().to_string();
    let (t, door) = setup(&[("JITADMIN_RULES", rules.as_str())], true).await;
    // The first answer comes after EM's 2-second timeout (a cold start behind the forwarder):
    // EM retries, both callouts are queued.
    door.stall(1, FORWARDER_OVERHEAD + COLD_START);
    let request = t
        .sim
        .create_assignment_request(NewRequest::new(ADELE, PACKAGE))
        .unwrap();
    queued(&t, &door, &request, 2).await;
    assert_eq!(door.drain().await, [200, 200]);
    let view = wait_resumed(&t, &request).await;
    let callout = view.callout(Stage::AssignmentRequestCreated).unwrap();
    assert_eq!(callout.attempts.len(), 2, "EM retried once");
    assert_resume_body(&view);
    let trail = t.app.store().audit_by_request(&request).await.unwrap();
    let decided = trail
        .iter()
        .filter(|r| r.event.action == "callout.created.approved.resumed")
        .count();
    assert_eq!(decided, 1, "one decision: {trail:?}");
    assert!(
        trail.iter().any(|r| r.event.action == "callout.duplicate"),
        "the retry changed nothing"
    );
}

#[tokio::test]
async fn resume_after_the_callback_expired_is_recorded_done() {
    let (t, door) = setup(&[("JITADMIN_CREATED_STAGE", "continue")], true).await;
    let request = t
        .sim
        .create_assignment_request(NewRequest::new(ADELE, PACKAGE))
        .unwrap();
    queued(&t, &door, &request, 1).await;
    t.sim
        .wait_for_request(&request, Duration::from_secs(10), |r| {
            r.callout(Stage::AssignmentRequestCreated)
                .is_some_and(|c| c.status == CalloutStatus::WaitingForCallback)
        })
        .await
        .unwrap();
    assert_eq!(t.sim.expire_waiting(&request).unwrap(), 1);
    assert_eq!(door.drain().await, [200], "an expired stage is done, not a failure");

    let view = t.sim.assignment_request(&request).unwrap();
    assert_eq!(view.resumes.len(), 1);
    assert_ne!(view.resumes[0].status, 204, "the sim refused the late resume");
    let key = format!(
        "{}:assignmentrequestcreated",
        view.callout(Stage::AssignmentRequestCreated).unwrap().stage_instance_id
    );
    let entry = t.app.store().ledger_get(&key).await.unwrap().unwrap();
    assert_eq!(entry.status, LedgerStatus::Done);
    assert!(entry.outcome.unwrap().contains("expired"), "outcome names the expiry");
}

#[tokio::test]
async fn with_created_stage_wait_the_request_keeps_waiting() {
    let (t, door) = setup(&[], true).await;
    let request = t
        .sim
        .create_assignment_request(NewRequest::new(ADELE, PACKAGE))
        .unwrap();
    queued(&t, &door, &request, 1).await;
    assert_eq!(door.drain().await, [200]);
    let view = t.sim.assignment_request(&request).unwrap();
    assert!(view.resumes.is_empty());
    assert_eq!(
        view.callout(Stage::AssignmentRequestCreated).unwrap().status,
        CalloutStatus::WaitingForCallback
    );
}
