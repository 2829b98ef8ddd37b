//! Every callout stage and body form (PascalCase wire form, camelCase Graph form, the
//! Graph envelope) through the function: request and pre-expiration stages
//! queue one event keyed `stageInstanceId:stage` in the user's session; connection tests
//! answer 200 and queue nothing; unknown stages and malformed bodies answer 400 naming the
//! field and queue nothing.

use crate::callout_support::invoke::callout;
use crate::callout_support::{fixture, start};
use serde_json::Value;

const STAGES: [(&str, &str); 6] = [
    ("created", "assignmentRequestCreated"),
    ("approved", "assignmentRequestApproved"),
    ("granted", "assignmentRequestGranted"),
    ("removed", "assignmentRequestRemoved"),
    (
        "fourteen-days-before-expiration",
        "assignmentFourteenDaysBeforeExpiration",
    ),
    ("one-day-before-expiration", "assignmentOneDayBeforeExpiration"),
];

#[tokio::test]
async fn every_stage_in_both_forms_queues_one_event_keyed_by_stage_instance() {
    let t = start(&[]).await;
    let auth = t.bearer();
    for (name, stage) in STAGES {
        for form in ["pascalcase", "camelcase"] {
            let file = format!("callout-{name}-{form}.json");
            let body = fixture(&file);
            let raw: Value = serde_json::from_str(&body).unwrap();
            let answer = callout(&t.router, &[("Authorization", &auth)], &body).await;
            assert_eq!(answer.status, 202, "{file}: {}", answer.body);
            assert_eq!(answer.messages.len(), 1, "{file}: exactly one message");
            let envelope = &answer.messages[0]["azfnMessage"];
            let event = &envelope["body"];
            let instance = event["stageInstanceId"].as_str().unwrap();
            assert_eq!(
                envelope["messageId"],
                format!("{instance}:{}", stage.to_ascii_lowercase()),
                "{file}"
            );
            assert_eq!(
                answer.body["key"], envelope["messageId"],
                "{file}: the 202 names the key"
            );
            assert_eq!(event["kind"], "callout");
            assert_eq!(event["stage"], stage, "{file}");
            assert_eq!(event["payload"], raw, "{file}: the raw payload travels as received");
            assert_eq!(
                envelope["applicationProperties"]["correlationId"], answer.body["correlationId"],
                "{file}"
            );
            match event["userId"].as_str() {
                Some(user) => assert_eq!(envelope["sessionId"], user, "{file}: session = target user"),
                None => assert!(
                    envelope["sessionId"].is_string(),
                    "{file}: a session id even without a user"
                ),
            }
        }
    }
}

#[tokio::test]
async fn the_graph_envelope_form_is_accepted() {
    let t = start(&[]).await;
    let body = fixture("callout-created-graph-envelope.json");
    let answer = callout(&t.router, &[("Authorization", &t.bearer())], &body).await;
    assert_eq!(answer.status, 202, "{}", answer.body);
    assert_eq!(answer.messages.len(), 1);
}

#[tokio::test]
async fn connection_tests_answer_200_and_queue_nothing() {
    let t = start(&[]).await;
    for file in [
        "callout-connection-test-pascalcase.json",
        "callout-connection-test-camelcase.json",
        "callout-connection-test-legacy-event.json",
    ] {
        let answer = callout(&t.router, &[("Authorization", &t.bearer())], &fixture(file)).await;
        assert_eq!(answer.status, 200, "{file}: {}", answer.body);
        assert!(answer.messages.is_empty(), "{file}");
    }
}

#[tokio::test]
async fn a_refusal_names_the_field_and_never_echoes_the_value() {
    let t = start(&[]).await;
    let mut body: Value = serde_json::from_str(&fixture("callout-created-pascalcase.json")).unwrap();
    body["Stage"] = Value::from("<script>alert(1)</script>\nERROR forged line");
    let answer = callout(&t.router, &[("Authorization", &t.bearer())], &body.to_string()).await;
    assert_eq!(answer.status, 400, "{}", answer.body);
    assert_eq!(answer.body["field"], "stage");
    let text = answer.body.to_string();
    assert!(!text.contains("script") && !text.contains("forged"), "{text}");
    body["Stage"] = Value::from("assignmentRequestCreated");
    body["AccessPackageAssignmentRequestId"] = serde_json::json!({"<b>": "not a string"});
    let answer = callout(&t.router, &[("Authorization", &t.bearer())], &body.to_string()).await;
    assert_eq!(answer.status, 400, "{}", answer.body);
    assert!(!answer.body.to_string().contains("<b>"), "{}", answer.body);
}

#[tokio::test]
async fn unknown_stage_is_400_naming_the_stage_field() {
    let t = start(&[]).await;
    let answer = callout(
        &t.router,
        &[("Authorization", &t.bearer())],
        &fixture("callout-unknown-stage-pascalcase.json"),
    )
    .await;
    assert_eq!(answer.status, 400, "{}", answer.body);
    assert_eq!(answer.body["field"], "stage");
    assert_eq!(answer.headers["Content-Type"], "application/problem+json");
    assert!(answer.messages.is_empty());
}

#[tokio::test]
async fn malformed_bodies_are_400_and_name_what_is_wrong() {
    let t = start(&[]).await;
    let cases = [
        ("{not json", None),
        ("[1, 2]", None),
        (r#"{"CustomExtensionStageInstanceId": "i-1"}"#, Some("stage")),
        (
            r#"{"Stage": "assignmentRequestGranted", "AccessPackageAssignmentRequestId": "r-1"}"#,
            Some("customExtensionStageInstanceId"),
        ),
        (r#"{"Stage": 7}"#, Some("stage")),
    ];
    for (body, field) in cases {
        let answer = callout(&t.router, &[("Authorization", &t.bearer())], body).await;
        assert_eq!(answer.status, 400, "{body}: {}", answer.body);
        assert!(answer.messages.is_empty(), "{body}");
        if let Some(field) = field {
            assert_eq!(answer.body["field"], field, "{body}: {}", answer.body);
        }
    }
}

#[tokio::test]
async fn empty_body_is_400() {
    let t = start(&[]).await;
    let answer = callout(&t.router, &[("Authorization", &t.bearer())], "").await;
    assert_eq!(answer.status, 400);
    assert!(answer.messages.is_empty());
}
