//! An HTTP request through the front door reaches a function; its Service Bus output
//! lands in the queue; the queue-triggered function receives it as the host sends it.

use std::time::Duration;

use crate::support::*;
use serde_json::{json, Value};

#[tokio::test]
async fn http_output_message_reaches_the_queue_trigger_with_its_ids() {
    let dir = tempfile::tempdir().unwrap();
    let recorder = Recorder::default();
    let host = standard(dir.path(), recorder.clone(), true)
        .await
        .start()
        .await
        .unwrap();

    let response = client()
        .post(format!("{}/api/items/contoso", host.front_door_url()))
        .header("x-functions-key", DEFAULT_KEY)
        .json(&json!({"id": "req-42", "kind": "callout"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 202);
    assert_eq!(response.headers()["content-type"], "application/json");
    assert_eq!(
        response.json::<Value>().await.unwrap(),
        json!({"accepted": "req-42", "tenant": "contoso"})
    );

    let seen = recorder
        .wait_until(Duration::from_secs(5), "work", |s| {
            s.iter().any(|x| x.function == "work")
        })
        .await;
    let work = seen.iter().find(|s| s.function == "work").unwrap();
    let message = work.message.clone().unwrap();
    assert_eq!(message.message_id.as_deref(), Some("req-42"));
    assert_eq!(message.session_id.as_deref(), Some("contoso"));
    assert_eq!(message.delivery_count, Some(1));
    assert!(message.enveloped);
    assert_eq!(message.body, json!({"id": "req-42", "kind": "callout"}));
    assert_eq!(message.application_properties.get("tenant"), Some(&json!("contoso")));

    // The raw envelope, as the host encodes it.
    let meta = &work.envelope["Metadata"];
    assert_eq!(meta["DeliveryCount"], "1");
    assert_eq!(meta["MessageId"], "\"req-42\"");
    assert_eq!(meta["SessionId"], "\"contoso\"");
    assert!(
        meta["EnqueuedTimeUtc"]
            .as_str()
            .unwrap()
            .chars()
            .last()
            .unwrap()
            .is_ascii_digit(),
        "no offset"
    );
    assert_eq!(meta["sys"]["MethodName"], "work");
    assert!(
        meta["azfnMessage"].is_object(),
        "the body's top-level property is copied into Metadata"
    );
    let data = work.envelope["Data"]["msg"].as_str().unwrap();
    let once: Value = serde_json::from_str(data).unwrap();
    assert!(once.is_string(), "the body is double-encoded: {data}");

    // The message is completed.
    let start = std::time::Instant::now();
    while !host.queues().peek("work-items", 10).unwrap().is_empty() {
        assert!(
            start.elapsed() < Duration::from_secs(3),
            "the message was never completed"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    host.shutdown().await;
}

#[tokio::test]
async fn the_http_envelope_carries_params_headers_identities_and_body() {
    let dir = tempfile::tempdir().unwrap();
    let recorder = Recorder::default();
    let host = standard(dir.path(), recorder.clone(), false)
        .await
        .start()
        .await
        .unwrap();
    let response = client()
        .post(format!(
            "{}/api/items/fabrikam?code={DEFAULT_KEY}&x=1&x=2",
            host.front_door_url()
        ))
        .header("x-multi", "a")
        .header("x-multi", "b")
        .json(&json!({"id": "r1", "n": 3}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 202);
    let ingest = recorder.of("ingest").remove(0);
    let req = &ingest.envelope["Data"]["req"];
    assert_eq!(req["Method"], "POST");
    assert!(
        req["Url"]
            .as_str()
            .unwrap()
            .ends_with("/api/items/fabrikam?code=default-key&x=1&x=2"),
        "{}",
        req["Url"]
    );
    assert_eq!(req["Params"], json!({"tenant": "fabrikam"}));
    assert_eq!(req["Query"]["x"], "1,2");
    assert_eq!(req["Headers"]["x-multi"], json!(["a", "b"]));
    assert_eq!(req["Body"], "{\"id\":\"r1\",\"n\":3}");
    let identity = &req["Identities"][0];
    assert_eq!(identity["AuthenticationType"], "WebJobsAuthLevel");
    assert_eq!(
        identity["Claims"][0]["Type"],
        "http://schemas.microsoft.com/2017/07/functions/claims/authlevel"
    );
    assert_eq!(identity["Claims"][0]["Value"], "Function");
    let meta = &ingest.envelope["Metadata"];
    assert_eq!(meta["tenant"], "\"fabrikam\"");
    assert_eq!(meta["n"], "3");
    assert_eq!(meta["id"], "\"r1\"");
    assert_eq!(meta["sys"]["MethodName"], "ingest");

    // Route constraints and an anonymous function without a key; no body → no Body.
    let response = client()
        .get(format!("{}/api/echo/hello%20world/7", host.front_door_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let envelope: Value = response.json().await.unwrap();
    assert_eq!(envelope["Data"]["req"]["Params"], json!({"a": "hello world", "b": "7"}));
    assert_eq!(envelope["Data"]["req"]["Identities"], json!([]));
    assert!(envelope["Data"]["req"].get("Body").is_none());
    let response = client()
        .get(format!("{}/api/echo/x/not-a-number", host.front_door_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    let response = client()
        .get(format!("{}/api/items/contoso", host.front_door_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404, "ingest takes POST only");
    host.shutdown().await;
}

#[tokio::test]
async fn duplicate_detection_drops_a_resent_message_id() {
    let dir = tempfile::tempdir().unwrap();
    let recorder = Recorder::default();
    let host = standard(dir.path(), recorder.clone(), true)
        .await
        .duplicate_detection(Duration::from_secs(60))
        .start()
        .await
        .unwrap();
    let mut records = host.invocations();
    for _ in 0..2 {
        let response = client()
            .post(format!("{}/api/items/contoso", host.front_door_url()))
            .header("x-functions-key", DEFAULT_KEY)
            .json(&json!({"id": "same-id"}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 202);
    }
    wait_record(&mut records, Duration::from_secs(5), |r| r.function == "work").await;
    // Both sends were answered, so a message the queue accepted is in it or was already
    // handled; once the queue is empty, every accepted message has been invoked.
    let start = std::time::Instant::now();
    while !host.queues().peek("work-items", 10).unwrap().is_empty() {
        assert!(
            start.elapsed() < Duration::from_secs(3),
            "the message was never completed"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(
        recorder.of("work").len(),
        1,
        "the second message with the same MessageId was dropped"
    );
    host.shutdown().await;
}
