//! The queue message shape (testdata/queued-callout-created.json): what `callout` writes,
//! and what `process` accepts when an operator replays a stored (dead-lettered) message.

use crate::callout_support::invoke::{callout, process};
use crate::callout_support::{fixture, own_fixture, start};
use serde_json::Value;

fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
    k.sort();
    k
}

#[tokio::test]
async fn callout_writes_the_documented_message_shape() {
    let t = start(&[]).await;
    let stored: Value = serde_json::from_str(&own_fixture("queued-callout-created.json")).unwrap();
    let answer = callout(
        &t.router,
        &[("Authorization", &t.bearer())],
        &fixture("callout-created-pascalcase.json"),
    )
    .await;
    let written = &answer.messages[0];
    assert_eq!(keys(&written["azfnMessage"]), keys(&stored["azfnMessage"]));
    assert_eq!(
        keys(&written["azfnMessage"]["body"]),
        keys(&stored["azfnMessage"]["body"])
    );
    for field in ["messageId", "sessionId", "subject"] {
        assert_eq!(written["azfnMessage"][field], stored["azfnMessage"][field], "{field}");
    }
    assert_eq!(
        written["azfnMessage"]["body"]["payload"],
        stored["azfnMessage"]["body"]["payload"]
    );
}

#[tokio::test]
async fn replayed_stored_message_is_processed_like_the_original_and_only_once() {
    let t = start(&[("JITADMIN_CREATED_STAGE", "continue")]).await;
    let stored: Value = serde_json::from_str(&own_fixture("queued-callout-created.json")).unwrap();
    assert_eq!(process(&t.router, &stored, 1).await.status, 200);
    assert_eq!(
        process(&t.router, &stored, 1).await.status,
        200,
        "a second replay changes nothing"
    );
    let resumes = t.graph.resumes();
    assert_eq!(resumes.len(), 1);
    assert_eq!(
        resumes[0].1["data"]["customExtensionStageInstanceId"],
        "d7e99664-0001-4c0a-9d2e-79b2a2e5d001"
    );
}
