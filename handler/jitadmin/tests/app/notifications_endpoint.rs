//! `notifications`: the validation handshake, clientState per item, what is queued, 202;
//! lifecycle `reauthorizationRequired` queued and answered by reauthorizing.

use std::time::{Duration, Instant};

use crate::devices_support::{invoke_notifications, start, ADMIN_GROUP, CLIENT_STATE};
use serde_json::{json, Value};

fn change(client_state: Option<&str>, tenant: &str, group: &str, sequence: i64) -> Value {
    let mut item = json!({
        "subscriptionId": "sub-1",
        "subscriptionExpirationDateTime": "2026-12-20T10:00:00Z",
        "changeType": "updated",
        "resource": format!("Groups/{group}"),
        "tenantId": tenant,
        "resourceData": {"@odata.type": "#Microsoft.Graph.Group", "id": group, "sequenceNumber": sequence}
    });
    if let Some(state) = client_state {
        item["clientState"] = json!(state);
    }
    item
}

#[tokio::test]
async fn handshake_answers_200_text_plain_with_the_decoded_token_without_reading_the_body() {
    let t = start(&[]).await;
    let token = "Validation: Testing client application reachability for subscription Request-Id: 8a3b";
    let query = format!(
        "code=k&validationToken={}",
        url::form_urlencoded::byte_serialize(token.as_bytes()).collect::<String>()
    );
    let answer = invoke_notifications(&t.router, &query, "this is not JSON").await;
    assert_eq!(answer.status, 200);
    assert!(answer.headers["Content-Type"]
        .as_str()
        .unwrap()
        .starts_with("text/plain"));
    assert_eq!(answer.body, token);
    assert_eq!(answer.headers["X-Content-Type-Options"], "nosniff");
    assert!(answer.messages.is_empty());
}

#[tokio::test]
async fn a_validation_token_longer_than_graph_sends_is_refused_and_not_echoed() {
    let t = start(&[]).await;
    let token = format!("<script>{}</script>", "x".repeat(5_000));
    let query = format!(
        "validationToken={}",
        url::form_urlencoded::byte_serialize(token.as_bytes()).collect::<String>()
    );
    let answer = invoke_notifications(&t.router, &query, "").await;
    assert_eq!(answer.status, 400, "{}", answer.body);
    assert!(!answer.body.contains("<script>"), "{}", answer.body);
    assert!(answer.body.len() < 1_000);
}

#[tokio::test]
async fn good_client_state_queues_one_message_per_group_change_sessioned_by_the_group() {
    let t = start(&[]).await;
    let tenant = t.sim.tenant_id().to_string();
    // Two items for the same change (same sequence number) and one for a later change.
    let body = json!({"value": [
        change(Some(CLIENT_STATE), &tenant, ADMIN_GROUP, 7),
        change(Some(CLIENT_STATE), &tenant, ADMIN_GROUP, 7),
        change(Some(CLIENT_STATE), &tenant, ADMIN_GROUP, 8),
    ]});
    let started = Instant::now();
    let answer = invoke_notifications(&t.router, "code=k", &body.to_string()).await;
    assert!(started.elapsed() < Duration::from_secs(1), "answered well inside 3 s");
    assert_eq!(answer.status, 202);
    assert_eq!(answer.messages.len(), 2);
    for m in &answer.messages {
        assert_eq!(m["azfnMessage"]["sessionId"], ADMIN_GROUP);
        assert_eq!(m["azfnMessage"]["body"]["kind"], "groupChange");
    }
}

#[tokio::test]
async fn a_batch_with_no_item_of_ours_is_acknowledged_without_being_parsed() {
    let t = start(&[]).await;
    // Items that a full parse would refuse (no subscriptionId, a tenant that is a number), but
    // none carries our clientState: dropped after the light look, 202.
    let junk: Vec<Value> = (0..500)
        .map(|i| json!({"clientState": "not-ours", "tenantId": i, "resource": {"deep": [1, 2, 3]}}))
        .collect();
    let answer = invoke_notifications(&t.router, "", &json!({"value": junk}).to_string()).await;
    assert_eq!(answer.status, 202, "{}", answer.body);
    assert!(answer.messages.is_empty());
}

#[tokio::test]
async fn a_batch_of_too_many_items_is_refused_and_an_oversized_one_is_never_read() {
    let t = start(&[]).await;
    let tenant = t.sim.tenant_id().to_string();
    let many: Vec<Value> = (0..1001)
        .map(|i| change(Some(CLIENT_STATE), &tenant, ADMIN_GROUP, i))
        .collect();
    let answer = invoke_notifications(&t.router, "", &json!({"value": many}).to_string()).await;
    assert_eq!(answer.status, 413, "{}", answer.body);
    assert!(answer.messages.is_empty());

    let huge = json!({"value": [{"clientState": "x".repeat(2 << 20)}]}).to_string();
    let request = azfn_runtime::testing::HttpInvocation::post("https://jitadmin.example.net/api/notifications")
        .header("Content-Type", "application/json")
        .text(&huge);
    let reply = azfn_runtime::testing::TestHost::from_router(t.router.clone())
        .invoke_with_id("notifications", "inv-huge", request)
        .await;
    assert_eq!(reply.status, 413, "refused by the runtime before any parse");
}

#[tokio::test]
async fn bad_or_missing_client_state_is_dropped_but_still_acknowledged() {
    let t = start(&[]).await;
    let tenant = t.sim.tenant_id().to_string();
    let body = json!({"value": [
        change(Some("wrong-state"), &tenant, ADMIN_GROUP, 1),
        change(None, &tenant, ADMIN_GROUP, 2),
        change(Some(CLIENT_STATE), "00000000-0000-4000-8000-000000000000", ADMIN_GROUP, 3),
    ]});
    let answer = invoke_notifications(&t.router, "code=k", &body.to_string()).await;
    assert_eq!(answer.status, 202, "nothing is learnt from the answer");
    assert!(answer.messages.is_empty(), "{:?}", answer.messages);
}

#[tokio::test]
async fn a_body_that_is_not_a_notification_is_refused() {
    let t = start(&[]).await;
    let answer = invoke_notifications(&t.router, "code=k", "{\"hello\": 1}").await;
    assert_eq!(answer.status, 400);
}

#[tokio::test]
async fn lifecycle_reauthorization_required_is_queued_and_answered_by_reauthorizing() {
    let t = start(&[]).await;
    let (status, reply) = crate::devices_support::maintain(&t.router).await;
    assert_eq!(status, 200, "{reply}");
    let subs = t.sim.subscriptions();
    assert_eq!(subs.len(), 1);
    t.take_queued();
    let delivery = t
        .sim
        .send_lifecycle_notification(&subs[0].id, "reauthorizationRequired")
        .await
        .unwrap();
    assert_eq!(delivery.status, Some(202));
    assert!(delivery.accepted && !delivery.slow);
    let queued = t.take_queued();
    assert_eq!(queued.len(), 1);
    assert_eq!(queued[0]["azfnMessage"]["body"]["kind"], "lifecycle");
    assert_eq!(queued[0]["azfnMessage"]["sessionId"], subs[0].id.as_str());
    let (status, reply) = crate::devices_support::process(&t.router, &queued[0], 1).await;
    assert_eq!(status, 200, "{reply}");
    let reauthorized = t
        .sim
        .calls_to("POST", &format!("/v1.0/subscriptions/{}/reauthorize", subs[0].id));
    assert_eq!(reauthorized.len(), 1);
}
