use std::time::Duration;

use serde_json::json;

use super::*;

fn store(max_delivery_count: u32) -> QueueStore {
    QueueStore::in_memory().unwrap().with_options(QueueOptions {
        lock_duration: Duration::from_millis(200),
        max_delivery_count,
        duplicate_detection: None,
    })
}

#[test]
fn a_received_message_is_locked_and_counted_until_completed() {
    let s = store(10);
    s.send("q", NewMessage::json(&json!({"a": 1})).message_id("m1"))
        .unwrap();
    let locked = s.receive("q", false).unwrap().unwrap();
    assert_eq!(locked.message.message_id, "m1");
    assert_eq!(locked.message.delivery_count, 1);
    assert!(
        s.receive("q", false).unwrap().is_none(),
        "locked messages are not delivered twice"
    );
    assert_eq!(s.queues().unwrap()[0].locked, 1);
    assert!(s.complete(locked.message.sequence_number, &locked.lock_token).unwrap());
    assert!(s.peek("q", 10).unwrap().is_empty());
}

#[test]
fn abandoned_messages_come_back_then_dead_letter_with_the_last_error() {
    let s = store(2);
    s.send("q", NewMessage::bytes("x")).unwrap();
    let first = s.receive("q", false).unwrap().unwrap();
    assert_eq!(
        s.abandon(first.message.sequence_number, &first.lock_token, "boom 1")
            .unwrap(),
        Abandoned::Retry
    );
    let second = s.receive("q", false).unwrap().unwrap();
    assert_eq!(second.message.delivery_count, 2);
    assert_eq!(
        s.abandon(second.message.sequence_number, &second.lock_token, "boom 2")
            .unwrap(),
        Abandoned::DeadLettered
    );
    assert!(s.receive("q", false).unwrap().is_none());
    let dead = s.dead_letters("q").unwrap();
    assert_eq!(dead[0].dead_letter_reason.as_deref(), Some(MAX_DELIVERY_COUNT_EXCEEDED));
    assert_eq!(dead[0].dead_letter_error_description.as_deref(), Some("boom 2"));
    assert_eq!(dead[0].delivery_count, 2);
}

#[test]
fn expired_locks_make_messages_deliverable_again() {
    let s = store(10);
    s.send("q", NewMessage::bytes("x")).unwrap();
    let first = s.receive("q", false).unwrap().unwrap();
    // Receive until the lock expires and the message is handed out again.
    let start = std::time::Instant::now();
    let again = loop {
        if let Some(again) = s.receive("q", false).unwrap() {
            break again;
        }
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "the message was never delivered again"
        );
        std::thread::sleep(Duration::from_millis(10));
    };
    assert_eq!(again.message.delivery_count, 2);
    assert!(
        !s.complete(first.message.sequence_number, &first.lock_token).unwrap(),
        "the old lock is lost"
    );
}

#[test]
fn sessions_deliver_in_order_one_at_a_time_while_others_proceed() {
    let s = store(10);
    for (session, n) in [("a", 1), ("a", 2), ("b", 1)] {
        s.send("q", NewMessage::json(&json!({"n": n})).session_id(session))
            .unwrap();
    }
    let a1 = s.receive("q", true).unwrap().unwrap();
    let b1 = s.receive("q", true).unwrap().unwrap();
    assert_eq!(
        b1.message.session_id.as_deref(),
        Some("b"),
        "session a is busy, b proceeds"
    );
    assert!(s.receive("q", true).unwrap().is_none(), "a2 waits for a1");
    s.abandon(a1.message.sequence_number, &a1.lock_token, "retry").unwrap();
    let again = s.receive("q", true).unwrap().unwrap();
    assert_eq!(
        again.message.sequence_number, a1.message.sequence_number,
        "a failed head is retried first"
    );
    s.complete(again.message.sequence_number, &again.lock_token).unwrap();
    let a2 = s.receive("q", true).unwrap().unwrap();
    assert_eq!(a2.message.body_json(), Some(json!({"n": 2})));
}

#[test]
fn duplicates_within_the_window_are_dropped() {
    let s = QueueStore::in_memory().unwrap().with_options(QueueOptions {
        duplicate_detection: Some(Duration::from_secs(60)),
        ..QueueOptions::default()
    });
    assert!(matches!(
        s.send("q", NewMessage::bytes("1").message_id("k")).unwrap(),
        SendOutcome::Enqueued(_)
    ));
    assert_eq!(
        s.send("q", NewMessage::bytes("2").message_id("k")).unwrap(),
        SendOutcome::Duplicate
    );
    assert!(matches!(
        s.send("other", NewMessage::bytes("3").message_id("k")).unwrap(),
        SendOutcome::Enqueued(_)
    ));
    assert_eq!(s.peek("q", 10).unwrap().len(), 1);
}

#[test]
fn moving_dead_letters_back_keeps_identity_and_resets_the_count() {
    let s = store(1);
    for id in ["m1", "m2"] {
        s.send(
            "q",
            NewMessage::bytes(id).message_id(id).session_id("s").property("k", "v"),
        )
        .unwrap();
    }
    for _ in 0..2 {
        let l = s.receive("q", false).unwrap().unwrap();
        s.abandon(l.message.sequence_number, &l.lock_token, "bad").unwrap();
    }
    let dead = s.dead_letters("q").unwrap();
    let moved = s.resubmit_dead_letters("q", Some(&[dead[1].sequence_number])).unwrap();
    assert_eq!(moved.len(), 1);
    assert_eq!(s.dead_letters("q").unwrap().len(), 1);
    let back = s.peek("q", 10).unwrap();
    assert_eq!(back.len(), 1);
    assert_eq!(back[0].message_id, "m2");
    assert_eq!(back[0].session_id.as_deref(), Some("s"));
    assert_eq!(back[0].application_properties.get("k"), Some(&json!("v")));
    assert_eq!(back[0].delivery_count, 0);
    assert_eq!(s.resubmit_dead_letters("q", None).unwrap().len(), 1);
    assert!(s.dead_letters("q").unwrap().is_empty());
}

#[test]
fn a_state_directory_keeps_messages_across_opens() {
    let dir = tempfile::tempdir().unwrap();
    QueueStore::open_dir(dir.path())
        .unwrap()
        .send("q", NewMessage::bytes("kept"))
        .unwrap();
    let reopened = QueueStore::open_dir(dir.path()).unwrap();
    assert_eq!(reopened.peek("q", 1).unwrap()[0].body_text(), Some("kept"));
}
