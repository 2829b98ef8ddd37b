use super::*;
use crate::entitlement::CalloutInstance;

fn callback(decision: ResumeDecision) -> ResumeCallback {
    ResumeCallback {
        source: "jitadmin".into(),
        stage: ResumeStage::parse("AssignmentRequestCreated"),
        stage_instance_id: "5c1f1d7e-6b0a-4f3c-9d2e-8a7b6c5d4e3f".into(),
        detail: "Checks passed".into(),
        decision,
    }
}

#[test]
fn continue_body_matches_the_spec_shape() {
    let got = serde_json::to_value(callback(ResumeDecision::Continue)).expect("json");
    let want: serde_json::Value =
        serde_json::from_slice(include_bytes!("../testdata/resume-continue.json")).expect("fixture");
    assert_eq!(got, want);
}

#[test]
fn deny_body_adds_state_denied() {
    let got = serde_json::to_value(ResumeCallback {
        detail: "Device not compliant".into(),
        ..callback(ResumeDecision::Deny)
    })
    .expect("json");
    let want: serde_json::Value =
        serde_json::from_slice(include_bytes!("../testdata/resume-deny.json")).expect("fixture");
    assert_eq!(got, want);
}

#[test]
fn stage_names_are_read_in_any_casing() {
    assert_eq!(
        ResumeStage::parse("assignmentrequestapproved"),
        ResumeStage::AssignmentRequestApproved
    );
    assert_eq!(ResumeStage::parse("Custom"), ResumeStage::Other("Custom".into()));
}

#[test]
fn target_from_request_id_is_the_v1_path() {
    let t = ResumeTarget::from_request_id("r1").expect("target");
    assert_eq!(
        t.path,
        "/v1.0/identityGovernance/entitlementManagement/assignmentRequests/r1/resume"
    );
}

#[test]
fn target_from_callback_path_prefixes_v1_and_reads_the_id() {
    let t = ResumeTarget::from_callback_path(
        "/identityGovernance/entitlementManagement/accessPackageAssignmentRequests/7d2a/resume",
    )
    .expect("target");
    assert_eq!(
        t.path,
        "/v1.0/identityGovernance/entitlementManagement/accessPackageAssignmentRequests/7d2a/resume"
    );
    assert_eq!(t.request_id, "7d2a");
    let beta =
        ResumeTarget::from_callback_path("/beta/identityGovernance/entitlementManagement/assignmentRequests/x/resume")
            .expect("beta");
    assert_eq!(
        beta.path,
        "/beta/identityGovernance/entitlementManagement/assignmentRequests/x/resume"
    );
}

#[test]
fn callback_paths_that_leave_entitlement_management_are_refused() {
    for p in [
        "/users/x/resume",
        "/identityGovernance/entitlementManagement/../../users/x/resume",
        "/identityGovernance/entitlementManagement/assignmentRequests/x/resume?x=1",
        "identityGovernance/entitlementManagement/assignmentRequests/x/resume",
        "/identityGovernance/entitlementManagement/assignmentRequests/x",
        "https://evil.example/identityGovernance/entitlementManagement/assignmentRequests/x/resume",
        "/identityGovernance/entitlementManagement/assignmentRequests/x/.%2e/%2e./groups/g/resume",
    ] {
        assert!(ResumeTarget::from_callback_path(p).is_err(), "{p}");
    }
}

fn request(state: &str, status: &str, instance: Option<(&str, &str)>) -> AssignmentRequest {
    AssignmentRequest {
        id: "r1".into(),
        state: Some(state.into()),
        status: Some(status.into()),
        request_type: None,
        created_date_time: None,
        requestor: None,
        custom_extension_callout_instances: instance
            .map(|(id, s)| {
                vec![CalloutInstance {
                    id: id.into(),
                    status: Some(s.into()),
                    custom_extension_id: None,
                    detail: None,
                }]
            })
            .unwrap_or_default(),
    }
}

#[test]
fn our_callout_instance_decides_the_classification() {
    let c = |s| classify_refused_resume(&request("submitted", "", Some(("SI-1", s))), Some("si-1"));
    assert!(matches!(c("callbackReceived"), Some(ResumeOutcome::AlreadyResumed)));
    assert!(matches!(c("callbackTimedOut"), Some(ResumeOutcome::Expired)));
    assert!(matches!(c("calloutFailed"), Some(ResumeOutcome::AlreadyDecided { .. })));
    assert!(c("waitingForCallback").is_none());
}

#[test]
fn without_our_instance_state_and_status_decide() {
    let c = |state, status| {
        classify_refused_resume(
            &request(state, status, Some(("other", "callbackReceived"))),
            Some("si-1"),
        )
    };
    assert!(c("submitted", "WaitingForCallback").is_none());
    assert!(matches!(c("deliveryFailed", "Expired"), Some(ResumeOutcome::Expired)));
    assert!(matches!(c("denied", "Denied"), Some(ResumeOutcome::AlreadyDecided { state }) if state == "denied"));
    assert!(matches!(
        c("delivered", "Delivered"),
        Some(ResumeOutcome::AlreadyDecided { .. })
    ));
    assert!(matches!(
        c("pendingApproval", "PendingApproval"),
        Some(ResumeOutcome::AlreadyResumed)
    ));
    assert!(c("submitted", "").is_none());
    assert!(c("somethingNew", "").is_none());
}

#[test]
fn waiting_fixture_classifies_as_still_waiting() {
    let r: AssignmentRequest =
        serde_json::from_slice(include_bytes!("../testdata/assignment-request-waiting.json")).expect("request");
    assert!(classify_refused_resume(&r, Some("5c1f1d7e-6b0a-4f3c-9d2e-8a7b6c5d4e3f")).is_none());
}

#[test]
fn only_failed_is_not_done() {
    assert!(ResumeOutcome::Expired.is_done());
    assert!(!ResumeOutcome::Failed(GraphError::InvalidRequest("x".into())).is_done());
}
