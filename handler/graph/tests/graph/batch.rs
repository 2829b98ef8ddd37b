//! `$batch`: splitting into twenties, retrying only throttled or transiently failed items.

use crate::support;

use crate::support::{fast_policy, Mock, Reply};
use jitadmin_graph::batch::BatchRequest;
use jitadmin_graph::devices::SyncOutcome;
use jitadmin_graph::{GraphError, RetryPolicy};
use serde_json::{json, Value};
use std::time::Duration;

const BATCH: &str = "/v1.0/$batch";

fn item(id: &str, status: u16) -> Value {
    json!({"id": id, "status": status, "headers": {}})
}

fn throttled(id: &str, retry_after: &str) -> Value {
    json!({"id": id, "status": 429, "headers": {"Retry-After": retry_after},
           "body": {"error": {"code": "TooManyRequests", "message": "slow down"}}})
}

fn ids_of(call: &support::Call) -> Vec<String> {
    call.body["requests"]
        .as_array()
        .expect("requests")
        .iter()
        .map(|r| r["id"].as_str().expect("id").to_string())
        .collect()
}

fn sync_requests(n: usize) -> Vec<BatchRequest> {
    (1..=n)
        .map(|i| {
            BatchRequest::new(
                i.to_string(),
                "POST",
                format!("/deviceManagement/managedDevices/d{i}/syncDevice"),
            )
        })
        .collect()
}

#[tokio::test]
async fn batches_hold_at_most_twenty_and_only_failed_items_are_retried() {
    let mock = Mock::start().await;
    // First batch (ids 1..=20): 3 and 7 throttled, 11 unavailable, 12 not found, the rest fine.
    let first: Vec<Value> = (1..=20)
        .map(|i| match i {
            3 => throttled("3", "2"),
            7 => throttled("7", "5"),
            11 => item("11", 503),
            12 => item("12", 404),
            _ => item(&i.to_string(), 204),
        })
        .collect();
    // Answers in another order than the requests, as Graph may.
    let retry = vec![item("11", 204), item("7", 204), item("3", 204)];
    let second: Vec<Value> = (21..=25).map(|i| item(&i.to_string(), 204)).collect();
    mock.on("POST", BATCH, Reply::json(200, json!({"responses": first})))
        .on("POST", BATCH, Reply::json(200, json!({"responses": retry})))
        .on("POST", BATCH, Reply::json(200, json!({"responses": second})));
    let (client, waits) = mock.client(fast_policy());

    let answers = client.batch("v1.0", sync_requests(25)).await.expect("batch");

    let calls = mock.calls_to("POST", BATCH);
    assert_eq!(calls.len(), 3);
    assert_eq!(ids_of(&calls[0]), (1..=20).map(|i| i.to_string()).collect::<Vec<_>>());
    assert_eq!(
        ids_of(&calls[1]),
        vec!["3", "7", "11"],
        "only the throttled and failed items are retried"
    );
    assert_eq!(ids_of(&calls[2]), (21..=25).map(|i| i.to_string()).collect::<Vec<_>>());
    assert_eq!(
        calls[1].body["requests"][0]["url"],
        "/deviceManagement/managedDevices/d3/syncDevice"
    );
    // The retry waited for the largest per-item Retry-After.
    assert_eq!(*waits.lock().unwrap(), vec![Duration::from_secs(5)]);
    let statuses: Vec<u16> = answers.iter().map(|a| a.status).collect();
    assert_eq!(answers.len(), 25);
    assert!(
        answers.iter().enumerate().all(|(n, a)| a.id == (n + 1).to_string()),
        "answers come back in request order"
    );
    assert_eq!(statuses.iter().filter(|s| **s == 204).count(), 24);
    assert_eq!(answers[11].status, 404);
}

#[tokio::test]
async fn items_still_throttled_after_the_last_attempt_are_reported_as_throttled() {
    let mock = Mock::start().await;
    for _ in 0..3 {
        mock.on(
            "POST",
            BATCH,
            Reply::json(200, json!({"responses": [item("1", 204), throttled("2", "1")]})),
        );
    }
    mock.on(
        "POST",
        BATCH,
        Reply::json(200, json!({"responses": [throttled("2", "1")]})),
    );
    mock.on(
        "POST",
        BATCH,
        Reply::json(200, json!({"responses": [throttled("2", "1")]})),
    );
    let (client, waits) = mock.client(RetryPolicy {
        max_attempts: 3,
        ..fast_policy()
    });
    let answers = client.batch("v1.0", sync_requests(2)).await.expect("batch");
    assert_eq!(mock.calls_to("POST", BATCH).len(), 3);
    assert_eq!(answers[0].status, 204);
    assert_eq!(answers[1].status, 429);
    assert_eq!(waits.lock().unwrap().len(), 2);
    let err = answers[1].error("POST", "/x").expect("error");
    assert_eq!(err.code(), Some("TooManyRequests"));
}

#[tokio::test]
async fn a_batch_failing_whole_with_424_retries_every_item() {
    let mock = Mock::start().await;
    mock.on("POST", BATCH, Reply::error(424, "FailedDependency")).on(
        "POST",
        BATCH,
        Reply::json(200, json!({"responses": [item("1", 204), item("2", 204)]})),
    );
    let (client, _) = mock.client(fast_policy());
    let answers = client.batch("v1.0", sync_requests(2)).await.expect("batch");
    assert!(answers.iter().all(|a| a.status == 204));
    let calls = mock.calls_to("POST", BATCH);
    assert_eq!(ids_of(&calls[1]), vec!["1", "2"]);
}

#[tokio::test]
async fn repeated_ids_are_refused_before_sending() {
    let mock = Mock::start().await;
    let (client, _) = mock.client(fast_policy());
    let reqs = vec![
        BatchRequest::new("a", "GET", "/me"),
        BatchRequest::new("A", "GET", "/me"),
    ];
    assert!(matches!(
        client.batch("v1.0", reqs).await,
        Err(GraphError::InvalidRequest(_))
    ));
    assert!(mock.calls().is_empty());
}

#[tokio::test]
async fn device_syncs_in_a_batch_report_an_outcome_per_device() {
    let mock = Mock::start().await;
    mock.on(
        "POST",
        BATCH,
        Reply::json(
            200,
            json!({"responses": [item("1", 204), item("2", 404), item("3", 400), throttled("4", "0")]}),
        ),
    )
    .on("POST", BATCH, Reply::json(200, json!({"responses": [item("4", 204)]})));
    let (client, _) = mock.client(fast_policy());
    let ids: Vec<String> = ["d1", "d2", "d3", "d4", "d1"].iter().map(|s| s.to_string()).collect();
    let outcomes = client.sync_devices(&ids).await.expect("batch");
    let calls = mock.calls_to("POST", BATCH);
    assert_eq!(ids_of(&calls[0]).len(), 4, "a repeated device is synced once");
    assert_eq!(
        calls[0].body["requests"][1]["url"],
        "/deviceManagement/managedDevices/d2/syncDevice"
    );
    assert_eq!(outcomes.len(), 5);
    assert!(matches!(outcomes[0].1, SyncOutcome::Requested));
    assert!(matches!(outcomes[1].1, SyncOutcome::DeviceGone));
    assert!(matches!(outcomes[2].1, SyncOutcome::Skipped(_)));
    assert!(matches!(outcomes[3].1, SyncOutcome::Requested));
    assert!(matches!(outcomes[4].1, SyncOutcome::Requested));
}

#[tokio::test]
async fn a_co_managed_device_is_synced_through_beta() {
    let mock = Mock::start().await;
    mock.on(
        "POST",
        "/beta/deviceManagement/comanagedDevices/d9/syncDevice",
        Reply::empty(204),
    )
    .on(
        "POST",
        "/v1.0/deviceManagement/managedDevices/gone/syncDevice",
        Reply::error(404, "ResourceNotFound"),
    );
    let (client, _) = mock.client(fast_policy());
    assert!(matches!(
        client.sync_comanaged_device("d9").await,
        SyncOutcome::Requested
    ));
    assert!(matches!(client.sync_device("gone").await, SyncOutcome::DeviceGone));
}
