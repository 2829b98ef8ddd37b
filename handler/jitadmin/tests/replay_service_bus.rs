//! `jitadmin replay`'s Service Bus side against tenant-sim's Service Bus: listing with the
//! events decoded, filtering, a lock that runs out during a replay, and a failed send that
//! leaves the message in the dead-letter queue.

use std::time::Duration;

use jitadmin::ops::azure_queue::AzureQueue;
use jitadmin::ops::{DeadLetter, Filter, Outcome, REPLAY_PROPERTY};
use jitadmin::queue::QueuedEvent;
use jitadmin_events::callout::Callout;
use jitadmin_servicebus::ServiceBusClient;
use tenant_sim::service_bus::{QueueSettings, SbMessage};
use tenant_sim::{FaultKind, FaultRule, RoutePattern, Scenario, TenantSim};

fn event(fixture: &[u8], correlation: &str) -> QueuedEvent {
    let payload: serde_json::Value = serde_json::from_slice(fixture).unwrap();
    let callout = Callout::from_slice(fixture).unwrap();
    QueuedEvent::callout(&callout, payload, correlation).unwrap()
}

/// A sim with a session-enabled `events` queue holding three dead letters: created, granted, removed.
async fn sim_with_dead_letters(lock: Duration) -> (TenantSim, AzureQueue, Vec<QueuedEvent>) {
    let sim = TenantSim::start(Scenario::demo()).await.unwrap();
    sim.create_queue(QueueSettings::new("events").sessions().lock_duration(lock));
    let events = vec![
        event(
            include_bytes!("../../events/testdata/callout-created-pascalcase.json"),
            "inv-1",
        ),
        event(
            include_bytes!("../../events/testdata/callout-granted-pascalcase.json"),
            "inv-2",
        ),
        event(
            include_bytes!("../../events/testdata/callout-removed-pascalcase.json"),
            "inv-3",
        ),
    ];
    for (i, e) in events.iter().enumerate() {
        let body = e.to_message().to_value();
        let description = if i == 1 {
            "TTL expired"
        } else {
            "graph: 503 Service Unavailable"
        };
        let reason = if i == 1 {
            "TTLExpiredException"
        } else {
            "MaxDeliveryCountExceeded"
        };
        sim.dead_letter(
            "events",
            SbMessage::json(&body).message_id(&e.key).session_id(e.session_id()),
            10,
            reason,
            description,
        )
        .unwrap();
    }
    let client = ServiceBusClient::from_connection_string(&sim.service_bus_connection_string()).unwrap();
    (sim, AzureQueue::new(client, "events"), events)
}

async fn replay(queue: &AzureQueue, selected: &[DeadLetter]) -> Vec<(i64, Outcome)> {
    let mut outcomes = Vec::new();
    queue
        .replay(selected, |seq, outcome| outcomes.push((seq, outcome.clone())))
        .await
        .unwrap();
    outcomes
}

#[tokio::test]
async fn listing_decodes_each_event_and_leaves_the_dead_letters_in_place() {
    let (sim, queue, events) = sim_with_dead_letters(Duration::from_secs(60)).await;
    let listed = queue.list().await.unwrap();
    assert_eq!(listed.len(), 3);
    let stages: Vec<_> = listed.iter().map(|d| d.event.stage.clone().unwrap()).collect();
    assert_eq!(
        stages,
        [
            "assignmentRequestCreated",
            "assignmentRequestGranted",
            "assignmentRequestRemoved"
        ]
    );
    for (d, e) in listed.iter().zip(&events) {
        assert_eq!(d.event.kind, "callout");
        assert_eq!(d.message_id, e.key);
        assert_eq!(d.event.request_id, e.request_id);
        assert_eq!(d.event.user, e.user_id);
        assert_eq!(d.delivery_count, 10);
        assert!(d.enqueued_at.is_some());
    }
    assert_eq!(listed[1].reason.as_deref(), Some("TTLExpiredException"));
    assert_eq!(
        sim.queue_messages("events/$DeadLetterQueue").len(),
        3,
        "listing moves nothing"
    );
    assert!(sim.queue_messages("events").is_empty());
    sim.shutdown().await;
}

#[tokio::test]
async fn a_filtered_replay_sends_only_the_selection_back_with_its_ids_and_a_replay_mark() {
    let (sim, queue, events) = sim_with_dead_letters(Duration::from_secs(60)).await;
    let filter = Filter {
        reason: Some("503".into()),
        stage: Some("removed".into()),
        ..Filter::default()
    };
    let selected: Vec<_> = queue
        .list()
        .await
        .unwrap()
        .into_iter()
        .filter(|d| filter.matches(d))
        .collect();
    assert_eq!(selected.len(), 1);
    let outcomes = replay(&queue, &selected).await;
    assert_eq!(outcomes, [(selected[0].sequence_number, Outcome::Replayed)]);
    let active = sim.queue_messages("events");
    assert_eq!(active.len(), 1);
    let removed = &events[2];
    assert_eq!(active[0].message_id, removed.key, "the event's own idempotency key");
    assert_eq!(active[0].session_id.as_deref(), Some(removed.session_id()));
    assert!(active[0].properties[REPLAY_PROPERTY]
        .as_str()
        .unwrap()
        .starts_with("1@"));
    assert!(active[0].body_text().contains(&removed.key));
    assert_eq!(
        sim.queue_messages("events/$DeadLetterQueue").len(),
        2,
        "the others stay"
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn a_failed_send_leaves_the_message_in_the_dead_letter_queue() {
    let (sim, queue, _) = sim_with_dead_letters(Duration::from_secs(60)).await;
    let all = queue.list().await.unwrap();
    sim.faults().inject(FaultRule::new(
        RoutePattern::new("POST", "/servicebus/events/messages"),
        FaultKind::ServiceUnavailable { retry_after: None },
    ));
    let outcomes = replay(&queue, &all).await;
    assert!(matches!(outcomes[0].1, Outcome::SendFailed(_)), "{outcomes:?}");
    assert_eq!(outcomes[1].1, Outcome::Replayed);
    assert_eq!(outcomes[2].1, Outcome::Replayed);
    let dead = sim.queue_messages("events/$DeadLetterQueue");
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0].sequence_number, all[0].sequence_number);
    assert_eq!(sim.queue_messages("events").len(), 2);
    // The failed one is unlocked and replays on the next run.
    let outcomes = replay(&queue, &queue.list().await.unwrap()).await;
    assert_eq!(outcomes, [(all[0].sequence_number, Outcome::Replayed)]);
    sim.shutdown().await;
}

#[tokio::test]
async fn a_lock_that_runs_out_during_the_replay_leaves_a_sent_copy_and_the_next_run_sends_it_again() {
    let (sim, queue, events) = sim_with_dead_letters(Duration::from_millis(400)).await;
    let all = queue.list().await.unwrap();
    // The first send is slow: the dead letter's lock expires before it can be completed.
    sim.faults().inject(FaultRule::new(
        RoutePattern::new("POST", "/servicebus/events/messages"),
        FaultKind::Latency(Duration::from_millis(700)),
    ));
    let outcomes = replay(&queue, &all[..1]).await;
    assert!(matches!(outcomes[0].1, Outcome::SentButNotRemoved(_)), "{outcomes:?}");
    assert_eq!(sim.queue_messages("events").len(), 1, "the copy was sent");
    assert_eq!(
        sim.queue_messages("events/$DeadLetterQueue").len(),
        3,
        "nothing was lost"
    );
    // Run again: the same event is sent a second time (the ledger makes that harmless).
    let again: Vec<_> = queue
        .list()
        .await
        .unwrap()
        .into_iter()
        .filter(|d| d.message_id == events[0].key)
        .collect();
    assert_eq!(replay(&queue, &again).await[0].1, Outcome::Replayed);
    let active = sim.queue_messages("events");
    assert_eq!(active.len(), 2);
    assert!(active.iter().all(|m| m.message_id == events[0].key));
    sim.shutdown().await;
}
