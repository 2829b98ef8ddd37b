//! The admin API: list queues, send, peek; timed-out invocations are retried.

use std::time::Duration;

use crate::support::*;
use azfn_local::NewMessage;
use serde_json::{json, Value};

#[tokio::test]
async fn operators_can_list_send_and_peek_through_the_admin_api() {
    let dir = tempfile::tempdir().unwrap();
    let recorder = Recorder::default();
    let host = standard(dir.path(), recorder.clone(), false)
        .await
        .start()
        .await
        .unwrap();
    let base = format!("{}/admin/azfn-local", host.front_door_url());
    let admin = |request: reqwest::RequestBuilder| request.header("x-functions-key", MASTER).send();

    let sent: Value = admin(client().post(format!("{base}/queues/parked/messages")).json(&json!({
        "body": {"parked": true}, "messageId": "p1", "sessionId": "s", "applicationProperties": {"why": "test"}
    })))
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert!(sent["sequenceNumber"].as_i64().is_some(), "{sent}");

    let peeked: Value = admin(client().get(format!("{base}/queues/parked/messages?max=5")))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(peeked[0]["messageId"], "p1");
    assert_eq!(peeked[0]["sessionId"], "s");
    assert_eq!(peeked[0]["applicationProperties"], json!({"why": "test"}));
    assert_eq!(peeked[0]["body"], "{\"parked\":true}");
    assert_eq!(peeked[0]["deliveryCount"], 0);

    let queues: Value = admin(client().get(format!("{base}/queues")))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let names: Vec<&str> = queues
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["parked", "work-items"],
        "declared queues are listed even when empty"
    );
    assert_eq!(queues[0]["active"], 1);

    let functions: Value = admin(client().get(format!("{base}/functions")))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(functions.as_array().unwrap().len(), 3);
    let bad = admin(client().post(format!("{base}/queues/parked/messages")).body("nope"))
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    host.shutdown().await;
}

#[tokio::test]
async fn a_timed_out_invocation_is_retried() {
    let dir = tempfile::tempdir().unwrap();
    let recorder = Recorder::default();
    let host = standard(dir.path(), recorder.clone(), false)
        .await
        .function_timeout(Duration::from_millis(200))
        .start()
        .await
        .unwrap();
    let mut records = host.invocations();
    host.queues()
        .send(
            "work-items",
            NewMessage::json(&json!({"hang": true})).message_id("slow"),
        )
        .unwrap();
    let first = wait_record(&mut records, Duration::from_secs(5), |r| r.function == "work").await;
    assert!(first.error.as_deref().unwrap_or("").contains("timed out"), "{first:?}");
    let second = wait_record(&mut records, Duration::from_secs(5), |r| r.function == "work").await;
    assert!(second.succeeded(), "the second delivery does not hang: {second:?}");
    let counts: Vec<i64> = recorder
        .of("work")
        .iter()
        .map(|s| s.message.as_ref().unwrap().delivery_count.unwrap())
        .collect();
    assert_eq!(counts, [1, 2]);
    host.shutdown().await;
}

#[tokio::test]
async fn session_enabled_queues_refuse_messages_without_a_session() {
    let dir = tempfile::tempdir().unwrap();
    let host = standard(dir.path(), Recorder::default(), true)
        .await
        .start()
        .await
        .unwrap();
    let response = client()
        .post(format!(
            "{}/admin/azfn-local/queues/work-items/messages",
            host.front_door_url()
        ))
        .header("x-functions-key", MASTER)
        .json(&json!({"body": {"x": 1}}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    assert!(response.text().await.unwrap().contains("sessionId"));
    host.shutdown().await;
}

#[tokio::test]
async fn a_handler_url_that_never_answers_fails_start_up() {
    let dir = tempfile::tempdir().unwrap();
    write_app(dir.path(), host_json(), &[("echo", echo_fn("anonymous"))]);
    let err = azfn_local::LocalHost::builder()
        .app_root(dir.path())
        .handler(azfn_local::Handler::Url("http://127.0.0.1:9".into()))
        .http_port(0)
        .startup_timeout(Duration::from_millis(200))
        .start()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("GET http://127.0.0.1:9/"), "{err}");
}
