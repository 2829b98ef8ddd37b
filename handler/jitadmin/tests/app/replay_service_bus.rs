//! `jitadmin replay`'s Service Bus side against tenant-sim's Service Bus: listing with the
//! events decoded, filtering, a lock that runs out during a replay, and a failed send that
//! leaves the message in the dead-letter queue.

use std::time::Duration;

use jitadmin::ops::azure_queue::AzureQueue;
use jitadmin::ops::{DeadLetter, Filter, Outcome, REPLAY_PROPERTY};
use jitadmin::queue::{CalloutEvent, Event};
use jitadmin_events::callout::Callout;
use jitadmin_servicebus::ServiceBusClient;
use tenant_sim::service_bus::{QueueSettings, SbMessage};
use tenant_sim::{FaultKind, FaultRule, RoutePattern, Scenario, TenantSim};

fn event(fixture: &[u8], correlation: &str) -> Event {
    let payload: serde_json::Value = serde_json::from_slice(fixture).unwrap();
    let callout = Callout::from_slice(fixture).unwrap();
    CalloutEvent::event(callout, payload, correlation, chrono::Utc::now()).unwrap()
}

/// A sim with a session-enabled `events` queue holding three dead letters: created, granted, removed.
async fn sim_with_dead_letters(lock: Duration) -> (TenantSim, AzureQueue, Vec<Event>) {
    let sim = TenantSim::start(Scenario::demo()).await.unwrap();
    sim.create_queue(QueueSettings::new("events").sessions().lock_duration(lock));
    let events = vec![
        event(
            include_bytes!("../../../events/testdata/callout-created-pascalcase.json"),
            "inv-1",
        ),
        event(
            include_bytes!("../../../events/testdata/callout-granted-pascalcase.json"),
            "inv-2",
        ),
        event(
            include_bytes!("../../../events/testdata/callout-removed-pascalcase.json"),
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
            SbMessage::json(&body)
                .message_id(e.identity().key)
                .session_id(e.session_id()),
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
        assert_eq!(d.message_id, e.identity().key);
        assert_eq!(d.event.request_id.as_deref(), e.identity().request_id);
        assert_eq!(d.event.user.as_deref(), e.identity().user);
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
    assert_eq!(
        active[0].message_id,
        removed.identity().key,
        "the event's own idempotency key"
    );
    assert_eq!(active[0].session_id.as_deref(), Some(removed.session_id()));
    assert!(active[0].properties[REPLAY_PROPERTY]
        .as_str()
        .unwrap()
        .starts_with("1@"));
    assert!(active[0].body_text().contains(removed.identity().key));
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
        .filter(|d| d.message_id == events[0].identity().key)
        .collect();
    assert_eq!(replay(&queue, &again).await[0].1, Outcome::Replayed);
    let active = sim.queue_messages("events");
    assert_eq!(active.len(), 2);
    assert!(active.iter().all(|m| m.message_id == events[0].identity().key));
    sim.shutdown().await;
}

#[tokio::test]
async fn replay_list_names_every_kind_of_event_dead_lettered() {
    let sim = TenantSim::start(Scenario::demo()).await.unwrap();
    sim.create_queue(QueueSettings::new("events").sessions());
    let decision = jitadmin::queue::TeamsDecision::event("i-9", "r-9", "u-9", "inv-9", chrono::Utc::now());
    let events = [
        event(
            include_bytes!("../../../events/testdata/callout-granted-pascalcase.json"),
            "inv-1",
        ),
        jitadmin::queue::GroupChange::event("sub-1", "g-1", "7", "inv-2"),
        jitadmin::queue::Lifecycle::event(
            "sub-1",
            jitadmin_events::notification::LifecycleEvent::ReauthorizationRequired,
            "inv-3",
        ),
        decision,
    ];
    for e in &events {
        let body = e.to_message().to_value();
        let message = SbMessage::json(&body)
            .message_id(e.identity().key)
            .session_id(e.session_id());
        sim.dead_letter("events", message, 10, "MaxDeliveryCountExceeded", "graph: 503")
            .unwrap();
    }
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_jitadmin"))
        .args(["replay", "list", "--json", "--connection-string"])
        .arg(sim.service_bus_connection_string())
        .output()
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let listed: Vec<serde_json::Value> = stdout
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let kinds: Vec<&str> = listed.iter().filter_map(|d| d["event"]["kind"].as_str()).collect();
    assert_eq!(
        kinds,
        ["callout", "groupChange", "lifecycle", "teamsDecision"],
        "{stdout}"
    );
    let teams = &listed[3]["event"];
    assert_eq!(teams["requestId"], "r-9");
    assert_eq!(teams["user"], "u-9");
    assert_eq!(teams["key"], "teams-decision:i-9");
    let table = tokio::process::Command::new(env!("CARGO_BIN_EXE_jitadmin"))
        .args(["replay", "list", "--kind", "teamsDecision", "--connection-string"])
        .arg(sim.service_bus_connection_string())
        .output()
        .await
        .unwrap();
    let table = String::from_utf8_lossy(&table.stdout);
    assert!(table.contains("teamsDecision") && !table.contains("unknown"), "{table}");
    assert!(!table.contains("groupChange"), "the filter selects by kind: {table}");
}
