//! Callouts end to end: entitlement management (simulated) calls `/api/callout`, the
//! event is queued, `process` resumes the request in Graph — through the real binary
//! under azfn-local.

use std::time::Duration;

use jitadmin_tests::TestEnv;
use serde_json::Value;
use tenant_sim::{NewRequest, Stage};

fn first_member_and_package(env: &jitadmin::dev::DevEnvironment) -> (String, String) {
    env.sim.with_state(|s| {
        let user = s
            .users()
            .iter()
            .find(|u| u.account_enabled && u.user_type == tenant_sim::UserType::Member)
            .unwrap();
        (user.id.clone(), s.access_packages[0].id.clone())
    })
}

#[tokio::test]
async fn a_request_created_in_entra_is_resumed_once_with_the_right_body() {
    let test = TestEnv::start().await;
    let env = &test.env;
    let (user, package) = first_member_and_package(env);
    let request_id = env
        .sim
        .create_assignment_request(NewRequest::new(&user, &package).justification("INC0001"))
        .unwrap();
    let request = env
        .sim
        .wait_for_request(&request_id, Duration::from_secs(30), |r| !r.resumes.is_empty())
        .await
        .expect("jitadmin resumes the request");
    let created = request.callout(Stage::AssignmentRequestCreated).unwrap();
    assert_eq!(created.attempts.len(), 1, "answered within EM's 2 seconds, so no retry");
    assert_eq!(created.attempts[0].status, Some(202));
    assert_eq!(request.resumes.len(), 1);
    let resume = &request.resumes[0];
    assert_eq!(resume.status, 204);
    assert_eq!(
        resume.stage_instance_id.as_deref(),
        Some(created.stage_instance_id.as_str())
    );
    assert_eq!(resume.body["data"]["stage"], "assignmentRequestCreated");
    assert_eq!(
        resume.body["data"]["customExtensionStageInstanceId"],
        created.stage_instance_id.as_str()
    );
    assert!(resume.body["data"]["customExtensionStageInstanceDetail"]
        .as_str()
        .is_some_and(|d| !d.is_empty()));
    test.shutdown().await;
}

#[tokio::test]
async fn entitlement_managements_retry_of_a_callout_leads_to_exactly_one_resume() {
    let test = TestEnv::start().await;
    let env = &test.env;
    let (user, package) = first_member_and_package(env);
    let request_id = env
        .sim
        .create_assignment_request(NewRequest::new(&user, &package))
        .unwrap();
    let request = env
        .sim
        .wait_for_request(&request_id, Duration::from_secs(30), |r| !r.resumes.is_empty())
        .await
        .unwrap();
    let created = request.callout(Stage::AssignmentRequestCreated).unwrap();

    // EM's single retry delivers the same callout again (same stage instance).
    let forwarder = env.sim.with_state(|s| s.managed_identities[0].client_id.clone());
    let token = env.sim.app_token(&forwarder, jitadmin::dev::CALLOUT_AUDIENCE).unwrap();
    let mut invocations = env.host.invocations();
    let retry = reqwest::Client::new()
        .post(format!("{}/callout", env.api_url()))
        .header("x-functions-key", &env.function_key)
        .bearer_auth(token)
        .json(&created.body)
        .send()
        .await
        .unwrap();
    assert_eq!(retry.status(), 202, "{}", retry.text().await.unwrap_or_default());
    // Wait until `process` has handled the duplicate, then check nothing was resumed twice.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let record = tokio::time::timeout_at(deadline, invocations.recv())
            .await
            .expect("process runs")
            .unwrap();
        if record.function == "process" {
            assert!(record.succeeded(), "{record:?}");
            break;
        }
    }
    let request = env.sim.assignment_request(&request_id).unwrap();
    assert_eq!(
        request.resumes.len(),
        1,
        "the duplicate changed nothing: {:?}",
        request.resumes
    );
    let resumes: Vec<Value> = env
        .sim
        .calls_to(
            "POST",
            "/v1.0/identityGovernance/entitlementManagement/assignmentRequests/",
        )
        .iter()
        .filter_map(|c| c.json())
        .collect();
    assert_eq!(resumes.len(), 1);
    test.shutdown().await;
}

#[tokio::test]
async fn a_failing_event_is_retried_dead_lettered_with_its_ids_and_replayed_once() {
    let test = TestEnv::start_with(|options| {
        options
            .extra_settings
            .push(("JITADMIN_GRAPH_MAX_ATTEMPTS".into(), "1".into()));
    })
    .await;
    let env = &test.env;
    // Graph is down for resumes: every delivery of the event fails.
    env.sim.faults().inject(
        tenant_sim::FaultRule::new(
            tenant_sim::RoutePattern::new(
                "POST",
                "/v1.0/identityGovernance/entitlementManagement/assignmentRequests/*",
            ),
            tenant_sim::FaultKind::ServiceUnavailable { retry_after: None },
        )
        .always(),
    );
    let (user, package) = first_member_and_package(env);
    let request_id = env
        .sim
        .create_assignment_request(NewRequest::new(&user, &package))
        .unwrap();
    let queues = env.host.queues();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    let dead = loop {
        let dead = queues.dead_letters("events").unwrap();
        if !dead.is_empty() {
            break dead;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the event was never dead-lettered"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let request = env.sim.assignment_request(&request_id).unwrap();
    let instance = &request
        .callout(Stage::AssignmentRequestCreated)
        .unwrap()
        .stage_instance_id;
    assert_eq!(dead.len(), 1);
    let message = &dead[0];
    assert_eq!(message.message_id, format!("{instance}:assignmentrequestcreated"));
    assert_eq!(
        message.session_id.as_deref(),
        Some(user.as_str()),
        "sessions are keyed by the target user"
    );
    assert_eq!(message.delivery_count, 3, "delivered max-delivery-count times");
    assert_eq!(message.dead_letter_reason.as_deref(), Some("MaxDeliveryCountExceeded"));
    assert!(
        request.resumes.iter().all(|r| r.status != 204),
        "nothing was resumed while Graph was down"
    );

    // The outage ends; the operator moves the event back; it completes exactly once.
    env.sim.faults().clear();
    queues.resubmit_dead_letters("events", None).unwrap();
    let request = env
        .sim
        .wait_for_request(&request_id, Duration::from_secs(30), |r| {
            r.resumes.iter().any(|x| x.status == 204)
        })
        .await
        .expect("the replayed event resumes the request");
    assert_eq!(request.resumes.iter().filter(|r| r.status == 204).count(), 1);
    test.shutdown().await;
}
