//! The `testing` module against the server: a message a function writes, delivered to
//! another, as the host would.

use azfn_runtime::testing::{HttpInvocation, ServiceBusInvocation, TestHost};
use azfn_runtime::{
    service_fn, Error, Functions, HttpRequest, HttpResponse, Invocation, OutputMessage, Outputs, ServiceBusMessage,
};
use serde_json::json;

use crate::support::init_logs;

async fn accept(event: Invocation<HttpRequest>) -> Result<Outputs, Error> {
    let order: serde_json::Value = serde_json::from_slice(event.trigger.body.as_deref().unwrap_or_default())?;
    let user = event.trigger.header("x-user").unwrap_or("anonymous").to_owned();
    Ok(Outputs::new()
        .http("res", HttpResponse::json(202, &json!({"accepted": order["id"]})))
        .message(
            "orders",
            OutputMessage::new(&order)
                .message_id(format!("order-{}", order["id"]))
                .session_id(user)
                .property("kind", "order"),
        ))
}

async fn fulfil(event: Invocation<ServiceBusMessage>) -> Result<Outputs, Error> {
    let message = event.trigger;
    Ok(Outputs::new().return_value(json!({
        "id": message.message_id,
        "session": message.session_id,
        "kind": message.property_text("kind"),
        "deliveries": message.delivery_count,
        "item": message.body["item"],
    })))
}

#[tokio::test]
async fn a_written_message_is_delivered_with_its_broker_properties() {
    init_logs();
    let host = TestHost::new(Functions::new().function("accept", "req", service_fn(accept)).function(
        "fulfil",
        "msg",
        service_fn(fulfil),
    ));
    let reply = host
        .invoke(
            "accept",
            HttpInvocation::post("https://example.net/api/orders")
                .header("X-User", "u-1")
                .json(&json!({"id": 7, "item": "pizza"})),
        )
        .await;
    let res = reply.http("res").expect("an HTTP output");
    assert_eq!(res.status_code, 202);
    assert_eq!(res.json_body::<serde_json::Value>().unwrap(), json!({"accepted": 7}));
    let messages = reply.messages("orders");
    assert_eq!(messages.len(), 1);

    let delivered = host
        .invoke(
            "fulfil",
            ServiceBusInvocation::from_output(&messages[0]).delivery_count(2),
        )
        .await;
    assert!(delivered.succeeded(), "{delivered:?}");
    assert_eq!(
        delivered.return_value,
        Some(json!({"id": "order-7", "session": "u-1", "kind": "order", "deliveries": 2, "item": "pizza"}))
    );
}
