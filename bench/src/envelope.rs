//! Invocation envelopes as the Functions host POSTs them to `/{FunctionName}`: an HTTP
//! trigger binding `req` with the request line, headers (values as arrays) and the body as
//! a string, and `Metadata.sys`.

use serde_json::{json, Map, Value};

/// EM's created-stage callout (PascalCase, as the forwarder passes it on).
pub const CALLOUT_CREATED: &str = include_str!("../../handler/events/testdata/callout-created-pascalcase.json");
/// EM's removed-stage callout (an assignment removed, e.g. by an access review).
pub const CALLOUT_REMOVED: &str = include_str!("../../handler/events/testdata/callout-removed-pascalcase.json");
/// A Graph change notification for a group's members (one item).
pub const NOTIFICATION: &str = include_str!("../../handler/events/testdata/notification-group-membership-change.json");

/// The host's envelope for an HTTP-triggered invocation of `function`.
pub fn http_envelope(function: &str, path: &str, headers: &[(&str, &str)], body: &str) -> Value {
    let mut h = Map::new();
    h.insert("Content-Type".into(), json!(["application/json"]));
    for (name, value) in headers {
        h.insert((*name).to_string(), json!([value]));
    }
    json!({
        "Data": {"req": {
            "Url": format!("https://jitadmin.example.net{path}"),
            "Method": "POST",
            "Query": {},
            "Headers": h,
            "Body": body,
        }},
        "Metadata": {"sys": {
            "MethodName": function,
            "UtcNow": chrono::Utc::now().to_rfc3339(),
            "RandGuid": "9f1e2d3c-4b5a-4697-8877-665544332211",
        }}
    })
}

/// `callout` with the forwarder's bearer token and a created-stage body.
pub fn callout(token: &str) -> Vec<u8> {
    let authorization = format!("Bearer {token}");
    http_envelope(
        "callout",
        "/api/callout",
        &[("Authorization", &authorization)],
        CALLOUT_CREATED,
    )
    .to_string()
    .into_bytes()
}

/// A notification body of `items` items: the fixture's item repeated with distinct
/// subscription ids and sequence numbers, for `tenant_id` and signed with `client_state`.
pub fn notification_body(items: usize, tenant_id: &str, client_state: &str) -> anyhow::Result<String> {
    let fixture: Value = serde_json::from_str(NOTIFICATION)?;
    let item = fixture["value"]
        .get(0)
        .cloned()
        .ok_or_else(|| anyhow::anyhow!("the notification fixture has no item"))?;
    let value: Vec<Value> = (0..items)
        .map(|n| {
            let mut item = item.clone();
            item["subscriptionId"] = json!(format!("7f105c7d-2dc5-4530-97cd-{n:012}"));
            item["resourceData"]["sequenceNumber"] = json!(638_999_999_000_000_000i64 + n as i64);
            item["tenantId"] = json!(tenant_id);
            item["clientState"] = json!(client_state);
            item
        })
        .collect();
    Ok(json!({ "value": value }).to_string())
}

/// `notifications` with a batch of `items` change notifications.
pub fn notifications(items: usize, tenant_id: &str, client_state: &str) -> anyhow::Result<Vec<u8>> {
    let body = notification_body(items, tenant_id, client_state)?;
    Ok(http_envelope("notifications", "/api/notifications", &[], &body)
        .to_string()
        .into_bytes())
}

/// The HTTP output's status in a handler's reply (`Outputs.res.statusCode`), if any.
pub fn reply_status(reply: &[u8]) -> Option<u16> {
    let value: Value = serde_json::from_slice(reply).ok()?;
    let status = &value["Outputs"]["res"]["statusCode"];
    status
        .as_u64()
        .or_else(|| status.as_str().and_then(|s| s.parse().ok()))
        .and_then(|s| u16::try_from(s).ok())
}

/// Messages a handler's reply puts on the `events` output binding.
pub fn reply_messages(reply: &[u8]) -> usize {
    match serde_json::from_slice::<Value>(reply) {
        Ok(value) => match &value["Outputs"]["events"] {
            Value::Array(items) => items.len(),
            Value::Null => 0,
            _ => 1,
        },
        Err(_) => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hundred_item_batch_has_a_hundred_distinct_items() {
        let body: Value = serde_json::from_str(&notification_body(100, "t", "s").expect("body")).expect("json");
        let items = body["value"].as_array().expect("value");
        assert_eq!(items.len(), 100);
        assert_ne!(items[0]["subscriptionId"], items[99]["subscriptionId"]);
        assert_eq!(items[99]["clientState"], "s");
        assert_eq!(items[99]["tenantId"], "t");
    }

    #[test]
    fn the_http_output_status_is_read_from_a_reply() {
        assert_eq!(reply_status(br#"{"Outputs":{"res":{"statusCode":202}}}"#), Some(202));
        assert_eq!(reply_status(br#"{"Outputs":{"res":{"statusCode":"501"}}}"#), Some(501));
        assert_eq!(reply_status(br#"{"Outputs":{},"Logs":[]}"#), None);
        assert_eq!(reply_messages(br#"{"Outputs":{"events":[{},{}]}}"#), 2);
        assert_eq!(reply_messages(br#"{"Outputs":{"events":{}}}"#), 1);
        assert_eq!(reply_messages(br#"{"Outputs":{}}"#), 0);
    }
}
