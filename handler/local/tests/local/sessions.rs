//! Session-enabled triggers: one message in flight per session, in order; other sessions proceed.

use crate::support;

use std::time::Duration;

use crate::support::*;
use azfn_local::NewMessage;
use serde_json::{json, Value};

#[tokio::test]
async fn a_sessions_messages_arrive_in_order_one_at_a_time_while_others_proceed() {
    let dir = tempfile::tempdir().unwrap();
    let recorder = Recorder::default();
    let host = standard(dir.path(), recorder.clone(), true)
        .await
        .start()
        .await
        .unwrap();
    let queues = host.queues();
    for n in 1..=3 {
        queues
            .send(
                "work-items",
                NewMessage::json(&json!({"n": n, "sleep_ms": 150}))
                    .message_id(format!("a{n}"))
                    .session_id("a"),
            )
            .unwrap();
    }
    queues
        .send(
            "work-items",
            NewMessage::json(&json!({"n": 1, "sleep_ms": 10}))
                .message_id("b1")
                .session_id("b"),
        )
        .unwrap();

    let seen = recorder
        .wait_until(Duration::from_secs(5), "all four done", |s| {
            s.iter().filter(|x| x.ended.is_some()).count() == 4
        })
        .await;
    let id = |s: &support::test_handler::Seen| s.message.as_ref().unwrap().message_id.clone().unwrap();
    let a: Vec<_> = seen.iter().filter(|s| id(s).starts_with('a')).collect();
    assert_eq!(a.iter().map(|s| id(s)).collect::<Vec<_>>(), ["a1", "a2", "a3"]);
    for pair in a.windows(2) {
        assert!(
            pair[1].started >= pair[0].ended.unwrap(),
            "a session never has two messages in flight"
        );
    }
    let b = seen.iter().find(|s| id(s) == "b1").unwrap();
    assert!(
        b.ended.unwrap() < a[0].ended.unwrap(),
        "session b is not held up by session a"
    );
    let bodies: Vec<Value> = a.iter().map(|s| s.message.as_ref().unwrap().body.clone()).collect();
    assert_eq!(bodies[2]["n"], 3);
    host.shutdown().await;
}
