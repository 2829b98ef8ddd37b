//! One test per callout fixture in `testdata/`.

use jitadmin_events::callout::{AssignmentState, Callout, RequestState, RequestType, Stage};
use jitadmin_events::ParseError;

const REQ: &str = "3cbea889-0b4f-4d07-9a3c-2f14dbb13565";
const USER: &str = "c5e9a1b2-1111-4222-8333-444455556666";
const SUBJECT: &str = "a1d7e2c3-aaaa-4bbb-8ccc-000000000001";

fn parse(bytes: &[u8]) -> Callout {
    match Callout::from_slice(bytes) {
        Ok(c) => c,
        Err(e) => panic!("fixture does not parse: {e}"),
    }
}

fn request(bytes: &[u8]) -> jitadmin_events::callout::RequestCallout {
    match parse(bytes) {
        Callout::Request(r) => *r,
        other => panic!("expected a request callout, got {other:?}"),
    }
}

#[test]
fn created_pascalcase_carries_ids_subjects_and_answers_with_question_text() {
    let c = parse(include_bytes!("../../testdata/callout-created-pascalcase.json"));
    assert_eq!(c.stage(), &Stage::AssignmentRequestCreated);
    assert_eq!(
        c.idempotency_key().as_deref(),
        Some("d7e99664-0001-4c0a-9d2e-79b2a2e5d001:assignmentrequestcreated")
    );
    assert_eq!(c.request_id(), Some(REQ));
    assert_eq!(c.target_user_id(), Some(USER));
    assert!(!c.is_connection_test());
    let Callout::Request(r) = c else {
        panic!("not a request")
    };
    assert_eq!(r.request_type, Some(RequestType::UserAdd));
    assert_eq!(r.requestor_user_id(), Some(USER));
    let requestor = r.requestor.as_ref().unwrap();
    assert_eq!(requestor.id.as_deref(), Some(SUBJECT));
    assert_eq!(requestor.principal_name.as_deref(), Some("alice@contoso.example"));
    assert_eq!(requestor.subject_type.as_deref(), Some("user"));
    assert_eq!(
        r.callback_configuration.as_ref().and_then(|c| c.timeout()),
        Some("PT1H")
    );
    assert!(r.looks_launch_and_wait());
    assert_eq!(
        r.resume_path(),
        format!("/identityGovernance/entitlementManagement/assignmentRequests/{REQ}/resume")
    );
    let assignment = r.assignment.as_ref().unwrap();
    assert_eq!(
        assignment.policy().and_then(|p| p.display_name.as_deref()),
        Some("Employees, 8 hours, approval")
    );
    assert_eq!(assignment.status.as_deref(), Some("PendingApproval"));
    assert_eq!(r.request_state(), Some("Submitted"));
    assert_eq!(
        r.access_package.as_ref().unwrap().display_name.as_deref(),
        Some("Local admin (8 hours)")
    );
    assert_eq!(
        r.access_package_catalog.as_ref().unwrap().display_name.as_deref(),
        Some("Device administration")
    );
    assert_eq!(r.answers.len(), 3);
    assert_eq!(r.answers[0].value.as_deref(), Some("INC0012345"));
    assert_eq!(r.answers[0].question_text(), Some("Ticket number"));
    assert_eq!(r.answers[1].display_value.as_deref(), Some("Install software"));
    let q = r.answers[1].answered_question.as_ref().unwrap();
    assert_eq!(q.choices.len(), 2);
    assert_eq!(
        q.text.as_ref().unwrap().localized_texts[0].language_code.as_deref(),
        Some("de-DE")
    );
    let attr = r.answers[2]
        .answered_question
        .as_ref()
        .unwrap()
        .attribute
        .as_ref()
        .unwrap();
    assert_eq!(attr.name.as_deref(), Some("givenName"));
}

#[test]
fn created_camelcase_carries_state_justification_and_schedule() {
    let r = request(include_bytes!("../../testdata/callout-created-camelcase.json"));
    assert_eq!(r.stage, Stage::AssignmentRequestCreated);
    assert_eq!(r.state, Some(RequestState::Submitted));
    assert_eq!(r.status.as_deref(), Some("PendingApproval"));
    assert_eq!(
        r.justification.as_deref(),
        Some("Need to install the VPN client driver")
    );
    let schedule = r.schedule.as_ref().unwrap();
    assert_eq!(
        schedule.start_date_time.unwrap().to_rfc3339(),
        "2026-11-28T09:00:00+00:00"
    );
    assert_eq!(schedule.expiration.as_ref().unwrap().duration.as_deref(), Some("PT8H"));
    let end = r
        .assignment
        .as_ref()
        .unwrap()
        .schedule
        .as_ref()
        .unwrap()
        .expiration
        .as_ref()
        .unwrap()
        .end_date_time;
    assert_eq!(end.unwrap().to_rfc3339(), "2026-11-28T17:00:00+00:00");
    assert_eq!(
        r.callback_configuration.as_ref().and_then(|c| c.timeout()),
        Some("PT1H")
    );
    assert_eq!(r.target_user_id(), Some(USER));
    assert_eq!(r.answers[0].question_text(), Some("Ticket number"));
    assert_eq!(
        r.idempotency_key(),
        "d7e99664-0001-4c0a-9d2e-79b2a2e5d001:assignmentrequestcreated"
    );
}

#[test]
fn both_forms_of_the_created_stage_give_the_same_key_and_target() {
    let p = parse(include_bytes!("../../testdata/callout-created-pascalcase.json"));
    let c = parse(include_bytes!("../../testdata/callout-created-camelcase.json"));
    assert_eq!(p.idempotency_key(), c.idempotency_key());
    assert_eq!(p.target_user_id(), c.target_user_id());
    assert_eq!(p.request_id(), c.request_id());
}

#[test]
fn approved_pascalcase_parses_with_pascal_stage_value() {
    let r = request(include_bytes!("../../testdata/callout-approved-pascalcase.json"));
    assert_eq!(r.stage, Stage::AssignmentRequestApproved);
    assert_eq!(
        r.idempotency_key(),
        "d7e99664-0002-4c0a-9d2e-79b2a2e5d002:assignmentrequestapproved"
    );
    assert_eq!(r.assignment.as_ref().unwrap().status.as_deref(), Some("Approved"));
}

#[test]
fn approved_camelcase_parses() {
    let r = request(include_bytes!("../../testdata/callout-approved-camelcase.json"));
    assert_eq!(r.stage, Stage::AssignmentRequestApproved);
    assert_eq!(r.state, Some(RequestState::PendingApproval));
    assert_eq!(r.target_user_id(), Some(USER));
}

#[test]
fn granted_pascalcase_with_null_callback_configuration_looks_launch_and_continue() {
    let r = request(include_bytes!("../../testdata/callout-granted-pascalcase.json"));
    assert_eq!(r.stage, Stage::AssignmentRequestGranted);
    assert!(r.callback_configuration.is_none());
    assert!(!r.looks_launch_and_wait());
    assert!(
        r.callback_uri_path.is_some(),
        "the path is populated even when the configuration is null"
    );
    assert_eq!(r.assignment.as_ref().unwrap().state, Some(AssignmentState::Delivered));
}

#[test]
fn granted_camelcase_parses() {
    let c = parse(include_bytes!("../../testdata/callout-granted-camelcase.json"));
    assert_eq!(c.stage(), &Stage::AssignmentRequestGranted);
    assert_eq!(c.target_user_id(), Some(USER));
    assert_eq!(
        c.idempotency_key().as_deref(),
        Some("d7e99664-0003-4c0a-9d2e-79b2a2e5d003:assignmentrequestgranted")
    );
}

#[test]
fn removed_pascalcase_has_no_answers_and_a_system_request_type() {
    let r = request(include_bytes!("../../testdata/callout-removed-pascalcase.json"));
    assert_eq!(r.stage, Stage::AssignmentRequestRemoved);
    assert!(r.answers.is_empty());
    assert_eq!(r.request_type, Some(RequestType::SystemRemove));
    assert_eq!(r.target_user_id(), Some(USER));
}

#[test]
fn removed_camelcase_parses() {
    let r = request(include_bytes!("../../testdata/callout-removed-camelcase.json"));
    assert_eq!(r.stage, Stage::AssignmentRequestRemoved);
    assert_eq!(r.state, Some(RequestState::Delivered));
}

fn pre_expiration(bytes: &[u8]) -> jitadmin_events::callout::PreExpirationCallout {
    match parse(bytes) {
        Callout::PreExpiration(p) => *p,
        other => panic!("expected a pre-expiration callout, got {other:?}"),
    }
}

#[test]
fn fourteen_days_before_expiration_pascalcase_is_the_smaller_payload() {
    let c = parse(include_bytes!(
        "../../testdata/callout-fourteen-days-before-expiration-pascalcase.json"
    ));
    assert_eq!(c.stage(), &Stage::AssignmentFourteenDaysBeforeExpiration);
    assert_eq!(c.target_user_id(), Some(USER));
    assert_eq!(
        c.idempotency_key().as_deref(),
        Some("d7e99664-0005-4c0a-9d2e-79b2a2e5d005:assignmentfourteendaysbeforeexpiration")
    );
    let p = pre_expiration(include_bytes!(
        "../../testdata/callout-fourteen-days-before-expiration-pascalcase.json"
    ));
    let end = p
        .assignment
        .unwrap()
        .schedule
        .unwrap()
        .expiration
        .unwrap()
        .end_date_time
        .unwrap();
    assert_eq!(end.to_rfc3339(), "2026-12-15T09:00:00+00:00");
}

#[test]
fn fourteen_days_before_expiration_camelcase_parses() {
    let p = pre_expiration(include_bytes!(
        "../../testdata/callout-fourteen-days-before-expiration-camelcase.json"
    ));
    assert_eq!(p.stage, Stage::AssignmentFourteenDaysBeforeExpiration);
    assert_eq!(p.access_package_assignment_request_id.as_deref(), Some(REQ));
}

#[test]
fn one_day_before_expiration_pascalcase_parses() {
    let p = pre_expiration(include_bytes!(
        "../../testdata/callout-one-day-before-expiration-pascalcase.json"
    ));
    assert_eq!(p.stage, Stage::AssignmentOneDayBeforeExpiration);
    assert_eq!(p.assignment.unwrap().target.unwrap().object_id.as_deref(), Some(USER));
}

#[test]
fn one_day_before_expiration_camelcase_parses() {
    let p = pre_expiration(include_bytes!(
        "../../testdata/callout-one-day-before-expiration-camelcase.json"
    ));
    assert_eq!(p.stage, Stage::AssignmentOneDayBeforeExpiration);
    assert_eq!(
        p.idempotency_key(),
        "d7e99664-0006-4c0a-9d2e-79b2a2e5d006:assignmentonedaybeforeexpiration"
    );
}

#[test]
fn connection_test_pascalcase_is_recognised_and_has_no_key() {
    let c = parse(include_bytes!("../../testdata/callout-connection-test-pascalcase.json"));
    assert!(c.is_connection_test());
    assert_eq!(c.idempotency_key(), None);
    assert_eq!(c.stage_instance_id(), Some("00000000-0000-0000-0000-000000000000"));
}

#[test]
fn connection_test_camelcase_is_recognised() {
    let c = parse(include_bytes!("../../testdata/callout-connection-test-camelcase.json"));
    assert!(c.is_connection_test());
    assert_eq!(c.stage_instance_id(), None);
}

#[test]
fn legacy_custom_action_connection_test_is_recognised() {
    let c = parse(include_bytes!(
        "../../testdata/callout-connection-test-legacy-event.json"
    ));
    assert!(c.is_connection_test());
}

#[test]
fn graph_envelope_form_is_unwrapped() {
    let r = request(include_bytes!("../../testdata/callout-created-graph-envelope.json"));
    assert_eq!(r.stage, Stage::AssignmentRequestCreated);
    assert_eq!(
        r.custom_extension_stage_instance_id,
        "d7e99664-0007-4c0a-9d2e-79b2a2e5d007"
    );
    assert_eq!(r.target_user_id(), Some(USER));
}

#[test]
fn unknown_stage_is_an_error_naming_the_field_and_value() {
    let err = Callout::from_slice(include_bytes!("../../testdata/callout-unknown-stage-pascalcase.json")).unwrap_err();
    assert_eq!(
        err,
        ParseError::UnknownValue {
            path: "stage".into(),
            value: "assignmentRequestExploded".into()
        }
    );
    assert!(err.to_string().contains("assignmentRequestExploded"));
}

#[test]
fn approval_stage_callout_is_not_accepted_as_a_request_stage() {
    let body = br#"{"Stage":"assignmentRequestDeterminingApprovalRequirements","CustomExtensionStageInstanceId":"i"}"#;
    let err = Callout::from_slice(body).unwrap_err();
    assert_eq!(err.path(), Some("stage"));
}

#[test]
fn missing_stage_instance_id_names_the_field() {
    let body = br#"{"Stage":"assignmentRequestCreated","AccessPackageAssignmentRequestId":"r"}"#;
    let err = Callout::from_slice(body).unwrap_err();
    assert_eq!(
        err,
        ParseError::Missing {
            path: "customExtensionStageInstanceId".into()
        }
    );
}

#[test]
fn wrong_type_deep_in_the_payload_names_its_path() {
    let body = br#"{"Stage":"assignmentRequestCreated","CustomExtensionStageInstanceId":"i",
        "AccessPackageAssignmentRequestId":"r","Assignment":{"Target":{"ObjectId":42}}}"#;
    let err = Callout::from_slice(body).unwrap_err();
    assert_eq!(err.path(), Some("assignment.target.objectId"));
}

#[test]
fn missing_stage_is_an_error() {
    let err = Callout::from_slice(br#"{"CustomExtensionStageInstanceId":"i"}"#).unwrap_err();
    assert_eq!(err, ParseError::Missing { path: "stage".into() });
}

#[test]
fn non_json_body_is_not_json() {
    assert!(matches!(
        Callout::from_slice(b"stage=created"),
        Err(ParseError::NotJson(_))
    ));
    assert!(matches!(Callout::from_slice(b"[1,2]"), Err(ParseError::NotJson(_))));
}

#[test]
fn resume_bodies_are_built_from_the_callout() {
    let r = request(include_bytes!("../../testdata/callout-created-pascalcase.json"));
    let deny = serde_json::to_value(r.resume_deny("jitadmin", "No compliant device")).unwrap();
    assert_eq!(
        deny["type"],
        "microsoft.graph.accessPackageCustomExtensionStage.assignmentRequestCreated"
    );
    assert_eq!(
        deny["data"]["customExtensionStageInstanceId"],
        "d7e99664-0001-4c0a-9d2e-79b2a2e5d001"
    );
    assert_eq!(deny["data"]["state"], "denied");
    let cont = serde_json::to_value(r.resume_continue("jitadmin", "ok")).unwrap();
    assert!(cont["data"].get("state").is_none());
}
