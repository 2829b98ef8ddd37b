//! Invoking functions through the router with host-shaped envelopes.

use axum::body::Body;
use http::Request;
use serde_json::{json, Value};
use tower::ServiceExt;

/// What `callout` answered.
#[derive(Debug)]
pub struct CalloutAnswer {
    /// The HTTP output's status (what EM sees).
    pub status: u16,
    /// Its headers.
    pub headers: Value,
    /// Its body, parsed.
    pub body: Value,
    /// Messages written to the `events` output binding.
    pub messages: Vec<Value>,
}

/// What `process` answered.
#[derive(Debug)]
pub struct ProcessAnswer {
    /// The invocation's status: 200 = completed, else failed (retried by the host).
    pub status: u16,
    /// The reply body.
    pub body: Value,
}

async fn post(router: &axum::Router, function: &str, envelope: Value) -> (u16, Value) {
    let request = Request::post(format!("/{function}"))
        .header("content-type", "application/json")
        .header("x-azure-functions-invocationid", format!("inv-{function}-1"))
        .body(Body::from(envelope.to_string()))
        .expect("request");
    let response = router.clone().oneshot(request).await.expect("router");
    let status = response.status().as_u16();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("body");
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

fn sys(function: &str) -> Value {
    json!({"MethodName": function, "UtcNow": "2026-11-28T10:00:00Z", "RandGuid": "9f1e2d3c-4b5a-4697-8877-665544332211"})
}

/// POST a callout with these headers and body to `url`.
pub async fn callout_at(router: &axum::Router, url: &str, headers: &[(&str, &str)], body: &str) -> CalloutAnswer {
    let mut h = serde_json::Map::new();
    h.insert("Content-Type".into(), json!(["application/json"]));
    for (k, v) in headers {
        h.insert(k.to_string(), json!([v]));
    }
    let envelope = json!({
        "Data": {"req": {"Url": url, "Method": "POST", "Query": {}, "Headers": h, "Body": body}},
        "Metadata": {"sys": sys("callout")}
    });
    let (status, reply) = post(router, "callout", envelope).await;
    assert_eq!(status, 200, "the callout invocation itself succeeds: {reply}");
    let res = &reply["Outputs"]["res"];
    let body = res["body"]
        .as_str()
        .map(|b| serde_json::from_str(b).unwrap_or(Value::String(b.to_string())))
        .unwrap_or(Value::Null);
    let messages = match &reply["Outputs"]["events"] {
        Value::Array(items) => items.clone(),
        Value::Null => Vec::new(),
        other => vec![other.clone()],
    };
    CalloutAnswer {
        status: res["statusCode"].as_u64().unwrap_or(0) as u16,
        headers: res["headers"].clone(),
        body,
        messages,
    }
}

/// POST a callout to the default URL.
pub async fn callout(router: &axum::Router, headers: &[(&str, &str)], body: &str) -> CalloutAnswer {
    callout_at(router, super::CALLOUT_URL, headers, body).await
}

/// Deliver `message` (the value written to the output binding, `{"azfnMessage": ...}`) to
/// `process`, as the host does: the body as a JSON string, broker metadata beside it.
pub async fn process(router: &axum::Router, message: &Value, delivery_count: u32) -> ProcessAnswer {
    let envelope = &message["azfnMessage"];
    let mut metadata = json!({"DeliveryCount": delivery_count.to_string(), "sys": sys("process")});
    if let Some(id) = envelope["messageId"].as_str() {
        metadata["MessageId"] = json!(format!("\"{id}\""));
    }
    if let Some(id) = envelope["sessionId"].as_str() {
        metadata["SessionId"] = json!(format!("\"{id}\""));
    }
    let data = json!({"msg": Value::String(message.to_string())});
    let (status, body) = post(router, "process", json!({"Data": data, "Metadata": metadata})).await;
    ProcessAnswer { status, body }
}
