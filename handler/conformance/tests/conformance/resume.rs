//! The resume action: jitadmin's bodies are clean; a misspelt parameter or property, a wrong
//! enum member, a wrong JSON type and a wrong `@odata.type` are reported clearly.

use graph_conformance::{check, Direction, FindingKind, Report};
use jitadmin_events::callout::Stage;
use jitadmin_events::resume::ResumeRequest;
use jitadmin_graph::resume::{ResumeCallback, ResumeDecision, ResumeStage};
use serde_json::{json, Value};

const URL: &str =
    "https://graph.microsoft.com/v1.0/identityGovernance/entitlementManagement/assignmentRequests/8f2c/resume";

fn resume(body: &Value) -> Report {
    check("POST", URL, Some(body), Direction::Request)
}

fn good() -> Value {
    serde_json::to_value(ResumeRequest::continue_request(
        "jitadmin",
        Stage::AssignmentRequestCreated,
        "i-1",
        "ok",
    ))
    .expect("json")
}

#[test]
fn jitadmin_resume_bodies_are_clean() {
    for body in [
        good(),
        serde_json::to_value(ResumeRequest::deny(
            "jitadmin",
            Stage::AssignmentRequestCreated,
            "i-1",
            "no device",
        ))
        .expect("json"),
        serde_json::to_value(ResumeRequest::cancel(
            "jitadmin",
            Stage::AssignmentRequestGranted,
            "i-1",
            "x",
        ))
        .expect("json"),
        serde_json::to_value(ResumeCallback {
            source: "jitadmin".into(),
            stage: ResumeStage::AssignmentRequestApproved,
            stage_instance_id: "i-2".into(),
            detail: "ok".into(),
            decision: ResumeDecision::Deny,
        })
        .expect("json"),
    ] {
        let r = resume(&body);
        assert!(r.is_clean(), "{body}\n{r}");
    }
}

#[test]
fn a_misspelt_parameter_names_the_action_and_its_parameters() {
    let mut body = good();
    let source = body["source"].take();
    body.as_object_mut().expect("object").remove("source");
    body["sourse"] = source;
    let r = resume(&body);
    let f = r.of_kind(FindingKind::UnknownParameter);
    assert_eq!(f.len(), 1, "{r}");
    assert_eq!(f[0].pointer, "/sourse");
    assert_eq!(
        f[0].message,
        "resume: parameter \"sourse\" is not a parameter of microsoft.graph.accessPackageAssignmentRequest.resume \
         (expected source, type, data) (did you mean \"source\"?)"
    );
}

#[test]
fn a_misspelt_property_of_the_callback_data_is_reported() {
    let mut body = good();
    body["data"]["customExtensionStageInstanceIdd"] = json!("i-1");
    let r = resume(&body);
    let f = r.of_kind(FindingKind::UnknownProperty);
    assert_eq!(f.len(), 1, "{r}");
    assert_eq!(f[0].pointer, "/data/customExtensionStageInstanceIdd");
    assert!(
        f[0].message
            .contains("microsoft.graph.accessPackageAssignmentRequestCallbackData"),
        "{r}"
    );
}

#[test]
fn a_stage_that_is_no_member_is_reported_with_the_members() {
    let mut body = good();
    body["data"]["stage"] = json!("assignmentRequestExploded");
    let r = resume(&body);
    let f = r.of_kind(FindingKind::NotAnEnumMember);
    assert_eq!(f.len(), 1, "{r}");
    assert_eq!(f[0].pointer, "/data/stage");
    assert!(
        f[0].message
            .contains("microsoft.graph.accessPackageCustomExtensionStage"),
        "{r}"
    );
    assert!(f[0].message.contains("assignmentRequestGranted"), "{r}");
}

#[test]
fn a_wrong_json_type_is_reported() {
    let mut body = good();
    body["data"]["customExtensionStageInstanceDetail"] = json!(42);
    body["source"] = json!(["jitadmin"]);
    let r = resume(&body);
    let f = r.of_kind(FindingKind::WrongJsonType);
    assert_eq!(f.len(), 2, "{r}");
    assert!(r.to_string().contains("microsoft.graph.accessPackageAssignmentRequestCallbackData.customExtensionStageInstanceDetail is Edm.String, but the value is a number"), "{r}");
}

#[test]
fn odata_type_selects_the_derived_callback_data() {
    // Without @odata.type the data is the abstract customExtensionData, which has no properties.
    let mut untyped = good();
    untyped["data"].as_object_mut().expect("data").remove("@odata.type");
    let r = resume(&untyped);
    assert!(r.has(FindingKind::AbstractType), "{r}");
    assert!(r.has(FindingKind::UnknownProperty), "{r}");
    // A type that is not a customExtensionData.
    let mut wrong = good();
    wrong["data"]["@odata.type"] = json!("#microsoft.graph.user");
    assert!(resume(&wrong).has(FindingKind::NotDerived));
    let mut unknown = good();
    unknown["data"]["@odata.type"] = json!("#microsoft.graph.callbackDataThatDoesNotExist");
    assert!(resume(&unknown).has(FindingKind::UnknownType));
    // The other derived type has other properties.
    let mut other = good();
    other["data"]["@odata.type"] = json!("#microsoft.graph.accessPackageAssignmentRequestCallbackData");
    assert!(resume(&other).is_clean());
}

#[test]
fn resume_is_an_action_so_get_is_the_wrong_method() {
    let r = check("GET", URL, None, Direction::Request);
    assert!(r.has(FindingKind::WrongMethod), "{r}");
}

#[test]
fn graph_answers_resume_with_204_and_no_body() {
    assert!(check("POST", URL, None, Direction::Response { status: 204 }).is_clean());
    let r = check(
        "POST",
        URL,
        Some(&json!({"ok": true})),
        Direction::Response { status: 204 },
    );
    assert!(r.has(FindingKind::UnexpectedBody), "{r}");
}
