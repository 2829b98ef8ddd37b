//! Failed deliveries are retried, then dead-lettered; moving them back delivers again.

use std::time::Duration;

use crate::support::*;
use azfn_local::NewMessage;
use serde_json::{json, Value};

#[tokio::test]
async fn a_function_failing_every_time_is_dead_lettered_after_max_deliveries_and_replayed() {
    let dir = tempfile::tempdir().unwrap();
    let recorder = Recorder::default();
    let host = standard(dir.path(), recorder.clone(), false)
        .await
        .max_delivery_count(3)
        .start()
        .await
        .unwrap();
    let queues = host.queues();
    queues
        .send(
            "work-items",
            NewMessage::json(&json!({"fail_times": 99}))
                .message_id("poison")
                .session_id("s"),
        )
        .unwrap();

    let start = std::time::Instant::now();
    while queues.dead_letters("work-items").unwrap().is_empty() {
        assert!(start.elapsed() < Duration::from_secs(5), "never dead-lettered");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let deliveries: Vec<i64> = recorder
        .of("work")
        .iter()
        .map(|s| s.message.as_ref().unwrap().delivery_count.unwrap())
        .collect();
    assert_eq!(deliveries, [1, 2, 3], "delivered exactly max-delivery-count times");
    let dead = queues.dead_letters("work-items").unwrap().remove(0);
    assert_eq!(dead.message_id, "poison");
    assert_eq!(dead.dead_letter_reason.as_deref(), Some("MaxDeliveryCountExceeded"));
    let description = dead.dead_letter_error_description.clone().unwrap();
    assert!(
        description.contains("500") && description.contains("on delivery 3"),
        "{description}"
    );
    assert_eq!(dead.delivery_count, 3);
    let counts = queues.queues().unwrap();
    let work = counts.iter().find(|q| q.name == "work-items").unwrap();
    assert_eq!((work.active, work.locked, work.dead_lettered), (0, 0, 1));

    // The admin API shows it and moves it back; it is delivered again from count 1.
    let base = host.front_door_url();
    let listed: Value = client()
        .get(format!("{base}/admin/azfn-local/queues/work-items/deadletters"))
        .header("x-functions-key", MASTER)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed[0]["deadLetterReason"], "MaxDeliveryCountExceeded");
    assert_eq!(listed[0]["sequenceNumber"], dead.sequence_number);
    assert_eq!(listed[0]["body"], "{\"fail_times\":99}");
    recorder.heal();
    let moved: Value = client()
        .post(format!(
            "{base}/admin/azfn-local/queues/work-items/deadletters/resubmit"
        ))
        .header("x-functions-key", MASTER)
        .json(&json!({"sequenceNumbers": [dead.sequence_number]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(moved["moved"].as_array().unwrap().len(), 1);
    let seen = recorder
        .wait_until(Duration::from_secs(5), "the replayed delivery", |s| s.len() == 4)
        .await;
    let replayed = seen[3].message.clone().unwrap();
    assert_eq!(replayed.message_id.as_deref(), Some("poison"));
    assert_eq!(replayed.session_id.as_deref(), Some("s"));
    assert_eq!(replayed.delivery_count, Some(1));
    let start = std::time::Instant::now();
    while !queues.peek("work-items", 10).unwrap().is_empty() {
        assert!(
            start.elapsed() < Duration::from_secs(3),
            "the replayed message was never completed"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(queues.dead_letters("work-items").unwrap().is_empty());
    host.shutdown().await;
}

#[tokio::test]
async fn a_function_failing_n_times_is_retried_n_times_then_succeeds() {
    let dir = tempfile::tempdir().unwrap();
    let recorder = Recorder::default();
    let host = standard(dir.path(), recorder.clone(), false)
        .await
        .start()
        .await
        .unwrap();
    let mut records = host.invocations();
    host.queues()
        .send(
            "work-items",
            NewMessage::json(&json!({"fail_times": 2})).message_id("flaky"),
        )
        .unwrap();
    for _ in 0..2 {
        let r = wait_record(&mut records, Duration::from_secs(5), |r| r.function == "work").await;
        assert!(!r.succeeded());
    }
    let r = wait_record(&mut records, Duration::from_secs(5), |r| r.function == "work").await;
    assert!(r.succeeded(), "{r:?}");
    let counts: Vec<i64> = recorder
        .of("work")
        .iter()
        .map(|s| s.message.as_ref().unwrap().delivery_count.unwrap())
        .collect();
    assert_eq!(counts, [1, 2, 3]);
    assert!(host.queues().dead_letters("work-items").unwrap().is_empty());
    host.shutdown().await;
}

#[tokio::test]
async fn a_failed_http_invocation_is_a_500_and_writes_no_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let recorder = Recorder::default();
    let host = standard(dir.path(), recorder.clone(), false)
        .await
        .start()
        .await
        .unwrap();
    // A body that is not JSON makes `ingest` fail (its serde error becomes a 500).
    let response = client()
        .post(format!("{}/api/items/t", host.front_door_url()))
        .header("x-functions-key", DEFAULT_KEY)
        .header("content-type", "application/json")
        .body("not json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 500);
    assert!(host.queues().peek("work-items", 10).unwrap().is_empty());
    host.shutdown().await;
}
