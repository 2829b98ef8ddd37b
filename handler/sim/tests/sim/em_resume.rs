//! The resume action's state machine, the request GET jitadmin classifies refusals with, the
//! assignments list, expiry and removal.

use std::time::Duration;

use crate::support::endpoint::Endpoint;
use crate::support::*;
use serde_json::{json, Value};
use tenant_sim::em::{NOT_WAITING_FOR_CALLBACK, STAGE_INSTANCE_NOT_FOUND};
use tenant_sim::{CalloutStatus, NewRequest, RequestView, Scenario, SimConfig, Stage, StageSetting, TenantSim};

const PACKAGE: &str = "55555555-0000-4000-8000-000000000001";
const POLICY: &str = "55555555-0000-4000-8000-0000000000a1";
const EM: &str = "/v1.0/identityGovernance/entitlementManagement";
const WAIT: Duration = Duration::from_secs(5);

fn resume_body(stage: &str, instance: &str, state: Option<&str>) -> Value {
    let mut body = json!({
        "source": "jitadmin",
        "type": format!("microsoft.graph.accessPackageCustomExtensionStage.{stage}"),
        "data": {
            "@odata.type": "microsoft.graph.accessPackageAssignmentRequestCallbackData",
            "stage": stage,
            "customExtensionStageInstanceId": instance,
            "customExtensionStageInstanceDetail": "Checks passed",
        }
    });
    if let Some(s) = state {
        body["data"]["state"] = json!(s);
    }
    body
}

async fn post_resume(sim: &TenantSim, request_id: &str, body: &Value) -> reqwest::Response {
    http()
        .post(format!(
            "{}{EM}/assignmentRequests/{request_id}/resume",
            sim.graph_url()
        ))
        .bearer_auth(graph_token(sim))
        .json(body)
        .send()
        .await
        .unwrap()
}

/// A sim whose policy waits at the created stage and continues at granted and removed, and a
/// request by Lee (not yet in the admin group) that is waiting.
async fn waiting_request(config: SimConfig, timeout: Duration) -> (TenantSim, Endpoint, RequestView) {
    let sim = TenantSim::start_with(Scenario::demo(), config).await.unwrap();
    let endpoint = Endpoint::start().await;
    sim.set_stage_setting(
        POLICY,
        StageSetting::wait(Stage::AssignmentRequestCreated, &endpoint.url, timeout),
    )
    .unwrap();
    for stage in [Stage::AssignmentRequestGranted, Stage::AssignmentRequestRemoved] {
        sim.set_stage_setting(POLICY, StageSetting::continue_at(stage, &endpoint.url))
            .unwrap();
    }
    let id = sim
        .create_assignment_request(NewRequest::new(LEE, PACKAGE).justification("VPN client"))
        .unwrap();
    let view = sim
        .wait_for_request(&id, WAIT, |r| {
            r.callouts.first().is_some_and(|c| !c.attempts.is_empty())
        })
        .await
        .unwrap();
    (sim, endpoint, view)
}

fn instance(view: &RequestView) -> String {
    view.callouts[0].stage_instance_id.clone()
}

async fn error_code(response: reqwest::Response) -> String {
    let body: Value = response.json().await.unwrap();
    body["error"]["code"].as_str().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn continue_resume_grants_joins_the_admin_group_and_fires_the_granted_callout() {
    let (sim, endpoint, view) = waiting_request(SimConfig::default(), Duration::from_secs(3600)).await;
    let r = post_resume(
        &sim,
        &view.id,
        &resume_body("assignmentRequestCreated", &instance(&view), None),
    )
    .await;
    assert_eq!(r.status(), 204);

    let done = sim
        .wait_for_request(&view.id, WAIT, |r| {
            r.state == "delivered" && r.callout(Stage::AssignmentRequestGranted).is_some()
        })
        .await
        .unwrap();
    assert_eq!(done.callouts[0].status, CalloutStatus::CallbackReceived);
    assert_eq!(done.callouts[0].detail.as_deref(), Some("Checks passed"));
    assert_eq!(done.resumes.len(), 1);
    assert!(sim.group_members(ADMINS).unwrap().iter().any(|m| m == LEE));
    let granted = endpoint.wait_for(2).await;
    assert!(
        sim.create_assignment_request(NewRequest::new(LEE, PACKAGE)).is_err(),
        "Lee already holds the package"
    );
    // The grant changed the admin group like any other change: delta and notifications see it.
    assert_eq!(sim.membership_changes(ADMINS).len(), 1);
    assert_eq!(granted[1].json()["Stage"], "assignmentRequestGranted");
    assert_eq!(
        granted[1].json()["Assignment"]["Id"],
        done.assignment_id.as_deref().unwrap()
    );

    // What jitadmin-graph's list_user_assignments sends.
    let filter = format!("accessPackage/id eq '{PACKAGE}' and target/objectId eq '{LEE}'");
    let q: String = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("$filter", &filter)
        .append_pair("$expand", "target")
        .finish();
    let page: Value = graph_get(&sim, &format!("{EM}/assignments?{q}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(page["value"].as_array().unwrap().len(), 1);
    assert_eq!(page["value"][0]["state"], "delivered");
    assert_eq!(page["value"][0]["target"]["objectId"], LEE);
    let other = format!("{EM}/assignments?$filter=target/objectId eq '{ALEX}'");
    let page: Value = graph_get(&sim, &other).await.json().await.unwrap();
    assert!(page["value"].as_array().unwrap().is_empty());
    sim.shutdown().await;
}

#[tokio::test]
async fn a_second_resume_is_refused_and_the_request_shows_callback_received() {
    let (sim, _endpoint, view) = waiting_request(SimConfig::default(), Duration::from_secs(3600)).await;
    let body = resume_body("assignmentRequestCreated", &instance(&view), None);
    assert_eq!(post_resume(&sim, &view.id, &body).await.status(), 204);
    let again = post_resume(&sim, &view.id, &body).await;
    assert_eq!(again.status(), 400);
    assert_eq!(error_code(again).await, NOT_WAITING_FOR_CALLBACK);

    let got: Value = graph_get(&sim, &format!("{EM}/assignmentRequests/{}", view.id))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        got["customExtensionCalloutInstances"][0]["id"],
        instance(&view).as_str()
    );
    assert_eq!(got["customExtensionCalloutInstances"][0]["status"], "callbackReceived");
    let recorded = sim.assignment_request(&view.id).unwrap().resumes;
    assert_eq!(recorded.iter().map(|r| r.status).collect::<Vec<_>>(), vec![204, 400]);
    sim.shutdown().await;
}

#[tokio::test]
async fn a_denying_resume_denies_the_request_and_grants_nothing() {
    let (sim, endpoint, view) = waiting_request(SimConfig::default(), Duration::from_secs(3600)).await;
    let body = resume_body("AssignmentRequestCreated", &instance(&view), Some("denied"));
    assert_eq!(post_resume(&sim, &view.id, &body).await.status(), 204);
    let done = sim.assignment_request(&view.id).unwrap();
    assert_eq!((done.state.as_str(), done.status.as_str()), ("denied", "Denied"));
    assert!(done.completed_at.is_some());
    // The resume completed the request before answering, so nothing runs after it: no member
    // was ever added and no later stage called out.
    assert!(!sim.group_members(ADMINS).unwrap().iter().any(|m| m == LEE));
    assert!(!sim.membership_changes(ADMINS).iter().any(|c| c.member_id == LEE));
    assert_eq!(done.callouts.len(), 1, "only the created stage called out");
    assert_eq!(endpoint.received().len(), 1, "no granted callout");
    assert!(sim.assignments().is_empty());
    sim.shutdown().await;
}

#[tokio::test]
async fn a_waiting_stage_times_out_in_scaled_time_and_a_late_resume_is_refused() {
    // Five minutes (EM's minimum) at 1/1000 speed: 300 ms.
    let config = SimConfig::default().with_time_scale(0.001);
    let (sim, _endpoint, view) = waiting_request(config, Duration::from_secs(300)).await;
    let done = sim
        .wait_for_request(&view.id, WAIT, |r| r.status == "TimedOut")
        .await
        .unwrap();
    assert_eq!(done.state, "deliveryFailed");
    assert_eq!(done.callouts[0].status, CalloutStatus::CallbackTimedOut);
    let late = post_resume(
        &sim,
        &view.id,
        &resume_body("assignmentRequestCreated", &instance(&view), None),
    )
    .await;
    assert_eq!(late.status(), 400);
    assert_eq!(error_code(late).await, NOT_WAITING_FOR_CALLBACK);
    let got: Value = graph_get(&sim, &format!("{EM}/assignmentRequests/{}", view.id))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(got["customExtensionCalloutInstances"][0]["status"], "callbackTimedOut");
    sim.shutdown().await;
}

#[tokio::test]
async fn expire_waiting_times_out_a_waiting_request_at_once() {
    let (sim, _endpoint, view) = waiting_request(SimConfig::default(), Duration::from_secs(3600)).await;
    assert_eq!(sim.expire_waiting(&view.id).unwrap(), 1);
    assert_eq!(sim.expire_waiting(&view.id).unwrap(), 0);
    let done = sim.assignment_request(&view.id).unwrap();
    assert_eq!(
        (done.state.as_str(), done.status.as_str()),
        ("deliveryFailed", "TimedOut")
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn malformed_or_misdirected_resumes_are_refused_like_graph() {
    let recording = SimConfig {
        conformance: tenant_sim::ConformanceMode::Record,
        ..SimConfig::default()
    };
    let (sim, _endpoint, view) = waiting_request(recording, Duration::from_secs(3600)).await;
    let wrong_instance = resume_body("assignmentRequestCreated", "00000000-0000-0000-0000-000000000000", None);
    let r = post_resume(&sim, &view.id, &wrong_instance).await;
    assert_eq!(r.status(), 400);
    assert_eq!(error_code(r).await, STAGE_INSTANCE_NOT_FOUND);

    let wrong_stage = resume_body("assignmentRequestApproved", &instance(&view), None);
    assert_eq!(post_resume(&sim, &view.id, &wrong_stage).await.status(), 400);
    let mut untyped = resume_body("assignmentRequestCreated", &instance(&view), None);
    untyped["data"].as_object_mut().unwrap().remove("@odata.type");
    assert_eq!(post_resume(&sim, &view.id, &untyped).await.status(), 400);

    let unknown = post_resume(&sim, "9d1c0000-0000-0000-0000-000000000000", &wrong_instance).await;
    assert_eq!(unknown.status(), 404);

    let anonymous = http()
        .post(format!("{}{EM}/assignmentRequests/{}/resume", sim.graph_url(), view.id))
        .json(&resume_body("assignmentRequestCreated", &instance(&view), None))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
    // None of these ended the wait.
    let still = sim.assignment_request(&view.id).unwrap();
    assert_eq!(still.callouts[0].status, CalloutStatus::WaitingForCallback);
    assert_eq!(sim.calls_to("POST", &format!("{EM}/assignmentRequests/")).len(), 5);
    sim.shutdown().await;
}

#[tokio::test]
async fn the_request_get_has_graphs_shape_with_expansions() {
    let (sim, _endpoint, view) = waiting_request(SimConfig::default(), Duration::from_secs(3600)).await;
    let path = format!(
        "/beta/identityGovernance/entitlementManagement/assignmentRequests/{}?$expand=requestor,accessPackage,assignment($expand=target)",
        view.id
    );
    let got: Value = graph_get(&sim, &path).await.json().await.unwrap();
    assert!(got["@odata.context"]
        .as_str()
        .unwrap()
        .ends_with("assignmentRequests/$entity"));
    assert_eq!(got["id"], view.id.as_str());
    assert_eq!(got["requestType"], "userAdd");
    assert_eq!(got["state"], "submitted");
    assert_eq!(got["status"], "WaitingForCallback");
    assert_eq!(got["justification"], "VPN client");
    assert_eq!(got["schedule"]["expiration"]["duration"], "PT8H");
    assert!(got["createdDateTime"].as_str().unwrap().ends_with('Z'));
    assert!(got["completedDateTime"].is_null());
    let inst = &got["customExtensionCalloutInstances"][0];
    assert_eq!(inst["status"], "waitingForCallback");
    assert_eq!(inst["customExtensionId"], view.callouts[0].custom_extension_id.as_str());
    assert_eq!(got["requestor"]["objectId"], LEE);
    assert_eq!(got["requestor"]["subjectType"], "user");
    assert_eq!(got["accessPackage"]["id"], PACKAGE);
    assert_eq!(got["assignment"]["target"]["objectId"], LEE);

    let list: Value = graph_get(
        &sim,
        &format!("{EM}/assignmentRequests?$filter=accessPackage/id eq '{PACKAGE}'&$expand=requestor"),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(list["value"][0]["requestor"]["objectId"], LEE);
    sim.shutdown().await;
}

#[tokio::test]
async fn removing_an_assignment_leaves_the_group_and_fires_the_removed_callout() {
    let (sim, endpoint, view) = waiting_request(SimConfig::default(), Duration::from_secs(3600)).await;
    post_resume(
        &sim,
        &view.id,
        &resume_body("assignmentRequestCreated", &instance(&view), None),
    )
    .await;
    let granted = sim
        .wait_for_request(&view.id, WAIT, |r| r.state == "delivered")
        .await
        .unwrap();
    let assignment = granted.assignment_id.unwrap();
    endpoint.wait_for(2).await;

    let removal = sim.remove_assignment(&assignment).unwrap();
    let done = sim
        .wait_for_request(&removal, WAIT, |r| r.state == "delivered")
        .await
        .unwrap();
    assert_eq!(done.request_type, "adminRemove");
    assert!(!sim.group_members(ADMINS).unwrap().iter().any(|m| m == LEE));
    let removed = endpoint.wait_for(3).await;
    let body = removed[2].json();
    assert_eq!(body["Stage"], "assignmentRequestRemoved");
    assert_eq!(body["RequestType"], "adminRemove");
    assert_eq!(body["Assignment"]["Id"], assignment.as_str());
    assert_eq!(sim.assignments()[0].state, "expired");
    assert!(sim.remove_assignment(&assignment).is_err(), "already removed");
    let changes = sim.membership_changes(ADMINS);
    assert_eq!(changes.len(), 2, "added on grant, removed on removal");
    sim.shutdown().await;
}
