//! The client against tenant-sim's Service Bus: the same REST calls, status codes and
//! headers as the broker's, with locks that expire and a dead-letter sub-queue.

use std::time::Duration;

use jitadmin_servicebus::{dead_letter_queue, Auth, OutgoingMessage, ServiceBusClient, ServiceBusError};
use serde_json::json;
use tenant_sim::service_bus::{QueueSettings, SbMessage};
use tenant_sim::{FaultKind, FaultRule, RoutePattern, Scenario, TenantSim};

const WAIT: Duration = Duration::from_secs(1);

async fn sim_with(queue: QueueSettings) -> (TenantSim, ServiceBusClient) {
    let sim = TenantSim::start(Scenario::demo()).await.unwrap();
    sim.create_queue(queue);
    let client = ServiceBusClient::from_connection_string(&sim.service_bus_connection_string()).unwrap();
    (sim, client)
}

#[tokio::test]
async fn a_sent_message_comes_back_with_its_broker_and_application_properties() {
    let (sim, client) = sim_with(QueueSettings::new("jobs")).await;
    let message = OutgoingMessage::new(br#"{"a":1}"#.to_vec())
        .message_id("k-1")
        .session_id("user-1")
        .correlation_id("inv-9")
        .property("jitadmin-replay", "1")
        .property("attempt", 2);
    client.send("jobs", &message).await.unwrap();
    let got = client.peek_lock("jobs", WAIT).await.unwrap().expect("a message");
    assert_eq!(got.body, br#"{"a":1}"#);
    assert_eq!(got.broker.message_id.as_deref(), Some("k-1"));
    assert_eq!(got.broker.session_id.as_deref(), Some("user-1"));
    assert_eq!(got.broker.correlation_id.as_deref(), Some("inv-9"));
    assert_eq!(got.broker.delivery_count, Some(1));
    assert!(got.broker.lock_token.is_some() && got.location.is_some());
    assert!(got.enqueued_time().is_some());
    assert_eq!(got.property_text("jitadmin-replay").as_deref(), Some("1"));
    assert_eq!(got.properties["attempt"], json!(2));
    client.complete(&got).await.unwrap();
    assert!(client.peek_lock("jobs", Duration::ZERO).await.unwrap().is_none());
    assert!(sim.queue_messages("jobs").is_empty());
    sim.shutdown().await;
}

#[tokio::test]
async fn an_entra_token_for_service_bus_is_accepted_and_a_graph_token_is_not() {
    let (sim, _) = sim_with(QueueSettings::new("jobs")).await;
    let app = sim.with_state(|s| s.applications[0].client_id.clone());
    let url = url::Url::parse(&sim.service_bus_url()).unwrap();
    let good = sim.app_token(&app, "https://servicebus.azure.net").unwrap();
    let client = ServiceBusClient::new(url.clone(), Auth::Credential(jitadmin_graph::StaticToken::new(good)));
    client.send("jobs", &OutgoingMessage::new(b"x".to_vec())).await.unwrap();
    let graph = sim.app_token(&app, "https://graph.microsoft.com").unwrap();
    let client = ServiceBusClient::new(url, Auth::Credential(jitadmin_graph::StaticToken::new(graph)));
    let err = client
        .send("jobs", &OutgoingMessage::new(b"x".to_vec()))
        .await
        .unwrap_err();
    assert!(
        matches!(err, ServiceBusError::Unauthorized { status: 401, .. }),
        "{err}"
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn a_wrong_key_is_refused() {
    let (sim, _) = sim_with(QueueSettings::new("jobs")).await;
    let text = sim
        .service_bus_connection_string()
        .replace(&sim.service_bus_key(), "d3Jvbmc=");
    let client = ServiceBusClient::from_connection_string(&text).unwrap();
    let err = client
        .send("jobs", &OutgoingMessage::new(b"x".to_vec()))
        .await
        .unwrap_err();
    assert!(matches!(err, ServiceBusError::Unauthorized { .. }), "{err}");
    sim.shutdown().await;
}

#[tokio::test]
async fn an_expired_lock_cannot_complete_and_the_message_is_delivered_again() {
    let (sim, client) = sim_with(QueueSettings::new("jobs").lock_duration(Duration::from_millis(300))).await;
    client.send("jobs", &OutgoingMessage::new(b"x".to_vec())).await.unwrap();
    let first = client.peek_lock("jobs", WAIT).await.unwrap().unwrap();
    // The next receive waits (up to WAIT) until the first lock expires and the broker hands
    // the message out again.
    let again = client
        .peek_lock("jobs", WAIT)
        .await
        .unwrap()
        .expect("the message is delivered again once its lock expires");
    let err = client.complete(&first).await.unwrap_err();
    assert!(err.is_lock_lost(), "{err}");
    assert_eq!(again.sequence_number(), first.sequence_number());
    assert_eq!(again.broker.delivery_count, Some(2));
    client.complete(&again).await.unwrap();
    sim.shutdown().await;
}

#[tokio::test]
async fn too_many_deliveries_dead_letter_the_message_with_the_reason() {
    let (sim, client) = sim_with(QueueSettings::new("jobs").max_delivery_count(2)).await;
    client
        .send("jobs", &OutgoingMessage::new(b"x".to_vec()).message_id("m"))
        .await
        .unwrap();
    for _ in 0..2 {
        let m = client.peek_lock("jobs", WAIT).await.unwrap().unwrap();
        client.unlock(&m).await.unwrap();
    }
    assert!(client.peek_lock("jobs", Duration::ZERO).await.unwrap().is_none());
    let dead = client
        .peek_lock(&dead_letter_queue("jobs"), WAIT)
        .await
        .unwrap()
        .expect("dead-lettered");
    assert_eq!(dead.broker.message_id.as_deref(), Some("m"));
    assert_eq!(dead.dead_letter_reason().as_deref(), Some("MaxDeliveryCountExceeded"));
    assert!(dead.dead_letter_description().is_some());
    // A copy for resending leaves the broker's dead-letter properties behind.
    assert!(OutgoingMessage::from_received(&dead).properties.is_empty());
    sim.shutdown().await;
}

#[tokio::test]
async fn a_session_queue_refuses_a_message_without_a_session() {
    let (sim, client) = sim_with(QueueSettings::new("events").sessions()).await;
    let err = client
        .send("events", &OutgoingMessage::new(b"x".to_vec()))
        .await
        .unwrap_err();
    assert!(matches!(err, ServiceBusError::Http { status: 400, .. }), "{err}");
    client
        .send("events", &OutgoingMessage::new(b"x".to_vec()).session_id("u"))
        .await
        .unwrap();
    assert_eq!(sim.queue_messages("events").len(), 1);
    sim.shutdown().await;
}

#[tokio::test]
async fn listing_holds_each_lock_so_the_next_receive_yields_the_next_message() {
    let (sim, client) = sim_with(QueueSettings::new("events").sessions()).await;
    for i in 0..3 {
        sim.dead_letter(
            "events",
            SbMessage::json(&json!({"i": i})).session_id("u"),
            10,
            "MaxDeliveryCountExceeded",
            "boom",
        )
        .unwrap();
    }
    let dlq = dead_letter_queue("events");
    let mut held = Vec::new();
    while let Some(m) = client.peek_lock(&dlq, Duration::ZERO).await.unwrap() {
        held.push(m);
    }
    assert_eq!(held.len(), 3);
    for m in &held {
        client.unlock(m).await.unwrap();
    }
    let listed = sim.queue_messages(&dlq);
    assert_eq!(
        listed.len(),
        3,
        "unlocking leaves every message in the dead-letter queue"
    );
    assert!(listed.iter().all(|m| m.delivery_count == 11));
    sim.shutdown().await;
}

#[tokio::test]
async fn an_injected_fault_is_a_transient_error() {
    let (sim, client) = sim_with(QueueSettings::new("jobs")).await;
    sim.faults().inject(FaultRule::new(
        RoutePattern::new("POST", "/servicebus/jobs/messages"),
        FaultKind::ServiceUnavailable { retry_after: None },
    ));
    let err = client
        .send("jobs", &OutgoingMessage::new(b"x".to_vec()))
        .await
        .unwrap_err();
    assert!(err.is_transient(), "{err}");
    assert!(sim.queue_messages("jobs").is_empty());
    client.send("jobs", &OutgoingMessage::new(b"x".to_vec())).await.unwrap();
    sim.shutdown().await;
}

#[tokio::test]
async fn a_missing_queue_is_named() {
    let (sim, client) = sim_with(QueueSettings::new("jobs")).await;
    let err = client.peek_lock("nope", Duration::ZERO).await.unwrap_err();
    assert!(
        matches!(err, ServiceBusError::EntityNotFound { status: 410, .. }),
        "{err}"
    );
    sim.shutdown().await;
}
