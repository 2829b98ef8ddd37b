//! Entitlement management's request types: a manager files for a direct report (nobody
//! else may file for someone), an extension changes the delivered assignment instead of
//! creating one, and which stages call out for admin requests and updates is the test's
//! choice (Microsoft does not document it).

use std::time::Duration;

use crate::support::endpoint::Endpoint;
use crate::support::*;
use tenant_sim::em::approval::{ApprovalSettings, Approver};
use tenant_sim::em::{CalloutCoverage, StageCoverage};
use tenant_sim::{NewRequest, SimError, Stage, StageSetting};

const PACKAGE: &str = "55555555-0000-4000-8000-000000000001";
const POLICY: &str = "55555555-0000-4000-8000-0000000000a1";
const WAIT: Duration = Duration::from_secs(5);

#[tokio::test]
async fn only_a_manager_files_for_someone_else_and_the_callout_names_both() {
    let sim = demo().await;
    let endpoint = Endpoint::start().await;
    sim.set_stage_setting(
        POLICY,
        StageSetting::continue_at(Stage::AssignmentRequestCreated, &endpoint.url),
    )
    .unwrap();
    let refused = sim.create_assignment_request(NewRequest::new(ADELE, PACKAGE).on_behalf_of(MEGAN));
    assert!(matches!(refused, Err(SimError::Refused(_))), "{refused:?}");
    let id = sim
        .create_assignment_request(NewRequest::new(MEGAN, PACKAGE).on_behalf_of(ADELE))
        .unwrap();
    sim.wait_for_request(&id, WAIT, |r| r.state == "delivered")
        .await
        .unwrap();
    let body = endpoint.received()[0].json();
    assert_eq!(body["Requestor"]["ObjectId"], MEGAN);
    assert_eq!(body["Assignment"]["Target"]["ObjectId"], ADELE);
    assert_eq!(body["RequestType"], "userAdd");
    sim.shutdown().await;
}

#[tokio::test]
async fn an_extension_changes_the_delivered_assignment() {
    let sim = demo().await;
    let early = sim.create_assignment_request(NewRequest::new(ADELE, PACKAGE).of_type("userUpdate"));
    assert!(
        matches!(early, Err(SimError::NotFound { .. })),
        "nothing to extend yet: {early:?}"
    );
    let first = sim.create_assignment_request(NewRequest::new(ADELE, PACKAGE)).unwrap();
    let first = sim
        .wait_for_request(&first, WAIT, |r| r.state == "delivered")
        .await
        .unwrap();
    let again = sim.create_assignment_request(NewRequest::new(ADELE, PACKAGE));
    assert!(matches!(again, Err(SimError::Conflict { .. })), "{again:?}");

    let extension = sim
        .create_assignment_request(
            NewRequest::new(ADELE, PACKAGE)
                .of_type("userUpdate")
                .for_duration("PT12H"),
        )
        .unwrap();
    let extension = sim
        .wait_for_request(&extension, WAIT, |r| r.state == "delivered")
        .await
        .unwrap();
    assert_eq!(extension.assignment_id, first.assignment_id);
    let assignments = sim.assignments();
    assert_eq!(assignments.len(), 1, "no second assignment");
    assert_eq!(assignments[0].schedule["expiration"]["duration"], "PT12H");
    sim.shutdown().await;
}

#[tokio::test]
async fn which_stages_call_out_for_admin_requests_and_updates_is_chosen_by_the_test() {
    for (coverage, expected) in [
        (
            StageCoverage::AllStages,
            vec!["assignmentRequestCreated", "assignmentRequestGranted"],
        ),
        (StageCoverage::GrantedAndRemovedOnly, vec!["assignmentRequestGranted"]),
    ] {
        let sim = demo().await;
        let endpoint = Endpoint::start().await;
        for stage in [Stage::AssignmentRequestCreated, Stage::AssignmentRequestGranted] {
            sim.set_stage_setting(POLICY, StageSetting::continue_at(stage, &endpoint.url))
                .unwrap();
        }
        sim.set_callout_coverage(CalloutCoverage {
            admin: coverage,
            updates: coverage,
        });
        let id = sim
            .create_assignment_request(NewRequest::new(MEGAN, PACKAGE).on_behalf_of(ADELE).of_type("adminAdd"))
            .unwrap();
        let view = sim
            .wait_for_request(&id, WAIT, |r| r.callout(Stage::AssignmentRequestGranted).is_some())
            .await
            .unwrap();
        let stages: Vec<&str> = view.callouts.iter().map(|c| c.stage.as_str()).collect();
        assert_eq!(stages, expected, "{coverage:?}");
        sim.shutdown().await;
    }
}

#[tokio::test]
async fn an_approver_in_my_access_decides_between_the_created_and_approved_stages() {
    let sim = demo().await;
    let endpoint = Endpoint::start().await;
    for stage in [Stage::AssignmentRequestCreated, Stage::AssignmentRequestApproved] {
        sim.set_stage_setting(POLICY, StageSetting::continue_at(stage, &endpoint.url))
            .unwrap();
    }
    sim.set_policy_approval(
        POLICY,
        ApprovalSettings::single_stage(vec![Approver::User(MEGAN.into())]),
    );
    let id = sim.create_assignment_request(NewRequest::new(ALEX, PACKAGE)).unwrap();
    let waiting = sim
        .wait_for_request(&id, WAIT, |r| r.state == "pendingApproval")
        .await
        .unwrap();
    let stages: Vec<&str> = waiting.callouts.iter().map(|c| c.stage.as_str()).collect();
    assert_eq!(stages, ["assignmentRequestCreated"], "approved waits for the person");
    assert!(matches!(
        sim.decide_approval(&id, LEE, true, None),
        Err(SimError::Refused(_))
    ));
    sim.decide_approval(&id, MEGAN, true, Some("ok")).unwrap();
    let done = sim
        .wait_for_request(&id, WAIT, |r| r.state == "delivered")
        .await
        .unwrap();
    let stages: Vec<&str> = done.callouts.iter().map(|c| c.stage.as_str()).collect();
    assert_eq!(stages, ["assignmentRequestCreated", "assignmentRequestApproved"]);
    assert!(matches!(
        sim.decide_approval(&id, MEGAN, false, None),
        Err(SimError::Refused(_))
    ));
    sim.shutdown().await;
}

#[tokio::test]
async fn nobody_deciding_denies_and_escalation_lets_the_escalation_approver_decide() {
    let sim = demo().await;
    let mut settings = ApprovalSettings::single_stage(vec![Approver::User(MEGAN.into())]);
    if let Some(stage) = settings.stage.as_mut() {
        stage.automatic_denial_after = Duration::from_millis(300);
        stage.escalation = Some((Duration::from_millis(50), vec![Approver::User(LEE.into())]));
    }
    sim.set_policy_approval(POLICY, settings);
    let id = sim.create_assignment_request(NewRequest::new(ALEX, PACKAGE)).unwrap();
    sim.wait_for_request(&id, WAIT, |r| r.approval.as_ref().is_some_and(|a| a.escalated))
        .await
        .unwrap();
    sim.decide_approval(&id, LEE, false, Some("not now")).unwrap();
    let denied = sim.wait_for_request(&id, WAIT, |r| r.state == "denied").await.unwrap();
    let decision = denied.approval.and_then(|a| a.decision).expect("a decision");
    assert_eq!(decision.by.as_deref(), Some(LEE));

    let other = sim.create_assignment_request(NewRequest::new(ADELE, PACKAGE)).unwrap();
    let denied = sim
        .wait_for_request(&other, WAIT, |r| r.state == "denied")
        .await
        .unwrap();
    let decision = denied.approval.and_then(|a| a.decision).expect("the automatic denial");
    assert_eq!(decision.by, None);
    // Graph shows the policy's approval stage.
    let policy: serde_json::Value = graph_get(
        &sim,
        &format!("/v1.0/identityGovernance/entitlementManagement/assignmentPolicies/{POLICY}"),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(policy["requestApprovalSettings"]["isApprovalRequiredForAdd"], true);
    sim.shutdown().await;
}
