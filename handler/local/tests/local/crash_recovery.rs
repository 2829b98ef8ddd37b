//! Killing the local host mid-delivery loses nothing.

use std::time::Duration;

use crate::support::*;
use azfn_local::{Handler, LocalHost, NewMessage, State};
use serde_json::json;

#[tokio::test]
async fn a_message_in_flight_when_the_host_dies_is_delivered_by_the_next_host() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state");
    let recorder = Recorder::default();
    write_app(dir.path(), host_json(), &[("work", work_fn(true))]);
    let url = test_handler::serve_in_process(recorder.clone()).await;
    let builder = LocalHost::builder()
        .app_root(dir.path())
        .handler(Handler::Url(url))
        .http_port(0)
        .state(State::Dir(state.clone()))
        // Long enough that only the restart, not lock expiry, can free the message.
        .lock_duration(Duration::from_secs(60));

    let first = builder.clone().start().await.unwrap();
    first
        .queues()
        .send(
            "work-items",
            NewMessage::json(&json!({"hang": true}))
                .message_id("survivor")
                .session_id("s"),
        )
        .unwrap();
    recorder
        .wait_until(Duration::from_secs(5), "the first delivery", |s| s.len() == 1)
        .await;
    assert_eq!(first.queues().queues().unwrap()[0].locked, 1);
    first.abort();

    let second = builder.start().await.unwrap();
    let seen = recorder
        .wait_until(Duration::from_secs(5), "the redelivery", |s| s.len() == 2)
        .await;
    let message = seen[1].message.clone().unwrap();
    assert_eq!(message.message_id.as_deref(), Some("survivor"));
    assert_eq!(message.session_id.as_deref(), Some("s"));
    assert_eq!(
        message.delivery_count,
        Some(2),
        "the lost delivery counts, as on Service Bus"
    );
    let start = std::time::Instant::now();
    while !second.queues().peek("work-items", 10).unwrap().is_empty() {
        assert!(
            start.elapsed() < Duration::from_secs(3),
            "the redelivered message was never completed"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    second.shutdown().await;

    // An operator's tool can open the same state without a host.
    let store = azfn_local::QueueStore::open_dir(&state).unwrap();
    assert_eq!(store.queues().unwrap()[0].name, "work-items");
}
