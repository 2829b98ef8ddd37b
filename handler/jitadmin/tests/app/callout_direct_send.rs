//! With `JITADMIN_SERVICEBUS_*` set, `callout` sends the event to Service Bus itself (the
//! output binding cannot set MessageId or SessionId for a custom handler): against
//! tenant-sim's Service Bus, the message carries the event's key and user as MessageId and
//! SessionId and no output binding is written; a failed send fails the invocation.

use crate::callout_support::{fixture, invoke, ScriptedGraph, TestApp};
use tenant_sim::service_bus::QueueSettings;
use tenant_sim::{FaultKind, FaultRule, RoutePattern, Scenario, TenantSim};

async fn start_direct() -> TestApp {
    let sim = TenantSim::start(Scenario::demo()).await.expect("tenant-sim");
    sim.create_queue(QueueSettings::new("events").sessions());
    let graph = ScriptedGraph::start().await;
    let harness = crate::callout_support::harness(&sim, &graph).setting(
        "JITADMIN_SERVICEBUS_CONNECTION_STRING",
        &sim.service_bus_connection_string(),
    );
    assert!(
        !format!("{:?}", harness.config()).contains(&sim.service_bus_key()),
        "the key is never printed"
    );
    let built = harness.build().await;
    let (app, router) = (built.app, built.router);
    TestApp {
        sim,
        graph,
        app,
        router,
    }
}

#[tokio::test]
async fn the_event_goes_to_service_bus_with_its_key_and_session() {
    let t = start_direct().await;
    let answer = invoke::callout(
        &t.router,
        &[("Authorization", &t.bearer())],
        &fixture("callout-created-pascalcase.json"),
    )
    .await;
    assert_eq!(answer.status, 202, "{:?}", answer.body);
    assert!(answer.messages.is_empty(), "no output binding message");
    let sent = t.sim.queue_messages("events");
    assert_eq!(sent.len(), 1);
    let key = answer.body["key"].as_str().unwrap();
    assert_eq!(sent[0].message_id, key);
    assert!(sent[0].session_id.is_some());
    assert!(sent[0].body_text().contains("azfnMessage"));
    t.sim.shutdown().await;
}

#[tokio::test]
async fn a_failed_send_fails_the_callout_so_entitlement_management_calls_again() {
    let t = start_direct().await;
    t.sim.faults().inject(FaultRule::new(
        RoutePattern::new("POST", "/servicebus/events/messages"),
        FaultKind::ServiceUnavailable { retry_after: None },
    ));
    let request = azfn_runtime::testing::HttpInvocation::post(crate::callout_support::CALLOUT_URL)
        .header("Content-Type", "application/json")
        .header("Authorization", &t.bearer())
        .text(fixture("callout-created-pascalcase.json"));
    let response = azfn_runtime::testing::TestHost::from_router(t.router.clone())
        .invoke("callout", request)
        .await;
    assert_eq!(response.status, 500, "{:?}", response.problem);
    assert!(t.sim.queue_messages("events").is_empty());
    t.sim.shutdown().await;
}
